"""An administrator imports many units' values for a period: in the background, with its
progress, all or nothing, audited, scores following."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook
from tests.web.conftest import advance, entry

from dti.io import tables
from dti.web.assessments.models import ImportState, ValuesImport
from dti.web.assessments.period_import import (
    is_interrupted,
    values_import_run,
    values_import_start,
)
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput

HEADER = "unit,period,indicator,value,denominator,applicable\n"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("du-lieu.csv", (HEADER + "\n".join(rows) + "\n").encode())


def started(world: dict[str, Any], upload: SimpleUploadedFile) -> ValuesImport:
    """Start an import as the admin and run it here (the view queues it for the consumer), its
    messages in English (the pages' own language is tested in test_vietnamese_pages)."""
    with translation.override("en"):
        job = values_import_start(
            actor=world["users"]["admin"], period=world["period"], upload=upload
        )
        return values_import_run(job.pk)


def test_values_of_several_units_are_written_audited_and_scored(world: dict[str, Any]) -> None:
    job = started(
        world,
        csv(
            "so-a,2023,1.1,1,,",
            "so-a,2023,1.2,6,10,",
            "so-b,2023,2.2,15,,",
            "huyen-c,2023,1.3,,,no",
        ),
    )
    assert (job.state, job.units, job.changed) == (ImportState.DONE, 3, 4)
    assert entry(world["mine"], "1.2").self_value == 6
    assert entry(world["mine"], "1.2").self_denominator == 10
    assert entry(world["mine"], "1.2").version == 2
    assert entry(world["district"], "1.3").self_applicable is False
    world["theirs"].refresh_from_db()
    assert world["theirs"].self_score == 15
    world["mine"].refresh_from_db()
    assert world["mine"].self_score == 10 + 20 * 0.6 / 0.8  # LAN, and 60 % of the 80 % target
    imported = AuditEvent.objects.filter(action="entry_import", reason="du-lieu.csv")
    assert imported.filter(field="self_value").count() == 3
    assert imported.filter(field="self_applicable").count() == 1
    rescored = AuditEvent.objects.filter(action="score_recompute", reason="du-lieu.csv")
    # (the district's score stays 0: an indicator marked not applicable moves only its maximum)
    assert set(rescored.values_list("object_id", flat=True)) == {
        str(world["mine"].pk),
        str(world["theirs"].pk),
    }


def test_an_unchanged_value_is_neither_written_nor_audited(world: dict[str, Any]) -> None:
    started(world, csv("so-a,2023,1.1,1,,"))
    job = started(world, csv("so-a,2023,1.1,1,,", "so-a,2023,2.2,5,,"))
    assert job.changed == 1
    assert entry(world["mine"], "1.1").version == 2  # once, by the first import
    assert AuditEvent.objects.filter(action="entry_import", field="self_value").count() == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["so-a,2023,9.9,1,,"], "unknown indicator “9.9”"),
        (["so-a,2023,1.1,2,,"], "must be 1 (done) or 0 (not done)"),
        (["so-a,2023,1.1,1,,", "so-a,2023,1.1,0,,"], "duplicate row"),
        (["so-a,2023,2.3,50,,"], "does not apply to group so"),
        (["so-x,2023,1.1,1,,"], "row 3: unit so-x has no assessment in this period"),
        (["so-a,2022,1.1,1,,"], "row 3: period 2022"),
    ],
    ids=["unknown-indicator", "out-of-range", "duplicate", "other-group", "no-unit", "period"],
)
def test_a_wrong_row_fails_the_whole_import_naming_it(
    world: dict[str, Any], rows: list[str], expected: str
) -> None:
    job = started(world, csv("so-b,2023,2.2,15,,", *rows))
    assert job.state == ImportState.FAILED
    assert any(expected in p for p in [job.step, *job.problems]), job.problems
    assert entry(world["theirs"], "2.2").self_value is None  # the good row was not kept
    assert not AuditEvent.objects.filter(action="entry_import").exists()


def test_a_file_without_rows_fails_saying_so(world: dict[str, Any]) -> None:
    job = started(world, SimpleUploadedFile("du-lieu.csv", HEADER.encode()))
    assert (job.state, job.step) == (ImportState.FAILED, "The file has no rows of values.")


def test_a_submitted_unit_is_refused_and_nothing_is_written(world: dict[str, Any]) -> None:
    advance(world, world["mine"], "submitted")
    job = started(world, csv("so-b,2023,2.2,15,,", "so-a,2023,1.1,1,,"))
    assert job.state == ImportState.FAILED
    assert len(job.problems) == 1
    assert job.problems[0].startswith("row 3: unit so-a is ")
    assert entry(world["theirs"], "2.2").self_value is None


