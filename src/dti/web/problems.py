"""The engine's and the readers' problems said in the user's language.

The engine reports each problem as a code with parameters (:mod:`dti.engine.messages`) and
keeps English for the command line; pages render the code here, in the active language
(Vietnamese by default), numbers in that language's format (1.800, 0,85) and the location
(file, sheet, row, column, indicator, field) in words. A problem without a code (plain text)
is shown as it is. ``tests/web/test_problem_texts.py`` fails when a code lacks a text here or
a Vietnamese translation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from dti.engine import Problem

__all__ = [
    "TEXTS",
    "message_text",
    "number_text",
    "problem_message",
    "problem_text",
    "problem_texts",
]

TEXTS: dict[str, Promise] = {
    "unknown_indicator": _("unknown indicator “%(indicator)s”"),
    "unit_not_in_units_table": _("unit “%(unit)s” is not in the units table"),
    "period_empty": _("the period is empty"),
    "unit_group_not_covered": _(
        "unit “%(unit)s” belongs to a group this framework does not cover (%(groups)s)"
    ),
    "value_negative": _("value %(value)s is negative"),
    "boolean_not_0_1": _("value %(value)s must be 1 (done) or 0 (not done)"),
    "points_exceed_max": _("points %(points)s exceed the maximum %(maximum)s"),
    "denominator_not_positive": _(
        "denominator %(denominator)s must be positive (mark the indicator not applicable "
        "if there is nothing to count)"
    ),
    "numerator_exceeds_denominator": _(
        "numerator %(numerator)s exceeds the denominator %(denominator)s"
    ),
    "value_needs_denominator": _(
        "value %(value)s needs a denominator (or give a fraction between 0 and 1)"
    ),
    "percentage_exceeds_100": _("percentage %(value)s exceeds 100"),
    "indicator_not_for_group": _("indicator %(indicator)s does not apply to group %(group)s"),
    "indicator_na_not_allowed": _("indicator %(indicator)s cannot be marked not applicable"),
    "duplicate_row": _(
        "duplicate row for unit “%(unit)s”, period %(period)s, indicator %(indicator)s"
    ),
    "given_directly_and_components": _(
        "unit “%(unit)s”, period %(period)s, indicator %(indicator)s is part of %(node)s,"
        " which is given directly: give either %(node)s or its components, not both"
    ),
    "more_rows_same_problem": _("… %(count)s more rows with the same problem"),
    "column_required": _("the required column “%(column)s” is missing"),
    "applicable_max_out_of_range": _(
        "applicable maximum %(applicable_max)s of %(node)s must lie between 0 and its "
        "maximum %(maximum)s"
    ),
    "index_out_of_range": _("index %(value)s of %(node)s must lie between 0 and 1"),
    "points_exceed_node": _(
        "points %(points)s exceed the applicable maximum %(maximum)s of %(node)s"
    ),
    "score_exceeds_scale": _("score %(score)s of %(node)s exceeds the scale total %(total)s"),
    "direct_without_denominator": _("%(node)s is given directly: no denominator"),
    "column_required_found": _("the required column “%(column)s” is missing (found: %(found)s)"),
    "date_in_cell": _("a date (%(value)s) where text or a number belongs"),
    "number_ambiguous": _(
        "“%(value)s” is ambiguous: write it without the dot for thousands (1800) or with "
        "a decimal comma (1,8)"
    ),
    "not_a_number": _("“%(value)s” is not a number"),
    "not_yes_no": _("“%(value)s” is not yes/no (use 1/0, có/không, x)"),
    "not_yes_no_template": _("“%(value)s” is not yes/no (use x to mark not applicable)"),
    "cell_empty": _("is empty"),
    "not_a_date": _("“%(value)s” is not a date (use 2025-07-01 or 01/07/2025)"),
    "template_sheet_missing": _(
        "the self-assessment template's sheet “%(sheet)s” is missing (found: %(found)s); "
        "do not rename or delete the template's sheets"
    ),
    "template_field_missing": _("“%(label)s” is missing"),
    "duplicate_unit_code": _("duplicate unit code “%(unit)s”"),
    "predecessor_unknown": _("predecessor “%(predecessor)s” of “%(unit)s” is not a known unit"),
    "merged_cells": _("merged cells %(cells)s are not allowed: unmerge them and fill in each cell"),
    "sheet_empty": _("the sheet is empty"),
    "file_empty": _("the file is empty"),
    "csv_unreadable": _("cannot read the CSV file (“%(detail)s”)"),
    "unsupported_file_type": _("unsupported file type (use .csv or .xlsx)"),
    "workbook_unreadable": _("not a readable workbook: the file is damaged (“%(reason)s”)"),
    "not_xlsx": _("not an Excel .xlsx workbook (“%(detail)s”)"),
    "file_is_word_document": _("the file is a Word document: expected an .xlsx workbook"),
    "file_not_excel": _("the file is not an Excel workbook: expected an .xlsx workbook"),
    "zip_bomb": _(
        "the workbook inflates to %(inflated)s bytes (ratio %(ratio)s:1); refused as a "
        "possible zip bomb"
    ),
    "xml_entities": _(
        "the workbook cannot be read: it declares XML entities or a DTD, which are "
        "refused (possible XXE attack)"
    ),
    "sheet_too_large": _(
        "the sheet reaches %(corner)s (%(rows)s rows × %(columns)s columns): at most "
        "%(max_rows)s rows and %(max_columns)s columns are read; delete the rows and "
        "columns past the table"
    ),
    "cells_too_many": _(
        "the sheets span %(total)s cells from A1 to their last cells: at most "
        "%(max_cells)s are read"
    ),
    "office_not_a_package": _(
        "%(name)s is not a valid Office document: it cannot be opened as an Office Open "
        "XML package."
    ),
    "office_too_many_parts": _("%(name)s has too many parts (%(count)s) to be checked."),
    "office_unsafe_path": _("%(name)s contains a part with an unsafe path (%(member)s)."),
    "office_encrypted_part": _(
        "%(name)s contains an encrypted part (%(member)s) that cannot be checked."
    ),
    "office_macros": _(
        "%(name)s contains macros (%(member)s). Save it as a document without macros "
        "(.docx, .xlsx, .pptx) and upload it again."
    ),
    "office_executable": _("%(name)s contains an executable file (%(member)s) and was refused."),
    "office_no_content_types": _(
        "%(name)s is not a valid Office document: [Content_Types].xml is missing."
    ),
    "office_bad_content_types": _(
        "%(name)s is not a valid Office document: [Content_Types].xml cannot be read safely."
    ),
    "office_missing_main_part": _(
        "%(name)s is not a valid %(kind)s document: its main part %(member)s is missing."
    ),
    "office_wrong_main_type": _(
        "%(name)s is not a valid %(kind)s document: its main part has the content type %(type)s."
    ),
    "file_unreadable": _("cannot read the file (“%(reason)s”)"),
    "yaml_too_large": _("the file is larger than %(limit)s bytes"),
    "not_utf8": _("not UTF-8 text (“%(reason)s”)"),
    "yaml_invalid_at": _("not valid YAML at line %(line)s, column %(column)s (“%(detail)s”)"),
    "yaml_invalid": _("not valid YAML (“%(detail)s”)"),
    "framework_not_mapping": _("the file must be a mapping of fields"),
    "rule_unknown": _("unknown rule “%(rule)s” (expected one of %(rules)s)"),
    "rule_without_type": _("the rule has no “type” (expected one of %(rules)s)"),
    "field_required": _("is required but missing"),
    "field_unknown": _("is not a known field (check the spelling)"),
    "field_wrong_type": _("has a value of the wrong kind (“%(detail)s”)"),
    "field_too_small": _("the value is too small (“%(detail)s”)"),
    "field_too_large": _("the value is too large (“%(detail)s”)"),
    "field_not_allowed": _("the value is not one of those allowed (“%(detail)s”)"),
    "field_invalid": _("the value is not valid (“%(detail)s”)"),
    "duplicate_group_code": _("duplicate group code “%(code)s”"),
    "duplicate_code": _("duplicate code “%(code)s”"),
    "unknown_groups": _("unknown group(s) %(groups)s"),
    "applies_beyond_parent": _("applies to groups its parent does not"),
    "direct_input_on_leaf": _(
        "direct_input is for nodes with children (a leaf's own rule takes its value)"
    ),
    "leaf_without_rule": _("a leaf needs a scoring rule"),
    "adjustment_with_children": _("bonus and penalty items cannot have children"),
    "parent_with_rule": _("a node with children cannot have its own rule"),
    "children_max_mismatch": _(
        "the children's maximum points add up to %(total)s, not the node's %(maximum)s"
    ),
    "bonus_exceeds_cap": _("the maximum exceeds the bonus cap %(cap)s"),
    "penalty_exceeds_cap": _("the maximum exceeds the penalty cap %(cap)s"),
    "pillars_total_mismatch": _(
        "the pillars' maximum points add up to %(total)s, not the scale total %(scale_total)s"
    ),
    "floor_not_below_target": _("floor %(floor)s must be below target %(target)s"),
    "tiers_not_increasing": _("tier thresholds (min) must be strictly increasing"),
    "tier_points_decrease": _("tier points must not decrease as thresholds rise"),
    "tier_exceeds_max": _("a tier gives more than the node's maximum %(maximum)s"),
    "duplicate_level_code": _("duplicate %(levels)s code “%(code)s”"),
    "levels_not_decreasing": _(
        "%(levels)s “%(code)s” (%(percent)s %%) is listed after “%(previous)s” "
        "(%(previous_percent)s %%): thresholds must be listed from highest to lowest, "
        "strictly decreasing"
    ),
    "last_level_not_zero": _(
        "the last level “%(code)s” must start at min_percent 0 (not strict) so that every"
        " score gets one"
    ),
    "quality_unknown_indicator": _("no leaf indicator “%(code)s” in the framework"),
    "quality_range_without_bounds": _("a range check needs min, max or both"),
    "quality_parameter_missing": _("the check “%(check)s” needs “%(parameter)s”"),
    "quality_parameter_not_of_check": _(
        "“%(parameter)s” is not a parameter of the check “%(check)s”"
    ),
    "quality_min_above_max": _("min %(min)s is above max %(max)s"),
    "quality_other_without_denominator": _(
        "indicator %(code)s has no denominator (its rule does not read a ratio)"
    ),
    "quality_above": _(
        "indicator %(indicator)s (%(value)s) is above indicator %(other)s (%(other_value)s);"
        " check both values"
    ),
    "quality_numerator_above": _(
        "indicator %(indicator)s (%(value)s) is above the denominator of indicator %(other)s"
        " (%(other_value)s); check both values"
    ),
    "quality_jump": _(
        "indicator %(indicator)s moved from %(previous)s to %(value)s since %(period)s (more"
        " than %(percent)s%% of the earlier value); check the value"
    ),
    "quality_below_range": _(
        "indicator %(indicator)s (%(value)s) is below the plausible minimum %(minimum)s"
    ),
    "quality_above_range": _(
        "indicator %(indicator)s (%(value)s) is above the plausible maximum %(maximum)s"
    ),
    "crosswalk_wrong_framework": _("the crosswalk is for “%(expected)s”, not “%(framework)s”"),
    "crosswalk_unknown_node": _("no node “%(code)s” in %(framework)s"),
    "crosswalk_mapped_twice": _("mapped twice (itself or with an ancestor/descendant)"),
    "lineage_kind_unknown": _("unknown kind “%(kind)s” (use %(kinds)s)"),
    "self_succession": _(
        "a unit cannot succeed itself, except in a merge or absorption that takes other units in"
    ),
    "weight_not_positive": _("the weight must be positive"),
    "lineage_cycle": _("the lineage has a cycle: %(cycle)s"),
    "absorb_and_merge": _(
        "unit “%(unit)s” absorbs some units but is formed by a merge of %(units)s: record"
        " every edge into “%(unit)s” as absorb (it goes on under its code) or every one "
        "as merge (a new unit)"
    ),
    "history_partial_refused": _(
        "the %(period)s value of “%(unit)s” cannot be derived: its predecessor(s) "
        "%(missing)s have none, and the framework refuses partial history"
    ),
    "own_value_and_merge": _(
        "unit “%(unit)s” has its own value for %(period)s and is also formed by a merge "
        "of %(units)s, which have theirs: if it went on under its code and took them in, "
        "record the event as absorb; if it is a new unit, give it a new code"
    ),
    "source_not_on_leaf": _("only a leaf indicator declares where its value comes from"),
    "source_measured_needs": _("a measured value needs the %(what)s it is read from"),
    "source_declared_reads": _(
        "a declared value reads no connector or field (write kind: measured)"
    ),
    "source_denominator_without_ratio": _("a denominator field only for a ratio rule"),
    "source_timeout": _("the source did not answer within %(seconds)s s"),
    "source_unreachable": _("the source could not be reached (%(detail)s)"),
    "source_http_status": _("the source answered with HTTP status %(status)s"),
    "source_page_too_large": _("the source's page is too large"),
    "source_not_utf8": _("the source's text is not UTF-8"),
    "source_malformed_json": _("the source's answer is not valid JSON (%(detail)s)"),
    "source_no_records": _("the source's answer has no list of records at “%(path)s”"),
    "source_record_not_object": _("a record is not an object of named fields"),
    "source_field_missing": _("the source's answer has no “%(key)s”"),
    "source_too_many_pages": _("the source has more than %(pages)s pages"),
    "source_partial": _(
        "the source sent %(received)s records of the %(declared)s it declares (a partial page)"
    ),
    "source_schema_changed": _(
        "the source's records no longer have %(keys)s (they have: %(found)s): its layout "
        "changed; correct the connector's mapping"
    ),
    "source_duplicate_unit": _(
        "unit “%(unit)s” is given twice (first on page %(page)s, row %(row)s)"
    ),
    "source_unit_unknown": _(
        "source unit “%(unit)s” is not a unit of this period (add it to the connector's mapping)"
    ),
    "source_value_missing": _("the value is missing"),
    "source_folder_missing": _("the connector's folder does not exist"),
    "source_unexpected": _("the pull stopped on an unexpected error; nothing was written"),
    "source_folder_empty": _("the connector's folder holds no .csv or .xlsx file"),
    "framework_sheet_missing": _("the sheet “%(sheet)s” is missing"),
    "framework_column_missing": _("the column “%(column)s” is missing"),
    "framework_not_a_choice": _("“%(value)s” is not one of: %(known)s"),
    "framework_flag": _("“%(value)s”: write “Có” or leave the cell empty"),
    "framework_parameter_without_rule": _("a rule parameter without a rule"),
    "framework_parameter_not_of_rule": _("does not apply to the rule “%(rule)s”"),
    "framework_tiers_missing": _("the rule “Theo mức” needs its tiers (threshold: points; …)"),
    "framework_tier_malformed": _(
        "“%(part)s” is not a tier: write threshold: points, e.g. “1: 10; 2: 20”"
    ),
    "framework_level_jump": _(
        "level “%(level)s” does not follow the row above (1 to %(most)s here)"
    ),
    "framework_field_unknown": _("“%(field)s” is not a framework field"),
    "framework_years": _("“%(value)s”: write the years as 2024, 2025"),
    "framework_not_a_date": _("“%(value)s” is not a date (dd/mm/yyyy)"),
    "framework_block_missing": _("say whether the item is “Thưởng” or “Trừ”"),
    "framework_cap_missing": _("the information sheet gives no %(block)s_cap for these items"),
    "framework_info_row_missing": _("%(problem)s (add the row “%(field)s”)"),
    "explain_fraction": _("ratio = %(value)s / %(denominator)s = %(ratio)s"),
    "explain_fraction_given": _("ratio = %(ratio)s (entered as a fraction)"),
    "explain_percent_input": _("ratio = %(value)s%% / 100 = %(ratio)s"),
    "explain_ratio": _("points = %(maximum)s × min(%(ratio)s / %(target)s, 1) = %(points)s"),
    "explain_ratio_below_floor": _("ratio %(ratio)s is below the floor %(floor)s: 0 points"),
    "explain_boolean_done": _("done: %(points)s of %(maximum)s points"),
    "explain_boolean_not_done": _("not done: 0 of %(maximum)s points"),
    "explain_points": _("points given by the assessors: %(points)s of %(maximum)s"),
    "explain_count": _("points = min(%(count)s × %(per_item)s, %(maximum)s) = %(points)s"),
    "explain_tier": _("%(basis)s reaches tier %(tier)s (from %(minimum)s): %(points)s points"),
    "explain_tier_none": _("%(basis)s is below the first tier (from %(minimum)s): 0 points"),
    "explain_nothing_entered": _("nothing entered: 0 points"),
    "explain_not_applicable": _(
        "not applicable: 0 of 0 points; its %(maximum)s points leave the maximum"
    ),
    "explain_given_directly": _("given as part of %(node)s: %(points)s of %(maximum)s points"),
    "explain_tree_points": _("the %(count)s indicators' points add up to %(points)s"),
    "explain_bonus": _("bonus %(raw)s, capped at %(cap)s: %(bonus)s"),
    "explain_penalty": _("penalty %(raw)s, capped at %(cap)s: %(penalty)s"),
    "explain_total": _("total = max(%(points)s + %(bonus)s − %(penalty)s, 0) = %(total)s"),
    "explain_applicable_max": _(
        "applicable maximum = %(maximum)s − %(not_applicable)s (not applicable) = %(applicable)s"
    ),
    "explain_percent": _("percent = %(total)s / %(applicable)s × 100 = %(percent)s"),
    "explain_rescaled": _("score = %(percent)s%% × %(scale)s = %(score)s"),
    "explain_index": _("index = %(total)s / %(scale)s = %(score)s"),
    "explain_raw": _("score = total = %(score)s"),
    "explain_rounded": _("published with %(decimals)s decimals: %(score)s"),
    "explain_band": _("%(percent)s%% of the maximum: band %(band)s (from %(minimum)s%%)"),
    "explain_previous_own": _("compared with its own %(period)s score %(score)s"),
    "explain_previous_mean": _(
        "compared with %(score)s in %(period)s: the mean of its predecessors %(units)s"
    ),
    "explain_previous_weighted": _(
        "compared with %(score)s in %(period)s: the weighted mean of its predecessors %(units)s"
    ),
    "explain_previous_sum": _(
        "compared with %(score)s in %(period)s: the sum of its predecessors %(units)s"
    ),
    "explain_previous_missing": _("without %(units)s, which had no value then"),
}


def _number(value: float | int) -> str:
    """A number as the language writes it (1.800; 0,727), without a trailing ",0"."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            value = int(value)
        else:
            value = round(value, 6)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def number_text(value: float | int) -> str:
    """A number as the active language writes it (1.800; 0,727)."""
    return _number(value)


