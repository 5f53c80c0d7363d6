"""Hostile uploads through the real pages: each refused with a clear message, nothing written.

Evidence files and self-assessment workbooks: a renamed executable, a Word document posing as a
workbook, a zip bomb, an XXE workbook, oversize files, names with paths or control characters,
and the EICAR test string when a scan hook is configured.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.conftest import entry
from tests.web.test_uploads import EXE, PDF, filled_template

from dti.web.assessments.models import Evidence, IndicatorEntry
from dti.web.assessments.services import assessment_import_workbook, evidence_add
from dti.web.audit.models import AuditEvent
from dti.web.errors import InvalidInput
from dti.web.ops.scan import EICAR

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def _reporter(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["reporter"])
    client.cookies["django_language"] = "en"  # assert on the English source strings
    return client


def _snapshot(world: dict[str, Any], media: Path) -> tuple[Any, ...]:
    files = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    values = list(
        IndicatorEntry.objects.order_by("pk").values_list(
            "pk", "self_value", "self_denominator", "self_applicable", "explanation", "version"
        )
    )
    return (Evidence.objects.count(), AuditEvent.objects.count(), values, files)


def _post_evidence(world: dict[str, Any], name: str, content: bytes) -> Any:
    e = entry(world["mine"], "1.1")
    upload = SimpleUploadedFile(name, content)
    return _reporter(world).post(
        reverse("evidence_add", args=[world["mine"].pk, e.pk]), {"file": upload}, **FETCH
    )


def _post_workbook(world: dict[str, Any], name: str, content: bytes) -> Any:
    upload = SimpleUploadedFile(name, content)
    return _reporter(world).post(
        reverse("workbook_upload", args=[world["mine"].pk]), {"file": upload}, **FETCH
    )


def _refused(response: Any) -> str:
    """The JSON refusal: status 422, ok false, a message; returns message and problems joined."""
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert body["ok"] is False and body["code"] == "invalid" and body["message"]
    return " ".join([body["message"], *body["problems"]])


def zip_bomb() -> bytes:
    """A valid-looking .xlsx whose sheet inflates 1000:1 (50 MB of zeros in ~50 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def xxe_workbook(world: dict[str, Any], tmp_path: Path) -> bytes:
    """The platform's own template with an external entity injected into its shared strings."""
    good = filled_template(world, tmp_path, {"1.1": (1, None, None, "x")})
    out = io.BytesIO()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    injected = False
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/") and b"<t>x</t>" in data:
                text = data.decode()
                head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
                root = rest.lstrip().split(" ", 1)[0].split(">", 1)[0].lstrip("<")
                doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                rest = rest.replace("<t>x</t>", "<t>&xxe;</t>", 1)
                data = ((head + "?>" if head else "") + doctype + rest).encode()
                injected = True
            dst.writestr(info, data)
    assert injected
    return out.getvalue()


# -- evidence ------------------------------------------------------------------------------------


EVIDENCE_CASES = [
    ("renamed executable", "quyet-dinh.pdf", EXE, "does not match its type"),
    ("executable extension", "setup.exe", EXE, "Only PDF, images and Office documents"),
    ("script as image", "anh.png", b"#!/bin/sh\nrm -rf /\n", "does not match its type"),
    ("html as pdf", "bao-cao.pdf", b"<html><script>alert(1)</script></html>", "does not match"),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "says"), EVIDENCE_CASES, ids=[c[0] for c in EVIDENCE_CASES]
)
def test_hostile_evidence_is_refused_and_nothing_written(
    world: dict[str, Any], settings: Any, case: str, name: str, content: bytes, says: str
) -> None:
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    text = _refused(_post_evidence(world, name, content))
    assert says in text, (case, text)
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


def test_oversize_evidence_is_refused(world: dict[str, Any], settings: Any) -> None:
    settings.DTI_EVIDENCE_MAX_BYTES = 1024
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    text = _refused(_post_evidence(world, "lon.pdf", PDF + b"0" * 4096))
    assert "larger than" in text
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


BAD_NAMES = [
    ("../../etc/passwd.pdf", "contains a path"),
    ("..\\..\\win.pdf", "contains a path"),
    ("a/b.pdf", "contains a path"),
    ("..", "contains a path"),
    ("qd\x1b[31m.pdf", "control characters"),
    ("qd\x00.pdf", "control characters"),
    ("qd\u202efdp.exe.pdf", "control characters"),  # right-to-left override: "qdexe.pdf"
    ("a\nb.pdf", "control characters"),
]


