"""The audit trail is append-only and tamper-evident: the database refuses UPDATE and DELETE of
an event (PostgreSQL), deleting a user or trying to delete an assessment leaves the trail
intact and readable, every event is linked into a hash chain that ``dti_audit_verify`` checks,
and what finishing verification and a reopening do is recorded in full."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.web.conftest import advance, entry

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments.models import Assessment
from dti.web.assessments.services import assessment_transition, entry_save_self
from dti.web.audit.actions import AuditAction
from dti.web.audit.chain import GENESIS, GLOBAL
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_record
from dti.web.audit.verify import audit_verify

TABLE = AuditEvent._meta.db_table


def _save(world: dict[str, Any], code: str, value: float, **kw: Any) -> Any:
    e = entry(world["mine"], code)
    args = {"denominator": None, "applicable": True, "version": e.version, **kw}
    return entry_save_self(actor=world["users"]["reporter"], entry=e, value=value, **args)


def _tamper(sql: str, params: list[Any]) -> None:
    """Change the trail behind the application's back, as the database's superuser could: on
    PostgreSQL the triggers are switched off first, for the test's transaction only
    (``ALTER TABLE … DISABLE TRIGGER`` would wait for the deferred constraint checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("dti_audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue(), f"{err.getvalue()}{exc}"
    return 0, out.getvalue(), err.getvalue()


# -- deleting users and assessments ------------------------------------------------------------


def test_deleting_a_user_keeps_their_events_and_name(world: dict[str, Any]) -> None:
    clerk = user_create(
        actor=world["users"]["admin"], username="clerk", password="x-9-horse", role=Role.VERIFIER
    )
    clerk_pk = clerk.pk
    audit_record(
        actor=clerk,
        action=AuditAction.SITE_VISIT_NOTE_ADD,
        obj=world["mine"],
        assessment=world["mine"],
        new="ghi chú",
    )
    before = AuditEvent.objects.count()
    User.objects.filter(pk=clerk_pk).delete()
    assert AuditEvent.objects.count() == before
    event = AuditEvent.objects.get(action=AuditAction.SITE_VISIT_NOTE_ADD)
    assert (event.actor_id, event.actor_name) == (clerk_pk, "clerk")
    admin = Client()
    admin.force_login(world["users"]["admin"])
    for url in ("/audit/", f"/assessments/{world['mine'].pk}/history/"):
        page = admin.get(url)
        assert page.status_code == 200
        assert "<td>clerk</td>" in page.content.decode()
    assert audit_verify().intact


def test_deleting_an_assessment_with_events_is_refused(world: dict[str, Any]) -> None:
    mine = world["mine"]
    _save(world, "1.1", 1.0)
    events = AuditEvent.objects.filter(assessment=mine).count()
    assert events
    with pytest.raises(ProtectedError), transaction.atomic():
        Assessment.objects.filter(pk=mine.pk).delete()
    assert Assessment.objects.filter(pk=mine.pk).exists()
    assert AuditEvent.objects.filter(assessment=mine).count() == events


# -- what the database refuses -----------------------------------------------------------------


def test_the_database_refuses_update_and_delete_of_an_event(world: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    for sql in (
        f"UPDATE {TABLE} SET reason = 'rewritten' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.reason == ""


# -- the hash chain ----------------------------------------------------------------------------


def test_every_event_is_linked_to_the_one_before(world: dict[str, Any]) -> None:
    _save(world, "1.1", 1.0)
    _save(world, "1.2", 40.0, denominator=50.0)
    mine = advance(world, world["mine"], "published")
    chain = list(AuditEvent.objects.filter(assessment=mine).order_by("sequence"))
    assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    assert {e.chain for e in chain} == {f"assessment:{mine.pk}"}
    mine.refresh_from_db()
    assert (mine.audit_sequence, mine.audit_hash) == (chain[-1].sequence, chain[-1].hash)
    registry = AuditEvent.objects.filter(assessment=None).order_by("sequence")
    assert {e.chain for e in registry} == {GLOBAL}
    assert [e.sequence for e in registry] == list(range(1, registry.count() + 1))
    status, out, _ = _verify()
    assert status == 0 and "audit trail intact" in out


def test_a_value_changed_in_the_database_is_found(
    world: dict[str, Any], audit_tampered: None
) -> None:
    _save(world, "1.1", 1.0)
    _save(world, "1.1", 0.0)
    assert _verify()[0] == 0
    target = AuditEvent.objects.get(field="self_value", new=1.0)
    _tamper(f"UPDATE {TABLE} SET new = %s WHERE id = %s", ["0.5", target.pk])
    status, _, report = _verify()
    assert status == 1
    assert f"chain {target.chain}, sequence {target.sequence}, event {target.pk}" in report
    assert "the event was altered" in report


def test_a_rewritten_actor_is_found_in_the_global_chain(
    world: dict[str, Any], audit_tampered: None
) -> None:
    target = AuditEvent.objects.filter(chain=GLOBAL).order_by("sequence")[2]
    _tamper(f"UPDATE {TABLE} SET actor_name = %s WHERE id = %s", ["someone", target.pk])
    status, _, report = _verify()
    assert status == 1
    assert f"chain global, sequence {target.sequence}, event {target.pk}" in report


def test_removed_events_are_found(world: dict[str, Any], audit_tampered: None) -> None:
    _save(world, "1.1", 1.0)
    _save(world, "1.1", 0.0)
    chain = list(AuditEvent.objects.filter(assessment=world["mine"]).order_by("sequence"))
    middle, last = chain[1], chain[-1]
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [last.pk])
    status, _, report = _verify()
    assert status == 1 and "events were removed from its end" in report
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [middle.pk])
    status, _, report = _verify()
    assert status == 1
    assert f"sequence {middle.sequence}, event {chain[2].pk}: sequence is" in report


def test_an_append_from_a_stale_head_is_refused_not_forked(world: dict[str, Any]) -> None:
    """A writer that did not lock the assessment cannot fork its chain: the second of two
    appends of the same link fails."""
    one = Assessment.objects.get(pk=world["mine"].pk)
    other = Assessment.objects.get(pk=world["mine"].pk)
    kwargs: dict[str, Any] = {
        "actor": world["users"]["verifier"],
        "action": AuditAction.SITE_VISIT_NOTE_ADD,
        "obj": one,
        "new": "x",
    }
    audit_record(assessment=one, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        audit_record(assessment=other, **kwargs)
    assert audit_verify().intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_a_chain(world: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections are tested on PostgreSQL")
    reporter, admin = world["users"]["reporter"], world["users"]["admin"]
    codes = ["1.1", "1.2"]
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def save(code: str) -> None:
        try:
            e = entry(world["mine"], code)
            barrier.wait()
            entry_save_self(
                actor=reporter,
                entry=e,
                version=e.version,
                value=1.0 if code == "1.1" else 10.0,
                denominator=None if code == "1.1" else 50.0,
                applicable=True,
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    def create(name: str) -> None:
        try:
            barrier.wait()
            user_create(actor=admin, username=name, password="x-9-horse", role=Role.LEADER)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(c,)) for c in codes] + [
        threading.Thread(target=create, args=(n,)) for n in ("lead-1", "lead-2")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert AuditEvent.objects.filter(action=AuditAction.USER_CREATE, actor=admin).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.ENTRY_SAVE_SELF).count() >= 2
    result = audit_verify()
    assert result.intact, result.breaks


# -- what finishing verification and reopening record ----------------------------------------


def test_finishing_verification_records_the_verified_values(world: dict[str, Any]) -> None:
    _save(world, "1.2", 40.0, denominator=50.0)
    mine = advance(world, world["mine"], "verified")
    e = entry(mine, "1.2")
    accepted = {
        ev.field: (ev.old, ev.new)
        for ev in AuditEvent.objects.filter(action=AuditAction.ENTRY_VERIFY, object_id=str(e.pk))
    }
    assert accepted == {
        "verdict": ("pending", "accepted"),
        "verified_value": (None, 40.0),
        "verified_denominator": (None, 50.0),
        "verified_applicable": (True, True),
    }
    assert (e.verified_value, e.verified_denominator) == (40.0, 50.0)
    assert AuditEvent.objects.filter(object_id=str(e.pk), field="verdict").get().object_label == (
        "1.2"
    )


def test_a_deadline_extension_on_reopening_is_audited(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "verified")
    period_deadline = world["period"].self_deadline
    late = period_deadline + dt.timedelta(days=3)
    extended = late + dt.timedelta(days=10)
    assessment_transition(
        actor=world["users"]["admin"],
        assessment=a,
        name="reopen_to_draft",
        reason="Sai số liệu",
        now=late,
        new_deadline=extended,
    )
    event = AuditEvent.objects.get(field="self_deadline_override")
    assert event.action == AuditAction.TRANSITION_REOPEN_TO_DRAFT
    assert (event.old, event.new) == (period_deadline.isoformat(), extended.isoformat())
    assert event.reason == "Sai số liệu"
    assert event.actor == world["users"]["admin"]
    assert audit_verify().intact


def test_linking_costs_a_save_no_query(world: dict[str, Any]) -> None:
    """The chain's head is read with the assessment's lock and written with its scores: a save
    neither reads the trail nor touches a chain head of its own, and inserts once."""
    _save(world, "1.1", 1.0)
    e = entry(world["mine"], "1.1")
    with CaptureQueriesContext(connection) as queries:
        entry_save_self(
            actor=world["users"]["reporter"],
            entry=e,
            version=e.version,
            value=0.0,
            denominator=None,
            applicable=True,
        )
    audit = [
        q["sql"]
        for q in queries.captured_queries
        if re.search(r'(FROM|INTO|UPDATE|JOIN) "audit_', q["sql"])
    ]
    assert len(audit) == 1 and audit[0].startswith("INSERT INTO")
