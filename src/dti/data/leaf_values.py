"""One leaf's raw values: the points a value earns (by the engine's rules), what a ratio's
denominator counts, every value worth considering for the solver, and a value worth a given
share of the maximum."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dti.data.rand import Rand
from dti.engine import BooleanRule, CountRule, Node, PointsRule, RatioRule, TiersRule
from dti.engine.compiled import EPS

__all__ = [
    "PUBLISHED",
    "RECONSTRUCTED",
    "BuildError",
    "Cell",
    "Option",
    "leaf_options",
    "leaf_points",
    "size_kind",
    "tier_options",
    "value_for_fraction",
]

PUBLISHED = "published"
RECONSTRUCTED = "reconstructed"
MAX_OPTIONS = 400  # ratio leaves with larger denominators are sampled on this many steps


class BuildError(RuntimeError):
    """The requested result cannot be reached with the given constraints."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One raw value as it is written in a values table."""

    indicator: str
    value: float | None
    denominator: float | None = None
    applicable: bool = True
    provenance: str = RECONSTRUCTED
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Option:
    value: float
    denominator: float | None
    points: float


# -- rules ---------------------------------------------------------------------------------


def leaf_points(node: Node, value: float, denominator: float | None = None) -> float:
    """Points of one leaf for a raw value, by the same rules as the engine."""
    rule = node.rule
    if isinstance(rule, BooleanRule):
        return node.max if value >= 0.5 else 0.0
    if isinstance(rule, CountRule):
        return min(value * rule.per_item, node.max)
    if isinstance(rule, PointsRule):
        return value
    if isinstance(rule, RatioRule):
        ratio = value / 100.0 if rule.input == "percent" else _fraction(value, denominator)
        if ratio + EPS < rule.floor:
            return 0.0
        return node.max * min(ratio / rule.target, 1.0)
    if isinstance(rule, TiersRule):
        x = _fraction(value, denominator) if rule.basis == "ratio" else value
        reached = [t.points for t in rule.tiers if x + EPS >= t.min]
        return reached[-1] if reached else 0.0
    raise BuildError(f"leaf {node.code} has no rule")


def _fraction(value: float, denominator: float | None) -> float:
    return value / denominator if denominator else value


# -- denominators by what a ratio counts ----------------------------------------------------

# The subject of a "Tỷ lệ …" indicator decides what its denominator counts.
_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("văn bản", "documents"),
    ("hồ sơ công việc", "work_files"),
    ("hồ sơ", "dossiers"),
    ("thủ tục", "procedures"),
    ("quy trình", "procedures"),
    ("xã", "communes"),
    ("trạm y tế", "communes"),
    ("thôn", "villages"),
    ("thành viên", "members"),
    ("công chức tiếp nhận", "clerks"),
    ("cán bộ chuyên trách", "it_staff"),
    ("cán bộ", "staff"),
    ("lãnh đạo", "leaders"),
    ("máy tính", "computers"),
    ("cơ quan", "agencies"),
    ("hệ thống", "systems"),
    ("cơ sở dữ liệu", "databases"),
    ("nhiệm vụ", "tasks"),
    ("chế độ báo cáo", "reports"),
    ("cuộc họp", "meetings"),
    ("cảnh báo", "alerts"),
    ("hộ", "households"),
    ("doanh nghiệp", "enterprises"),
    ("chợ", "markets"),
    ("khu, điểm du lịch", "tourist_sites"),
    ("sản phẩm", "products"),
    ("trường", "schools"),
    ("đối tượng", "beneficiaries"),
)
_ANYWHERE: tuple[tuple[str, str], ...] = (
    ("cuộc họp", "meetings"),
    ("văn bản chỉ đạo", "directives"),
    ("cơ sở dữ liệu", "databases"),
)


