"""Charts as readers meet them on the public pages: drawn for a desktop and for a phone, in the
page's language, one pillar chart per framework, no repeated tick, every series in the legend."""

from __future__ import annotations

import re

from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period

province = results_fixtures.province_fixture


def _figures(body: str) -> dict[str, str]:
    return dict(re.findall(r'<figure class="chart" id="chart-([^"]+)">(.*?)</figure>', body, re.S))


def _blocks(svg: str, role: str) -> list[list[str]]:
    return [
        re.findall(r"<text[^>]*>([^<]*)</text>", part.split("</g>", 1)[0])
        for part in svg.split(f'class="mark-text role-{role}"')[1:]
    ]


def test_every_chart_is_drawn_for_a_phone_and_a_desktop_without_a_repeated_tick(
    province: dict[int, Period],
) -> None:
    figures = _figures(Client().get("/public/2023/").content.decode())
    assert figures and any(name.startswith("pillars-") for name in figures)
    for name, figure in figures.items():
        wide, narrow = figure.split('class="chart-narrow"', 1)
        for drawing in (wide, narrow):
            assert "<svg" in drawing, name
            for axis in _blocks(drawing, "axis-label"):
                numbers = [t for t in axis if re.fullmatch(r"[\d.,]+", t)]
                assert len(numbers) == len(set(numbers)), (name, axis)
        assert re.search(r'width="340"', narrow), name


def test_english_pages_draw_english_charts(province: dict[int, Period]) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get("/public/2023/").content.decode()
    figures = _figures(body)
    assert figures
    text = " ".join(figures.values())
    assert ">Score<" in text and ">Band<" in text
    for word in (">Điểm<", ">Xếp loại<", ">Số đơn vị<", ">Nhóm<"):
        assert word not in text, word
    vietnamese = Client().get("/public/2023/").content.decode()
    assert ">Điểm<" in " ".join(_figures(vietnamese).values())


def test_the_old_pillar_chart_address_still_answers(province: dict[int, Period]) -> None:
    png = Client().get("/public/2023/charts/pillars.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
