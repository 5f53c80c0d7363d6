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
