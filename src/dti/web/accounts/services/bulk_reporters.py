"""The reporters of many units created at once from a workbook: a plan first (what will be
created, every refused row located with its reason), then the creation, all or nothing, each
new account sent its set-password link.

The same e-mail on several rows with the same name is one person reporting for several units;
with another name it is refused, as is an address that already has an account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from dti.engine.errors import DataError
from dti.io.reporters_table import ReporterRow, read_reporters
from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_account_admin, unit_assign_refusal
from dti.web.accounts.services.invitations import Site, invitations_send
from dti.web.accounts.services.users import email_problem, user_create
from dti.web.errors import InvalidInput
from dti.web.registry.models import Unit


@dataclass(frozen=True)
class Refusal:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(reason)s") % asdict(self)


@dataclass
class PlannedReporter:
    """One account to create, with the units it will report for."""

    email: str
    full_name: str
    phone: str
    units: list[Unit] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ReporterPlan:
    rows: list[ReporterRow]
    accounts: list[PlannedReporter]
    refused: list[Refusal]

    @property
    def ok(self) -> bool:
        return bool(self.accounts) and not self.refused


def rows_to_session(rows: Sequence[ReporterRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def rows_from_session(data: Sequence[dict[str, Any]]) -> list[ReporterRow]:
    return [ReporterRow(**d) for d in data]


def reporters_read(path: Path) -> list[ReporterRow]:
    """The workbook's rows; what cannot be read is refused with its location."""
    try:
        return read_reporters(path)
    except DataError as error:
        raise InvalidInput(
            _("The workbook cannot be read."), problems=[str(p) for p in error.problems]
        ) from error


def _row_refusal(actor: Actor, row: ReporterRow, units: dict[str, Unit]) -> Refusal | None:
    def refuse(column: str, reason: str) -> Refusal:
        return Refusal(row.sheet, row.row, row.columns.get(column, "?"), reason)

    for name, label in (
        ("unit", _("unit code")),
        ("full_name", _("full name")),
        ("email", _("e-mail")),
    ):
        if not getattr(row, name):
            return refuse(name, _("The %(what)s is missing.") % {"what": label})
    unit = units.get(row.unit)
    if unit is None:
        return refuse("unit", _("Unknown unit code %(code)s.") % {"code": row.unit})
    refusal = unit_assign_refusal(actor, unit)
    if refusal is not None:
        return refuse("unit", refusal.message)
    problem = email_problem(row.email)
    if problem is None and User.objects.filter(username__iexact=row.email).exists():
        problem = _("Another account already has the e-mail address %(email)s.") % {
            "email": row.email
        }
    return refuse("email", problem) if problem else None


def reporters_plan(*, actor: Actor, rows: Sequence[ReporterRow]) -> ReporterPlan:
    """What creating ``rows`` would do; nothing is saved."""
    require_account_admin(actor)
    codes = {r.unit for r in rows if r.unit}
    units = {u.code: u for u in Unit.objects.select_related("group").filter(code__in=codes)}
    planned: dict[str, PlannedReporter] = {}
    refused: list[Refusal] = []
    for row in rows:
        refusal = _row_refusal(actor, row, units)
        known = planned.get(row.email)
        if refusal is None and known is not None:
            column = row.columns.get("email", "?")
            if known.full_name.casefold() != row.full_name.casefold():
                refusal = Refusal(
                    row.sheet,
                    row.row,
                    column,
                    _("The e-mail %(email)s is on row %(first)s for another person.")
                    % {"email": row.email, "first": known.rows[0]},
                )
            elif units[row.unit] in known.units:
                refusal = Refusal(
                    row.sheet,
                    row.row,
                    row.columns.get("unit", "?"),
                    _("Row %(first)s already makes %(email)s a reporter of %(code)s.")
                    % {"first": known.rows[0], "email": row.email, "code": row.unit},
                )
        if refusal is not None:
            refused.append(refusal)
            continue
        account = known or planned.setdefault(
            row.email, PlannedReporter(row.email, row.full_name, row.phone)
        )
        account.units.append(units[row.unit])
        account.rows.append(row.row)
    return ReporterPlan(list(rows), list(planned.values()), refused)


def reporters_create(
    *, actor: Actor, rows: Sequence[ReporterRow], site: Site, reason: str = ""
) -> list[User]:
    """Create every planned account and e-mail each its link, or nothing at all (the plan is
    made again: the registry or the accounts may have changed since the preview)."""
    plan = reporters_plan(actor=actor, rows=rows)
    if plan.refused:
        raise InvalidInput(
            _("Nothing was created: %(n)s rows are refused.") % {"n": len(plan.refused)},
            problems=[str(r) for r in plan.refused],
        )
    if not plan.accounts:
        raise InvalidInput(_("The workbook has no reporters."))
    reason = reason.strip() or _("Reporters created from a workbook")
    with transaction.atomic():
        users = [
            user_create(
                actor=actor,
                username=account.email,
                password=None,
                role=Role.REPORTER,
                units=account.units,
                full_name=account.full_name,
                email=account.email,
                phone=account.phone,
                reason=reason,
            )
            for account in plan.accounts
        ]
        invitations_send(users, site)
    return users
