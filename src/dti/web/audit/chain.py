"""The audit trail's hash chains: what an event's hash covers and how it is computed.

Each event belongs to one chain — its assessment's (``assessment:<id>``) or, for events
without an assessment, the ``global`` one — and carries its ``sequence`` in that chain (1, 2, …),
the hash of the event before it (``prev_hash``; :data:`GENESIS` for the first) and its own
``hash``: SHA-256 over a canonical serialisation of its fields and ``prev_hash``. Changing,
removing or inserting an event anywhere breaks the chain from there on.

This module is pure (no queries): the services, the data migration and ``dti_audit_verify``
all hash through :func:`event_hash`, from a model instance or from a row read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
GLOBAL = "global"

# The fields an event's hash covers, in this order (its id and own hash excepted: the id is
# assigned by the database, and the sequence within the chain does the id's job).
HASHED = (
    "chain",
    "sequence",
    "prev_hash",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "assessment_id",
    "field",
    "old",
    "new",
    "reason",
)

_EXACT_INT = 2**53


def chain_of(assessment_id: int | None) -> str:
    return GLOBAL if assessment_id is None else f"assessment:{assessment_id}"


def _canonical(value: Any) -> Any:
    """A JSON value as it reads back from any of the databases: numbers that a float holds
    exactly as small integers become ints (jsonb writes ``1e+20`` back as
    ``100000000000000000000`` and ``1.0`` may come back as ``1``), other numbers floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return str(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < _EXACT_INT:
            return int(number)
        return number
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    return str(value)


def _instant(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(values: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over: :data:`HASHED` as one JSON object."""
    document = {
        name: _instant(values[name]) if name == "at" else _canonical(values[name])
        for name in HASHED
    }
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=True
    ).encode()


def event_hash(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()
