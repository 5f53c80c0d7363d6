"""Effective-dated units and lineage: merge, split, rename, transfer; units on a date; the
family tree page; ``engine_registry()`` equals what the engine builds from the same data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.utils import translation

from dti.engine import Registry
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput
from dti.web.registry.models import Lineage, LineageKind, Unit
from dti.web.registry.selectors import engine_registry, unit_family, unit_history, units_on
from dti.web.registry.services import (
    lineage_add,
    unit_create,
    unit_rename,
    unit_split,
    unit_transfer,
    units_absorb,
    units_merge,
)

DAY = dt.date(2025, 7, 1)
BASIS = "1656/NQ-UBTVQH15"
LATER = dt.date(2026, 1, 1)


def _commune(world: dict[str, Any], code: str, **kw: Any) -> Unit:
    group = world["units"]["c"].group
    return unit_create(
        actor=None, code=code, name=code.title(), group=group, check_role=False, **kw
    )


def test_merge_ends_the_predecessors_and_is_audited(world: dict[str, Any]) -> None:
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab", valid_from=DAY, basis=BASIS)
    edges = units_merge(
        actor=world["users"]["admin"],
        predecessors={a: 0.6, b: 0.4},
        successor=new,
        date=DAY,
        basis=BASIS,
    )
    assert {(e.kind, e.weight, e.date, e.basis) for e in edges} == {
        (LineageKind.MERGE, 0.6, DAY, BASIS),
        (LineageKind.MERGE, 0.4, DAY, BASIS),
    }
    a.refresh_from_db()
    assert (a.valid_to, a.active) == (dt.date(2025, 6, 30), False)
    events = AuditEvent.objects.filter(action="unit_merge", object_id=str(new.pk))
    assert events.count() == 2
    assert events.first() is not None and events.first().actor == world["users"]["admin"]  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="unit_validity", object_id=str(a.pk)).exists()


def test_split_rename_and_transfer(world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    old = _commune(world, "xa-old")
    left, right = _commune(world, "xa-left"), _commune(world, "xa-right")
    unit_split(
        actor=admin, predecessor=old, successors={left: 0.3, right: 0.7}, date=DAY, basis=BASIS
    )
    assert set(Lineage.objects.filter(predecessor=old).values_list("kind", flat=True)) == {"split"}
    left.refresh_from_db()
    assert left.valid_from == DAY
    renamed = unit_rename(
        actor=admin, unit=right, code="xa-right-2", name="Xã Mới", date=LATER, basis=BASIS
    )
    assert renamed.predecessors.get() == right
    assert Lineage.objects.get(successor=renamed).kind == LineageKind.RENAME
    edge = unit_transfer(
        actor=admin, source=left, target=renamed, date=LATER, basis=BASIS, weight=0.1
    )
    left.refresh_from_db()
    assert edge.kind == LineageKind.TRANSFER and left.valid_to is None  # both go on
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"unit_split", "unit_rename", "unit_transfer"} <= actions


def test_cycles_and_self_links_are_refused(world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    lineage_add(
        actor=admin, kind=LineageKind.RENAME, predecessor=a, successor=b, date=DAY, basis=""
    )
    with pytest.raises(InvalidInput) as cycle, translation.override("en"):
        unit_transfer(actor=admin, source=b, target=a, date=DAY, basis="")
    assert "cycle" in " ".join(cycle.value.problems)
    with pytest.raises(InvalidInput) as itself, translation.override("en"):
        unit_transfer(actor=admin, source=a, target=a, date=DAY, basis="")
    assert "itself" in " ".join(itself.value.problems)
    assert Lineage.objects.count() == 1  # nothing of the refused events was written


def test_reorganisations_require_the_admin(world: dict[str, Any]) -> None:
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab")
    for who in ("reporter", "outsider", "verifier", "leader"):
        with pytest.raises(Forbidden):
            units_merge(
                actor=world["users"][who], predecessors=[a, b], successor=new, date=DAY, basis=""
            )


def test_units_on_a_date(world: dict[str, Any]) -> None:
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab", valid_from=DAY)
    units_merge(
        actor=None, predecessors=[a, b], successor=new, date=DAY, basis=BASIS, check_role=False
    )
    before = set(units_on(dt.date(2025, 6, 30)).values_list("code", flat=True))
    after = set(units_on(DAY).values_list("code", flat=True))
    assert {"xa-a", "xa-b"} <= before and "xa-ab" not in before
    assert "xa-ab" in after and not {"xa-a", "xa-b"} & after
    assert "so-a" in before & after  # undated units always exist


def test_engine_registry_equals_the_engines_own(world: dict[str, Any]) -> None:
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab", valid_from=DAY, basis=BASIS)
    units_merge(
        actor=None,
        predecessors={a: 2.0, b: None},
        successor=new,
        date=DAY,
        basis=BASIS,
        check_role=False,
    )
    registry = engine_registry()
    units = pl.DataFrame(
        [
            (
                u.code,
                u.name,
                u.group.code,
                u.parent.code if u.parent else None,
                u.valid_from,
                u.valid_to,
                u.basis or None,
            )
            for u in Unit.objects.order_by("pk")
        ],
        schema=["unit", "name", "group", "parent", "valid_from", "valid_to", "basis"],
        orient="row",
    )
    edges = pl.DataFrame(
        {
            "date": [DAY, DAY],
            "kind": ["merge", "merge"],
            "from": ["xa-a", "xa-b"],
            "to": ["xa-ab", "xa-ab"],
            "weight": [2.0, None],
            "basis": [BASIS, BASIS],
        }
    )
    expected = Registry.build(units, edges)
    assert registry.units.equals(expected.units.cast(registry.units.schema))
    assert registry.edges.sort("from").equals(expected.edges.sort("from"))
    assert registry.family("xa-a").height == 2


def test_unit_page_shows_the_family_tree_and_derived_history(world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab", valid_from=DAY, basis=BASIS)
    units_merge(actor=admin, predecessors={a: 0.6, b: 0.4}, successor=new, date=DAY, basis=BASIS)
    family = unit_family(a)
    assert {(e.predecessor.code, e.successor.code) for e in family} == {
        ("xa-a", "xa-ab"),
        ("xa-b", "xa-ab"),
    }
    # Scores: give the predecessors published-like results and see the successor's derived one.
    from dti.web.assessments.models import Assessment

    period = world["period"]
    for unit, score in ((a, 600.0), (b, 400.0)):
        Assessment.objects.create(
            period=period, unit=unit, framework=world["framework"], self_score=score
        )
    history = unit_history(new)
    assert [(h.year, h.score, h.derived) for h in history] == [(2023, 500.0, True)]
    client = Client()
    client.force_login(admin)
    page = client.get(f"/units/{new.pk}/").content.decode()
    for text in ("Xa-A", "Xa-B", "01/07/2025", BASIS, "0,6", "500"):
        assert text in page, text
    assert 'class="badge derived"' in page
    co = client.get(f"/units/{b.pk}/").content.decode()
    assert "Xa-A" in co  # the co-predecessor of the merge is in b's family tree


def test_unit_page_derives_history_by_the_method_its_framework_declares(
    world: dict[str, Any],
) -> None:
    from tests.web.conftest import FIXTURES

    from dti.engine import HistoryMethod
    from dti.web.assessments.models import Assessment, PeriodFramework
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.selectors import unit_history_method

    admin = world["users"]["admin"]
    a, b = _commune(world, "xa-a"), _commune(world, "xa-b")
    new = _commune(world, "xa-ab", valid_from=DAY, basis=BASIS)
    units_merge(actor=admin, predecessors={a: 0.6, b: 0.4}, successor=new, date=DAY, basis=BASIS)
    period = world["period"]
    for unit, score in ((a, 600.0), (b, 400.0)):
        Assessment.objects.create(
            period=period, unit=unit, framework=world["framework"], self_score=score
        )
    text = (FIXTURES / "mini.yaml").read_text().replace("code: test-mini", "code: test-mini-w")
    weighted = framework_store(actor=None, yaml_text=text + "history: weighted\n", check_role=False)
    PeriodFramework.objects.filter(period=period, group=new.group).update(framework=weighted)
    assert unit_history_method(new) == HistoryMethod.WEIGHTED
    assert [(h.score, h.derived) for h in unit_history(new)] == [(520.0, True)]  # .6×600+.4×400
    client = Client()
    client.force_login(admin)
    response = client.get(f"/units/{new.pk}/")
    assert "520" in response.content.decode()
    assert str(response.context["history_method"]) != ""


def test_units_import_reads_dates_and_a_lineage_sheet(world: dict[str, Any], tmp_path: Any) -> None:
    from openpyxl import Workbook

    from dti.web.registry.services import units_import

    book = Workbook()
    units = book.active
    assert units is not None
    units.append(["unit", "name", "group", "valid_from", "valid_to", "basis"])
    units.append(["x1", "Xã Một", "huyen", "", "30/06/2025", ""])
    units.append(["x2", "Xã Hai", "huyen", "", "30/06/2025", ""])
    units.append(["x12", "Xã Mới", "huyen", "01/07/2025", "", BASIS])
    sheet = book.create_sheet("lineage")
    sheet.append(["date", "kind", "from", "to", "weight", "basis"])
    sheet.append(["01/07/2025", "merge", "x1", "x12", "0,7", BASIS])
    sheet.append(["01/07/2025", "merge", "x2", "x12", "", BASIS])
    path = tmp_path / "units.xlsx"
    book.save(path)
    assert units_import(actor=world["users"]["admin"], path=path) == 3
    new = Unit.objects.get(code="x12")
    assert (new.valid_from, new.basis) == (DAY, BASIS)
    assert Unit.objects.get(code="x1").valid_to == dt.date(2025, 6, 30)
    edges = Lineage.objects.filter(successor=new).order_by("predecessor__code")
    assert [(e.kind, e.weight) for e in edges] == [("merge", 0.7), ("merge", None)]


def test_an_absorption_ends_the_absorbed_and_the_continuing_unit_goes_on(
    world: dict[str, Any],
) -> None:
    """TP. Đà Nẵng took Quảng Nam in on 1 July 2025 and kept its code and name (Nghị quyết
    202/2025/QH15): the absorbed ends, the continuing unit keeps its days, and the engine's
    registry reads it as a continuing unit with both as sources."""
    since = dt.date(2000, 1, 1)
    city = _commune(world, "xa-dn", valid_from=since)
    other = _commune(world, "xa-qn")
    edges = units_absorb(
        actor=world["users"]["admin"],
        continuing=city,
        absorbed=[other],
        date=DAY,
        basis="202/2025/QH15",
    )
    assert [(e.kind, e.predecessor, e.successor) for e in edges] == [
        (LineageKind.ABSORB, other, city)
    ]
    city.refresh_from_db()
    other.refresh_from_db()
    assert (city.valid_from, city.valid_to, city.active) == (since, None, True)
    assert (other.valid_to, other.active) == (dt.date(2025, 6, 30), False)
    assert AuditEvent.objects.filter(action="unit_absorb", object_id=str(city.pk)).count() == 1
    (absorption,) = engine_registry().absorptions()["xa-dn"]
    assert absorption.date == DAY
    assert [code for code, _ in absorption.sources] == ["xa-dn", "xa-qn"]


def test_an_absorption_needs_another_unit_and_the_admin(world: dict[str, Any]) -> None:
    city, other = _commune(world, "xa-dn"), _commune(world, "xa-qn")
    with pytest.raises(InvalidInput):
        units_absorb(
            actor=world["users"]["admin"], continuing=city, absorbed=[city], date=DAY, basis=""
        )
    for who in ("reporter", "outsider", "verifier", "leader"):
        with pytest.raises(Forbidden):
            units_absorb(
                actor=world["users"][who], continuing=city, absorbed=[other], date=DAY, basis=""
            )
    assert Lineage.objects.count() == 0


def test_a_merge_into_a_unit_that_absorbs_others_is_refused_naming_it(
    world: dict[str, Any],
) -> None:
    """A unit that absorbs one unit and is also recorded as formed by a merge of another leaves
    open whether it goes on: the engine refuses, and the page says so in Vietnamese."""
    admin = world["users"]["admin"]
    city, a, b = _commune(world, "xa-dn"), _commune(world, "xa-a"), _commune(world, "xa-b")
    units_absorb(actor=admin, continuing=city, absorbed=[a], date=DAY, basis="")
    with pytest.raises(InvalidInput) as refused, translation.override("vi"):
        lineage_add(
            actor=admin, kind=LineageKind.MERGE, predecessor=b, successor=city, date=DAY, basis=""
        )
    assert "xa-dn" in " ".join(refused.value.problems)
    assert Lineage.objects.count() == 1
