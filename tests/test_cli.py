"""The `dti` command line: results written whole, bad input named precisely with exit status 2."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from dti.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINI = str(FIXTURES / "mini.yaml")

UNITS = """unit,name,group,parent,predecessors
A,Sở A,so,,
B,Sở B,so,,
H,Huyện H,huyen,,
"""

VALUES = """unit,period,indicator,value,denominator,applicable
A,2022,1.1,1,,
A,2022,1.2,40,50,
A,2022,2.1,"0,6",,
B,2022,1.1,không,,
B,2022,1.3,2,,
H,2022,2.3,70,,
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "values.csv").write_text(VALUES, encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_reports_ok_for_a_good_framework() -> None:
    code, out, _ = run("validate", MINI)
    assert code == 0
    assert "test-mini" in out and "6 indicators" in out


def test_validate_lists_every_problem_with_node_and_field(tmp_path: Path) -> None:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "max: 20\n        rule: {type: ratio, target: 0.8",
        "max: 25\n        rule: {type: ratio, target: 0.8",
    )
    text = text.replace(
        'rule: {type: points}\n      - code: "2.3"', 'rule: {type: guess}\n      - code: "2.3"'
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert "node 2.2" in err and "unknown rule 'guess'" in err


def test_validate_reports_children_not_adding_up(tmp_path: Path) -> None:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "max: 20\n        rule: {type: ratio, target: 0.8",
        "max: 25\n        rule: {type: ratio, target: 0.8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert "node 1, field 'max'" in err and "add up to 45" in err


def test_score_writes_csv_with_ranks_and_bands(workdir: Path) -> None:
    out = workdir / "results.csv"
    code, stdout, _ = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(workdir / "values.csv"),
        "-o",
        str(out),
    )
    assert code == 0, stdout
    results = pl.read_csv(out, schema_overrides={"period": pl.String})
    a = results.filter(pl.col("unit") == "A").row(0, named=True)
    # 1.1 → 10, 1.2 → 40/50 = 0.8 reaches the target → 20, 2.1 → ratio 0.6 → tier 20.
    assert a["total"] == 50.0 and a["applicable_max"] == 90.0 and a["rank"] == 1
    b = results.filter(pl.col("unit") == "B").row(0, named=True)
    assert b["total"] == 4.0 and b["rank"] == 2
    assert results.filter(pl.col("unit") == "H")["band"].item() == "tb"


def test_score_writes_xlsx_with_three_sheets(workdir: Path) -> None:
    out = workdir / "results.xlsx"
    code, _, _ = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(workdir / "values.csv"),
        "-o",
        str(out),
    )
    assert code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["units", "pillars", "groups"]


def test_score_names_file_row_column_and_writes_nothing_on_bad_cells(workdir: Path) -> None:
    values = workdir / "values.csv"
    values.write_text(
        VALUES.replace("A,2022,1.2,40,50,", "A,2022,1.2,bốn mươi,50,"), encoding="utf-8"
    )
    out = workdir / "results.csv"
    code, _, err = run(
        "score", "-f", MINI, "-u", str(workdir / "units.csv"), "-d", str(values), "-o", str(out)
    )
    assert code == 2
    assert "values.csv, row 3, column 'value': 'bốn mươi' is not a number" in err
    assert not out.exists()
    assert list(workdir.glob(".results-*")) == []


def test_score_reports_rule_violations_with_indicator(workdir: Path) -> None:
    values = workdir / "values.csv"
    values.write_text(VALUES.replace("A,2022,1.2,40,50,", "A,2022,1.2,60,50,"), encoding="utf-8")
    code, _, err = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(values),
        "-o",
        str(workdir / "r.csv"),
    )
    assert code == 2
    assert "row 3, column 'denominator'" not in err
    assert "row 3, column 'value', node 1.2: numerator 60 exceeds the denominator 50" in err