def test_a_units_template_workbook_is_sent_to_the_units_page(
    world: dict[str, Any], tmp_path: Path
) -> None:
    from dti.io.template import write_template
    from dti.web.frameworks.selectors import framework_parsed

    path = tmp_path / "mau.xlsx"
    write_template(framework_parsed(world["framework"]), "so", path, unit="so-a", period="2023")
    job = started(world, SimpleUploadedFile("mau.xlsx", path.read_bytes()))
    assert job.state == ImportState.FAILED
    assert "one unit's self-assessment template" in job.step


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("du-lieu.txt", b"unit,period\n", "Upload a values table (.xlsx or .csv)."),
        ("du-lieu\x07.csv", b"unit,period\n", "control"),
    ],
)
def test_uploads_are_checked_before_anything_is_stored(
    world: dict[str, Any], name: str, content: bytes, expected: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        values_import_start(
            actor=world["users"]["admin"],
            period=world["period"],
            upload=SimpleUploadedFile(name, content),
        )
    assert expected in refused.value.message
    assert not ValuesImport.objects.exists()


def test_an_oversize_file_is_refused(world: dict[str, Any], settings: Any) -> None:
    settings.DTI_WORKBOOK_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="larger than"):
        values_import_start(
            actor=world["users"]["admin"],
            period=world["period"],
            upload=csv(*["so-a,2023,1.1,1,,"] * 10),
        )


@pytest.mark.parametrize("role", ["reporter", "verifier", "leader"])
def test_only_the_admin_imports(world: dict[str, Any], role: str) -> None:
    with pytest.raises(Forbidden):
        values_import_start(
            actor=world["users"][role], period=world["period"], upload=csv("so-a,2023,1.1,1,,")
        )
    client = Client()
    client.force_login(world["users"][role])
    assert client.get(reverse("period_import", args=[world["period"].pk])).status_code == 403


def test_reading_a_long_workbook_reports_rows_read(
    world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 2)
    heard: list[tuple[int, int | None]] = []
    original = ValuesImport.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        query = original(*args, **kwargs)
        update = query.update

        def recorded(**fields: Any) -> int:
            if "rows_done" in fields and fields.get("state") is None:
                heard.append((fields["rows_done"], fields.get("rows_total")))
            return update(**fields)

        query.update = recorded  # type: ignore[method-assign]
        return query

    monkeypatch.setattr(ValuesImport.objects, "filter", spy)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "period", "indicator", "value"])
    for code in ("1.1", "1.2", "1.3", "2.2"):
        sheet.append(["so-a", "2023", code, 1])
    path = tmp_path / "du-lieu.xlsx"
    book.save(path)
    job = started(world, SimpleUploadedFile("du-lieu.xlsx", path.read_bytes()))
    assert job.state == ImportState.DONE
    assert heard[:2] == [(2, 4), (4, 4)]  # while reading, against the sheet's declared size


def test_a_job_whose_heartbeat_stopped_is_shown_as_interrupted(world: dict[str, Any]) -> None:
    job = values_import_start(
        actor=world["users"]["admin"], period=world["period"], upload=csv("so-a,2023,1.1,1,,")
    )
    assert not is_interrupted(job)
    later = timezone.now() + dt.timedelta(minutes=11)
    assert is_interrupted(job, now=later)
    ValuesImport.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    client = Client()
    client.force_login(world["users"]["admin"])
    page = client.get(reverse("values_import_detail", args=[job.pk])).content.decode()
    assert 'data-state="interrupted"' in page
    assert entry(world["mine"], "1.1").self_value is None


