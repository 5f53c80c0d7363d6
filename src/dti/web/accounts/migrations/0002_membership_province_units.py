"""A membership gains its province and reports for several units (the single unit moves over)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def units_from_unit(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("accounts", "Membership")
    for membership in Membership.objects.exclude(unit=None).select_related("unit__group"):
        membership.units.add(membership.unit_id)
        membership.province_id = membership.unit.group.province_id
        membership.save(update_fields=["province"])


def unit_from_units(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("accounts", "Membership")
    for membership in Membership.objects.filter(role="reporter"):
        first = membership.units.order_by("pk").first()
        membership.unit = first
        membership.save(update_fields=["unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("registry", "0002_effective_dates"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="membership", name="membership_reporter_has_unit"),
        migrations.AddField(
            model_name="membership",
            name="province",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="registry.province",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="units",
            field=models.ManyToManyField(blank=True, related_name="reporters", to="registry.unit"),
        ),
        migrations.RunPython(units_from_unit, unit_from_units),
        migrations.RemoveField(model_name="membership", name="unit"),
    ]
