"""What a dataset is made of: units, the results to reproduce, verification changes, manifest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dti.data.synth import PUBLISHED, Cell

__all__ = [
    "Adjustment",
    "DatasetSpec",
    "Derivation",
    "Result",
    "Unit",
    "published",
]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    parent: str = ""
    predecessors: str = ""


@dataclass(frozen=True)
class Result:
    """One unit × period: the score to reach (published or reconstructed) and its constraints."""

    unit: str
    period: str
    score: float
    published: bool = False
    pinned: Mapping[str, Cell] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Adjustment:
    """A value changed by the verification team: points become ``fraction`` of the maximum."""

    unit: str
    period: str
    indicator: str
    fraction: float
    reason: str


@dataclass(frozen=True)
class Derivation:
    """A dataset-local framework: a shipped one with some top-level fields replaced.

    ``keep_group`` collapses the shipped groups into the one group of ``fields["groups"]``,
    keeping the indicators that applied to ``keep_group``.
    """

    file: str
    base: str
    header: str
    fields: Mapping[str, Any]
    sources: tuple[Mapping[str, Any], ...] = ()
    keep_group: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    manifest: Mapping[str, Any]
    frameworks: Mapping[str, str]  # group → shipped code or file relative to the dataset
    levels: Mapping[str, str]  # group → size profile (so / huyen / xa)
    units: tuple[Unit, ...]
    results: tuple[Result, ...]
    derived: tuple[Derivation, ...] = ()
    verification: tuple[Adjustment, ...] = ()


def published(indicator: str, value: float, denominator: float | None = None) -> Cell:
    """A value taken from a published source."""
    return Cell(indicator, value, denominator, provenance=PUBLISHED)
