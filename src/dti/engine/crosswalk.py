"""Comparing results across two versions of a framework through a crosswalk.

Index sets change (national 1726/2020 → 922/2022 → 405/2025; a province's 2024 set → its 2025
set). A crosswalk file maps node codes of the older version to node codes of the newer one; each
mapping pairs a list of nodes on each side (one-to-one, several-to-one, one-to-several). The
*comparable part* of each version is the union of its mapped nodes. A comparison reports the
change of the total and, separately, the change on the comparable part (as points and as the
percentage of its maximum, since the maxima usually differ), and lists what has no counterpart.

    from: dti-cap-tinh-922-2022
    to: dti-cap-tinh-405-2025
    mappings:
      - {from: ["1"], to: ["1"], note: Nhận thức số}
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dti.engine.compiled import compile_framework
from dti.engine.errors import FrameworkError, Problem
from dti.engine.framework import Framework, HistoryMethod, Node
from dti.engine.history import derive_previous
from dti.engine.lineage import Registry
from dti.engine.messages import say
from dti.engine.safe_yaml import load_yaml
from dti.engine.scoring import ScoreResult

__all__ = ["Crosswalk", "Mapping", "compare_versions", "load_crosswalk"]


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    old: Annotated[list[str], Field(min_length=1, alias="from")]
    new: Annotated[list[str], Field(min_length=1, alias="to")]
    note: str | None = None


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    old: Annotated[str, Field(alias="from")]
    new: Annotated[str, Field(alias="to")]
    mappings: Annotated[list[Mapping], Field(min_length=1)]

    def check(self, old: Framework, new: Framework, file: str | None = None) -> None:
        """Every code exists in its framework; no node is mapped twice or with an ancestor."""
        problems: list[Problem] = []
        for side, fw, expected in (("from", old, self.old), ("to", new, self.new)):
            if fw.code != expected:
                problems.append(
                    Problem(
                        say("crosswalk_wrong_framework", expected=expected, framework=fw.code),
                        file=file,
                        field=side,
                    )
                )
                continue
            codes = [c for m in self.mappings for c in (m.old if side == "from" else m.new)]
            known = {n.code: n for n, _ in fw.walk()}
            for code in codes:
                if code not in known:
                    problems.append(
                        Problem(
                            say("crosswalk_unknown_node", code=code, framework=fw.code),
                            file=file,
                            node=code,
                            field=side,
                        )
                    )
            seen: set[str] = set()
            for code in codes:
                if code in known:
                    below = {n.code for n, _ in known[code].walk()}
                    if below & seen:
                        problems.append(
                            Problem(
                                say("crosswalk_mapped_twice"),
                                file=file,
                                node=code,
                                field=side,
                            )
                        )
                    seen |= below
        if problems:
            raise FrameworkError(problems, title="invalid crosswalk")

    def unmapped(self, fw: Framework, side: str) -> list[Node]:
        """The leaves of ``fw`` outside the comparable part (side ``from`` or ``to``)."""
        mapped = {c for m in self.mappings for c in (m.old if side == "from" else m.new)}
        covered: set[str] = set()
        for node, _ in fw.walk():
            if node.code in mapped:
                covered |= {n.code for n, _ in node.walk()}
        return [leaf for leaf in fw.leaves() if leaf.code not in covered]

    def comparable_leaves(self, fw: Framework, side: str) -> list[str]:
        outside = {n.code for n in self.unmapped(fw, side)}
        return [leaf.code for leaf in fw.leaves() if leaf.code not in outside]


def load_crosswalk(path: str | Path) -> Crosswalk:
    path = Path(path)
    raw = load_yaml(path.read_bytes(), file=path.name)
    try:
        return Crosswalk.model_validate(raw)
    except ValidationError as exc:
        raise FrameworkError(
            [
                Problem(
                    say("field_invalid", detail=e["msg"]),
                    file=path.name,
                    field=".".join(str(p) for p in e["loc"]),
                )
                for e in exc.errors()
            ],
            title="invalid crosswalk",
        ) from None


def _comparable(result: ScoreResult, leaves: list[str]) -> pl.DataFrame:
    """Points and applicable maximum of the comparable leaves, per unit × period.

    The maximum comes from the framework (every comparable leaf applying to the unit's group),
    less the leaves the unit marked not applicable — not from the rows that happen to exist.
    """
    cf = compile_framework(result.framework)
    in_part = np.isin(np.array(cf.codes), leaves)
    group_max = pl.DataFrame(
        {
            "group": list(cf.group_codes),
            "_group_max": (cf.applies & in_part) @ cf.max,
        }
    )
    rows = result.indicators.filter(pl.col("indicator").is_in(leaves))
    leaf_max = pl.DataFrame({"indicator": list(cf.codes), "_leaf_max": cf.max})
    per_unit = (
        rows.join(leaf_max, on="indicator", how="left")
        .group_by("unit", "period")
        .agg(
            comparable_points=pl.col("points").sum(),
            _na_max=pl.col("_leaf_max").filter(~pl.col("applicable")).sum(),
        )
    )
    return (
        result.units.select("unit", "period", "group")
        .join(per_unit, on=["unit", "period"], how="left")
        .join(group_max, on="group", how="left")
        .select(
            "unit",
            "period",
            pl.col("comparable_points").fill_null(0.0),
            (pl.col("_group_max") - pl.col("_na_max").fill_null(0.0)).alias("comparable_max"),
        )
    )


def compare_versions(
    old: ScoreResult, new: ScoreResult, crosswalk: Crosswalk, registry: Registry
) -> pl.DataFrame:
    """Per unit of ``new``: total change and change on the comparable part against ``old``.

    Units formed after ``old`` was assessed are compared with values derived from their
    predecessors by the new framework's history method (``derived`` marks them).
    """
    crosswalk.check(old.framework, new.framework)
    old_part = _comparable(old, crosswalk.comparable_leaves(old.framework, "from"))
    new_part = _comparable(new, crosswalk.comparable_leaves(new.framework, "to"))
    history = old.units.select("unit", "period", "score").join(
        old_part, on=["unit", "period"], how="left"
    )
    old_period = old.units["period"].max()
    wanted = (
        new.units.select("unit", "name", "group", "period", "score")
        .join(new_part, on=["unit", "period"], how="left")
        .with_columns(previous_period=pl.lit(old_period, dtype=pl.String))
    )
    method: HistoryMethod = new.framework.history
    out = wanted
    for measure in ("score", "comparable_points", "comparable_max"):
        derived = derive_previous(
            history,
            wanted.select("unit", "period", "previous_period"),
            registry,
            method=method,
            value=measure,
        ).select(
            "unit",
            "period",
            "previous_period",
            f"previous_{measure}",
            pl.col("previous_derived").alias(f"_derived_{measure}"),
        )
        out = out.join(derived, on=["unit", "period", "previous_period"], how="left")
    pct = pl.col("comparable_points") / pl.col("comparable_max") * 100.0
    prev_pct = pl.col("previous_comparable_points") / pl.col("previous_comparable_max") * 100.0
    return out.select(
        "unit",
        "name",
        "group",
        "period",
        "previous_period",
        pl.col("score"),
        pl.col("previous_score"),
        (pl.col("score") - pl.col("previous_score")).alias("change"),
        pl.col("comparable_points"),
        pl.col("previous_comparable_points"),
        pct.round(2).alias("comparable_percent"),
        prev_pct.round(2).alias("previous_comparable_percent"),
        (pct - prev_pct).round(2).alias("comparable_change_points_of_percent"),
        pl.col("_derived_score").alias("derived"),
    ).sort("group", "unit")
