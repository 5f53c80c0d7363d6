"""Raw indicator values that score to a given result under a framework.

For one unit × period the solver starts every free leaf near the unit's overall level, moves
leaves one option at a time until what is left fits a single *finisher* (a ratio leaf whose
numerator and denominator are then chosen so that the total lands on the target at the
published precision), and returns the raw values an official would type in: numerators and
denominators, counts, yes/no, tier values and expert points.

Randomness comes only from :meth:`random.Random.random`, whose sequence Python guarantees to be
stable across versions, so a seed always yields the same values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from dti.engine import (
    BooleanRule,
    CountRule,
    Framework,
    Node,
    PointsRule,
    RatioRule,
    ReportAs,
    TiersRule,
)

__all__ = [
    "PUBLISHED",
    "RECONSTRUCTED",
    "BuildError",
    "Cell",
    "Rand",
    "UnitRequest",
    "applicable_leaves",
    "leaf_points",
    "solve",
    "value_for_fraction",
]

PUBLISHED = "published"
RECONSTRUCTED = "reconstructed"
SCORE_TOLERANCE = 0.002  # the result may differ from the target by this much (score units)
MAX_OPTIONS = 400  # ratio leaves with larger denominators are sampled on this many steps
_EPS = 1e-9
T = TypeVar("T")


class BuildError(RuntimeError):
    """The requested result cannot be reached with the given constraints."""


class Rand:
    """Deterministic helpers built on ``random()`` alone (stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 — reproducible data, not secrets

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._rng.random()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + min(int(self._rng.random() * (high - low + 1)), high - low)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.integer(0, len(items) - 1)]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.integer(0, i)
            out[i], out[j] = out[j], out[i]
        return out


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
class _Option:
    value: float
    denominator: float | None
    points: float


@dataclass(frozen=True)
class UnitRequest:
    """What one unit × period must score, and what is fixed beforehand.

    ``target`` is the result on the framework's scale (points, rescaled points or index).
    ``pinned`` leaves keep the given values; ``not_applicable`` leaves are marked so;
    ``ranges`` bound a leaf's points as a fraction of its maximum (completion levels);
    ``sizes`` give the unit's denominators by kind (see :func:`size_kind`).
    """

    target: float
    seed: int
    sizes: Mapping[str, int]
    pinned: Mapping[str, Cell] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)


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
        if ratio + _EPS < rule.floor:
            return 0.0
        return node.max * min(ratio / rule.target, 1.0)
    if isinstance(rule, TiersRule):
        x = _fraction(value, denominator) if rule.basis == "ratio" else value
        reached = [t.points for t in rule.tiers if x + _EPS >= t.min]
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
_LARGE_KINDS = ("documents", "work_files", "dossiers")


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


