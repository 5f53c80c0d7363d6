"""Workbooks that declare or reach far more cells than they hold: each read within a fixed
memory bound, or refused naming file and sheet (issue #17, item 1).

openpyxl's read-only mode padded every row to the declared dimension (the unit's own template
with ``<dimension ref="A1:XFD8000"/>`` and one cell in row 8000: 12 KB, 6.5 s, +1 GB); calamine
allocates the dense range from the first used cell to the last. Each attack runs in a child
process whose peak RSS is measured against its own baseline (after the imports and a first
small read), under a time limit.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from dti.engine import load_framework
from dti.io.template import write_template

REPO = Path(__file__).resolve().parents[1]
FRAMEWORK = REPO / "src" / "dti" / "frameworks" / "ict-2020.yaml"
MAX_GROWTH_MB = 100
TIME_LIMIT_S = 60


def rewrite_sheet(path: Path, member: str, edit: dict[bytes, bytes]) -> Path:
    """Rewrite one member of a workbook, replacing each pattern (a regex) by its text."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == member:
                for pattern, text in edit.items():
                    body, n = re.subn(pattern, text, body, count=1)
                    assert n == 1, (pattern, body[:400])
            target.writestr(info, body)
    path.write_bytes(out.getvalue())
    return path


def _one_cell(ref: str) -> bytes:
    row = re.sub(r"[A-Z]+", "", ref)
    return f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()


