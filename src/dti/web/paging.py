"""Long lists split into pages (Django's Paginator), the list's filters kept in every link.

A national period holds 5,000 units: the period page, its results, the units list and the
working group's assignments rendered every row at once (seconds per page, megabytes of HTML).
Each now shows ``DTI_PAGE_SIZE`` rows (setting; 100) and the links to the neighbouring pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

__all__ = ["Paged", "paged"]


@dataclass(frozen=True)
class Paged:
    page: Page[Any]
    query: str  # the request's other parameters (its filters), for the pager's links


def paged(request: HttpRequest, items: QuerySet[Any] | Sequence[Any]) -> Paged:
    """The page of ``items`` asked for by ``?page=`` (the last one past the end, the first one
    when not a number), and the query string of the other parameters."""
    page = Paginator(items, settings.DTI_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Paged(page=page, query=query.urlencode())
