"""The long lists of a national period come in pages (dti.web.paging): page 2 shows the rows
after page 1's, the list's filters stay in the pager's links, and who may see a page is the
same as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dti.web.assessments.services import period_recompute


@pytest.fixture(autouse=True)
def _small_pages(settings: Any) -> None:
    settings.DTI_PAGE_SIZE = 2


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(response: Any, key: str = "rows") -> list[str]:
    assert response.status_code == 200, response.content.decode()[-500:]
    return [a.unit.name for a, _n in response.context[key]]


def test_page_two_of_the_period_page_shows_the_next_units(world: dict[str, Any]) -> None:
    admin = _client(world["users"]["admin"])
    url = reverse("period_detail", args=[world["period"].pk])
    first = admin.get(url)
    second = admin.get(url, {"page": 2})
    # (ordered by name: Huyện Núi Thành, Sở Giao thông vận tải, Sở Xây dựng)
    assert _names(first) == ["Huyện Núi Thành", "Sở Giao thông vận tải"]
    assert _names(second) == ["Sở Xây dựng"]
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert "Trang sau" in first.content.decode()  # the pager speaks the page's language


def test_the_period_page_keeps_its_filter_on_every_page(
    world: dict[str, Any], settings: Any
) -> None:
    settings.DTI_PAGE_SIZE = 1
    admin = _client(world["users"]["admin"])
    url = reverse("period_detail", args=[world["period"].pk])
    first = admin.get(url, {"group": "so", "step": "draft"})
    assert _names(first) == ["Sở Giao thông vận tải"]
    assert "?group=so&amp;step=draft&amp;page=2" in first.content.decode()
    second = admin.get(url, {"group": "so", "step": "draft", "page": 2})
    assert _names(second) == ["Sở Xây dựng"]
    assert "?group=so&amp;step=draft&amp;page=1" in second.content.decode()
    # The district is filtered out: the group's two units make two pages, not three.
    assert second.context["paged"].page.paginator.num_pages == 2
    assert 'rel="next"' not in second.content.decode()


def test_a_page_past_the_end_shows_the_last_one(world: dict[str, Any]) -> None:
    admin = _client(world["users"]["admin"])
    url = reverse("period_detail", args=[world["period"].pk])
    assert _names(admin.get(url, {"page": 99})) == ["Sở Xây dựng"]
    assert _names(admin.get(url, {"page": "x"})) == ["Huyện Núi Thành", "Sở Giao thông vận tải"]


def test_the_adjusted_counts_belong_to_the_page_rows(world: dict[str, Any]) -> None:
    from dti.web.assessments.models import IndicatorEntry, Verdict

    theirs = world["theirs"]  # Sở Xây dựng, on page 2
    IndicatorEntry.objects.filter(pk=theirs.entries.first().pk).update(verdict=Verdict.ADJUSTED)
    admin = _client(world["users"]["admin"])
    url = reverse("period_detail", args=[world["period"].pk])
    rows = admin.get(url, {"page": 2}).context["rows"]
    assert [(a.unit.name, n) for a, n in rows] == [("Sở Xây dựng", 1)]
    assert {n for _a, n in admin.get(url).context["rows"]} == {0}


@pytest.mark.parametrize("page", ["1", "2"])
def test_pages_of_the_period_keep_their_permissions(
    world: dict[str, Any], second_province: dict[str, Any], page: str
) -> None:
    url = reverse("period_detail", args=[world["period"].pk])
    assert _client(world["users"]["reporter"]).get(url, {"page": page}).status_code == 403
    # Another province's administrator learns nothing of the period, on any page.
    other = _client(second_province["users"]["admin_b"])
    assert other.get(url, {"page": page}).status_code == 404
    results = reverse("period_results", args=[world["period"].pk])
    assert other.get(results, {"page": page}).status_code == 404


def test_page_two_of_the_units_list_shows_the_next_units(world: dict[str, Any]) -> None:
    admin = _client(world["users"]["admin"])
    first = admin.get(reverse("unit_list"))
    second = admin.get(reverse("unit_list"), {"page": 2})
    assert [u.name for u in first.context["paged"].page] == [
        "Sở Giao thông vận tải",
        "Sở Xây dựng",
    ]
    assert [u.name for u in second.context["paged"].page] == ["Huyện Núi Thành"]
    # A group's heading gives its whole size, not the page's share.
    assert "(huyen, 1)" in second.content.decode()
    assert "(so, 2)" in first.content.decode()
    assert _client(world["users"]["reporter"]).get(reverse("unit_list")).status_code == 403


def test_page_two_of_the_results_continues_the_ranking(world: dict[str, Any]) -> None:
    period_recompute(actor=None, period=world["period"], check_role=False)
    admin = _client(world["users"]["admin"])
    url = reverse("period_results", args=[world["period"].pk])
    pages = [admin.get(url, {"page": n}) for n in (1, 2)]
    shown = [
        [
            (group.code, r.assessment.unit.name, r.rank)
            for group, rows, _b in p.context["tables"]
            for r in rows
        ]
        for p in pages
    ]
    assert len(shown[0]) == 2 and len(shown[1]) == 1
    everything = shown[0] + shown[1]
    assert sorted(name for _g, name, _r in everything) == [
        "Huyện Núi Thành",
        "Sở Giao thông vận tải",
        "Sở Xây dựng",
    ]
    # Each group's band counts are its whole ranking's, whichever page shows it.
    bands = {
        group.code: sum(counts.values())
        for p in pages
        for group, _rows, counts in p.context["tables"]
    }
    assert bands == {"so": 2, "huyen": 1}
    assert _client(world["users"]["reporter"]).get(url, {"page": 2}).status_code == 403