def size_kind(node: Node) -> str:
    """What the denominator of a ratio leaf counts, read from its Vietnamese name."""
    name = node.name.vi.lower()
    if name.startswith("tỷ lệ "):
        subject = name.removeprefix("tỷ lệ ")
        for prefix, kind in _SUBJECTS:
            if subject.startswith(prefix):
                return kind
    for word, kind in _ANYWHERE:
        if word in name:
            return kind
    return "items"


# -- options per leaf -----------------------------------------------------------------------


def leaf_options(node: Node, size: int, rng: Rand) -> list[Option]:
    """Every raw value worth considering for a leaf, sorted by points."""
    rule = node.rule
    out: list[Option]
    if isinstance(rule, BooleanRule):
        out = [Option(0, None, 0.0), Option(1, None, node.max)]
    elif isinstance(rule, CountRule):
        full = math.ceil(node.max / rule.per_item - EPS)
        out = [Option(n, None, leaf_points(node, n)) for n in range(full)]
        out.append(Option(full + rng.integer(0, max(1, full // 4)), None, node.max))
    elif isinstance(rule, PointsRule):
        steps = round(node.max * 4)
        out = [Option(k / 4, None, k / 4) for k in range(steps + 1)]
    elif isinstance(rule, TiersRule):
        out = tier_options(node, rule, size)
    elif isinstance(rule, RatioRule) and rule.input == "percent":
        out = [Option(k / 2, None, leaf_points(node, k / 2)) for k in range(201)]
    else:
        out = _ratio_options(node, size)
    return sorted(out, key=lambda o: o.points)


def _ratio_options(node: Node, size: int) -> list[Option]:
    numerators = sorted({round(size * k / MAX_OPTIONS) for k in range(MAX_OPTIONS + 1)})
    if size <= MAX_OPTIONS:
        numerators = list(range(size + 1))
    return [Option(a, size, leaf_points(node, a, size)) for a in numerators]


def tier_options(node: Node, rule: TiersRule, size: int) -> list[Option]:
    first = rule.tiers[0].min
    if rule.basis == "ratio":
        below = max(0, math.floor(first * size) - 1 - size // 20)
        out = [Option(below, size, 0.0)]
        for tier in rule.tiers:
            a = min(size, math.ceil(tier.min * size - EPS))
            out.append(Option(a, size, leaf_points(node, a, size)))
        return out
    below_value = 0.0 if first > 0 else -1.0
    out = [Option(below_value, None, 0.0)] if below_value >= 0 else []
    out += [Option(t.min, None, t.points) for t in rule.tiers]
    return out


def value_for_fraction(node: Node, fraction: float, before: Cell) -> Cell:
    """A raw value worth about ``fraction`` of the leaf's maximum, keeping its denominator."""
    rule = node.rule
    denominator = before.denominator
    value: float
    if isinstance(rule, BooleanRule):
        value = 1.0 if fraction >= 0.5 else 0.0
    elif isinstance(rule, CountRule):
        value = math.floor(fraction * node.max / rule.per_item + EPS)
    elif isinstance(rule, PointsRule):
        value = math.floor(fraction * node.max * 4 + EPS) / 4
    elif isinstance(rule, RatioRule) and rule.input == "percent":
        value = math.floor(fraction * rule.target * 200 + EPS) / 2
    elif isinstance(rule, RatioRule):
        size = denominator or 1.0
        value = math.floor(fraction * rule.target * size + EPS)
    elif isinstance(rule, TiersRule):
        return _tier_for_fraction(node, rule, fraction, before)
    else:
        raise BuildError(f"leaf {node.code} has no rule")
    return Cell(node.code, value, denominator)


def _tier_for_fraction(node: Node, rule: TiersRule, fraction: float, before: Cell) -> Cell:
    size = int(before.denominator or 1)
    below = [o for o in tier_options(node, rule, size) if o.points <= fraction * node.max]
    choice = below[-1] if below else Option(0, before.denominator, 0.0)
    return Cell(node.code, choice.value, choice.denominator)
