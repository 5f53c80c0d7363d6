"""The narrative summary states the facts a provincial news article prints."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from dti.cli import main
from dti.engine import DataError
from dti.reports.summary import group_facts, join_vi, summarise, unit_facts
from test_reports_sample import MINI, sample_result, sample_units, sample_values


def test_join_vi() -> None:
    assert join_vi([]) == ""
    assert join_vi(["a"]) == "a"
    assert join_vi(["a", "b", "c"]) == "a, b và c"


def test_summary_states_leaders_bands_lowest_and_changes() -> None:
    text = summarise(sample_result(), "2023")
    assert "gồm 10 đơn vị, chia thành 2 nhóm: Sở (6) và Huyện (4)" in text
    assert "Nhóm Sở gồm 6 đơn vị, trong đó có 4 đơn vị xếp loại tốt, 1 đơn vị xếp loại khá " in text
    assert "và 1 đơn vị xếp loại trung bình" in text
    assert "Dẫn đầu là Sở Giao thông vận tải với 89,5 điểm" in text
    assert "Dẫn đầu là Huyện Bắc Trà My với 98 điểm" in text
    # The tie at rank 3 is not split: both tied units are among the lowest.
    assert "4 vị trí thấp nhất là Sở Xây dựng đạt 72 điểm, Sở Y tế 72 điểm" in text
    assert "Sở Tài nguyên và Môi trường 65,25 điểm" in text
    assert 'Sở Nội vụ") chỉ đạt 34,39 điểm' in text
    # At most half of a group of 4 is "the lowest".
    assert "2 vị trí thấp nhất là Huyện Đông Giang đạt 69 điểm và Huyện Hiệp Đức chỉ đạt" in text
    assert "tăng 7,7% so với năm 2022" in text
    assert "Tính chung các nhóm, điểm trung bình tăng 7,3% so với năm 2022." in text


def test_summary_states_a_units_position_by_code_or_name() -> None:
    result = sample_result()
    by_code = summarise(result, "2023", unit="NT")
    assert (
        "Huyện Núi Thành đứng vị trí thứ 02 trong nhóm Huyện (4 đơn vị) với 92,3 điểm, "
        "xếp loại tốt; năm 2022 đạt 87,3 điểm." in by_code
    )
    assert summarise(result, "2023", unit="Huyện Núi Thành") == by_code
    assert "thứ 03 (đồng hạng)" in summarise(result, "2023", unit="YT")


def test_summary_uses_a_separately_scored_previous_result() -> None:
    result = sample_result()
    current = result.units.filter(pl.col("period") == "2023")
    earlier = result.units.filter(pl.col("period") == "2022")
    only_2023 = type(result)(
        framework=result.framework,
        units=current,
        pillars=result.pillars,
        groups=result.groups,
        indicators=result.indicators,
    )
    only_2022 = type(result)(
        framework=result.framework,
        units=earlier,
        pillars=result.pillars,
        groups=result.groups,
        indicators=result.indicators,
    )
    assert "so với năm" not in summarise(only_2023)
    text = summarise(only_2023, previous=only_2022)
    assert "tăng 7,7% so với năm 2022" in text


def test_summary_defaults_to_the_latest_period_and_is_deterministic() -> None:
    result = sample_result()
    assert summarise(result) == summarise(result, "2023") == summarise(sample_result(), "2023")


def test_first_period_has_no_change() -> None:
    facts = group_facts(sample_result(), "2022")
    assert all(f.mean_change_percent is None for f in facts)


def test_unknown_period_and_unit_are_data_errors() -> None:
    with pytest.raises(DataError, match="no results for period '2019'"):
        summarise(sample_result(), "2019")
    with pytest.raises(DataError, match="unit 'ZZ' has no result"):
        unit_facts(sample_result(), "ZZ", "2023")


def test_summary_states_the_facts_of_the_quang_nam_2022_article() -> None:
    data = pytest.importorskip("dti.data", reason="the seed datasets are not there yet")
    if "quang-nam-2022" not in data.dataset_names():
        pytest.skip("dataset quang-nam-2022 is not shipped yet")
    dataset = data.load_dataset("quang-nam-2022")
    text = summarise(
        dataset.score(), "2022", frameworks=dataset.frameworks, unit="UBND huyện Núi Thành"
    )
    # "huyện Núi Thành đứng vị trí thứ 03 đối với cấp huyện, thành phố với 943 điểm"
    assert "huyện Núi Thành đứng vị trí thứ 03" in text
    assert "với 943 điểm" in text
    assert "Dẫn đầu là Sở Giao thông vận tải với 976 điểm" in text
    assert "Dẫn đầu là UBND huyện Bắc Trà My với 953 điểm" in text
    assert "gồm 20 đơn vị, trong đó có 17 đơn vị xếp loại tốt và 3 đơn vị xếp loại khá" in text
    assert "gồm 18 đơn vị, trong đó có 10 đơn vị xếp loại tốt và 8 đơn vị xếp loại khá" in text
    assert "Sở Xây dựng đạt 877 điểm, Sở Y tế 859 điểm" in text
    assert "Sở Tài nguyên và Môi trường chỉ đạt 844 điểm" in text
    assert "UBND huyện Đông Giang đạt 744 điểm, UBND huyện Nam Trà My 725 điểm" in text
    assert "UBND huyện Hiệp Đức chỉ đạt 700 điểm" in text


# -- dti summary ----------------------------------------------------------------------------


def test_summary_command_prints_the_summary(tmp_path: Path) -> None:
    sample_units().write_csv(tmp_path / "units.csv")
    sample_values().write_csv(tmp_path / "values.csv")
    args = ["summary", "-f", str(MINI), "-u", str(tmp_path / "units.csv")]
    args += ["-d", str(tmp_path / "values.csv"), "--period", "2023", "--unit", "NT"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert "Huyện Núi Thành đứng vị trí thứ 02" in result.stdout
    assert "Dẫn đầu là Sở Giao thông vận tải với 89,5 điểm" in result.stdout


def test_summary_command_bad_input_exits_2(tmp_path: Path) -> None:
    sample_units().write_csv(tmp_path / "units.csv")
    sample_values().write_csv(tmp_path / "values.csv")
    args = ["summary", "-f", str(MINI), "-u", str(tmp_path / "units.csv")]
    args += ["-d", str(tmp_path / "missing.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "file not found" in result.stderr


# -- in English ---------------------------------------------------------------------------------


def test_the_english_summary_states_the_same_facts_with_the_framework_s_english_names() -> None:
    from dti.reports.summary_en import join_en

    assert join_en(["a", "b", "c"]) == "a, b and c"
    text = summarise(sample_result(), "2023", language="en")
    assert "covers 10 units in 2 groups" in text
    assert "Dẫn đầu" not in text and "điểm" not in text and "nhóm" not in text.lower()
    assert "leads with 89.5 points" in text
    assert "the 4 lowest are" in text and "with only 34.39 points" in text
    assert "up 7.7% on 2022" in text
    assert "Across all groups, the average is up 7.3% on 2022." in text
    unit = summarise(sample_result(), "2023", unit="NT", language="en")
    assert "ranks 2nd in the group" in unit and "(4 units) with 92.3 points" in unit
    assert "; in 2022 it had 87.3 points." in unit
    assert "ranks 3rd (tied)" in summarise(sample_result(), "2023", unit="YT", language="en")
