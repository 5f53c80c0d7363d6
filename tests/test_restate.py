"""The past restated on today's map (issue #16, ``dti score --restate-on``).

The national 2024 ranking was published on the 63 provinces assessed and restated on the 34
provinces existing since 1 July 2025, each new province's indices the mean of its predecessors'
(huengaynay.vn 159011; /work/shared/reference/frameworks/national-405-bkhcn-2025.md). The 2024
table of the 63 is not in the sources, so the same restatement is tested on the published 2022
table (dti.gov.vn/xep-hang-2022: TP. Đà Nẵng 0.8002, TP. Hồ Chí Minh 0.7163, Quảng Ninh 0.7024,
Thừa Thiên - Huế 0.6975, TP. Cần Thơ 0.6924; Quảng Nam 0.5808) and the mergers of Nghị quyết
202/2025/QH15 — examples/dti-2022/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dti-2022"


def run(tmp_path: Path) -> pl.DataFrame:
    out = tmp_path / "restated.csv"
    argv = [sys.executable, "-m", "dti.cli", "score", "-f", "dti-cap-tinh-922-2022"]
    argv += ["-u", str(EXAMPLE / "units.csv"), "-l", str(EXAMPLE / "lineage.csv")]
    argv += ["-d", str(EXAMPLE / "values.csv"), "--restate-on", "2025-07-01", "-o", str(out)]
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return pl.read_csv(out, schema_overrides={"period": pl.String, "missing": pl.String})


def test_the_restated_table_derives_each_current_province_from_its_predecessors(
    tmp_path: Path,
) -> None:
    restated = run(tmp_path).filter(pl.col("restated_on") == "2025-07-01")
    got = {r["unit"]: r for r in restated.to_dicts()}
    # Only provinces that exist on 1 July 2025 are restated; Quảng Nam is not one.
    assert set(got) == {"DANANG", "HCM", "QUANGNINH", "HUE", "CANTHO"}
    # Đà Nẵng (which took Quảng Nam in): (0.8002 + 0.5808) / 2.
    assert (got["DANANG"]["score"], got["DANANG"]["derived"]) == (0.6905, True)
    # Unchanged provinces keep their own values, not marked derived.
    assert (got["QUANGNINH"]["score"], got["QUANGNINH"]["derived"]) == (0.7024, False)
    # Predecessors without a 2022 value in the table are named.
    assert got["HCM"]["partial"] is True and got["HCM"]["missing"] == "BINHDUONG;BRVT"
    # Ranked among the restated provinces only.
    assert [r["unit"] for r in sorted(restated.to_dicts(), key=lambda r: r["rank"])] == [
        "HCM",
        "QUANGNINH",
        "HUE",
        "CANTHO",
        "DANANG",
    ]


def test_the_results_as_assessed_are_untouched(tmp_path: Path) -> None:
    assessed = run(tmp_path).filter(pl.col("restated_on").is_null())
    got = dict(assessed.select("unit", "score").iter_rows())
    assert got == {
        "DANANG": 0.8002,
        "HCM": 0.7164,  # 0.7163 printed: a rounding boundary, see tests/test_national_922.py
        "QUANGNINH": 0.7024,
        "HUE": 0.6975,
        "CANTHO": 0.6924,
        "QUANGNAM": 0.5808,
    }
    ranks = dict(assessed.select("unit", "rank").iter_rows())
    assert ranks["DANANG"] == 1 and ranks["QUANGNAM"] == 6
