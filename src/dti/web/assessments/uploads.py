"""Checking an evidence file's real type from its bytes (puremagic), not from its name, and an
Office document's structure (:mod:`dti.io.ooxml`: no macros, no embedded executables)."""

from __future__ import annotations

from pathlib import Path

import puremagic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dti.io.ooxml import MAIN_PARTS, OfficeDocumentError, check_office_package
from dti.web.errors import InvalidInput

# Families of extensions puremagic may confuse with each other (an .xlsx read as a .docx); an
# Office document's own type is then settled by its structure (check_office_document).
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


# The refusals of dti.io.ooxml, repeated as literals so that makemessages finds them (a test
# checks that both lists agree).
OFFICE_MESSAGES = (
    gettext_noop(
        "%(name)s is not a valid Office document: it cannot be opened as an Office Open XML "
        "package."
    ),
    gettext_noop("%(name)s has too many parts (%(count)s) to be checked."),
    gettext_noop("%(name)s contains a part with an unsafe path (%(member)s)."),
    gettext_noop("%(name)s contains an encrypted part (%(member)s) that cannot be checked."),
    gettext_noop(
        "%(name)s contains macros (%(member)s). Save it as a document without macros "
        "(.docx, .xlsx, .pptx) and upload it again."
    ),
    gettext_noop("%(name)s contains an executable file (%(member)s) and was refused."),
    gettext_noop("%(name)s is not a valid Office document: [Content_Types].xml is missing."),
    gettext_noop(
        "%(name)s is not a valid Office document: [Content_Types].xml cannot be read safely."
    ),
    gettext_noop("%(name)s is not a valid %(kind)s document: its main part %(member)s is missing."),
    gettext_noop(
        "%(name)s is not a valid %(kind)s document: its main part has the content type %(type)s."
    ),
)


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


def check_office_document(path: Path, claimed_name: str) -> str | None:
    """For a .docx, .xlsx or .pptx: its MIME type once :func:`check_office_package` passes
    (raises :class:`InvalidInput` with the refusal in the user's language); ``None`` for any
    other type."""
    kind = Path(claimed_name).suffix.lower()
    if kind not in MAIN_PARTS:
        return None
    try:
        return check_office_package(path, kind=kind, name=claimed_name)
    except OfficeDocumentError as exc:
        raise InvalidInput(_(exc.message) % exc.params) from exc
