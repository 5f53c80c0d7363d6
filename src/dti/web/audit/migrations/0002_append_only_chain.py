"""The audit trail made append-only and tamper-evident.

* The actor's name and the object's label are kept in the row; the actor's foreign key has no
  database constraint and nothing happens to events when a user is deleted; an assessment with
  events can no longer be deleted (PROTECT, and the database's constraint).
* Every existing event is linked into its chain here (per assessment, and the global chain),
  in the order it was written (by id): the chain then proves that nothing was changed *after
  this migration*; what happened to rows before it cannot be told.
* On PostgreSQL a trigger refuses every UPDATE and DELETE of an event (nothing on SQLite).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from dti.web.audit.chain import GENESIS, GLOBAL, HASHED, chain_of, event_hash

REFUSE_SQL = """
CREATE OR REPLACE FUNCTION dti_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION dti_audit_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS dti_audit_append_only();
"""


def link_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditChainHead")
    assessment_model = apps.get_model("assessments", "Assessment")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    db = schema_editor.connection.alias
    names = dict(user_model.objects.using(db).values_list("pk", "username"))
    heads: dict[str, tuple[int, str]] = {}
    batch = []
    for event in event_model.objects.using(db).order_by("id").iterator(chunk_size=2_000):
        event.actor_name = names.get(event.actor_id, "")
        event.chain = chain_of(event.assessment_id)
        sequence, prev = heads.get(event.chain, (0, GENESIS))
        event.sequence, event.prev_hash = sequence + 1, prev
        event.hash = event_hash({name: getattr(event, name) for name in HASHED})
        heads[event.chain] = (event.sequence, event.hash)
        batch.append(event)
        if len(batch) == 2_000:
            fields = ["actor_name", "chain", "sequence", "prev_hash", "hash"]
            event_model.objects.using(db).bulk_update(batch, fields)
            batch = []
    event_model.objects.using(db).bulk_update(
        batch, ["actor_name", "chain", "sequence", "prev_hash", "hash"]
    )
    sequence, digest = heads.pop(GLOBAL, (0, GENESIS))
    head_model.objects.using(db).create(chain=GLOBAL, sequence=sequence, hash=digest)
    for chain, (sequence, digest) in heads.items():
        pk = int(chain.removeprefix("assessment:"))
        assessment_model.objects.using(db).filter(pk=pk).update(
            audit_sequence=sequence, audit_hash=digest
        )


def append_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_SQL, params=None)


def not_append_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_assessment_audit_head"),
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS, max_length=64)),
            ],
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="assessment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_events",
                to="assessments.assessment",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="object_label",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "sequence"), name="audit_chain_sequence"
            ),
        ),
        migrations.RunPython(append_only, not_append_only),
    ]
