"""The README stays honest: every `dti` command it shows runs and succeeds as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(".venv/bin/dti "):
            commands.append(re.sub(r"\s+#.*$", "", line))
    return commands


def test_readme_shows_dti_commands() -> None:
    assert len(readme_commands()) >= 4


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(command: str) -> None:
    argv = shlex.split(command)
    # Run through the current interpreter's entry point, whatever the venv is called.
    argv = [sys.executable, "-m", "dti.cli", *argv[1:]]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_reorganisation_example_figures_match_the_readme(tmp_path: Path) -> None:
    """The README quotes Gia Phong's derived 2024 value: the mean of 658,92 and 508,27."""
    import polars as pl

    out = tmp_path / "reorg.csv"
    argv = [
        sys.executable,
        "-m",
        "dti.cli",
        "score",
        "-f",
        "dti-cap-xa-2022",
        "-u",
        "examples/reorg/units.csv",
        "-l",
        "examples/reorg/lineage.csv",
        "-d",
        "examples/reorg/values.csv",
        "-o",
        str(out),
    ]
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, timeout=120)
    scores = pl.read_csv(out, schema_overrides={"period": pl.String})
    own = dict(scores.filter(pl.col("period") == "2024").select("unit", "score").iter_rows())
    assert (own["GIAPHUONG"], own["GIATRUNG"]) == (658.92, 508.27)
    new = scores.filter(pl.col("unit") == "GIAPHONG").row(0, named=True)
    assert (new["previous_score"], new["previous_derived"]) == (583.6, True)


def test_the_applicable_maximum_example_gives_gia_viens_published_total(tmp_path: Path) -> None:
    """The README's Gia Viễn example: "tổng số điểm đạt được là 511,18/765 điểm" (Trang thông
    tin điện tử UBND huyện Gia Viễn, "Thẩm tra, xác minh kết quả tự đánh giá mức độ chuyển đổi
    số năm 2022 của UBND huyện", 10/7/2023), as text in the CSV and as typed numbers in the
    workbook, the same result."""
    import openpyxl
    import polars as pl

    example = ROOT / "examples" / "gia-vien-2022"
    book = openpyxl.load_workbook(example / "values.xlsx")
    sheet = book["values"]
    assert (sheet["D2"].data_type, sheet["D2"].value) == ("n", 511.18)  # a typed number
    assert (sheet["E2"].data_type, sheet["E2"].value) == ("n", 765)
    rows = []
    for data in ("values.csv", "values.xlsx"):
        out = tmp_path / f"{data}.csv"
        argv = [sys.executable, "-m", "dti.cli", "score", "-f", "dti-cap-huyen-2022"]
        argv += ["-u", str(example / "units.csv"), "-d", str(example / data), "-o", str(out)]
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, timeout=120)
        (row,) = pl.read_csv(out).select("total", "applicable_max", "percent", "band").rows()
        rows.append(row)
    assert rows[0] == rows[1] == (511.18, 765.0, 66.8209, "nang_cao")
