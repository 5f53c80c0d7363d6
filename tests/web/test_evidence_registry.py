"""The evidence registry: a unit's documents stored once with their metadata and linked to any
indicators of any period; a verifier's remark follows the document wherever it is linked;
documents of the kind an indicator asks for are suggested; who may read, file, link, remark and
remove (another province's: not found); existing evidence migrated into the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.conftest import entry
from tests.web.evidence_world import PDF

from dti.web.accounts.policy import visible_audit_events
from dti.web.assessments.document_selectors import link_choices, unit_documents
from dti.web.assessments.models import Document, DocumentKind, DocumentRemark, Evidence
from dti.web.assessments.selectors import assessment_sheet
from dti.web.assessments.services import (
    DocumentDetails,
    document_add,
    document_delete,
    document_remark,
    evidence_add,
    evidence_delete,
    evidence_link,
)
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput, InvalidState, NotFound

DECISION = DocumentDetails(
    kind=DocumentKind.DECISION,
    number="12/QĐ-SGTVT",
    issued_on=dt.date(2023, 3, 15),
    issuer="Sở Giao thông vận tải",
    title="Thành lập Ban chỉ đạo chuyển đổi số",
)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _decision(world: dict[str, Any]) -> Document:
    return document_add(
        actor=world["users"]["reporter"],
        unit=world["units"]["a"],
        upload=SimpleUploadedFile("qd-12.pdf", PDF),
        details=DECISION,
    )


def _files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


# -- services ----------------------------------------------------------------------------------


def test_a_document_filed_once_is_linked_to_indicators_of_two_periods(
    world: dict[str, Any], year_2024: dict[str, Any]
) -> None:
    reporter = world["users"]["reporter"]
    document = _decision(world)
    evidence_link(actor=reporter, entry=entry(world["mine"], "1.1"), document=document)
    evidence_link(actor=reporter, entry=entry(year_2024["mine"], "1.1"), document=document)
    evidence_link(actor=reporter, entry=entry(year_2024["mine"], "2.1"), document=document)

    assert Document.objects.count() == 1 and Evidence.objects.count() == 3
    [listed] = unit_documents(reporter, world["units"]["a"])
    assert [(e.entry.assessment.period.year, e.entry.indicator) for e in listed.links.all()] == [
        (2024, "1.1"),
        (2024, "2.1"),
        (2023, "1.1"),
    ]
    for assessment in (world["mine"], year_2024["mine"]):
        [line] = [x for x in assessment_sheet(assessment) if x.code == "1.1"]
        assert [ev.document.number for ev in line.evidence] == ["12/QĐ-SGTVT"]


def test_a_document_filed_from_the_form_keeps_its_metadata_and_both_events(
    world: dict[str, Any],
) -> None:
    e11 = entry(world["mine"], "1.1")
    evidence = evidence_add(
        actor=world["users"]["reporter"],
        entry=e11,
        upload=SimpleUploadedFile("qd-12.pdf", PDF),
        details=DECISION,
    )
    document = evidence.document
    assert (document.unit, document.kind, document.number, document.issued_on) == (
        world["units"]["a"],
        "decision",
        "12/QĐ-SGTVT",
        dt.date(2023, 3, 15),
    )
    assert (document.issuer, document.title) == (DECISION.issuer, DECISION.title)
    assert (document.original_name, document.content_type) == ("qd-12.pdf", "application/pdf")
    events = AuditEvent.objects.filter(assessment=world["mine"]).order_by("sequence")
    assert [e.action for e in events][-2:] == ["document_add", "evidence_add"]
    added = events.get(action="document_add")
    assert added.new["number"] == "12/QĐ-SGTVT" and added.new["issued_on"] == "2023-03-15"
    assert events.get(action="evidence_add").field == "1.1"


def test_a_verifiers_remark_follows_the_document_wherever_it_is_linked(
    world: dict[str, Any], year_2024: dict[str, Any]
) -> None:
    reporter, verifier = world["users"]["reporter"], world["users"]["verifier"]
    document = _decision(world)
    evidence_link(actor=reporter, entry=entry(world["mine"], "1.1"), document=document)
    evidence_link(actor=reporter, entry=entry(year_2024["mine"], "1.1"), document=document)
    document_remark(actor=verifier, document=document, text="Thiếu chữ ký của Giám đốc Sở.")

    client = _client(reporter)
    for assessment in (world["mine"], year_2024["mine"]):
        html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
        leaf = html.split('id="e-1.1"')[1].split('id="e-1.2"')[0]
        assert "Thiếu chữ ký của Giám đốc Sở." in leaf
    library = client.get(reverse("unit_library", args=[world["units"]["a"].pk])).content.decode()
    assert "Thiếu chữ ký của Giám đốc Sở." in library
    event = AuditEvent.objects.get(action="document_remark")
    assert (event.actor, event.object_id, event.new) == (
        verifier,
        str(document.pk),
        "Thiếu chữ ký của Giám đốc Sở.",
    )


def test_the_verifier_reaches_the_remark_from_the_assessment_page(
    world: dict[str, Any],
) -> None:
    from tests.web.conftest import advance

    document = _decision(world)
    evidence_link(
        actor=world["users"]["reporter"], entry=entry(world["mine"], "1.1"), document=document
    )
    advance(world, world["mine"], "under_verification")
    remark_url = reverse("unit_library", args=[document.unit_id]) + f"#doc-{document.pk}"
    page = reverse("assessment_detail", args=[world["mine"].pk])
    assert remark_url in _client(world["users"]["verifier"]).get(page).content.decode()
    assert remark_url not in _client(world["users"]["admin"]).get(page).content.decode()


def test_only_verifiers_remark_and_a_remark_needs_text(world: dict[str, Any]) -> None:
    document = _decision(world)
    for who in ("reporter", "admin"):
        with pytest.raises(Forbidden):
            document_remark(actor=world["users"][who], document=document, text="Được.")
    with pytest.raises(InvalidInput):
        document_remark(actor=world["users"]["verifier"], document=document, text="   ")
    assert not DocumentRemark.objects.exists()


def test_unlinking_keeps_the_document_and_an_unlinked_one_can_then_be_removed(
    world: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reporter = world["users"]["reporter"]
    evidence = evidence_add(
        actor=reporter,
        entry=entry(world["mine"], "1.1"),
        upload=SimpleUploadedFile("qd-12.pdf", PDF),
    )
    document = evidence.document
    stored = Path(settings.MEDIA_ROOT) / document.file.name
    evidence_delete(actor=reporter, evidence=evidence)
    assert not Evidence.objects.exists() and stored.read_bytes() == PDF
    assert AuditEvent.objects.filter(action="evidence_delete", old="qd-12.pdf").exists()

    with django_capture_on_commit_callbacks(execute=True):
        document_delete(actor=reporter, document=document)
    assert not Document.objects.exists() and not stored.exists()
    assert AuditEvent.objects.get(action="document_delete").old["file"] == "qd-12.pdf"


def test_a_linked_or_remarked_document_stays(world: dict[str, Any]) -> None:
    reporter = world["users"]["reporter"]
    linked = _decision(world)
    evidence_link(actor=reporter, entry=entry(world["mine"], "1.1"), document=linked)
    remarked = document_add(actor=reporter, unit=world["units"]["a"], url="https://so.vn/kh")
    document_remark(actor=world["users"]["verifier"], document=remarked, text="Đúng kế hoạch.")
    for document in (linked, remarked):
        with pytest.raises(InvalidState):
            document_delete(actor=reporter, document=document)
    assert Document.objects.count() == 2


def test_a_document_is_linked_once_per_indicator_and_only_within_its_unit(
    world: dict[str, Any],
) -> None:
    reporter = world["users"]["reporter"]
    document = _decision(world)
    evidence_link(actor=reporter, entry=entry(world["mine"], "1.1"), document=document)
    with pytest.raises(InvalidInput):
        evidence_link(actor=reporter, entry=entry(world["mine"], "1.1"), document=document)
    theirs = document_add(
        actor=world["users"]["outsider"], unit=world["units"]["b"], url="https://xd.vn/qd"
    )
    with pytest.raises(NotFound):
        evidence_link(actor=reporter, entry=entry(world["mine"], "1.2"), document=theirs)
    with pytest.raises(Forbidden):  # another unit's reporter links nothing to this one
        evidence_link(
            actor=world["users"]["outsider"], entry=entry(world["mine"], "1.2"), document=document
        )
    assert Evidence.objects.count() == 1


def test_only_the_units_reporters_file_its_documents(world: dict[str, Any]) -> None:
    unit = world["units"]["a"]
    with pytest.raises(NotFound):
        document_add(actor=world["users"]["outsider"], unit=unit, url="https://x.vn/a")
    for who in ("admin", "verifier"):
        with pytest.raises(Forbidden):
            document_add(actor=world["users"][who], unit=unit, url="https://x.vn/a")
    assert not Document.objects.exists()


def test_a_hostile_file_is_refused_and_leaves_nothing(world: dict[str, Any], settings: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput, match=r"qd\.pdf"):
        document_add(
            actor=world["users"]["reporter"],
            unit=world["units"]["a"],
            upload=SimpleUploadedFile("qd.pdf", b"MZ\x90\x00" * 64),
        )
    assert not Document.objects.exists() and AuditEvent.objects.count() == before
    assert _files(Path(settings.MEDIA_ROOT)) == set()


def test_documents_of_the_kind_asked_are_suggested_first(
    world: dict[str, Any], year_2024: dict[str, Any]
) -> None:
    reporter = world["users"]["reporter"]
    decision = _decision(world)
    plan = document_add(
        actor=reporter,
        unit=world["units"]["a"],
        url="https://sogtvt.vn/ke-hoach",
        details=DocumentDetails(kind=DocumentKind.PLAN, title="Kế hoạch chuyển đổi số"),
    )
    lines = assessment_sheet(year_2024["mine"])
    choices = link_choices(lines, [decision, plan])
    e11, e12 = entry(year_2024["mine"], "1.1"), entry(year_2024["mine"], "1.2")
    assert choices[e11.pk].suggested == (decision,) and choices[e11.pk].others == (plan,)
    assert choices[e12.pk].suggested == () and choices[e12.pk].others == (decision, plan)

    evidence_link(actor=reporter, entry=e11, document=decision)
    choices = link_choices(assessment_sheet(year_2024["mine"]), [decision, plan])
    assert choices[e11.pk].suggested == () and choices[e11.pk].others == (plan,)

    html = _client(reporter).get(reverse("assessment_detail", args=[year_2024["mine"].pk]))
    leaf = html.content.decode().split('id="e-1.1"')[1].split('id="e-1.2"')[0]
    assert f'name="e{e11.pk}-kind"' in leaf
    assert '<option value="decision" selected>' in leaf  # a new one is filed as asked


# -- pages -------------------------------------------------------------------------------------


def test_linking_from_the_form_without_javascript_saves_what_was_typed(
    world: dict[str, Any],
) -> None:
    from tests.web.test_self_form import _page_rows

    document = _decision(world)
    e11, e12 = entry(world["mine"], "1.1"), entry(world["mine"], "1.2")
    data: dict[str, Any] = _page_rows(world)
    data[f"e{e12.pk}-value"] = "45"
    data[f"e{e12.pk}-denominator"] = "50"
    data["link"] = str(e11.pk)
    data[f"e{e11.pk}-document"] = str(document.pk)
    response = _client(world["users"]["reporter"]).post(
        reverse("entries_save", args=[world["mine"].pk]), data
    )
    assert response.status_code == 302
    e12.refresh_from_db()
    assert (e12.self_value, e12.self_denominator) == (45.0, 50.0)
    assert Evidence.objects.filter(entry=e11, document=document).exists()


def test_linking_with_javascript_answers_the_rows_evidence(world: dict[str, Any]) -> None:
    document = _decision(world)
    e11 = entry(world["mine"], "1.1")
    response = _client(world["users"]["reporter"]).post(
        reverse("entries_save", args=[world["mine"].pk]),
        {"link": str(e11.pk), f"e{e11.pk}-document": str(document.pk)},
        headers={"X-Requested-With": "fetch"},
    )
    answer = response.json()
    assert answer["ok"] and "12/QĐ-SGTVT" in answer["message"]
    assert "qd-12.pdf" in answer["evidence"][str(e11.pk)]


def test_the_library_files_a_document_with_its_date_as_officials_write_it(
    world: dict[str, Any],
) -> None:
    unit = world["units"]["a"]
    response = _client(world["users"]["reporter"]).post(
        reverse("unit_library", args=[unit.pk]),
        {
            "file": SimpleUploadedFile("bao-cao.pdf", PDF),
            "kind": "report",
            "number": "45/BC-SGTVT",
            "issued_on": "20/11/2023",
            "issuer": "Sở Giao thông vận tải",
            "title": "Báo cáo kết quả chuyển đổi số năm 2023",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.kind, document.issued_on) == ("report", dt.date(2023, 11, 20))
    page = _client(world["users"]["reporter"]).get(reverse("unit_library", args=[unit.pk]))
    assert "20/11/2023" in page.content.decode() and "45/BC-SGTVT" in page.content.decode()


def test_the_library_refuses_a_hostile_file_naming_it(world: dict[str, Any]) -> None:
    unit = world["units"]["a"]
    response = _client(world["users"]["reporter"]).post(
        reverse("unit_library", args=[unit.pk]),
        {"file": SimpleUploadedFile("qd.pdf", b"MZ\x90\x00" * 64), "number": "7/QĐ"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "qd.pdf" in html and 'value="7/QĐ"' in html  # named, and what was typed kept
    assert not Document.objects.exists()


@pytest.mark.parametrize("who", ["reporter", "verifier", "admin"])
def test_the_library_and_the_form_with_documents_speak_vietnamese(
    world: dict[str, Any], year_2024: dict[str, Any], who: str
) -> None:
    from tests.web.english_detector import english_words, visible_text

    reporter = world["users"]["reporter"]
    document = _decision(world)
    document_add(
        actor=reporter,
        unit=world["units"]["a"],
        url="https://sogtvt.vn/ke-hoach",
        details=DocumentDetails(kind=DocumentKind.PLAN, title="Kế hoạch chuyển đổi số"),
    )
    evidence_link(actor=reporter, entry=entry(year_2024["mine"], "1.1"), document=document)
    document_remark(actor=world["users"]["verifier"], document=document, text="Đủ chữ ký.")
    client = _client(world["users"][who])
    pages = [reverse("unit_library", args=[document.unit_id])]
    if who != "verifier":  # a verifier opens no draft
        pages.append(reverse("assessment_detail", args=[year_2024["mine"].pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert english_words(visible_text(response.content.decode())) == [], url


# -- who may: the role × page table, and another province's records --------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("reporter", 200),
        ("admin", 200),
        ("verifier", 200),
        ("leader", 403),
        ("outsider", 404),
    ],
)
def test_the_library_and_its_downloads_by_role(
    world: dict[str, Any], who: str, status: int
) -> None:
    document = _decision(world)
    evidence = evidence_link(
        actor=world["users"]["reporter"], entry=entry(world["mine"], "1.1"), document=document
    )
    client = _client(world["users"][who])
    assert client.get(reverse("unit_library", args=[document.unit_id])).status_code == status
    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == status
    if status == 200:
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment")
    # The link's own download is the assessment's rule: a draft is the unit's and the admin's.
    link = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert link.status_code == (200 if who in ("reporter", "admin") else 404)
    if link.status_code == 200:
        assert b"".join(link.streaming_content) == PDF  # type: ignore[attr-defined]


def test_another_provinces_documents_are_not_found(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    document = _decision(world)
    theirs = document_add(
        actor=second_province["users"]["reporter_b"],
        unit=second_province["units"]["one"],
        url="https://tinhb.vn/qd",
    )
    urls = [
        ("get", reverse("unit_library", args=[document.unit_id]), {}),
        ("get", reverse("document_download", args=[document.pk]), {}),
        ("post", reverse("document_remark", args=[document.pk]), {"text": "Không hợp lệ."}),
        ("post", reverse("document_delete", args=[document.pk]), {}),
    ]
    for who in ("admin_b", "reporter_b", "verifier_b", "leader_b"):
        client = _client(second_province["users"][who])
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code == 404, (who, url)
    # Nor may the world's accounts reach the second province's documents.
    for who in ("admin", "reporter", "verifier"):
        client = _client(world["users"][who])
        assert client.get(reverse("unit_library", args=[theirs.unit_id])).status_code == 404
        assert client.get(reverse("document_download", args=[theirs.pk])).status_code == 404
    # A document id of the other province posted on the form is not linked.
    e11 = entry(world["mine"], "1.1")
    response = _client(world["users"]["reporter"]).post(
        reverse("entries_save", args=[world["mine"].pk]),
        {"link": str(e11.pk), f"e{e11.pk}-document": str(theirs.pk)},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 404 and not Evidence.objects.exists()
    assert Document.objects.count() == 2 and not DocumentRemark.objects.exists()


def test_the_remark_and_removal_pages_ask_the_policy(world: dict[str, Any]) -> None:
    document = _decision(world)
    remark = reverse("document_remark", args=[document.pk])
    remove = reverse("document_delete", args=[document.pk])
    assert (
        _client(world["users"]["reporter"]).post(remark, {"text": "Tự nhận xét."}).status_code
        == 403
    )
    assert _client(world["users"]["outsider"]).post(remove).status_code == 404
    assert _client(world["users"]["verifier"]).post(remove).status_code == 403
    assert _client(world["users"]["verifier"]).post(remark, {"text": "Hợp lệ."}).status_code == 302
    assert DocumentRemark.objects.get().text == "Hợp lệ."
    refused = _client(world["users"]["reporter"]).post(remove, follow=True)
    assert "tài liệu được giữ lại" in refused.content.decode() and Document.objects.exists()


def test_the_registrys_events_are_in_the_provinces_audit_trail_only(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    document = _decision(world)
    document_remark(actor=world["users"]["verifier"], document=document, text="Đủ.")
    mine = visible_audit_events(world["users"]["admin"], AuditEvent.objects.all())
    assert set(
        mine.filter(object_type="assessments.document").values_list("action", flat=True)
    ) == {
        "document_add",
        "document_remark",
    }
    theirs = visible_audit_events(second_province["users"]["admin_b"], AuditEvent.objects.all())
    assert not theirs.filter(object_type="assessments.document").exists()