@pytest.mark.parametrize(("name", "says"), BAD_NAMES, ids=[repr(n) for n, _ in BAD_NAMES])
def test_bad_names_are_refused_by_the_services(
    world: dict[str, Any], settings: Any, tmp_path: Path, name: str, says: str
) -> None:
    """The API and commands call the services directly: they refuse what Django would repair."""
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    upload = SimpleUploadedFile("x.pdf", PDF)
    upload._name = name  # bypass Django's own basename(): the service must still refuse
    reporter = world["users"]["reporter"]
    with pytest.raises(InvalidInput) as info:
        evidence_add(actor=reporter, entry=entry(world["mine"], "1.1"), upload=upload)
    assert says in info.value.message
    path = filled_template(world, tmp_path, {"1.1": (1, None, None, None)})
    with pytest.raises(InvalidInput) as info:
        assessment_import_workbook(
            actor=reporter, assessment=world["mine"], path=path, file_name=name + ".xlsx"
        )
    assert says in info.value.message
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


def test_control_characters_never_reach_the_database_through_the_page(
    world: dict[str, Any],
) -> None:
    """Django's multipart parser drops non-printable characters before the view sees the name."""
    assert _post_evidence(world, "qd\u202efdp\x1b.exe.pdf", PDF).status_code == 302
    assert Evidence.objects.get().original_name == "qdfdp.exe.pdf"


def test_paths_in_names_never_reach_the_disk_through_the_page(
    world: dict[str, Any], settings: Any
) -> None:
    """Django keeps only the last component of a browser's file name; storage names are random."""
    response = _post_evidence(world, "../../../../tmp/evil.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "evil.pdf"
    assert evidence.file.name.startswith("evidence/") and "evil" not in evidence.file.name
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_eicar_is_refused_when_a_scan_hook_is_configured(
    world: dict[str, Any], settings: Any
) -> None:
    infected = PDF + EICAR + b"\n"
    settings.DTI_UPLOAD_SCAN_HOOK = "dti.web.ops.scan.eicar_hook"
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    text = _refused(_post_evidence(world, "nhiem.pdf", infected))
    assert "infected" in text and "EICAR" in text
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before
    # The hook is off by default: the same bytes are an ordinary PDF then.
    settings.DTI_UPLOAD_SCAN_HOOK = None
    assert _post_evidence(world, "nhiem.pdf", infected).status_code == 302


def broken_hook(path: Path, name: str) -> str | None:
    raise ConnectionError("clamd is not running")


def test_a_failing_scan_hook_refuses_the_file(world: dict[str, Any], settings: Any) -> None:
    settings.DTI_UPLOAD_SCAN_HOOK = f"{__name__}.broken_hook"
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    text = _refused(_post_evidence(world, "qd.pdf", PDF))
    assert "could not be checked for viruses" in text
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


# -- workbooks -----------------------------------------------------------------------------------


def test_hostile_workbooks_are_refused_and_nothing_written(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    cases = [
        ("renamed executable", "tu-danh-gia.xlsx", EXE, "not an Excel .xlsx workbook"),
        ("docx posing as xlsx", "tu-danh-gia.xlsx", docx.getvalue(), "Word document"),
        ("zip bomb", "tu-danh-gia.xlsx", zip_bomb(), "zip bomb"),
        ("xxe", "tu-danh-gia.xlsx", xxe_workbook(world, tmp_path), "possible XXE attack"),
        ("not xlsx", "tu-danh-gia.xls", PDF, ".xlsx"),
    ]
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    for case, name, content, says in cases:
        text = _refused(_post_workbook(world, name, content))
        assert says in text, (case, text)
        assert "TOP-SECRET" not in text, case
        assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before, case


def test_oversize_workbook_is_refused(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.DTI_WORKBOOK_MAX_BYTES = 1024
    good = filled_template(world, tmp_path, {"1.1": (1, None, None, None)}).read_bytes()
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    assert "too large" in _refused(_post_workbook(world, "tu-danh-gia.xlsx", good))
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


def test_eicar_workbook_is_refused_with_the_hook(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.DTI_UPLOAD_SCAN_HOOK = "dti.web.ops.scan.eicar_hook"
    path = filled_template(world, tmp_path, {"1.1": (1, None, None, None)})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("docProps/eicar.txt", EICAR)
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    with pytest.raises(InvalidInput) as info:
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    assert "infected" in info.value.message
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before
