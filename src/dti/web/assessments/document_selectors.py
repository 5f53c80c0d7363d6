"""Reads of the evidence registry: a unit's documents with where each is linked and what the
verifiers remarked, and for the unit's form the documents each indicator may link — those of
the kinds its framework leaf asks for first (the suggestions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from dti.web.accounts.actors import Viewer
from dti.web.accounts.policy import visible_documents
from dti.web.assessments.models import Document, DocumentRemark, Evidence
from dti.web.assessments.selectors import SheetLine
from dti.web.registry.models import Unit

__all__ = ["LinkChoices", "link_choices", "unit_documents"]


def _with_remarks(qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.prefetch_related(
        Prefetch("remarks", queryset=DocumentRemark.objects.select_related("author"))
    )


def unit_documents(viewer: Viewer, unit: Unit) -> list[Document]:
    """The unit's documents the viewer may read, newest first, each with its links (period,
    indicator) and remarks loaded."""
    links = Evidence.objects.select_related("entry__assessment__period").order_by(
        "-entry__assessment__period__year", "entry__position"
    )
    qs = visible_documents(viewer, Document.objects.filter(unit=unit)).select_related("uploaded_by")
    return list(_with_remarks(qs).prefetch_related(Prefetch("links", queryset=links)))


@dataclass(frozen=True)
class LinkChoices:
    """The unit's documents one indicator may link: ``suggested`` are of a kind its leaf asks
    for, ``others`` the rest (neither holds one already linked to it)."""

    suggested: tuple[Document, ...] = ()
    others: tuple[Document, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.suggested or self.others)


def link_choices(
    lines: Iterable[SheetLine], documents: Sequence[Document]
) -> dict[int, LinkChoices]:
    """Per leaf entry (its pk), what its "link a document" choice offers."""
    out: dict[int, LinkChoices] = {}
    for line in lines:
        if not line.is_leaf or line.entry is None:
            continue
        linked = {ev.document_id for ev in line.evidence}
        free = [d for d in documents if d.pk not in linked]
        asked = set(line.evidence_kinds)
        out[line.entry.pk] = LinkChoices(
            suggested=tuple(d for d in free if d.kind in asked),
            others=tuple(d for d in free if d.kind not in asked),
        )
    return out
