"""The engine stands alone: no Django, and its public names exist."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import dti.engine


def test_importing_the_engine_does_not_import_django() -> None:
    code = (
        "import json, sys\n"
        "import dti.engine\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("name", dti.engine.__all__)
def test_public_name_exists(name: str) -> None:
    assert getattr(dti.engine, name) is not None


def test_public_names_are_unique_and_include_the_entry_points() -> None:
    names = dti.engine.__all__
    assert len(set(names)) == len(names)
    assert {"score", "load_framework", "parse_framework", "DataError", "FrameworkError"} <= set(
        names
    )
