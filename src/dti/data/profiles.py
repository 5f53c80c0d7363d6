"""Plausible sizes of a unit (staff, communes, documents…): the denominators of its ratios."""

from __future__ import annotations

from collections.abc import Mapping

from dti.data.synth import Rand

__all__ = ["LEVELS", "unit_sizes"]

# (low, high) per kind of counted thing, for a provincial department (so), a district (huyen)
# and a commune (xa). Districts count their own offices and their communes together.
LEVELS: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "so": {
        "staff": (45, 260),
        "computers": (50, 280),
        "clerks": (3, 12),
        "it_staff": (1, 4),
        "leaders": (6, 16),
        "documents": (2_500, 9_000),
        "work_files": (1_200, 6_000),
        "dossiers": (1_500, 30_000),
        "procedures": (20, 160),
        "systems": (2, 8),
        "databases": (2, 7),
        "tasks": (8, 24),
        "reports": (12, 40),
        "meetings": (6, 18),
        "directives": (3, 10),
        "alerts": (6, 40),
        "items": (10, 40),
    },
    "huyen": {
        "staff": (280, 720),
        "computers": (300, 760),
        "leaders": (30, 60),
        "documents": (4_000, 14_000),
        "work_files": (3_000, 11_000),
        "dossiers": (6_000, 40_000),
        "procedures": (260, 330),
        "communes": (10, 24),
        "villages": (70, 240),
        "members": (300, 1_400),
        "systems": (1, 4),
        "databases": (1, 3),
        "tasks": (15, 40),
        "reports": (20, 50),
        "meetings": (6, 16),
        "directives": (4, 12),
        "households": (1_000, 6_000),
        "enterprises": (120, 1_500),
        "markets": (3, 14),
        "tourist_sites": (3, 18),
        "products": (6, 40),
        "schools": (30, 90),
        "beneficiaries": (1_200, 5_000),
        "items": (10, 40),
    },
    "xa": {
        "staff": (19, 26),
        "computers": (20, 32),
        "documents": (700, 2_200),
        "work_files": (500, 1_600),
        "dossiers": (900, 5_000),
        "procedures": (100, 140),
        "villages": (6, 20),
        "members": (24, 90),
        "tasks": (8, 20),
        "reports": (15, 30),
        "meetings": (4, 12),
        "directives": (2, 8),
        "households": (200, 1_500),
        "products": (2, 8),
        "beneficiaries": (120, 600),
        "items": (6, 20),
    },
}


def unit_sizes(level: str, seed: int, overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    """Sizes drawn once per unit (so its denominators agree across periods and indicators)."""
    rng = Rand(seed)
    sizes = {kind: rng.integer(low, high) for kind, (low, high) in LEVELS[level].items()}
    if level == "huyen":
        sizes["agencies"] = sizes["communes"] + rng.integer(12, 15)
    sizes.update(overrides or {})
    return sizes
