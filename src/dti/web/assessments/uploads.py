"""Checking an evidence file's real type from its bytes (puremagic), not from its name."""

from __future__ import annotations

from pathlib import Path

import puremagic

# Families of interchangeable extensions: a .docx that is really a .xlsx is harmless, a .pdf
# that is really an executable is not.
FAMILIES: dict[str, frozenset[str]] = {
    "pdf": frozenset({".pdf"}),
    "image": frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"}),
    "ooxml": frozenset({".docx", ".xlsx", ".pptx"}),
    "ole": frozenset({".doc", ".xls", ".ppt"}),
    "odf": frozenset({".odt", ".ods", ".odp"}),
}
ALLOWED_EXTENSIONS = frozenset().union(*FAMILIES.values())
# Matches below this confidence come from the file name alone, not from the content.
_CONTENT_CONFIDENCE = 0.4


def family_of(extension: str) -> str | None:
    return next((name for name, exts in FAMILIES.items() if extension in exts), None)


def detect_type(path: Path, claimed_name: str) -> tuple[str, str] | None:
    """The (extension, MIME type) the content proves, if it fits the claimed name; else None."""
    claimed = Path(claimed_name).suffix.lower()
    family = family_of(claimed)
    if family is None:
        return None
    try:
        matches = puremagic.magic_file(str(path))
    except (puremagic.PureError, OSError, ValueError):
        return None
    for match in matches:
        extension = match.extension.lower()
        if match.confidence >= _CONTENT_CONFIDENCE and extension in FAMILIES[family]:
            return extension, match.mime_type or "application/octet-stream"
    return None
