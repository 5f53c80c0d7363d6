"""The framework's appendix workbook in the web: downloaded from a framework's page, uploaded
back as a framework, its problems shown by sheet, row and column in Vietnamese pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dti.catalog import shipped_frameworks
from dti.io.framework_workbook import read_framework_workbook, write_framework_workbook
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client: Any, path: Path, name: str = "phu-luc.xlsx") -> Any:
    return client.post(
        reverse("framework_upload"),
        {"file": SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)},
        HTTP_ACCEPT_LANGUAGE="vi",
    )


def test_a_framework_page_offers_its_appendix_workbook_that_reads_back_as_the_framework(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    client.force_login(world["users"]["leader"])
    version = world["framework"]
    page = client.get(reverse("framework_detail", args=[version.pk])).content.decode()
    assert reverse("framework_workbook", args=[version.pk]) in page
    response = client.get(reverse("framework_workbook", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    path = tmp_path / "downloaded.xlsx"
    path.write_bytes(response.content)
    assert read_framework_workbook(path) == framework_parsed(version)


def test_an_admin_stores_a_framework_from_its_appendix_workbook(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    framework = shipped_frameworks()["dti-so-nganh-2022"]
    path = write_framework_workbook(framework, tmp_path / "so-nganh.xlsx")
    client.force_login(world["users"]["admin"])
    response = _upload(client, path)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = FrameworkVersion.objects.get(code=framework.code, version=framework.version)
    assert framework_parsed(stored) == framework
    # the same workbook again is the same version, not a second one
    assert _upload(client, path).status_code == 302
    assert FrameworkVersion.objects.filter(code=framework.code).count() == 1


def test_a_broken_workbook_is_refused_with_its_problems_by_sheet_row_and_column(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    path = write_framework_workbook(shipped_frameworks()["dti-so-nganh-2022"], tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    book["Chỉ số"]["E3"] = "hai mươi"  # the maximum of indicator 1.1
    book.save(path)
    client.force_login(world["users"]["admin"])
    before = FrameworkVersion.objects.count()
    body = _upload(client, path).content.decode()
    assert "Bảng phụ lục bộ chỉ số có lỗi" in body or "Chưa lưu bộ chỉ số" in body
    assert "Chỉ số" in body and "row 3" in body.replace("dòng 3", "row 3")
    assert "Điểm tối đa" in body
    assert FrameworkVersion.objects.count() == before


def test_a_file_posing_as_a_workbook_is_refused_and_nothing_is_stored(
    world: dict[str, Any], client: Any
) -> None:
    client.force_login(world["users"]["admin"])
    before = FrameworkVersion.objects.count()
    response = client.post(
        reverse("framework_upload"),
        {"file": SimpleUploadedFile("phu-luc.xlsx", b"PK\x03\x04 not really", content_type=XLSX)},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "phu-luc.xlsx" in body, body[body.find("<main") :][:3000]
    assert FrameworkVersion.objects.count() == before


def test_only_an_admin_uploads_a_workbook(world: dict[str, Any], client: Any) -> None:
    data = io.BytesIO()
    openpyxl.Workbook().save(data)
    for role in ("reporter", "verifier", "leader"):
        client.force_login(world["users"][role])
        response = client.post(
            reverse("framework_upload"),
            {"file": SimpleUploadedFile("x.xlsx", data.getvalue(), content_type=XLSX)},
        )
        assert response.status_code == 403, role


def test_a_reporter_does_not_download_the_workbook(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["users"]["reporter"])
    response = client.get(reverse("framework_workbook", args=[world["framework"].pk]))
    assert response.status_code == 403