def _options(node: Node, size: int, rng: Rand) -> list[_Option]:
    """Every raw value worth considering for a leaf, sorted by points."""
    rule = node.rule
    out: list[_Option]
    if isinstance(rule, BooleanRule):
        out = [_Option(0, None, 0.0), _Option(1, None, node.max)]
    elif isinstance(rule, CountRule):
        full = math.ceil(node.max / rule.per_item - _EPS)
        out = [_Option(n, None, leaf_points(node, n)) for n in range(full)]
        out.append(_Option(full + rng.integer(0, max(1, full // 4)), None, node.max))
    elif isinstance(rule, PointsRule):
        steps = round(node.max * 4)
        out = [_Option(k / 4, None, k / 4) for k in range(steps + 1)]
    elif isinstance(rule, TiersRule):
        out = _tier_options(node, rule, size)
    elif isinstance(rule, RatioRule) and rule.input == "percent":
        out = [_Option(k / 2, None, leaf_points(node, k / 2)) for k in range(201)]
    else:
        out = _ratio_options(node, size)
    return sorted(out, key=lambda o: o.points)


def _ratio_options(node: Node, size: int) -> list[_Option]:
    numerators = sorted({round(size * k / MAX_OPTIONS) for k in range(MAX_OPTIONS + 1)})
    if size <= MAX_OPTIONS:
        numerators = list(range(size + 1))
    return [_Option(a, size, leaf_points(node, a, size)) for a in numerators]


def _tier_options(node: Node, rule: TiersRule, size: int) -> list[_Option]:
    first = rule.tiers[0].min
    if rule.basis == "ratio":
        below = max(0, math.floor(first * size) - 1 - size // 20)
        out = [_Option(below, size, 0.0)]
        for tier in rule.tiers:
            a = min(size, math.ceil(tier.min * size - _EPS))
            out.append(_Option(a, size, leaf_points(node, a, size)))
        return out
    below_value = 0.0 if first > 0 else -1.0
    out = [_Option(below_value, None, 0.0)] if below_value >= 0 else []
    out += [_Option(t.min, None, t.points) for t in rule.tiers]
    return out


# -- solving --------------------------------------------------------------------------------


@dataclass
class _Free:
    node: Node
    options: list[_Option]
    index: int


def applicable_leaves(framework: Framework, group: str) -> list[Node]:
    """The tree leaves that apply to a group, in framework order."""
    out: list[Node] = []

    def walk(node: Node, applies: bool) -> None:
        applies = group in node.applies_to if node.applies_to is not None else applies
        if node.is_leaf:
            if applies and node.max > 0:
                out.append(node)
            return
        for child in node.children:
            walk(child, applies)

    for pillar in framework.tree:
        walk(pillar, True)
    return out


def _points_target(framework: Framework, applicable_max: float, target: float) -> float:
    scale = framework.scale
    if scale.report == ReportAs.RESCALED:
        return target / scale.total * applicable_max
    if scale.report == ReportAs.INDEX:
        return target * scale.total
    return target


def solve(framework: Framework, group: str, request: UnitRequest) -> list[Cell]:
    """Raw values for every applicable leaf of ``group`` scoring ``request.target``."""
    rng = Rand(request.seed)
    leaves = applicable_leaves(framework, group)
    na = [n for n in leaves if n.code in request.not_applicable]
    active = [n for n in leaves if n.code not in request.not_applicable]
    applicable_max = sum(n.max for n in active)
    goal = _points_target(framework, applicable_max, request.target)
    tolerance = abs(_points_target(framework, applicable_max, SCORE_TOLERANCE))
    pinned = {n.code: request.pinned[n.code] for n in active if n.code in request.pinned}
    fixed = sum(
        leaf_points(n, _number(pinned[n.code].value), pinned[n.code].denominator)
        for n in active
        if n.code in pinned
    )
    free_nodes = [n for n in active if n.code not in pinned]
    finisher = _pick_finisher(free_nodes, request, rng)
    others = [n for n in free_nodes if n is not finisher]
    free = _initial(others, request, rng, (goal - fixed) / max(_EPS, _max_of(free_nodes)))
    low, high = request.ranges.get(finisher.code, (0.0, 1.0))
    remaining = goal - fixed - sum(f.options[f.index].points for f in free)
    remaining = _adjust(free, remaining, low * finisher.max, high * finisher.max, rng)
    final = _finish(finisher, remaining, request.sizes, tolerance, rng)
    chosen = {f.node.code: _cell(f.node.code, f.options[f.index]) for f in free}
    chosen[finisher.code] = final
    chosen.update(pinned)
    for node in na:
        chosen[node.code] = Cell(node.code, None, applicable=False)
    return [chosen[n.code] for n in leaves]


def _number(value: float | None) -> float:
    return 0.0 if value is None else value


def _max_of(nodes: Sequence[Node]) -> float:
    return sum(n.max for n in nodes)


def _cell(code: str, option: _Option) -> Cell:
    return Cell(code, option.value, option.denominator)


def _size(node: Node, sizes: Mapping[str, int]) -> int:
    return max(1, sizes.get(size_kind(node), sizes.get("items", 40)))


def _pick_finisher(nodes: Sequence[Node], request: UnitRequest, rng: Rand) -> Node:
    ratios = [
        n
        for n in nodes
        if isinstance(n.rule, RatioRule) and n.rule.input == "fraction" and n.rule.floor == 0
    ]
    large = [n for n in ratios if size_kind(n) in _LARGE_KINDS]
    pool = large or ratios
    if not pool:
        raise BuildError("no free ratio leaf to finish on")
    return rng.pick(pool)


def _initial(nodes: Sequence[Node], request: UnitRequest, rng: Rand, level: float) -> list[_Free]:
    """Each leaf near the unit's overall level: most at full marks for a strong unit."""
    level = min(1.0, max(0.0, level))
    out = []
    for node in nodes:
        low, high = request.ranges.get(node.code, (0.0, 1.0))
        options = [
            o
            for o in _options(node, _size(node, request.sizes), rng)
            if low - _EPS <= o.points / node.max <= high + _EPS
        ]
        if not options:
            raise BuildError(f"leaf {node.code}: no value within {low:g}–{high:g} of its maximum")
        wish = min(high, max(low, 1.0 - (1.0 - level) * 2.0 * rng.uniform(0.0, 1.0)))
        index = min(range(len(options)), key=lambda i: abs(options[i].points / node.max - wish))
        out.append(_Free(node, options, index))
    return out


def _adjust(free: list[_Free], remaining: float, low: float, high: float, rng: Rand) -> float:
    """Move leaves one option at a time until ``remaining`` lies in [low, high]."""
    middle = (low + high) / 2.0
    for _ in range(50_000):
        if low - _EPS <= remaining <= high + _EPS:
            return remaining
        up = remaining > high
        movable = [f for f in free if (f.index < len(f.options) - 1 if up else f.index > 0)]
        if not movable:
            raise BuildError(f"target out of reach (left over {remaining:.4f} points)")
        leaf = rng.pick(movable)
        current = leaf.options[leaf.index].points
        steps = range(leaf.index + 1, len(leaf.options)) if up else range(leaf.index)
        best = min(
            steps, key=lambda i: abs(remaining - (leaf.options[i].points - current) - middle)
        )
        remaining -= leaf.options[best].points - current
        leaf.index = best
    raise BuildError("did not converge")


def _finish(
    node: Node, points: float, sizes: Mapping[str, int], tolerance: float, rng: Rand
) -> Cell:
    """The numerator/denominator of a ratio leaf worth ``points`` (within ``tolerance``)."""
    rule = node.rule
    assert isinstance(rule, RatioRule)
    start = _size(node, sizes)
    if points >= node.max - tolerance / 2:
        return Cell(node.code, start, start)
    best: tuple[float, int, int] | None = None
    for b in range(start, start + 20_000):
        a = round(points * rule.target * b / node.max)
        if a > b:
            continue
        error = abs(leaf_points(node, a, b) - points)
        if best is None or error < best[0]:
            best = (error, a, b)
        if error <= tolerance / 2:
            return Cell(node.code, a, b)
    raise BuildError(f"leaf {node.code}: no ratio within tolerance (best {best})")


def value_for_fraction(node: Node, fraction: float, before: Cell) -> Cell:
    """A raw value worth about ``fraction`` of the leaf's maximum, keeping its denominator."""
    rule = node.rule
    denominator = before.denominator
    value: float
    if isinstance(rule, BooleanRule):
        value = 1.0 if fraction >= 0.5 else 0.0
    elif isinstance(rule, CountRule):
        value = math.floor(fraction * node.max / rule.per_item + _EPS)
    elif isinstance(rule, PointsRule):
        value = math.floor(fraction * node.max * 4 + _EPS) / 4
    elif isinstance(rule, RatioRule) and rule.input == "percent":
        value = math.floor(fraction * rule.target * 200 + _EPS) / 2
    elif isinstance(rule, RatioRule):
        size = denominator or 1.0
        value = math.floor(fraction * rule.target * size + _EPS)
    elif isinstance(rule, TiersRule):
        return _tier_for_fraction(node, rule, fraction, before)
    else:
        raise BuildError(f"leaf {node.code} has no rule")
    return Cell(node.code, value, denominator)


def _tier_for_fraction(node: Node, rule: TiersRule, fraction: float, before: Cell) -> Cell:
    size = int(before.denominator or 1)
    below = [o for o in _tier_options(node, rule, size) if o.points <= fraction * node.max]
    choice = below[-1] if below else _Option(0, before.denominator, 0.0)
    return Cell(node.code, choice.value, choice.denominator)
