"""The pluggable virus-scanning hook for uploads (off unless ``DTI_UPLOAD_SCAN_HOOK`` is set).

``DTI_UPLOAD_SCAN_HOOK`` is the dotted path of a callable ``hook(path: Path, name: str)`` that
returns ``None`` for a clean file or a short reason (e.g. the signature's name) for an infected
one; it may raise, and a hook that fails refuses the file (fail closed). A province with ClamAV
points it at a wrapper around ``clamdscan``; :func:`eicar_hook` is the test double.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dti.web.errors import InvalidInput

ScanHook = Callable[[Path, str], str | None]
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def scan_hook() -> ScanHook | None:
    dotted = getattr(settings, "DTI_UPLOAD_SCAN_HOOK", None)
    if not dotted:
        return None
    hook: ScanHook = import_string(dotted)
    return hook


def scan_upload(path: Path, name: str) -> None:
    """Raise :class:`InvalidInput` when the configured hook finds (or fails to rule out) malware."""
    hook = scan_hook()
    if hook is None:
        return
    try:
        found = hook(path, name)
    except Exception as exc:  # any failure of the scanner refuses the file
        raise InvalidInput(
            _("The file %(name)s could not be checked for viruses; try again later.")
            % {"name": name}
        ) from exc
    if found:
        raise InvalidInput(
            _("The file %(name)s is infected (%(found)s) and was refused.")
            % {"name": name, "found": found}
        )


def eicar_hook(path: Path, name: str) -> str | None:
    """Finds the EICAR test string anywhere in the first 1 MB (tests and smoke checks)."""
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    return "EICAR-Test-File" if EICAR in head else None
