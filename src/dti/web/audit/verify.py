"""Checking the audit trail's hash chains (``manage.py dti_audit_verify``).

Every chain is read in sequence order, each event's hash recomputed from its stored fields and
compared with the stored one, its ``prev_hash`` with the hash of the event before it, its
``sequence`` with the next number; then each chain's last event is compared with the head kept
apart from it (on the assessment row, or the global head row), which tells a trail cut short
at its end. The first broken link of each broken chain is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from dti.web.assessments.models import Assessment
from dti.web.audit.chain import GENESIS, HASHED, chain_of, event_hash
from dti.web.audit.models import AuditChainHead, AuditEvent


@dataclasses.dataclass(frozen=True)
class Break:
    chain: str
    sequence: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        event = f"event {self.event_id}" if self.event_id is not None else "no event"
        return f"chain {self.chain}, sequence {self.sequence}, {event}: {self.problem}"


@dataclasses.dataclass(frozen=True)
class Verification:
    chains: int
    events: int
    breaks: list[Break]

    @property
    def intact(self) -> bool:
        return not self.breaks


def _check_link(row: dict[str, Any], expected_sequence: int, expected_prev: str) -> str | None:
    if row["sequence"] != expected_sequence:
        return f"sequence is {row['sequence']}, expected {expected_sequence} (an event is missing)"
    if row["prev_hash"] != expected_prev:
        return (
            f"prev_hash is {row['prev_hash']}, the event before has {expected_prev} "
            "(an event was removed, inserted or rewritten)"
        )
    computed = event_hash(row)
    if row["hash"] != computed:
        return (
            f"stored hash {row['hash']} differs from the hash of its fields {computed} "
            "(the event was altered)"
        )
    if row["chain"] != chain_of(row["assessment_id"]):
        return f"the event's assessment {row['assessment_id']} is not this chain's"
    return None


def _heads() -> dict[str, tuple[int, str]]:
    heads = {
        chain_of(pk): (sequence, digest)
        for pk, sequence, digest in Assessment.objects.filter(audit_sequence__gt=0).values_list(
            "pk", "audit_sequence", "audit_hash"
        )
    }
    for chain, sequence, digest in AuditChainHead.objects.values_list("chain", "sequence", "hash"):
        heads[chain] = (sequence, digest)
    return heads


def _rows() -> Iterator[dict[str, Any]]:
    fields = sorted({*HASHED, "id", "hash"})
    rows: Iterator[dict[str, Any]] = (
        AuditEvent.objects.order_by("chain", "sequence").values(*fields).iterator(chunk_size=5_000)
    )
    return rows


def audit_verify() -> Verification:
    """Every chain checked; the first broken link of each broken chain."""
    heads = _heads()
    breaks: list[Break] = []
    seen: set[str] = set()
    events = 0
    chain, sequence, prev, broken = "", 0, GENESIS, False

    def close() -> None:
        if not chain or broken:
            return
        head_sequence, head_hash = heads.get(chain, (0, GENESIS))
        if (head_sequence, head_hash) != (sequence, prev):
            breaks.append(
                Break(
                    chain,
                    head_sequence,
                    None,
                    f"the chain ends at sequence {sequence} but its head records "
                    f"sequence {head_sequence} with hash {head_hash} (events were removed "
                    "from its end, or the head was changed)",
                )
            )

    for row in _rows():
        events += 1
        if row["chain"] != chain:
            close()
            chain, sequence, prev, broken = str(row["chain"]), 0, GENESIS, False
            seen.add(chain)
        if broken:
            continue
        problem = _check_link(row, sequence + 1, prev)
        if problem is not None:
            breaks.append(Break(chain, sequence + 1, int(row["id"]), problem))
            broken = True
            continue
        sequence, prev = int(row["sequence"]), str(row["hash"])
    close()
    for missing in sorted(set(heads) - seen):
        head_sequence, _ = heads[missing]
        if head_sequence:
            breaks.append(
                Break(
                    missing,
                    1,
                    None,
                    f"the head records {head_sequence} events but the chain has none",
                )
            )
    return Verification(chains=len(seen), events=events, breaks=breaks)