def test_score_refuses_unknown_units_and_groups_without_framework(workdir: Path) -> None:
    values = workdir / "values.csv"
    values.write_text(VALUES + "Z,2022,1.1,1,,\n", encoding="utf-8")
    code, _, err = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(values),
        "-o",
        str(workdir / "r.csv"),
    )
    assert code == 2
    assert "row 8, column 'unit': unit 'Z' is not in the units table" in err


def test_score_filters_by_period_and_group(workdir: Path) -> None:
    values = workdir / "values.csv"
    values.write_text(VALUES + "A,2023,1.1,1,,\n", encoding="utf-8")
    out = workdir / "r.csv"
    code, _, _ = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(values),
        "-o",
        str(out),
        "--period",
        "2023",
        "--group",
        "so",
    )
    assert code == 0
    results = pl.read_csv(out, schema_overrides={"period": pl.String})
    assert results.select("unit", "period").rows() == [("A", "2023")]


def test_missing_input_file_is_reported(workdir: Path) -> None:
    code, _, err = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "nope.csv"),
        "-d",
        str(workdir / "values.csv"),
        "-o",
        str(workdir / "r.csv"),
    )
    assert code == 2
    assert "nope.csv: file not found" in err


def test_template_round_trip_scores_what_was_filled_in(workdir: Path) -> None:
    template = workdir / "template.xlsx"
    code, _, _ = run(
        "template", MINI, "--group", "so", "--unit", "A", "--period", "2023", "-o", str(template)
    )
    assert code == 0
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Tự đánh giá"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert "2.3" not in rows  # applies to districts only
    rows["1.1"][4].value = "có"
    rows["1.2"][4].value = 45
    rows["1.2"][5].value = 50
    rows["1.3"][6].value = "x"  # not applicable (allowed for 1.3)
    rows["2.2"][4].value = "12,5"
    workbook.save(template)

    out = workdir / "r.csv"
    code, _, err = run(
        "score", "-f", MINI, "-u", str(workdir / "units.csv"), "-d", str(template), "-o", str(out)
    )
    assert code == 0, err
    a = pl.read_csv(out, schema_overrides={"period": pl.String}).row(0, named=True)
    assert (a["unit"], a["period"]) == ("A", "2023")
    assert a["total"] == pytest.approx(10 + 20 + 12.5)
    assert a["applicable_max"] == 80.0  # 90 for departments, less 1.3's 10


def test_template_workbook_bad_cell_names_sheet_row_and_column(workdir: Path) -> None:
    template = workdir / "template.xlsx"
    run("template", MINI, "--group", "so", "--unit", "A", "--period", "2023", "-o", str(template))
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Tự đánh giá"]
    sheet["E3"] = "nhiều"
    workbook.save(template)
    code, _, err = run(
        "score",
        "-f",
        MINI,
        "-u",
        str(workdir / "units.csv"),
        "-d",
        str(template),
        "-o",
        str(workdir / "r.csv"),
    )
    assert code == 2
    assert "template.xlsx, sheet 'Tự đánh giá', row 3, column 'E (Giá trị)'" in err


def test_template_refuses_unknown_group(tmp_path: Path) -> None:
    code, _, err = run("template", MINI, "--group", "xa", "-o", str(tmp_path / "t.xlsx"))
    assert code == 2
    assert "unknown group 'xa'" in err


def test_a_framework_written_as_a_workbook_validates_and_scores_like_its_yaml(
    workdir: Path,
) -> None:
    book = workdir / "mini.xlsx"
    code, out, _ = run("framework-workbook", MINI, "-o", str(book))
    assert code == 0 and "wrote" in out
    code, out, _ = run("validate", str(book))
    assert code == 0 and "test-mini" in out and "6 indicators" in out
    scored = {}
    for framework in (MINI, str(book)):
        target = workdir / f"{Path(framework).stem}-results.csv"
        code, _, err = run(
            "score",
            "--framework",
            framework,
            "--units",
            str(workdir / "units.csv"),
            "--data",
            str(workdir / "values.csv"),
            "--out",
            str(target),
        )
        assert code == 0, err
        scored[framework] = target.read_text(encoding="utf-8")
    assert scored[MINI] == scored[str(book)]
