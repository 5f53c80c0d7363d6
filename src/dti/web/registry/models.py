"""Units (departments, districts, communes, Party/Front bodies), their groups and lineage.

A unit is effective-dated: ``valid_from`` is its first day and ``valid_to`` its last (null: still
exists), each with its legal ``basis``. A :class:`Lineage` row is one edge of a reorganisation
event (``merge``, ``split``, ``rename``, ``transfer``, ``split_merge``, ``absorb``) dated and
with its basis; the engine's :class:`dti.engine.Registry` answers every question about them (see
``selectors.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dti.engine import EventKind


class UnitKind(models.TextChoices):
    # A province is a unit when the national level ranks the provinces.
    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    PARTY = "party", _("Party / Front body")


class LineageKind(models.TextChoices):
    MERGE = EventKind.MERGE.value, _("Merge")
    SPLIT = EventKind.SPLIT.value, _("Split")
    RENAME = EventKind.RENAME.value, _("Rename")
    TRANSFER = EventKind.TRANSFER.value, _("Transfer")
    # Part of a commune split between several new ones, each also formed by a merge.
    SPLIT_MERGE = EventKind.SPLIT_MERGE.value, _("Split and merge")
    # The successor goes on under its own code and takes the predecessor in (every province
    # of 1 July 2025 kept one predecessor's name): its past is derived from all of them.
    ABSORB = EventKind.ABSORB.value, _("Absorbed into")

    @classmethod
    def forming(cls, predecessors: int) -> LineageKind:
        """The event that forms one unit from ``predecessors`` units: a merge of several, a
        rename of one."""
        return cls.MERGE if predecessors > 1 else cls.RENAME

    @property
    def ends_predecessor(self) -> bool:
        """Whether the predecessor stops existing (all but a transfer, where both go on)."""
        return self != LineageKind.TRANSFER

    @property
    def starts_successor(self) -> bool:
        """Whether the successor comes into being (not for a transfer, nor for an absorption:
        the unit that takes the other in already exists and goes on)."""
        return self not in (LineageKind.TRANSFER, LineageKind.ABSORB)


class Province(models.Model):
    """The body that runs an assessment (a province); namespaces groups and periods so that
    several provinces' data live in one database. Optional: a single-province installation
    leaves it empty everywhere."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitGroup(models.Model):
    """A comparison group; its code matches a framework group (co_tthc, huyen, xa …)."""

    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    unit_kind = models.CharField(max_length=20, choices=UnitKind.choices)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            # The framework's group code is kept; the province tells two provinces' groups apart.
            models.UniqueConstraint(fields=["province", "code"], name="group_province_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(province=None), name="group_code_no_province"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(default=True)
    # The unit's first and last day (null: since ever / still exists) and their legal basis.
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    predecessors: models.ManyToManyField[Unit, Lineage] = models.ManyToManyField(
        "self", through="Lineage", symmetrical=False, related_name="successors"
    )

    class Meta:
        ordering = ["group__order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from=None)
                | models.Q(valid_to=None)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Lineage(models.Model):
    """One edge of a reorganisation: ``successor`` was formed (partly) from ``predecessor``."""

    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="lineage_from")
    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lineage_to")
    kind = models.CharField(max_length=20, choices=LineageKind.choices, default=LineageKind.MERGE)
    date = models.DateField(null=True, blank=True)
    # The edge's share (population or area); null when the event gives none.
    weight = models.FloatField(null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=255, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["successor", "predecessor"], name="lineage_unique"),
            models.CheckConstraint(
                condition=~models.Q(successor=models.F("predecessor")), name="lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind})"
