"""Reports built on scoring results: Vietnamese numbers, charts, the press-style summary, the
decision appendix and unit scorecards. Pure Python — no Django; the web app calls these.

Modules: :mod:`~dti.reports.format` (Babel), :mod:`~dti.reports.charts` (Altair/Vega-Lite specs,
vl-convert rendering), :mod:`~dti.reports.summary`, :mod:`~dti.reports.appendix` (XlsxWriter,
WeasyPrint), :mod:`~dti.reports.scorecard`. Errors are the engine's :class:`dti.engine.DataError`
(an unknown period or unit), with the field named.
"""

from dti.reports._common import GroupInfo, frameworks_by_group, group_infos, resolve_period
from dti.reports.appendix import (
    AppendixRow,
    AppendixTable,
    DecisionHeader,
    appendix_pdf,
    appendix_tables,
    appendix_xlsx,
    write_appendix,
)
from dti.reports.charts import (
    bar_totals,
    group_pillar_averages,
    pillar_profile,
    render,
    score_histogram,
    unit_trend,
)
from dti.reports.format import (
    format_change,
    format_date,
    format_number,
    format_percent,
    format_rank,
    format_score,
)
from dti.reports.scorecard import Scorecard, adjustments_between, scorecard_pdf, unit_scorecard
from dti.reports.summary import GroupFacts, UnitFacts, group_facts, summarise, unit_facts

__all__ = [
    "AppendixRow",
    "AppendixTable",
    "DecisionHeader",
    "GroupFacts",
    "GroupInfo",
    "Scorecard",
    "UnitFacts",
    "adjustments_between",
    "appendix_pdf",
    "appendix_tables",
    "appendix_xlsx",
    "bar_totals",
    "format_change",
    "format_date",
    "format_number",
    "format_percent",
    "format_rank",
    "format_score",
    "frameworks_by_group",
    "group_facts",
    "group_infos",
    "group_pillar_averages",
    "pillar_profile",
    "render",
    "resolve_period",
    "score_histogram",
    "scorecard_pdf",
    "summarise",
    "unit_facts",
    "unit_scorecard",
    "unit_trend",
    "write_appendix",
]
