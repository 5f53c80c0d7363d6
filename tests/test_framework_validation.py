"""A malformed framework file is refused with every problem listed, each located precisely."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dti.engine import Framework, FrameworkError, Problem, load_framework, parse_framework
from dti.engine.safe_yaml import MAX_YAML_BYTES

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"

Raw = dict[str, Any]
Mutation = Callable[[Raw], None]


def mini_raw() -> Raw:
    with MINI.open(encoding="utf-8") as fh:
        raw: Raw = yaml.safe_load(fh)
    return raw


def node(raw: Raw, *path: int) -> Raw:
    """``node(raw, 0, 1)`` is ``raw["tree"][0]["children"][1]``."""
    current: Raw = raw["tree"][path[0]]
    for index in path[1:]:
        current = current["children"][index]
    return current


def problems_of(raw: Any, *, file: str | None = "bad.yaml") -> list[Problem]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw, file=file)
    return info.value.problems


def mutated(*mutations: Mutation) -> Raw:
    raw = copy.deepcopy(mini_raw())
    for mutate in mutations:
        mutate(raw)
    return raw


def test_the_fixture_itself_is_valid() -> None:
    fw = parse_framework(mini_raw(), file="mini.yaml")
    assert isinstance(fw, Framework)
    assert [leaf.code for leaf in fw.leaves()] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]


# -- semantic problems: (mutation, node, field, words in the message) -----------------------


def _duplicate_code(raw: Raw) -> None:
    node(raw, 0, 1)["code"] = "1.1"


def _children_do_not_add_up(raw: Raw) -> None:
    node(raw, 0, 0)["max"] = 15  # pillar 1 stays at 40, its children now add up to 45
    node(raw, 1, 0)["max"] = 25  # and pillar 2's children to 55 instead of 60


def _pillars_do_not_add_up(raw: Raw) -> None:
    raw["scale"]["total"] = 120


def _bands_out_of_order(raw: Raw) -> None:
    raw["bands"][0]["min_percent"] = 50  # 50 then 60


def _completion_levels_out_of_order(raw: Raw) -> None:
    raw["completion_levels"][1]["min_percent"] = 95  # 90 then 95


def _last_band_not_zero(raw: Raw) -> None:
    raw["bands"][-1]["min_percent"] = 10


def _tiers_out_of_order(raw: Raw) -> None:
    node(raw, 1, 0)["rule"]["tiers"][1]["min"] = 0.2  # 0.3 then 0.2


def _tier_points_decrease(raw: Raw) -> None:
    node(raw, 1, 0)["rule"]["tiers"][1]["points"] = 5  # 10 then 5


def _tier_above_max(raw: Raw) -> None:
    node(raw, 1, 0)["rule"]["tiers"][2]["points"] = 35  # max is 30


def _floor_equals_target(raw: Raw) -> None:
    node(raw, 0, 1)["rule"] = {"type": "ratio", "target": 0.5, "floor": 0.5}


def _floor_above_target(raw: Raw) -> None:
    node(raw, 0, 1)["rule"] = {"type": "ratio", "target": 0.5, "floor": 0.7}


def _unknown_group(raw: Raw) -> None:
    node(raw, 1, 2)["applies_to"] = ["huyen", "xa"]


def _leaf_without_rule(raw: Raw) -> None:
    del node(raw, 1, 1)["rule"]


def _non_leaf_with_rule(raw: Raw) -> None:
    node(raw, 1)["rule"] = {"type": "boolean"}


def _bonus_item_above_cap(raw: Raw) -> None:
    raw["bonus"]["items"][0]["max"] = 8  # cap is 5


def _child_applies_wider_than_parent(raw: Raw) -> None:
    node(raw, 0)["applies_to"] = ["huyen"]
    node(raw, 0, 0)["applies_to"] = ["so", "huyen"]


SEMANTIC: list[tuple[str, Mutation, str | None, str, str]] = [
    ("duplicate code", _duplicate_code, "1.1", "code", "duplicate code '1.1'"),
    ("children vs parent", _children_do_not_add_up, "1", "max", "add up to 45, not the node's 40"),
    ("pillars vs scale", _pillars_do_not_add_up, None, "scale.total", "add up to 100"),
    ("bands order", _bands_out_of_order, None, "bands", "highest to lowest"),
    (
        "completion levels order",
        _completion_levels_out_of_order,
        None,
        "completion_levels",
        "highest to lowest",
    ),
    ("last band", _last_band_not_zero, None, "bands", "must start at min_percent 0"),
    ("tiers order", _tiers_out_of_order, "2.1", "rule.tiers", "strictly increasing"),
    ("tier points", _tier_points_decrease, "2.1", "rule.tiers", "must not decrease"),
    ("tier above max", _tier_above_max, "2.1", "rule.tiers", "more than the node's max"),
    ("floor = target", _floor_equals_target, "1.2", "rule.floor", "must be below target"),
    ("floor > target", _floor_above_target, "1.2", "rule.floor", "must be below target"),
    ("unknown group", _unknown_group, "2.3", "applies_to", "unknown group(s) xa"),
    ("leaf without rule", _leaf_without_rule, "2.2", "rule", "needs a scoring rule"),
    ("non-leaf with rule", _non_leaf_with_rule, "2", "rule", "cannot have its own rule"),
    ("bonus above cap", _bonus_item_above_cap, "T1", "max", "exceeds the bonus cap"),
    (
        "child wider than parent",
        _child_applies_wider_than_parent,
        "1.1",
        "applies_to",
        "its parent does not",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "code", "field", "words"),
    [pytest.param(m, c, f, w, id=name) for name, m, c, f, w in SEMANTIC],
)
def test_semantic_problem_names_node_and_field(
    mutation: Mutation, code: str | None, field: str, words: str
) -> None:
    problems = problems_of(mutated(mutation))
    matching = [p for p in problems if p.node == code and p.field == field]
    assert matching, f"no problem at node {code} field {field}: {problems}"
    assert any(words in p.message for p in matching), matching
    assert all(p.file == "bad.yaml" for p in problems)


def test_children_that_do_not_add_up_are_reported_for_every_parent() -> None:
    problems = problems_of(mutated(_children_do_not_add_up))
    assert {(p.node, p.field) for p in problems if "children" in p.message} == {
        ("1", "max"),
        ("2", "max"),
    }


def test_every_semantic_problem_is_listed_at_once() -> None:
    # Mutations that do not interfere with one another, all applied to one file.
    together = [
        _duplicate_code,
        _pillars_do_not_add_up,
        _bands_out_of_order,
        _completion_levels_out_of_order,
        _tiers_out_of_order,
        _unknown_group,
        _leaf_without_rule,
        _non_leaf_with_rule,
        _bonus_item_above_cap,
    ]
    problems = problems_of(mutated(*together))
    located = {(p.node, p.field) for p in problems}
    assert {
        ("1.1", "code"),
        (None, "scale.total"),
        (None, "bands"),
        (None, "completion_levels"),
        ("2.1", "rule.tiers"),
        ("2.3", "applies_to"),
        ("2.2", "rule"),
        ("2", "rule"),
        ("T1", "max"),
    } <= located
    message = str(FrameworkError(problems))
    assert f"({len(problems)} problem(s))" in message
    assert "node 2.3, field 'applies_to'" in message


# -- structural problems (found by pydantic) -------------------------------------------------


def _unknown_rule(raw: Raw) -> None:
    node(raw, 0, 1)["rule"] = {"type": "magic"}


def _rule_without_type(raw: Raw) -> None:
    node(raw, 0, 1)["rule"] = {"target": 0.5}


def _missing_leaf_name(raw: Raw) -> None:
    del node(raw, 0, 0)["name"]


def _missing_pillar_name(raw: Raw) -> None:
    del node(raw, 1)["name"]


def _empty_vietnamese_name(raw: Raw) -> None:
    node(raw, 1, 1)["name"] = {"vi": "", "en": "Expert points"}


def _missing_band_name(raw: Raw) -> None:
    del raw["bands"][1]["name"]


def _unknown_node_field(raw: Raw) -> None:
    node(raw, 1, 1)["weight"] = 2


def _unknown_rule_field(raw: Raw) -> None:
    node(raw, 0, 2)["rule"]["per_itme"] = 3


def _unknown_top_level_field(raw: Raw) -> None:
    raw["colour"] = "blue"


def _negative_max(raw: Raw) -> None:
    node(raw, 0, 0)["max"] = -1


def _bad_code(raw: Raw) -> None:
    node(raw, 0, 0)["code"] = "1 1"


def _target_above_one(raw: Raw) -> None:
    node(raw, 0, 1)["rule"]["target"] = 1.5


def _missing_scale(raw: Raw) -> None:
    del raw["scale"]


def _implausible_year(raw: Raw) -> None:
    raw["years"] = [1999]


def _unknown_evidence_kind(raw: Raw) -> None:
    node(raw, 0, 0)["evidence_kinds"] = ["decision", "photo"]


STRUCTURAL: list[tuple[str, Mutation, str | None, str, str]] = [
    ("unknown rule", _unknown_rule, "1.2", "rule", "unknown rule 'magic'"),
    ("rule without type", _rule_without_type, "1.2", "rule", "has no 'type'"),
    ("missing leaf name", _missing_leaf_name, "1.1", "name", "required but missing"),
    ("missing pillar name", _missing_pillar_name, "2", "name", "required but missing"),
    ("empty name", _empty_vietnamese_name, "2.2", "name.vi", "at least 1 character"),
    ("missing band name", _missing_band_name, "kha", "name", "required but missing"),
    ("unknown node field", _unknown_node_field, "2.2", "weight", "not a known field"),
    ("unknown rule field", _unknown_rule_field, "1.3", "rule.per_itme", "not a known field"),
    ("unknown top field", _unknown_top_level_field, None, "colour", "not a known field"),
    ("negative max", _negative_max, "1.1", "max", "greater than or equal to 0"),
    ("bad code", _bad_code, "1 1", "code", "should match pattern"),
    ("target above one", _target_above_one, "1.2", "rule.target", "less than or equal to 1"),
    ("missing scale", _missing_scale, None, "scale", "required but missing"),
    ("implausible year", _implausible_year, None, "years", "outside 2000"),
    ("unknown evidence kind", _unknown_evidence_kind, "1.1", "evidence_kinds.1", "decision"),
]


@pytest.mark.parametrize(
    ("mutation", "code", "field", "words"),
    [pytest.param(m, c, f, w, id=name) for name, m, c, f, w in STRUCTURAL],
)
def test_structural_problem_names_node_and_field(
    mutation: Mutation, code: str | None, field: str, words: str
) -> None:
    problems = problems_of(mutated(mutation))
    assert any(p.node == code and p.field == field and words in p.message for p in problems), (
        problems
    )


def test_every_structural_problem_is_listed_at_once() -> None:
    together = [
        _unknown_rule,
        _missing_leaf_name,
        _missing_pillar_name,
        _missing_band_name,
        _unknown_node_field,
        _unknown_rule_field,
        _unknown_top_level_field,
    ]
    problems = problems_of(mutated(*together))
    assert {(p.node, p.field) for p in problems} >= {
        ("1.2", "rule"),
        ("1.1", "name"),
        ("2", "name"),
        ("kha", "name"),
        ("2.2", "weight"),
        ("1.3", "rule.per_itme"),
        (None, "colour"),
    }
    assert any("unknown rule" in p.message for p in problems)


# -- YAML safety and the shape of the file --------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(BILLION_LAUGHS, "aliases", id="billion laughs"),
        pytest.param("code: &x test\nversion: *x\n", "aliases", id="single alias"),
        pytest.param(
            "code: !!python/object/apply:os.getcwd []\n", "python/object", id="python object apply"
        ),
        pytest.param(
            "code: !!python/object:pathlib.Path {}\n", "python/object", id="python object"
        ),
        pytest.param("code: [unclosed\n", "not valid YAML at line", id="syntax error"),
    ],
)
def test_unsafe_or_broken_yaml_is_refused(text: str, words: str) -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework(text, file="hostile.yaml")
    (problem,) = info.value.problems
    assert problem.file == "hostile.yaml"
    assert words in problem.message


def test_non_utf8_bytes_are_refused() -> None:
    data = MINI.read_text(encoding="utf-8").encode("utf-16")
    with pytest.raises(FrameworkError) as info:
        load_framework(data, file="utf16.yaml")
    assert "not UTF-8" in str(info.value)

    with pytest.raises(FrameworkError, match="not UTF-8"):
        load_framework(b"code: caf\xe9\nname: {vi: x}\n", file="latin1.yaml")


def test_oversized_file_is_refused() -> None:
    with pytest.raises(FrameworkError, match="larger than"):
        load_framework("#" * (MAX_YAML_BYTES + 1), file="huge.yaml")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- code: a\n- code: b\n", id="list"),
        pytest.param("just a sentence\n", id="scalar"),
        pytest.param("", id="empty"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_refused(text: str) -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework(text, file="flat.yaml")
    (problem,) = info.value.problems
    assert "mapping" in problem.message
    assert problem.file == "flat.yaml"


def test_loading_from_a_path_names_the_file(tmp_path: Path) -> None:
    raw = mutated(_unknown_group)
    path = tmp_path / "khung.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert all(p.file == "khung.yaml" for p in info.value.problems)
    assert "khung.yaml, node 2.3, field 'applies_to'" in str(info.value)


def test_a_missing_file_is_a_framework_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="cannot read file"):
        load_framework(tmp_path / "absent.yaml")


def test_valid_yaml_text_loads() -> None:
    fw = load_framework(MINI.read_bytes(), file="mini.yaml")
    assert fw.code == "test-mini"
    assert fw.node("2.3").applies_to == ["huyen"]


def test_duplicated_group_codes_are_named() -> None:
    """Issue #16: 'group codes are not unique' did not say which code."""
    raw = mini_raw()
    raw["groups"].append(dict(raw["groups"][0]))
    (problem,) = [p for p in problems_of(raw) if p.field == "groups"]
    assert problem.message == f"duplicate group code {raw['groups'][0]['code']!r}"


def test_duplicated_band_and_level_codes_are_named() -> None:
    raw = mini_raw()
    raw["bands"][1]["code"] = raw["bands"][0]["code"]
    raw["completion_levels"][1]["code"] = raw["completion_levels"][0]["code"]
    messages = {p.field: p.message for p in problems_of(raw)}
    assert messages["bands"] == f"duplicate bands code {raw['bands'][0]['code']!r}"
    assert messages["completion_levels"] == (
        f"duplicate completion_levels code {raw['completion_levels'][0]['code']!r}"
    )


def test_levels_out_of_order_name_both_levels_and_their_thresholds() -> None:
    """ "thresholds must be listed from highest to lowest" said which levels (issue #16)."""
    raw = mini_raw()
    raw["bands"][0], raw["bands"][1] = raw["bands"][1], raw["bands"][0]  # kha 60 before tot 80
    problems = [p for p in problems_of(raw) if p.code == "levels_not_decreasing"]
    assert [p.params for p in problems] == [
        {
            "levels": "bands",
            "code": "tot",
            "percent": 80,
            "previous": "kha",
            "previous_percent": 60,
        }
    ]
    assert problems[0].message.startswith("bands 'tot' (80 %) is listed after 'kha' (60 %)")