def message_text(message: str) -> str:
    """A coded message (an engine :class:`~dti.engine.messages.Message`) in the active
    language; a band named in it in English on English pages."""
    code = getattr(message, "code", None)
    if code is None or code not in TEXTS:
        return str(message)
    params = dict(getattr(message, "params", {}))
    english = (get_language() or "vi").startswith("en")
    if english and params.get("band_en"):
        params["band"] = params["band_en"]
    return str(TEXTS[code]) % _params(params)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, tuple | list):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _params(params: Mapping[str, Any]) -> dict[str, str]:
    return {name: _shown(value) for name, value in params.items()}


def _location(problem: Problem) -> str:
    parts: list[str] = []
    if problem.file:
        parts.append(_g("file %(file)s") % {"file": problem.file})
    if problem.sheet:
        parts.append(_g("sheet “%(sheet)s”") % {"sheet": problem.sheet})
    if problem.row is not None:
        parts.append(_g("row %(row)s") % {"row": _number(problem.row)})
    if problem.column:
        parts.append(_g("column “%(column)s”") % {"column": problem.column})
    if problem.node:
        parts.append(_g("indicator %(node)s") % {"node": problem.node})
    if problem.field:
        parts.append(_g("field “%(field)s”") % {"field": problem.field})
    return ", ".join(parts)


def problem_message(problem: Problem) -> str:
    """What is wrong, in the active language (without the location)."""
    code = problem.code
    if code is None or code not in TEXTS:
        return problem.message
    return str(TEXTS[code]) % _params(problem.params)


def problem_text(problem: Problem) -> str:
    """The problem with its location, in the active language."""
    where = _location(problem)
    what = problem_message(problem)
    return f"{where}: {what}" if where else what


def problem_texts(problems: Iterable[Problem], limit: int | None = None) -> list[str]:
    """Each problem rendered (the first ``limit`` of them)."""
    listed = list(problems)
    return [problem_text(p) for p in (listed if limit is None else listed[:limit])]
