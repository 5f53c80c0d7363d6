"""Fuzzing the readers: hostile and malformed inputs through every reader of outside files.

    .venv/bin/python benchmarks/fuzz_readers.py                 # 10 minutes
    .venv/bin/python benchmarks/fuzz_readers.py --seconds 60    # a shorter run

Hypothesis generates inputs — random bytes, CSV tables built from the readers' own column names
with hostile cells, mutations of real workbooks (byte flips, truncations, members swapped or
inflated inside the ZIP), mutations of a shipped framework's YAML (nesting, huge numbers, tags,
duplicated keys) — and feeds them to the values, units and lineage readers
(:mod:`dti.io.tables`) and to the framework loader (:func:`dti.engine.load_framework`). The
product's own refusals (:class:`dti.engine.DtiError`: a located, user-facing problem) are the
expected outcome; any other exception is a finding: it is printed with its input's digest and
the input is kept under ``artifacts/fuzz/`` to reproduce. Bounded in time (``--seconds``) and
per input (at most 256 KB), the run ends with ``N passed, M failed`` (inputs, findings) and exit
status 1 if anything was found.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dti.engine import DtiError, load_framework
from dti.io.tables import read_lineage, read_units, read_values
from dti.io.template import write_template

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "artifacts" / "fuzz"
FRAMEWORK = REPO / "src" / "dti" / "frameworks" / "ict-2020.yaml"
MAX_INPUT = 256 * 1024

VALUE_COLUMNS = ["unit", "period", "indicator", "value", "denominator", "applicable", "note"]
UNIT_COLUMNS = ["unit", "name", "group", "parent", "predecessors", "valid_from", "valid_to"]
LINEAGE_COLUMNS = ["date", "kind", "from", "to", "weight", "basis"]
HOSTILE_CELLS = [
    "",
    "0",
    "1.800",
    "0.727",
    "1.234,5",
    "12,5",
    "-0.125",
    "có",
    "không",
    "85%",
    "1e309",
    "nan",
    "inf",
    "9" * 5000,
    "=cmd|' /C calc'!A0",
    "\x00",
    "\ufeff",
    "2025-02-30",
    "31/12/2024",
    "merge",
    "split",
    "a" * 10_000,
    '"',
    "\r\n",
]


def _template_bytes() -> bytes:
    framework = load_framework(FRAMEWORK)
    group = framework.groups[0].code
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(framework, group, Path(tmp) / "t.xlsx", unit="U1", period="2024")
        return path.read_bytes()


TEMPLATE = _template_bytes()
FRAMEWORK_TEXT = FRAMEWORK.read_text(encoding="utf-8")


def _csv(columns: list[str]) -> st.SearchStrategy[bytes]:
    cell = st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=40))
    header = st.lists(st.sampled_from([*columns, "", "x"]), min_size=1, max_size=len(columns) + 2)

    def table(draw_header: list[str], rows: list[list[str]], sep: str) -> bytes:
        lines = [sep.join(draw_header)] + [sep.join(r) for r in rows]
        return "\n".join(lines).encode("utf-8", "surrogatepass")

    return st.builds(
        table,
        header,
        st.lists(st.lists(cell, max_size=len(columns) + 2), max_size=30),
        st.sampled_from([",", ";", "\t"]),
    )


@st.composite
def _mutated_zip(draw: st.DrawFn) -> bytes:
    """The real template, then damaged: bytes flipped, cut short, or its members rewritten."""
    how = draw(st.sampled_from(["flip", "truncate", "members"]))
    data = bytearray(TEMPLATE)
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    if how == "flip":
        for _ in range(draw(st.integers(1, 50))):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        return bytes(data)
    if how == "truncate":
        return bytes(data[: rnd.randrange(len(data))])
    source = zipfile.ZipFile(io.BytesIO(TEMPLATE))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            choice = draw(st.sampled_from(["keep", "keep", "drop", "garbage", "inflate"]))
            if choice == "drop":
                continue
            if choice == "garbage":
                body = draw(st.binary(max_size=2000))
            elif choice == "inflate" and info.filename.endswith(".xml"):
                # A declared dimension far past the data, as the memory attack did.
                body = body.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="')
            target.writestr(info.filename, body)
    return out.getvalue()


@st.composite
def _mutated_yaml(draw: st.DrawFn) -> bytes:
    lines = FRAMEWORK_TEXT.splitlines()
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 8))):
        i = rnd.randrange(len(lines))
        edit = draw(
            st.sampled_from(
                [
                    "delete",
                    "duplicate",
                    "nest",
                    "number",
                    "tag",
                    "text",
                    "indent",
                ]
            )
        )
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "nest":
            depth = draw(st.integers(1, 5000))
            lines[i] = lines[i] + " " + "[" * depth + "]" * depth
        elif edit == "number":
            lines[i] = lines[i].split(":")[0] + ": " + draw(st.sampled_from(HOSTILE_CELLS))
        elif edit == "tag":
            lines[i] = lines[i] + " !!python/object:os.system"
        elif edit == "text":
            lines[i] = draw(st.text(max_size=80))
        else:
            lines[i] = " " * draw(st.integers(0, 12)) + lines[i].lstrip()
    return "\n".join(lines).encode("utf-8", "surrogatepass")


Reader = Callable[[Path], object]
TARGETS: dict[str, tuple[Reader, str, st.SearchStrategy[bytes]]] = {
    "values-csv": (read_values, ".csv", _csv(VALUE_COLUMNS)),
    "values-xlsx": (read_values, ".xlsx", _mutated_zip()),
    "values-bytes": (read_values, ".xlsx", st.binary(max_size=4096)),
    "units-csv": (read_units, ".csv", _csv(UNIT_COLUMNS)),
    "units-xlsx": (read_units, ".xlsx", _mutated_zip()),
    "lineage-csv": (read_lineage, ".csv", _csv(LINEAGE_COLUMNS)),
    "framework-yaml": (load_framework, ".yaml", _mutated_yaml()),
    "framework-bytes": (load_framework, ".yaml", st.binary(max_size=4096)),
}


def _round(
    name: str,
    tmp: Path,
    deadline: float,
    tried: Counter[str],
    refused: Counter[str],
    findings: dict[str, str],
) -> Callable[[], None]:
    """One round of Hypothesis inputs for the reader ``name``."""
    reader, suffix, strategy = TARGETS[name]
    path = tmp / f"input{suffix}"

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        data = data[:MAX_INPUT]
        tried[name] += 1
        path.write_bytes(data)
        try:
            reader(path)
        except DtiError:
            refused[name] += 1
        except Exception as exc:
            digest = hashlib.sha256(data).hexdigest()[:16]
            key = f"{name}:{type(exc).__name__}:{exc}"[:200]
            if key not in findings:
                findings[key] = digest
                (OUT / f"{name}-{digest}{suffix}").write_bytes(data)
                print(f"FINDING {name} {digest}: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=4)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tried: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    findings: dict[str, str] = {}
    deadline = time.monotonic() + args.seconds
    names = list(TARGETS)
    rounds = 0
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            name = names[rounds % len(names)]
            rounds += 1
            run = _round(name, Path(tmp), deadline, tried, refused, findings)
            run()
    total = sum(tried.values())

    print(f"\n{'reader':16} {'inputs':>8} {'refused':>8}")
    for name in names:
        print(f"{name:16} {tried[name]:>8,} {refused[name]:>8,}")
    print(
        f"\ninputs tried: {total:,} in {args.seconds:.0f} s; "
        f"findings (not DtiError): {len(findings)}"
    )
    print(f"{total - len(findings)} passed, {len(findings)} failed")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
