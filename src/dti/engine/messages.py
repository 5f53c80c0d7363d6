"""Every problem the engine and the readers report, as a code with parameters.

A :class:`Message` is the English text the command line prints (a ``str``, so every caller
that formats, compares or joins problems keeps working) that also remembers its ``code`` and
``params``: the web application renders the same code in the user's language, with numbers
in that language's format (``dti.web.problems``). :data:`ENGLISH` is the catalogue of codes;
a web test fails when one of them has no Vietnamese text.

Parameters are numbers, text, or tuples of text (a list: joined with ", " here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ENGLISH", "Message", "say"]

ENGLISH: dict[str, str] = {
    # values tables checked by the engine (row, column and indicator are the location)
    "unknown_indicator": "unknown indicator {indicator!r}",
    "unit_not_in_units_table": "unit {unit!r} is not in the units table",
    "period_empty": "period is empty",
    "unit_group_not_covered": (
        "unit {unit!r} belongs to a group this framework does not cover ({groups})"
    ),
    "value_negative": "value {value:g} is negative",
    "boolean_not_0_1": "value {value:g} must be 1 (done) or 0 (not done)",
    "points_exceed_max": "points {points:g} exceed the maximum {maximum:g}",
    "denominator_not_positive": (
        "denominator {denominator:g} must be positive "
        "(mark the indicator not applicable if there is nothing to count)"
    ),
    "numerator_exceeds_denominator": (
        "numerator {numerator:g} exceeds the denominator {denominator:g}"
    ),
    "value_needs_denominator": (
        "value {value:g} needs a denominator (or give a fraction between 0 and 1)"
    ),
    "percentage_exceeds_100": "percentage {value:g} exceeds 100",
    "indicator_not_for_group": "indicator {indicator} does not apply to group {group}",
    "indicator_na_not_allowed": "indicator {indicator} cannot be marked not applicable",
    "duplicate_row": "duplicate row for unit {unit!r}, period {period!r}, indicator {indicator}",
    "given_directly_and_components": (
        "unit {unit!r}, period {period!r}, indicator {indicator} is part of node {node}, which "
        "is given directly: give either {node} or its components, not both"
    ),
    "more_rows_same_problem": "… {count} more rows with the same problem",
    "column_required": "required column {column!r} is missing",
    # a node given directly
    "applicable_max_out_of_range": (
        "applicable maximum {applicable_max:g} of node {node} must lie between 0 and its "
        "maximum {maximum:g}"
    ),
    "index_out_of_range": "index {value:g} of node {node} must lie between 0 and 1",
    "points_exceed_node": "points {points:g} exceed node {node}'s applicable maximum {maximum:g}",
    "score_exceeds_scale": "score {score:g} of {node} exceeds the scale total {total:g}",
    "direct_without_denominator": "node {node} is given directly: no denominator",
    # the readers: cells, sheets, files
    "column_required_found": "required column {column!r} is missing (found: {found})",
    "date_in_cell": "a date ({value}) where text or a number belongs",
    "number_ambiguous": (
        "{value!r} is ambiguous: write it without the dot for thousands (1800) "
        "or with a decimal comma (1,8)"
    ),
    "not_a_number": "{value!r} is not a number",
    "not_yes_no": "{value!r} is not yes/no (use 1/0, có/không, x)",
    "not_yes_no_template": "{value!r} is not yes/no (use x to mark not applicable)",
    "cell_empty": "is empty",
    "not_a_date": "{value!r} is not a date (use 2025-07-01 or 01/07/2025)",
    "template_sheet_missing": (
        "the self-assessment template's sheet {sheet!r} is missing (found: {found}); do not "
        "rename or delete the template's sheets"
    ),
    "template_field_missing": "{label!r} is missing",
    "duplicate_unit_code": "duplicate unit code {unit!r}",
    "predecessor_unknown": "predecessor {predecessor!r} of {unit!r} is not a known unit",
    "merged_cells": "merged cells {cells} are not allowed: unmerge them and fill in each cell",
    "sheet_empty": "the sheet is empty",
    "file_empty": "the file is empty",
    "csv_unreadable": "cannot read CSV: {detail}",
    "unsupported_file_type": "unsupported file type (use .csv or .xlsx)",
    # workbooks refused before they are read
    "workbook_unreadable": "not a readable workbook ({reason})",
    "not_xlsx": "not an Excel .xlsx workbook ({detail})",
    "file_is_word_document": "the file is a Word document: expected an .xlsx workbook",
    "file_not_excel": "the file is not an Excel workbook: expected an .xlsx workbook",
    "zip_bomb": (
        "the workbook inflates to {inflated:,} bytes (ratio {ratio:.0f}:1); refused as a "
        "possible zip bomb"
    ),
    "xml_entities": (
        "the workbook cannot be read: it declares XML entities or a DTD, which are refused "
        "(possible XXE attack)"
    ),
    "sheet_too_large": (
        "the sheet reaches {corner} ({rows:,} rows × {columns:,} columns): at most "
        "{max_rows:,} rows and {max_columns} columns are read; delete the rows and columns "
        "past the table"
    ),
    "cells_too_many": (
        "the sheets span {total:,} cells from A1 to their last cells ({sheets}): at most "
        "{max_cells:,} are read"
    ),
    "office_not_a_package": (
        "{name} is not a valid Office document: it cannot be opened as an Office Open XML package."
    ),
    "office_too_many_parts": "{name} has too many parts ({count}) to be checked.",
    "office_unsafe_path": "{name} contains a part with an unsafe path ({member}).",
    "office_encrypted_part": (
        "{name} contains an encrypted part ({member}) that cannot be checked."
    ),
    "office_macros": (
        "{name} contains macros ({member}). Save it as a document without macros "
        "(.docx, .xlsx, .pptx) and upload it again."
    ),
    "office_executable": "{name} contains an executable file ({member}) and was refused.",
    "office_no_content_types": (
        "{name} is not a valid Office document: [Content_Types].xml is missing."
    ),
    "office_bad_content_types": (
        "{name} is not a valid Office document: [Content_Types].xml cannot be read safely."
    ),
    "office_missing_main_part": (
        "{name} is not a valid {kind} document: its main part {member} is missing."
    ),
    "office_wrong_main_type": (
        "{name} is not a valid {kind} document: its main part has the content type {type}."
    ),
    # framework files
    "file_unreadable": "cannot read file: {reason}",
    "yaml_too_large": "file is larger than {limit:,} bytes",
    "not_utf8": "not UTF-8 text ({reason})",
    "yaml_invalid_at": "not valid YAML at line {line}, column {column}: {detail}",
    "yaml_invalid": "not valid YAML: {detail}",
    "framework_not_mapping": "the file must be a mapping of fields",
    "rule_unknown": "unknown rule {rule!r} (expected one of {rules})",
    "rule_without_type": "the rule has no 'type' (expected one of {rules})",
    "field_required": "is required but missing",
    "field_unknown": "is not a known field (check the spelling)",
    "field_wrong_type": "{detail}",
    "field_too_small": "{detail}",
    "field_too_large": "{detail}",
    "field_not_allowed": "{detail}",
    "field_invalid": "{detail}",
    "duplicate_group_code": "duplicate group code {code!r}",
    "duplicate_code": "duplicate code {code!r}",
    "unknown_groups": "unknown group(s) {groups}",
    "applies_beyond_parent": "applies to groups its parent does not",
    "direct_input_on_leaf": (
        "direct_input is for nodes with children (a leaf's own rule takes its value)"
    ),
    "leaf_without_rule": "a leaf needs a scoring rule",
    "adjustment_with_children": "bonus and penalty items cannot have children",
    "parent_with_rule": "a node with children cannot have its own rule",
    "children_max_mismatch": (
        "children's max points add up to {total:g}, not the node's {maximum:g}"
    ),
    "bonus_exceeds_cap": "max exceeds the bonus cap {cap:g}",
    "penalty_exceeds_cap": "max exceeds the penalty cap {cap:g}",
    "source_not_on_leaf": "only a leaf indicator declares where its value comes from",
    "source_measured_needs": "a measured value needs the {what} it is read from",
    "source_declared_reads": "a declared value reads no connector or field (write kind: measured)",
    "source_denominator_without_ratio": "a denominator field only for a ratio rule",
    "pillars_total_mismatch": (
        "pillars' max points add up to {total:g}, not the scale total {scale_total:g}"
    ),
    "floor_not_below_target": "floor {floor:g} must be below target {target:g}",
    "tiers_not_increasing": "tier thresholds (min) must be strictly increasing",
    "tier_points_decrease": "tier points must not decrease as thresholds rise",
    "tier_exceeds_max": "a tier gives more than the node's max {maximum:g}",
    "duplicate_level_code": "duplicate {levels} code {code!r}",
    "levels_not_decreasing": (
        "{levels} {code!r} ({percent:g} %) is listed after {previous!r} ({previous_percent:g} %): "
        "thresholds must be listed from highest to lowest, strictly decreasing"
    ),
    "last_level_not_zero": (
        "the last level {code!r} must start at min_percent 0 (not strict) so that every "
        "score gets one"
    ),
    # data-quality rules: declaring them (framework files)
    "quality_unknown_indicator": "no leaf indicator {code!r} in the framework",
    "quality_range_without_bounds": "a range check needs min, max or both",
    "quality_parameter_missing": "the check {check!r} needs {parameter!r}",
    "quality_parameter_not_of_check": "{parameter!r} is not a parameter of the check {check!r}",
    "quality_min_above_max": "min {min:g} is above max {max:g}",
    "quality_other_without_denominator": (
        "indicator {code} has no denominator (its rule does not read a ratio)"
    ),
    # data-quality warnings on values (the unit and the verifier see them; nothing refused)
    "quality_above": (
        "indicator {indicator} ({value:g}) is above indicator {other} ({other_value:g}); "
        "check both values"
    ),
    "quality_numerator_above": (
        "indicator {indicator} ({value:g}) is above the denominator of indicator {other} "
        "({other_value:g}); check both values"
    ),
    "quality_jump": (
        "indicator {indicator} moved from {previous:g} to {value:g} since {period} "
        "(more than {percent:g}% of the earlier value); check the value"
    ),
    "quality_below_range": (
        "indicator {indicator} ({value:g}) is below the plausible minimum {minimum:g}"
    ),
    "quality_above_range": (
        "indicator {indicator} ({value:g}) is above the plausible maximum {maximum:g}"
    ),
    # crosswalks between framework versions
    "crosswalk_wrong_framework": "crosswalk is for {expected!r}, not {framework!r}",
    "crosswalk_unknown_node": "no node {code!r} in {framework}",
    "crosswalk_mapped_twice": "mapped twice (itself or with an ancestor/descendant)",
    # lineage and history
    "lineage_kind_unknown": "unknown kind {kind!r} (use {kinds})",
    "self_succession": (
        "a unit cannot succeed itself, except in a merge or absorption that takes other units in"
    ),
    "weight_not_positive": "weight must be positive",
    "lineage_cycle": "lineage has a cycle: {cycle}",
    "absorb_and_merge": (
        "unit {unit!r} absorbs some units but is formed by a merge of {units}: record every "
        "edge into {unit!r} as 'absorb' (it goes on under its code) or every one as 'merge' "
        "(a new unit)"
    ),
    "history_partial_refused": (
        "the {period} value of {unit!r} cannot be derived: its predecessor(s) {missing} have "
        "none, and the framework refuses partial history (history_partial: refuse)"
    ),
    "own_value_and_merge": (
        "unit {unit!r} has its own value for {period} and is also formed by a merge of "
        "{units}, which have theirs: if {unit!r} went on under its code and took them in, "
        "record the event as 'absorb' (or add a merge row from {unit!r} to {unit!r}); if it "
        "is a new unit, give it a new code"
    ),
    # connectors: a source read over HTTP or from a file (dti.io.connectors)
    "source_timeout": "the source did not answer within {seconds:g} s",
    "source_unreachable": "the source could not be reached ({detail})",
    "source_http_status": "the source answered with HTTP status {status}",
    "source_page_too_large": "the source's page is too large",
    "source_not_utf8": "the source's text is not UTF-8",
    "source_malformed_json": "the source's answer is not valid JSON ({detail})",
    "source_no_records": "the source's answer has no list of records at {path!r}",
    "source_record_not_object": "a record is not an object of named fields",
    "source_field_missing": "the source's answer has no {key!r}",
    "source_too_many_pages": "the source has more than {pages} pages",
    "source_partial": (
        "the source sent {received} records of the {declared} it declares (a partial page)"
    ),
    "source_schema_changed": (
        "the source's records no longer have {keys} (they have: {found}): its layout changed; "
        "correct the connector's mapping"
    ),
    "source_duplicate_unit": "unit {unit!r} is given twice (first on page {page}, row {row})",
    "source_unit_unknown": (
        "source unit {unit!r} is not a unit of this period (add it to the connector's mapping)"
    ),
    "source_value_missing": "the value is missing",
    "source_folder_missing": "the connector's folder does not exist",
    "source_unexpected": "the pull stopped on an unexpected error; nothing was written",
    "source_folder_empty": "the connector's folder holds no .csv or .xlsx file",
    # the framework as the decision's appendix workbook (dti.io.framework_workbook)
    "framework_sheet_missing": "the sheet {sheet!r} is missing",
    "framework_column_missing": "the column {column!r} is missing",
    "framework_not_a_choice": "{value!r} is not one of: {known}",
    "framework_flag": "{value!r}: write 'Có' or leave the cell empty",
    "framework_parameter_without_rule": "a rule parameter without a rule",
    "framework_parameter_not_of_rule": "does not apply to the rule {rule!r}",
    "framework_tiers_missing": "the rule 'Theo mức' needs its tiers (threshold: points; …)",
    "framework_tier_malformed": (
        "{part!r} is not a tier: write threshold: points, e.g. '1: 10; 2: 20'"
    ),
    "framework_level_jump": "level {level!r} does not follow the row above (1 to {most} here)",
    "framework_field_unknown": "{field!r} is not a framework field",
    "framework_years": "{value!r}: write the years as 2024, 2025",
    "framework_not_a_date": "{value!r} is not a date (dd/mm/yyyy)",
    "framework_block_missing": "say whether the item is 'Thưởng' or 'Trừ'",
    "framework_cap_missing": "the information sheet gives no {block}_cap for these items",
    "framework_info_row_missing": "{problem} (add the row {field!r})",
    # the explanation of a score (dti.engine.explain): each step of the arithmetic
    "explain_fraction": "ratio = {value:g} / {denominator:g} = {ratio:g}",
    "explain_fraction_given": "ratio = {ratio:g} (entered as a fraction)",
    "explain_percent_input": "ratio = {value:g}% / 100 = {ratio:g}",
    "explain_ratio": "points = {maximum:g} × min({ratio:g} / {target:g}, 1) = {points:g}",
    "explain_ratio_below_floor": "ratio {ratio:g} is below the floor {floor:g}: 0 points",
    "explain_boolean_done": "done: {points:g} of {maximum:g} points",
    "explain_boolean_not_done": "not done: 0 of {maximum:g} points",
    "explain_points": "points given by the assessors: {points:g} of {maximum:g}",
    "explain_count": "points = min({count:g} × {per_item:g}, {maximum:g}) = {points:g}",
    "explain_tier": "{basis:g} reaches tier {tier} (from {minimum:g}): {points:g} points",
    "explain_tier_none": "{basis:g} is below the first tier (from {minimum:g}): 0 points",
    "explain_nothing_entered": "nothing entered: 0 points",
    "explain_not_applicable": (
        "not applicable: 0 of 0 points; its {maximum:g} points leave the maximum"
    ),
    "explain_given_directly": "given as part of {node}: {points:g} of {maximum:g} points",
    "explain_tree_points": "the {count} indicators' points add up to {points:g}",
    "explain_bonus": "bonus {raw:g}, capped at {cap:g}: {bonus:g}",
    "explain_penalty": "penalty {raw:g}, capped at {cap:g}: {penalty:g}",
    "explain_total": "total = max({points:g} + {bonus:g} − {penalty:g}, 0) = {total:g}",
    "explain_applicable_max": (
        "applicable maximum = {maximum:g} − {not_applicable:g} (not applicable) = {applicable:g}"
    ),
    "explain_percent": "percent = {total:g} / {applicable:g} × 100 = {percent:g}",
    "explain_rescaled": "score = {percent:g}% × {scale:g} = {score:g}",
    "explain_index": "index = {total:g} / {scale:g} = {score:g}",
    "explain_raw": "score = total = {score:g}",
    "explain_rounded": "published with {decimals} decimals: {score:g}",
    "explain_band": "{percent:g}% of the maximum: band {band} (from {minimum:g}%)",
    "explain_previous_own": "compared with its own {period} score {score:g}",
    "explain_previous_mean": (
        "compared with {score:g} in {period}: the mean of its predecessors {units}"
    ),
    "explain_previous_weighted": (
        "compared with {score:g} in {period}: the weighted mean of its predecessors {units}"
    ),
    "explain_previous_sum": (
        "compared with {score:g} in {period}: the sum of its predecessors {units}"
    ),
    "explain_previous_missing": "without {units}, which had no value then",
}


def _english(code: str, params: Mapping[str, Any]) -> str:
    shown = {k: ", ".join(map(str, v)) if isinstance(v, tuple) else v for k, v in params.items()}
    return ENGLISH[code].format(**shown)


class Message(str):
    """English text that remembers the code and parameters it was made from."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, params: Mapping[str, Any]) -> Message:
        self = super().__new__(cls, _english(code, params))
        self.code = code
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[type[Message], tuple[str, dict[str, Any]]]:
        # str's own pickling would call __new__ with the text alone.
        return (Message, (self.code, self.params))


def say(code: str, /, **params: Any) -> Message:
    """The problem ``code`` with its parameters (a code missing from :data:`ENGLISH` is a
    programming error: KeyError)."""
    return Message(code, params)
