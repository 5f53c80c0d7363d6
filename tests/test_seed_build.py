"""The seed datasets are generated: rebuilding them gives the committed files byte for byte."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from click.testing import CliRunner

from dti.cli import main
from dti.data import DATA_DIR, dataset_names, load_dataset
from dti.data.build import build_all


def test_build_regenerates_the_committed_files(tmp_path: Path) -> None:
    written = build_all(tmp_path)
    assert written
    for path in written:
        committed = DATA_DIR / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale"
    for name in dataset_names():
        committed_files = {
            p.relative_to(DATA_DIR) for p in (DATA_DIR / name).rglob("*") if p.is_file()
        }
        assert committed_files == {
            p.relative_to(tmp_path) for p in (tmp_path / name).rglob("*") if p.is_file()
        }


def test_every_dataset_loads_with_provenance() -> None:
    assert dataset_names() == ["gia-vien-2022", "lao-cai-2023", "quang-nam-2020", "quang-nam-2022"]
    for name in dataset_names():
        dataset = load_dataset(name)
        for values in dataset.values.values():
            assert set(values["provenance"].unique()) <= {"published", "reconstructed"}


def test_dti_score_command_on_a_dataset(tmp_path: Path) -> None:
    """The command documented in src/dti/data/README.md, through click."""
    folder = DATA_DIR / "quang-nam-2022"
    out = tmp_path / "qn.csv"
    args = ["score"]
    for framework in load_dataset("quang-nam-2022").framework_files():
        args += ["-f", framework]
    args += ["-u", str(folder / "units.csv"), "-d", str(folder / "values.csv"), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    leader = table.filter(pl.col("unit") == "QN-SGTVT").row(0, named=True)
    assert (leader["score"], leader["rank"], leader["band"]) == (976, 1, "tot")
    assert table.height == 38
