"""A period whose framework measures three leaves through two connectors (the public-service
portal's statistics and a generic HTTP JSON source), the sources' realistic payloads, and the
connectors configured as an admin would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.conftest import FIXTURES

MEASURED = {
    "1.2": "{kind: measured, connector: dvc, field: ho_so_truc_tuyen, denominator: tong_ho_so}",
    "2.1": (
        "{kind: measured, connector: dvc, field: thu_tuc_toan_trinh, denominator: tong_thu_tuc}"
    ),
    "1.3": "{kind: measured, connector: api, field: diem_cau}",
}
UNIT_IDS = {"000.00.01.H40": "so-a", "000.00.02.H40": "so-b", "000.00.03.H40": "huyen-c"}


def measured_yaml() -> str:
    """``mini.yaml`` with three measured leaves (a version of its own)."""
    lines = (FIXTURES / "mini.yaml").read_text().splitlines()
    out = ["version: measured"]
    current = None
    for line in lines:
        if line.startswith("years:"):
            line = "years: [2022, 2023, 2024]"
        out.append(line)
        stripped = line.strip()
        if stripped.startswith("- code: "):
            current = stripped.removeprefix("- code: ").strip('"')
        if current in MEASURED and stripped.startswith("max:"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}source: {MEASURED[current]}")
            current = None
    return "\n".join(out) + "\n"


def portal_record(unit_id: str, name: str, **figures: int) -> dict[str, Any]:
    base = {
        "tong_ho_so": 1520,
        "ho_so_truc_tuyen": 1311,
        "ho_so_da_giai_quyet": 1490,
        "ho_so_dung_han": 1467,
        "tong_thu_tuc": 212,
        "thu_tuc_toan_trinh": 141,
    }
    return {"ma_don_vi": unit_id, "ten_don_vi": name, **base, **figures}


def portal_pages(records: list[dict[str, Any]], per_page: int = 2) -> list[dict[str, Any]]:
    chunks = [records[i : i + per_page] for i in range(0, len(records), per_page)] or [[]]
    return [
        {
            "ky_bao_cao": "2024",
            "trang": n,
            "tong_so_trang": len(chunks),
            "tong_so_ban_ghi": len(records),
            "du_lieu": chunk,
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


PORTAL_RECORDS = [
    portal_record("000.00.01.H40", "Sở Giao thông vận tải", ho_so_truc_tuyen=1216),
    portal_record("000.00.02.H40", "Sở Xây dựng", tong_ho_so=800, ho_so_truc_tuyen=200),
    portal_record("000.00.03.H40", "Huyện Núi Thành", thu_tuc_toan_trinh=50),
]


def measured_period(world: dict[str, Any]) -> dict[str, Any]:
    from dti.web.assessments.services import period_open
    from dti.web.frameworks.services import framework_store

    version = framework_store(actor=None, yaml_text=measured_yaml(), check_role=False)
    so = world["units"]["a"].group
    huyen = world["units"]["c"].group
    now = dt.datetime.now(dt.UTC)
    period = period_open(
        actor=world["users"]["admin"],
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks={so: version, huyen: version},
    )
    assessments = {a.unit.code: a for a in period.assessments.select_related("unit")}
    return {"period": period, "framework": version, "assessments": assessments}


def portal_connector(world: dict[str, Any], url: str, **extra: Any) -> Any:
    from dti.web.connectors.models import ConnectorKind
    from dti.web.connectors.services import ConnectorInput, connector_save

    return connector_save(
        actor=world["users"]["admin"],
        province=None,
        data=ConnectorInput(
            code="dvc",
            name="Cổng Dịch vụ công tỉnh",
            kind=ConnectorKind.PORTAL,
            url=url,
            token="bi-mat-123",
            unit_map=dict(UNIT_IDS),
            **extra,
        ),
    )


def api_connector(world: dict[str, Any], url: str, **extra: Any) -> Any:
    from dti.web.connectors.models import ConnectorKind
    from dti.web.connectors.services import ConnectorInput, connector_save

    fields: dict[str, Any] = {
        "code": "api",
        "name": "Hệ thống hội nghị truyền hình",
        "kind": ConnectorKind.HTTP_JSON,
        "url": url,
        "records": "data.items",
        "pagination": "next",
        "next_key": "data.next",
        "unit_key": "unit",
        "field_map": {"diem_cau": "points"},
    }
    fields.update(extra)
    return connector_save(
        actor=world["users"]["admin"], province=None, data=ConnectorInput(**fields)
    )
