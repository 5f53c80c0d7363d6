"""Room: registry — what a change to the units would record, before it is saved.

:func:`change_preview` runs the very service the page will call on confirmation, inside a
transaction that is then rolled back, and reports the lineage edges and audit entries it wrote:
the preview is validated exactly as the save (the engine's checks included) and cannot drift
from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from dti.web.audit.models import AuditEvent
from dti.web.registry.models import Lineage

__all__ = ["ChangePreview", "PreviewEdge", "change_preview"]


@dataclass(frozen=True)
class PreviewEdge:
    predecessor: str  # "code — name"
    successor: str
    kind_label: str
    date: Any
    weight: float | None
    basis: str


@dataclass(frozen=True)
class ChangePreview:
    edges: list[PreviewEdge]
    entries: list[tuple[str, str, str, Any, Any]]  # action, object, field, old, new


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    pass


def _top(model: type[Lineage] | type[AuditEvent]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0)


def change_preview(run: Callable[[], object]) -> ChangePreview:
    """Run ``run`` (a service call) and undo it; what it wrote is the preview. A refusal the
    service raises reaches the caller as it would on saving."""
    lineage_top, audit_top = _top(Lineage), _top(AuditEvent)
    preview: ChangePreview | None = None
    try:
        with transaction.atomic():
            run()
            edges = [
                PreviewEdge(
                    f"{e.predecessor.code} — {e.predecessor.name}",
                    f"{e.successor.code} — {e.successor.name}",
                    e.get_kind_display(),
                    e.date,
                    e.weight,
                    e.basis,
                )
                for e in Lineage.objects.filter(pk__gt=lineage_top)
                .select_related("predecessor", "successor")
                .order_by("pk")
            ]
            entries = [
                (e.action, e.object_label, e.field, e.old, e.new)
                for e in AuditEvent.objects.filter(pk__gt=audit_top).order_by("pk")
            ]
            preview = ChangePreview(edges, entries)
            raise _Rollback
    except _Rollback:
        pass
    assert preview is not None
    return preview
