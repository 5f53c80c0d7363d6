"""The leader's dashboard: where the period stands and what its results say, as charts whose
bars link to exactly the rows behind them."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import advance
from tests.web.test_period_recompute import fill

from dti.web.assessments.models import Assessment


def _dashboard(client: Any, world: dict[str, Any]) -> str:
    response = client.get(reverse("period_dashboard", args=[world["period"].pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def _links(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a xlink:href="([^"]+)"', body)]


def _blocks(svg: str, role: str) -> list[list[str]]:
    return [
        re.findall(r"<text[^>]*>([^<]*)</text>", part.split("</g>", 1)[0])
        for part in svg.split(f'class="mark-text role-{role}"')[1:]
    ]


def test_a_leaders_home_is_the_newest_periods_dashboard(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["users"]["leader"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("period_dashboard", args=[world["period"].pk])


def test_progress_counts_every_unit_and_links_to_exactly_its_rows(
    world: dict[str, Any], client: Any
) -> None:
    for key in ("mine", "theirs", "district"):
        fill(world[key])
    advance(world, world["mine"], "under_verification")
    # the district is late: its deadline passed and it has not submitted
    Assessment.objects.filter(pk=world["district"].pk).update(
        self_deadline_override=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(world["users"]["leader"])
    body = _dashboard(client, world)
    assert 'id="chart-progress"' in body
    progress = body.split('id="chart-progress"', 1)[1].split("</figure>", 1)[0]
    wide = progress.split('class="chart-narrow"', 1)[0]
    legend = {t for block in _blocks(wide, "legend-label") for t in block}
    # every step is in the legend, even those no unit is in
    assert len(legend) == 5, legend
    links = sorted(set(_links(wide)))
    assert any("step=late" in link and "group=huyen" in link for link in links), links
    for link in links:
        client.force_login(world["users"]["admin"])
        page = client.get(link).content.decode()
        listed = set(re.findall(r'href="/assessments/(\d+)/"', page))
        query = dict(re.findall(r"(\w+)=(\w+)", link.split("?", 1)[1]))
        expected = {
            "so": {"under_verification": {world["mine"].pk}, "draft": {world["theirs"].pk}},
            "huyen": {"late": {world["district"].pk}},
        }[query["group"]][query["step"]]
        assert listed == {str(pk) for pk in expected}, (link, listed)


def test_count_axes_have_distinct_integer_ticks_at_both_widths(
    world: dict[str, Any], client: Any
) -> None:
    for key in ("mine", "theirs", "district"):
        fill(world[key])
    client.force_login(world["users"]["leader"])
    body = _dashboard(client, world)
    figures = re.findall(r'<figure class="chart" id="chart-([^"]+)"(.*?)</figure>', body, re.S)
    names = {name for name, _ in figures}
    assert {"progress", "bands", "leaders-so", "leaders-huyen"} <= names, names
    assert any(n.startswith("pillars-") for n in names)
    for name, figure in figures:
        for drawing in figure.split('class="chart-narrow"', 1):
            for axis in _blocks(drawing, "axis-label"):
                numbers = [t for t in axis if re.fullmatch(r"[+\-−]?[\d.,]+", t)]
                assert len(numbers) == len(set(numbers)), (name, axis)


def test_adjustments_show_the_units_the_verifiers_moved(world: dict[str, Any], client: Any) -> None:
    fill(world["mine"])
    advance(world, world["mine"], "verified")
    Assessment.objects.filter(pk=world["mine"].pk).update(verified_score=10.0)
    client.force_login(world["users"]["leader"])
    body = _dashboard(client, world)
    figure = body.split('id="chart-adjustments"', 1)[1].split("</figure>", 1)[0]
    assert "Sở Giao thông vận tải" in figure
    assert reverse("assessment_detail", args=[world["mine"].pk]) in _links(figure)


def test_only_staff_see_the_dashboard(world: dict[str, Any], client: Any) -> None:
    url = reverse("period_dashboard", args=[world["period"].pk])
    client.force_login(world["users"]["reporter"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code in (302, 403)
    for role in ("admin", "verifier", "leader"):
        client.force_login(world["users"][role])
        assert client.get(url).status_code == 200, role
