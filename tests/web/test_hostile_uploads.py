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


# -- Office documents: the package's structure, macros and embedded executables ------------------

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org'
    '/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Quyết định số 12/QĐ-UBND</w:t></w:r></w:p></w:body></w:document>"
)


def content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **(defaults or {}),
    }
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items())
        + "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items())
        + "</Types>"
    )


def docx(
    *, main_type: str = WORD_MAIN, extra: dict[str, bytes] | None = None, types: str | None = None
) -> bytes:
    """A minimal but well-formed Word document (what Word itself needs to open one)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", types or content_types({"word/document.xml": main_type})
        )
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return buffer.getvalue()


def xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook written by openpyxl, with members added after the fact."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Chỉ số", "Giá trị"])
    buffer = io.BytesIO()
    book.save(buffer)
    if extra:
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            for member, data in extra.items():
                archive.writestr(member, data)
    return buffer.getvalue()


def only(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def _random_after_zip_header() -> bytes:
    import random

    return b"PK\x03\x04" + random.Random(17).randbytes(4096)


OFFICE_ATTACKS = [
    ("setup.exe zipped as docx", "payload.docx", only({"setup.exe": EXE}), "executable"),
    ("zip header then noise, docx", "bao-cao.docx", _random_after_zip_header(), "not a valid"),
    ("zip header then noise, xlsx", "bang.xlsx", _random_after_zip_header(), "not a valid"),
    ("plain zip as docx", "bao-cao.docx", only({"a.txt": b"hello"}), "[Content_Types].xml"),
    (
        "docx with vbaProject.bin",
        "bao-cao.docx",
        docx(extra={"word/vbaProject.bin": b"\xd0\xcf"}),
        "macros",
    ),
    ("docm renamed docx", "bao-cao.docx", docx(main_type=WORD_MACRO_MAIN), "macros"),
    (
        "xlsx with an embedded .exe",
        "bang.xlsx",
        xlsx({"xl/embeddings/setup.exe": EXE}),
        "executable",
    ),
    (
        "xlsx with a PE image named .png",
        "bang.xlsx",
        xlsx({"xl/media/image1.png": EXE}),
        "executable",
    ),
    (
        "docx with an ELF named .bin",
        "bao-cao.docx",
        docx(extra={"word/embeddings/oleObject1.bin": b"\x7fELF\x02\x01\x01" + b"\x00" * 64}),
        "executable",
    ),
    ("docx with a script", "bao-cao.docx", docx(extra={"word/run.vbs": b"MsgBox 1"}), "executable"),
    ("member path with ..", "bao-cao.docx", docx(extra={"../../evil.xml": b"<x/>"}), "unsafe path"),
    (
        "absolute member path",
        "bao-cao.docx",
        docx(extra={"/etc/cron.d/x": b"* * * * *"}),
        "unsafe path",
    ),
    ("xlsx named docx", "bao-cao.docx", xlsx(), "word/document.xml"),
    ("wrong main content type", "bao-cao.docx", docx(main_type="application/xml"), "content type"),
    (
        "content types with an entity",
        "bao-cao.docx",
        docx(types='<!DOCTYPE Types [<!ENTITY a "aaaa">]><Types>&a;</Types>'),
        "[Content_Types].xml",
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "says"), OFFICE_ATTACKS, ids=[c[0] for c in OFFICE_ATTACKS]
)
def test_hostile_office_evidence_is_refused_and_nothing_written(
    world: dict[str, Any], settings: Any, case: str, name: str, content: bytes, says: str
) -> None:
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    text = _refused(_post_evidence(world, name, content))
    assert says in text, (case, text)
    assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        (
            "quyet-dinh.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("bang.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "anh.docx",
            docx(extra={"word/media/image1.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_legitimate_office_evidence_is_still_accepted(
    world: dict[str, Any], name: str, content: bytes, mime: str
) -> None:
    assert _post_evidence(world, name, content).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type) == (name, mime)
    with evidence.file.open("rb") as stored:
        assert stored.read() == content


def test_office_refusals_are_shown_in_vietnamese(world: dict[str, Any]) -> None:
    from django.utils import translation

    with translation.override("vi"), pytest.raises(InvalidInput) as info:
        evidence_add(
            actor=world["users"]["reporter"],
            entry=entry(world["mine"], "1.1"),
            upload=SimpleUploadedFile("bao-cao.docx", docx(main_type=WORD_MACRO_MAIN)),
        )
    assert "macro" in info.value.message and "bao-cao.docx" in info.value.message
    assert "chứa macro" in info.value.message


def test_every_office_refusal_has_a_vietnamese_text() -> None:
    from django.utils import translation

    from dti.io.ooxml import MESSAGES
    from dti.web.assessments.uploads import OFFICE_MESSAGES

    assert OFFICE_MESSAGES == MESSAGES  # the literals makemessages extracts are the refusals
    with translation.override("vi"):
        untranslated = [m for m in MESSAGES if translation.gettext(m) == m]
    assert not untranslated


def test_macro_workbooks_are_refused_everywhere(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    """The self-assessment upload, the period values import and the units import share one
    check: a workbook carrying a VBA project or an executable is refused before it is read."""
    from dti.web.assessments.period_import import values_import_start
    from dti.web.registry.services import units_import

    good = filled_template(world, tmp_path, {"1.1": (1, None, None, None)})
    with zipfile.ZipFile(good, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    macro = good.read_bytes()
    embedded = xlsx({"xl/embeddings/tool.exe": EXE})
    before = _snapshot(world, Path(settings.MEDIA_ROOT))
    for content, says in ((macro, "macros"), (embedded, "executable")):
        assert says in _refused(_post_workbook(world, "tu-danh-gia.xlsx", content))
        with pytest.raises(InvalidInput) as info:
            values_import_start(
                actor=world["users"]["admin"],
                period=world["period"],
                upload=SimpleUploadedFile("so-lieu.xlsx", content),
            )
        assert says in " ".join(info.value.problems)
        units = tmp_path / "don-vi.xlsx"
        units.write_bytes(content)
        with pytest.raises(InvalidInput) as info:
            units_import(actor=world["users"]["admin"], path=units)
        assert says in " ".join(info.value.problems)
        assert _snapshot(world, Path(settings.MEDIA_ROOT)) == before
