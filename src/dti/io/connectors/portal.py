"""The public-service portal's per-unit statistics (*Cổng Dịch vụ công*).

The national and provincial public-service portals publish, per agency and reporting period,
the figures of the service index of Decision 766/QĐ-TTg (23/6/2022) — dossiers received,
dossiers received online, dossiers settled and settled on time, procedures offered and those
offered fully online — on their public statistics pages; agencies are named by their
electronic identifier (*mã định danh điện tử*, Decision 20/2020/QĐ-TTg, e.g. ``000.00.12.H40``).
The portal documents no public API, so this adapter reads those published columns as the JSON
below, one page at a time (``?ky=2025&trang=1``); a provincial portal's export or a small
relay in front of the portal serves it (README, *Connectors*)::

    {"ky_bao_cao": "2025", "trang": 1, "tong_so_trang": 3, "tong_so_ban_ghi": 250,
     "du_lieu": [{"ma_don_vi": "000.00.12.H40", "ten_don_vi": "Sở Xây dựng",
                  "tong_ho_so": 1520, "ho_so_truc_tuyen": 1311,
                  "ho_so_da_giai_quyet": 1490, "ho_so_dung_han": 1467,
                  "tong_thu_tuc": 212, "thu_tuc_toan_trinh": 141}, …]}

A framework leaf reads one of :data:`PORTAL_FIELDS` (``field: ho_so_truc_tuyen,
denominator: tong_ho_so`` for the share of dossiers received online).
"""

from __future__ import annotations

import httpx

from dti.engine.errors import Problem
from dti.engine.messages import say
from dti.io.connectors.fetching import Fetched, HttpSource, SourceError, fetch_http

__all__ = ["PORTAL_FIELDS", "PORTAL_UNIT_KEY", "fetch_portal", "portal_source"]

PORTAL_UNIT_KEY = "ma_don_vi"
PORTAL_FIELDS = (
    "tong_ho_so",
    "ho_so_truc_tuyen",
    "ho_so_da_giai_quyet",
    "ho_so_dung_han",
    "tong_thu_tuc",
    "thu_tuc_toan_trinh",
)


def portal_source(url: str, *, year: int, timeout: float = 20.0) -> HttpSource:
    """The portal's statistics for ``year`` as an HTTP source (its fixed layout)."""
    return HttpSource(
        url=url,
        format="json",
        records="du_lieu",
        pagination="page",
        page_param="trang",
        pages_key="tong_so_trang",
        total_key="tong_so_ban_ghi",
        params={"ky": str(year)},
        timeout=timeout,
    )


def fetch_portal(
    url: str,
    *,
    year: int,
    token: str = "",
    client: httpx.Client | None = None,
    timeout: float = 20.0,
) -> Fetched:
    """Every page of the portal's statistics for ``year``, checked against its layout: a
    column it no longer publishes is a changed schema, named with what it has instead."""
    fetched = fetch_http(portal_source(url, year=year, timeout=timeout), token=token, client=client)
    if fetched.records:
        first = fetched.records[0].data
        missing = [k for k in (PORTAL_UNIT_KEY, *PORTAL_FIELDS) if k not in first]
        if missing:
            raise SourceError(
                Problem(
                    say("source_schema_changed", keys=tuple(missing), found=tuple(first)),
                    file=fetched.pages[0].request.removeprefix("GET "),
                )
            )
    return fetched
