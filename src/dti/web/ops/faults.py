"""A deterministic pause inside a transaction, for the crash tests only.

When ``DTI_FAULT_PAUSE`` names a point (``import``, ``submit``, ``publish``, ``save``,
``period-import``, ``evidence``), the process reaching it writes the file ``DTI_FAULT_MARKER``
and sleeps ``DTI_FAULT_SLEEP`` seconds (default 30) while its transaction is open, so a test can
SIGKILL it at a known place. Unset, the call costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("DTI_FAULT_PAUSE") != name:
        return
    marker = os.environ.get("DTI_FAULT_MARKER")
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("DTI_FAULT_SLEEP", "30")))
