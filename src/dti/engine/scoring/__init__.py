"""Score raw indicator values: rules → points → totals, pillars, completion counts, bands, ranks.

Everything is array arithmetic over all rows at once (NumPy for rules and sums, Polars for the
per-group ranking): there is no Python loop per unit, per period or per indicator. The only loops
are over rule *positions* (tiers, levels), which are a handful whatever the input size.

Input contract (Polars frames; string or categorical key columns):

* ``values``: ``unit, period, indicator, value[, denominator][, applicable][, row]`` — one row
  per unit × period × leaf indicator. ``row`` (optional) is the row number in the user's file,
  quoted in error messages. A missing ``value`` means "nothing entered" and scores 0.
* ``units``: ``unit, name, group[, parent][, predecessors]``.

The work is a pipeline of phases (:mod:`.pipeline`), one module each, handing frozen
dataclasses to one another: :mod:`.inputs` (encoded and checked rows) → :mod:`.points` (each
row's points by its leaf's rule) → :mod:`.aggregate` (sums per unit × period: totals,
completion levels, pillars) → :mod:`.publish` (rescaling, rounding, bands) → :mod:`.frames`
(the result tables) → :mod:`.compare` (ranks and the change against the previous period).
"""

from dti.engine.scoring.pipeline import score
from dti.engine.scoring.result import ScoreResult, round_published

__all__ = ["ScoreResult", "round_published", "score"]