@pytest.mark.django_db(transaction=True)
def test_the_page_starts_the_import_in_the_background_and_shows_it_finish(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["users"]["admin"])
    url = reverse("period_import", args=[world["period"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": csv("so-a,2023,1.1,1,,", "so-b,2023,2.2,15,,")})
    assert response.status_code == 302
    detail = response["Location"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = client.get(detail).content.decode()
        if 'data-state="done"' in page or 'data-state="failed"' in page:
            break
        assert 'http-equiv="refresh"' in page  # the page keeps itself up to date meanwhile
        time.sleep(0.1)
    assert 'data-state="done"' in page
    assert 'max="100" value="100"' in page
    assert entry(world["mine"], "1.1").self_value == 1
    listing = client.get(url).content.decode()
    assert "du-lieu.csv" in listing


def test_progress_goes_on_from_reading_to_writing(world: dict[str, Any]) -> None:
    from dti.web.assessments.period_import import import_progress
    from dti.web.assessments.period_import.progress import report_written as _written

    job = values_import_start(
        actor=world["users"]["admin"], period=world["period"], upload=csv("so-a,2023,1.1,1,,")
    )
    assert import_progress(job).percent is None  # waiting: nothing to measure yet
    job.state, job.rows_done, job.rows_total = ImportState.RUNNING, 50, 200
    assert import_progress(job).percent == 10  # reading is the first 40 % of the bar
    job.rows_done = 200
    _written(job, 100)
    progress = import_progress(job)
    assert (progress.percent, progress.written, progress.running) == (70, 100, True)
    _written(job, 200)
    assert import_progress(job).percent == 99  # done only when the transaction has committed
    finished = values_import_run(job.pk)
    assert import_progress(finished).percent == 100
    assert import_progress(finished).written is None


def test_a_job_runs_once_however_many_runners_it_has(world: dict[str, Any]) -> None:
    job = started(world, csv("so-a,2023,1.1,1,,"))
    again = values_import_run(job.pk)
    assert (again.state, again.changed) == (ImportState.DONE, 1)
    assert AuditEvent.objects.filter(action="entry_import").count() == 1


def _stored(settings: Any) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_hostile_files_are_refused_before_anything_is_stored(
    world: dict[str, Any], settings: Any
) -> None:
    from tests.web.test_hostile_uploads import zip_bomb
    from tests.web.test_uploads import EXE

    from dti.web.ops.scan import EICAR

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    settings.DTI_UPLOAD_SCAN_HOOK = "dti.web.ops.scan.eicar_hook"
    cases = [
        ("so-lieu.xlsx", EXE, "not an Excel .xlsx workbook"),
        ("so-lieu.xlsx", docx.getvalue(), "Word document"),
        ("so-lieu.xlsx", zip_bomb(), "zip bomb"),
        ("so-lieu.csv", HEADER.encode() + EICAR, "EICAR"),
    ]
    before = _stored(settings)
    for name, content, says in cases:
        with pytest.raises(InvalidInput) as refused:
            values_import_start(
                actor=world["users"]["admin"],
                period=world["period"],
                upload=SimpleUploadedFile(name, content),
            )
        text = " ".join([refused.value.message, *refused.value.problems])
        assert says in text, (name, text)
        assert not ValuesImport.objects.exists()
        assert _stored(settings) == before


def test_an_xxe_workbook_fails_without_leaking_or_writing(
    world: dict[str, Any], tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "period", "indicator", "value"])
    sheet.append(["so-a", "2023", "1.1", "x"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    out = io.BytesIO()
    injected = False
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and b"<t>x</t>" in data:
                text = data.decode()
                head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
                doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                rest = rest.replace("<t>x</t>", "<t>&xxe;</t>")
                data = ((head + "?>" if head else "") + doctype + rest).encode()
                injected = True
            dst.writestr(info, data)
    assert injected
    job = started(world, SimpleUploadedFile("so-lieu.xlsx", out.getvalue()))
    assert job.state == ImportState.FAILED
    text = " ".join([job.step, *job.problems])
    assert "possible XXE attack" in text and "TOP-SECRET" not in text
    assert entry(world["mine"], "1.1").self_value is None


def test_binary_posing_as_csv_fails_with_a_message(world: dict[str, Any]) -> None:
    from tests.web.test_uploads import EXE

    job = started(world, SimpleUploadedFile("so-lieu.csv", EXE))
    job.refresh_from_db()  # stored as shown: no NUL (PostgreSQL's JSON refuses it)
    assert job.state == ImportState.FAILED
    assert "required column “unit” is missing" in job.problems[0]
    assert all("\x00" not in p and len(p) <= 500 for p in job.problems)
    assert not AuditEvent.objects.filter(action="entry_import").exists()


def test_a_values_table_reaching_past_the_bound_fails_naming_the_sheet(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Cells at A1 and XFD1048576: calamine's dense range would be 17 billion cells."""
    from tests.test_io_bounds import table_declaring

    path = table_declaring(tmp_path / "so-lieu.xlsx", "A1:XFD1048576", "XFD1048576")
    job = started(world, SimpleUploadedFile("so-lieu.xlsx", path.read_bytes()))
    assert job.state == ImportState.FAILED
    text = " ".join([job.step, *job.problems])
    assert "sheet “values”" in text and "reaches XFD1048576" in text, text
    assert entry(world["mine"], "1.1").self_value is None


@pytest.mark.parametrize(
    ("starter", "consumer", "expected"),
    [
        ("vi", "en", "Tệp không có dòng số liệu nào."),
        ("en", "vi", "The file has no rows of values."),
    ],
)
def test_the_consumer_writes_the_steps_in_the_starter_s_language(
    world: dict[str, Any], starter: str, consumer: str, expected: str
) -> None:
    """The consumer process has no request: it speaks the language of whoever started."""
    with translation.override(starter):
        job = values_import_start(
            actor=world["users"]["admin"],
            period=world["period"],
            upload=SimpleUploadedFile("du-lieu.csv", HEADER.encode()),
        )
    with translation.override(consumer):
        job = values_import_run(job.pk)
    assert (job.state, job.step) == (ImportState.FAILED, expected)
