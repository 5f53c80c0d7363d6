"""Connectors: reading the systems that hold measured values (no Django).

    fetching   a source's pages over HTTP (JSON or CSV, paginated), each kept as received
    portal     the public-service portal's per-unit statistics (a preset of fetching)
    files      a file drop: the newest CSV/XLSX of a folder, or an uploaded one
    mapping    records → the values table the engine scores (unit code ↔ source unit id,
               indicator ↔ field, numerator/denominator)

Every problem is a :class:`SourceError` (a :class:`~dti.engine.DataError` whose problems are
codes, located by page and record); ``transient`` says whether trying again may help (a
timeout, a 5xx, a partial page), so the task queue retries only those.
"""

from dti.io.connectors.fetching import (
    Fetched,
    HttpSource,
    Page,
    Record,
    SourceError,
    fetch_http,
)
from dti.io.connectors.files import fetch_file, newest_file
from dti.io.connectors.mapping import Mapping, Wanted, measured_frame
from dti.io.connectors.portal import PORTAL_FIELDS, PORTAL_UNIT_KEY, fetch_portal, portal_source

__all__ = [
    "PORTAL_FIELDS",
    "PORTAL_UNIT_KEY",
    "Fetched",
    "HttpSource",
    "Mapping",
    "Page",
    "Record",
    "SourceError",
    "Wanted",
    "fetch_file",
    "fetch_http",
    "fetch_portal",
    "measured_frame",
    "newest_file",
    "portal_source",
]