def values_sheet_member(path: Path, title: str) -> str:
    """The archive member of the sheet called ``title`` (through the workbook's relations)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook)
    assert rid is not None
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attributes in the other order
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target is not None
    return "xl/" + target.group(1).removeprefix("/xl/").removeprefix("xl/")


def template_declaring(path: Path, dimension: str, extra_cell: str) -> Path:
    """The unit's own template, its values sheet declaring ``dimension`` and holding one more
    cell at ``extra_cell`` (the attack of issue #17)."""
    framework = load_framework(FRAMEWORK)
    write_template(framework, framework.groups[0].code, path, unit="U1", period="2024")
    member = values_sheet_member(path, "Tự đánh giá")
    return rewrite_sheet(
        path,
        member,
        {
            rb'<dimension ref="[^"]*"': f'<dimension ref="{dimension}"'.encode(),
            rb"</sheetData>": _one_cell(extra_cell) + b"</sheetData>",
        },
    )


def values_table(path: Path, rows: int = 3) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("values")
    sheet.write_row(0, 0, ["unit", "period", "indicator", "value", "denominator", "applicable"])
    for i in range(rows):
        sheet.write_row(i + 1, 0, [f"U{i}", "2024", "1.1", 1])
    book.close()
    return path


def table_declaring(path: Path, dimension: str, extra_cell: str | None = None) -> Path:
    values_table(path)
    edit = {rb'<dimension ref="[^"]*"': f'<dimension ref="{dimension}"'.encode()}
    if extra_cell is not None:
        edit[rb"</sheetData>"] = _one_cell(extra_cell) + b"</sheetData>"
    return rewrite_sheet(path, "xl/worksheets/sheet1.xml", edit)


CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    from dti.engine import DtiError
    from dti.io.tables import read_values

    # a runaway reader fails here rather than exhausting the machine
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    read_values(Path(sys.argv[2]))  # warm up: imports, lazy initialisation
    before = peak_mb()
    try:
        frame, _ = read_values(Path(sys.argv[1]))
        outcome = f"read {frame.height} rows"
    except DtiError as exc:
        outcome = "refused: " + str(exc)
    print(json.dumps({"growth_mb": peak_mb() - before, "outcome": outcome}))
    """
)


def read_in_child(path: Path, small: Path) -> dict[str, object]:
    """``read_values(path)`` in a fresh interpreter: its peak RSS growth and its outcome."""
    env_path = str(REPO / "src")
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(small)],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S,
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} took more than {TIME_LIMIT_S} s")
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


ATTACKS = {
    # the report of issue #17: every row padded to 16,384 columns
    "template A1:XFD8000 and a cell in row 8000": (
        lambda p: template_declaring(p, "A1:XFD8000", "A8000"),
        None,
    ),
    # a declared million rows, the data three rows long: read, the declaration ignored
    "a sheet declaring 1,048,576 rows": (
        lambda p: table_declaring(p, "A1:F1048576"),
        "read 3 rows",
    ),
    # the dense range from A1 to the last cell would be 17 billion cells: refused
    "cells at A1 and XFD1048576": (
        lambda p: table_declaring(p, "A1:XFD1048576", "XFD1048576"),
        "refused: ",
    ),
    "a cell at A1048576 (a million empty rows)": (
        lambda p: table_declaring(p, "A1:F1048576", "A1048576"),
        "refused: ",
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_extents_are_read_within_a_fixed_bound(tmp_path: Path, attack: str) -> None:
    build, expected = ATTACKS[attack]
    path = build(tmp_path / "hostile.xlsx")
    assert path.stat().st_size < 64 * 1024  # a small upload
    result = read_in_child(path, values_table(tmp_path / "small.xlsx"))
    growth = result["growth_mb"]
    assert isinstance(growth, float) and growth < MAX_GROWTH_MB, result
    if expected is not None:
        assert str(result["outcome"]).startswith(expected), result


@pytest.mark.parametrize(
    ("dimension", "cell", "says"),
    [
        ("A1:XFD1048576", "XFD1048576", "XFD1048576"),
        ("A1:F1048576", "A1048576", "1,048,576 rows"),
        ("A1:F10", "KZ2", "312 columns"),
    ],
)
def test_a_sheet_beyond_the_bound_is_refused_naming_file_and_sheet(
    tmp_path: Path, dimension: str, cell: str, says: str
) -> None:
    from dti.engine import DataError
    from dti.io.tables import read_values

    path = table_declaring(tmp_path / "so-lieu.xlsx", dimension, cell)
    with pytest.raises(DataError) as info:
        read_values(path)
    text = str(info.value)
    assert "so-lieu.xlsx" in text and "sheet 'values'" in text and says in text, text


def test_the_template_with_a_far_cell_is_still_read(tmp_path: Path) -> None:
    from dti.io.tables import read_values

    path = template_declaring(tmp_path / "t.xlsx", "A1:XFD8000", "A8000")
    frame, info = read_values(path)
    assert info is not None and info.unit == "U1" and frame.height == 0


def _sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _inline(text: str, attrs: str = "") -> str:
    return f'<c{attrs} t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_CELLS = "".join(_inline(h) for h in ("unit", "period", "indicator", "value"))


def _with_sheet(path: Path, xml: bytes) -> Path:
    values_table(path)
    return rewrite_sheet(path, "xl/worksheets/sheet1.xml", {rb"(?s)^.*$": xml})


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        # references in other forms than Excel's: a prefix, r after another attribute, quotes
        ('<x:row r="1">' + _inline("u", " r='A1'") + '<x:c r="XFD1"/></x:row>', "XFD1"),
        ('<row r="1"><c s="0" r=\'XFD1048576\'/>' + HEADER_CELLS + "</row>", "1,048,576 rows"),
        ("<row spans='1:2'   r = '1048576'>" + _inline("u") + "</row>", "1,048,576 rows"),
        # cells without a reference follow each other: 300 of them reach column KN
        ("<row>" + "<c/>" * 300 + "</row>", "300 columns"),
    ],
)
def test_every_form_of_a_reference_is_bounded(tmp_path: Path, rows: str, says: str) -> None:
    from dti.engine import DataError
    from dti.io.tables import read_values

    path = _with_sheet(tmp_path / "so-lieu.xlsx", _sheet_xml(rows))
    with pytest.raises(DataError) as info:
        read_values(path)
    assert says in str(info.value) and "sheet 'values'" in str(info.value), str(info.value)


def test_a_sheet_without_references_is_read(tmp_path: Path) -> None:
    from dti.io.tables import read_values

    body = "".join(
        f"<row>{_inline(f'U{i}')}{_inline('2024')}{_inline('1.1')}<c><v>0.727</v></c></row>"
        for i in range(3)
    )
    path = _with_sheet(tmp_path / "so-lieu.xlsx", _sheet_xml(f"<row>{HEADER_CELLS}</row>{body}"))
    frame, _ = read_values(path)
    assert frame["unit"].to_list() == ["U0", "U1", "U2"]
    assert frame["value"].to_list() == [0.727] * 3
    assert frame["row"].to_list() == [2, 3, 4]
