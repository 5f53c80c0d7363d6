"""Workbook and evidence uploads: good files saved, bad ones refused with located reasons."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from tests.web.conftest import entry

from dti.io.template import write_template
from dti.web.assessments.models import Evidence
from dti.web.assessments.services import assessment_import_workbook, evidence_add
from dti.web.audit.models import AuditEvent
from dti.web.errors import InvalidInput
from dti.web.frameworks.selectors import framework_parsed

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def filled_template(
    world: dict[str, Any], tmp_path: Path, values: dict[str, Any], unit: str = "so-a"
) -> Path:
    """The platform's template for unit A, filled in like an official would."""
    path = tmp_path / "tu-danh-gia.xlsx"
    write_template(framework_parsed(world["framework"]), "so", path, unit=unit, period="2023")
    workbook = load_workbook(path)
    sheet = workbook["Tự đánh giá"]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        if code in values:
            value, denominator, not_applicable, explanation = values[code]
            row[4].value, row[5].value, row[6].value, row[7].value = (
                value,
                denominator,
                not_applicable,
                explanation,
            )
    workbook.save(path)
    return path


def test_a_good_workbook_is_saved_and_audited(world: dict[str, Any], tmp_path: Path) -> None:
    path = filled_template(
        world,
        tmp_path,
        {
            "1.1": (1, None, None, '=HYPERLINK("x")'),
            "1.2": (40, 50, None, "Số máy tính"),
            "1.3": (None, None, "x", None),
            "2.2": ("12,5", None, None, None),
        },
    )
    count = assessment_import_workbook(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        path=path,
        file_name="tu-danh-gia.xlsx",
    )
    assert count == 4
    mine = world["mine"]
    mine.refresh_from_db()
    assert mine.self_score == 42.5
    assert entry(mine, "1.3").self_applicable is False
    assert entry(mine, "2.2").self_value == 12.5
    events = AuditEvent.objects.filter(action="entry_import", field="self_value")
    assert events.count() == 3 and all(e.reason == "tu-danh-gia.xlsx" for e in events)


def test_bad_cells_are_all_listed_and_nothing_is_saved(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = filled_template(
        world,
        tmp_path,
        {
            "1.1": (1, None, None, None),
            "1.2": ("nhiều", 50, None, None),
            "2.2": (25, None, None, None),
            "2.1": (7, 5, None, None),
        },
    )
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    problems = info.value.problems
    assert any(
        "sheet “Tự đánh giá”" in p and "column “E (Giá trị)”" in p and "“nhiều”" in p
        for p in problems
    ), problems
    assert entry(world["mine"], "1.1").self_value is None
    # Once the text cell is fixed, the engine's own checks are located the same way.
    path = filled_template(
        world,
        tmp_path,
        {"1.1": (1, None, None, None), "2.2": (25, None, None, None), "2.1": (7, 5, None, None)},
    )
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    problems = info.value.problems
    assert len(problems) == 2, problems
    assert all("sheet “Tự đánh giá”, row" in p for p in problems)
    assert any("indicator 2.2" in p and "exceed the maximum" in p for p in problems)
    assert entry(world["mine"], "1.1").self_value is None


def test_a_workbook_for_another_unit_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = filled_template(world, tmp_path, {"1.1": (1, None, None, None)}, unit="so-b")
    with pytest.raises(InvalidInput) as info:
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    assert any("so-b" in p for p in info.value.problems)


def test_a_docx_posing_as_xlsx_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="fake.xlsx",
        )
    assert any("Word document" in p for p in info.value.problems)


def test_upload_through_the_page(world: dict[str, Any], client: Any, tmp_path: Path) -> None:
    client.force_login(world["users"]["reporter"])
    template = client.get(reverse("template_download", args=[world["mine"].pk]))
    path = tmp_path / "t.xlsx"
    path.write_bytes(template.content)
    workbook = load_workbook(path)
    sheet = workbook["Tự đánh giá"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "1.1":
            row[4].value = 1
    workbook.save(path)
    with path.open("rb") as handle:
        response = client.post(
            reverse("workbook_upload", args=[world["mine"].pk]), {"file": handle}, follow=True
        )
    assert response.status_code == 200
    assert entry(world["mine"], "1.1").self_value == 1.0


@pytest.mark.parametrize(("name", "content"), [("qd.pdf", PDF), ("anh.png", PNG)])
def test_good_evidence_is_stored_privately(
    world: dict[str, Any], name: str, content: bytes
) -> None:
    ev = evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.1"),
        upload=SimpleUploadedFile(name, content),
    )
    assert ev.original_name == name
    assert name not in ev.file.name  # random stored name
    assert AuditEvent.objects.filter(action="evidence_add", new=name).exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("qd.pdf", EXE, "không khớp"),
        ("virus.exe", EXE, "Chỉ nhận PDF"),
        ("ghi-chu.pdf", b"just text, not a PDF", "không khớp"),
    ],
)
def test_bad_evidence_is_refused(
    world: dict[str, Any], name: str, content: bytes, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        evidence_add(
            actor=world["users"]["reporter"],
            entry=entry(world["mine"], "1.1"),
            upload=SimpleUploadedFile(name, content),
        )
    assert fragment in info.value.message
    assert not Evidence.objects.exists()


def test_oversize_evidence_is_refused(world: dict[str, Any], settings: Any) -> None:
    settings.DTI_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(InvalidInput):
        evidence_add(
            actor=world["users"]["reporter"],
            entry=entry(world["mine"], "1.1"),
            upload=SimpleUploadedFile("qd.pdf", PDF),
        )


def test_evidence_through_the_page_uses_temporary_files(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.1")
    url = reverse("evidence_add", args=[world["mine"].pk, e.pk])
    response = client.post(url, {"file": SimpleUploadedFile("qd.pdf", EXE)}, follow=True)
    assert "không khớp với loại tệp" in response.content.decode()
    client.post(url, {"file": SimpleUploadedFile("qd.pdf", PDF)})
    assert Evidence.objects.count() == 1
