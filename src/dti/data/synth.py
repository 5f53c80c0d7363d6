"""Raw indicator values that score to a given result under a framework.

For one unit × period the solver starts every free leaf near the unit's overall level, moves
leaves one option at a time until what is left fits a single *finisher* (a ratio leaf whose
numerator and denominator are then chosen so that the total lands on the target at the
published precision), and returns the raw values an official would type in: numerators and
denominators, counts, yes/no, tier values and expert points.

The rules and options of one leaf are in :mod:`dti.data.leaf_values`, the randomness in
:mod:`dti.data.rand`: randomness comes only from :meth:`random.Random.random`, whose sequence
Python guarantees to be stable across versions, so a seed always yields the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dti.data.leaf_values import (
    PUBLISHED,
    RECONSTRUCTED,
    BuildError,
    Cell,
    Option,
    leaf_options,
    leaf_points,
    size_kind,
    value_for_fraction,
)
from dti.data.rand import Rand
from dti.engine import Framework, Node, RatioRule, ReportAs
from dti.engine.compiled import EPS

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

SCORE_TOLERANCE = 0.002  # the result may differ from the target by this much (score units)
# Ratio leaves counting these are preferred as the finisher: their large denominators let the
# total land on the target at the published precision.
_LARGE_KINDS = ("documents", "work_files", "dossiers")


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


# -- solving --------------------------------------------------------------------------------


@dataclass
class _Free:
    node: Node
    options: list[Option]
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
    free = _initial(others, request, rng, (goal - fixed) / max(EPS, _max_of(free_nodes)))
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


def _cell(code: str, option: Option) -> Cell:
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
            for o in leaf_options(node, _size(node, request.sizes), rng)
            if low - EPS <= o.points / node.max <= high + EPS
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
        if low - EPS <= remaining <= high + EPS:
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
