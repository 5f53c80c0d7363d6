"""Room: the demo's local source — the systems the demo province's connectors read, on 127.0.0.1.

One ``http.server`` process (``manage.py dti_demo_source``; ``scripts/serve`` starts it beside
the web server and the task queue's consumer) serves, for the departments with administrative
procedures, what three systems would publish:

    /dvc/thong-ke        the public-service portal's statistics, the portal adapter's format
                         (README, *Connectors*): ``?ky=2025&trang=1``, five agencies a page,
                         agencies named by an illustrative electronic identifier
    /mot-cua/ho-so.json  a generic JSON feed of the province's one-stop system (dossiers settled
                         and settled on time), numbered pages ``?page=1`` under ``data.items``
    /mot-cua/ho-so.csv   the same records as one CSV table

and :func:`drop_write` writes the video-conference system's export (meetings held online) as the
CSV a file-drop connector reads from its folder. The figures are made up but fixed: each unit's
come from a generator seeded with its code, so every start serves the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import random
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "DROP_FILE",
    "FEED_CSV",
    "FEED_JSON",
    "PORTAL",
    "DemoSource",
    "Figures",
    "drop_write",
    "figures",
    "portal_id",
    "server",
    "serving",
]

PORTAL = "/dvc/thong-ke"
FEED_JSON = "/mot-cua/ho-so.json"
FEED_CSV = "/mot-cua/ho-so.csv"
DROP_FILE = "hop-truc-tuyen.csv"
PER_PAGE = 5


@dataclass(frozen=True)
class Figures:
    """One unit's figures for the year, as its systems count them."""

    dossiers: int  # received (tong_ho_so)
    online: int  # received online (ho_so_truc_tuyen)
    settled: int  # settled (ho_so_da_giai_quyet)
    on_time: int  # settled on time (ho_so_dung_han)
    procedures: int  # offered (tong_thu_tuc)
    fully_online: int  # offered fully online (thu_tuc_toan_trinh)
    meetings: int  # held (tong_cuoc_hop)
    meetings_online: int  # held online or paperless (cuoc_hop_truc_tuyen)


def figures(code: str) -> Figures:
    """The unit's figures: plausible, and the same at every call (seeded with the code)."""
    rng = random.Random(f"dti-demo-source/{code}")  # noqa: S311 - made-up demo figures
    dossiers = rng.randint(400, 3000)
    settled = round(dossiers * rng.uniform(0.9, 0.99))
    procedures = rng.randint(60, 260)
    meetings = rng.randint(40, 160)
    return Figures(
        dossiers=dossiers,
        online=round(dossiers * rng.uniform(0.45, 0.92)),
        settled=settled,
        on_time=round(settled * rng.uniform(0.86, 0.995)),
        procedures=procedures,
        fully_online=round(procedures * rng.uniform(0.35, 0.85)),
        meetings=meetings,
        meetings_online=round(meetings * rng.uniform(0.3, 0.8)),
    )


def portal_id(position: int) -> str:
    """An agency's electronic identifier on the portal (illustrative: the pattern of Decision
    20/2020/QĐ-TTg, not Quảng Nam's real ones)."""
    return f"000.00.{position:02d}.H49"


class DemoSource:
    """The payloads for ``units`` (unit code → name), in that order."""

    def __init__(self, units: Sequence[tuple[str, str]]) -> None:
        self.units = list(units)

    def portal_page(self, year: str, page: int) -> dict[str, Any]:
        records = [
            {
                "ma_don_vi": portal_id(i),
                "ten_don_vi": name,
                "tong_ho_so": f.dossiers,
                "ho_so_truc_tuyen": f.online,
                "ho_so_da_giai_quyet": f.settled,
                "ho_so_dung_han": f.on_time,
                "tong_thu_tuc": f.procedures,
                "thu_tuc_toan_trinh": f.fully_online,
            }
            for i, (code, name) in enumerate(self.units, start=1)
            for f in [figures(code)]
        ]
        pages = max(1, -(-len(records) // PER_PAGE))
        return {
            "ky_bao_cao": year,
            "trang": page,
            "tong_so_trang": pages,
            "tong_so_ban_ghi": len(records),
            "du_lieu": records[(page - 1) * PER_PAGE : page * PER_PAGE],
        }

    def feed_records(self) -> list[dict[str, Any]]:
        return [
            {
                "maDonVi": code,
                "tenDonVi": name,
                "hoSoDaGiaiQuyet": f.settled,
                "hoSoDungHan": f.on_time,
            }
            for code, name in self.units
            for f in [figures(code)]
        ]

    def feed_page(self, page: int) -> dict[str, Any]:
        records = self.feed_records()
        pages = max(1, -(-len(records) // PER_PAGE))
        return {
            "data": {"items": records[(page - 1) * PER_PAGE : page * PER_PAGE]},
            "meta": {"page": page, "pages": pages, "total": len(records)},
        }

    def feed_csv(self) -> str:
        return _csv(self.feed_records())

    def drop_csv(self) -> str:
        return _csv(
            [
                {
                    "don_vi": code,
                    "ten_don_vi": name,
                    "cuoc_hop_truc_tuyen": f.meetings_online,
                    "tong_cuoc_hop": f.meetings,
                }
                for code, name in self.units
                for f in [figures(code)]
            ]
        )

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of ``path``."""

        def number(name: str) -> int:
            text = (query.get(name) or ["1"])[0]
            return int(text) if text.isdigit() and int(text) > 0 else 1

        if path == PORTAL:
            year = (query.get("ky") or [""])[0]
            return 200, "application/json", _json(self.portal_page(year, number("trang")))
        if path == FEED_JSON:
            return 200, "application/json", _json(self.feed_page(number("page")))
        if path == FEED_CSV:
            return 200, "text/csv; charset=utf-8", self.feed_csv().encode()
        return 404, "application/json", b'{"error": "not found"}'


def drop_write(source: DemoSource, folder: Path) -> Path:
    """The video-conference system's export, dropped in ``folder`` (written whole, then
    renamed into place, so a pull never reads half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DROP_FILE
    partial = folder / f".{DROP_FILE}.part"
    partial.write_text(source.drop_csv(), encoding="utf-8")
    partial.replace(path)
    return path


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _handler(source: DemoSource) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, content_type, body = source.answer(parts.path, parse_qs(parts.query))
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo's terminal is the web server's

    return Handler


def server(source: DemoSource, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """The source's HTTP server, bound (``port`` 0: a free one), not yet serving."""
    httpd = ThreadingHTTPServer((host, port), _handler(source))
    httpd.daemon_threads = True
    return httpd


@contextmanager
def serving(source: DemoSource, port: int = 0) -> Iterator[str]:
    """Serve ``source`` on 127.0.0.1 in a thread for the ``with`` block; yields its base URL."""
    httpd = server(source, port=port)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
