"""Engine and reader problems: a code with parameters, English for the command line, the
user's language on pages."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
from django.utils import translation
from tests.web.english_detector import english_words

from dti.engine import DataError, Problem
from dti.engine.messages import ENGLISH, say
from dti.web.problems import TEXTS, problem_text

SRC = Path(__file__).resolve().parents[2] / "src" / "dti"


def test_every_code_has_a_web_text_and_every_text_a_code() -> None:
    assert set(TEXTS) == set(ENGLISH)


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_every_code_has_a_vietnamese_text(code: str) -> None:
    with translation.override("en"):
        english = str(TEXTS[code])
    with translation.override("vi"):
        vietnamese = str(TEXTS[code])
    assert vietnamese != english, f"{code} has no Vietnamese translation"
    assert not english_words(re.sub(r"%\(\w+\)s", " ", vietnamese)), vietnamese


def test_every_problem_of_the_engine_and_the_readers_is_coded() -> None:
    """No Problem in dti.engine or dti.io is made from literal text: each takes say(...)."""
    literal = []
    for path in [*(SRC / "engine").rglob("*.py"), *(SRC / "io").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
                in {"Problem", "problem", "add"}
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
                and path.name != "errors.py"
            ):
                literal.append(f"{path.name}:{node.lineno}")
    assert not literal


def test_the_command_line_keeps_its_english_text() -> None:
    problem = Problem(
        say("numerator_exceeds_denominator", numerator=150.0, denominator=139.0),
        file="values.csv",
        row=4,
        column="value",
        node="1.2",
    )
    text = str(DataError([problem]))
    assert (
        "values.csv, row 4, column 'value', node 1.2: numerator 150 exceeds the denominator 139"
        in text
    )


def test_a_page_in_vietnamese_says_it_with_vietnamese_numbers() -> None:
    problem = Problem(
        say("numerator_exceeds_denominator", numerator=1500.0, denominator=139.5),
        row=4,
        column="value",
    )
    with translation.override("vi"):
        assert problem_text(problem) == "dòng 4, cột “value”: tử số 1.500 lớn hơn mẫu số 139,5"
    with translation.override("en"):
        assert problem_text(problem) == (
            "row 4, column “value”: numerator 1,500 exceeds the denominator 139.5"
        )


def test_a_cell_that_is_not_a_number_is_said_in_vietnamese() -> None:
    problem = Problem(say("not_a_number", value="abc"), row=4, column="value")
    with translation.override("vi"):
        assert problem_text(problem) == "dòng 4, cột “value”: “abc” không phải là số"


def test_a_message_survives_pickling_with_its_code() -> None:
    message = pickle.loads(pickle.dumps(say("field_required")))
    assert (message, message.code) == ("is required but missing", "field_required")


def test_plain_text_is_shown_as_it_is() -> None:
    assert problem_text(Problem("no values to score after filtering")) == (
        "no values to score after filtering"
    )
