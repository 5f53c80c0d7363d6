"""Is this ZIP really the Office Open XML document it claims to be, and a harmless one?

Every Office upload (.docx, .xlsx, .pptx: evidence files and the workbooks the platform reads)
passes :func:`check_office_package` before it is stored or read. It works on the archive's
directory and on a few bounded reads only, never inflating a member whole:

* the archive opens, holds at most :data:`MAX_MEMBERS` members, none encrypted, none with an
  absolute or ``..`` path;
* no VBA project (``vbaProject.bin`` anywhere, a macro-enabled or VBA content type: a .docm,
  .xlsm or .pptm renamed) and no Excel 4.0 macro sheet;
* no embedded executable: a member named like one (.exe, .dll, .js, .ps1, ...) or whose first
  bytes are a Windows (``MZ``), ELF, Mach-O or Java class header;
* ``[Content_Types].xml`` exists, is small, and parses through defusedxml with no DTD (no
  entities, no external references);
* the claimed type's main part exists (``word/document.xml``, ``xl/workbook.xml``,
  ``ppt/presentation.xml``) with that type's main content type.

A refusal is an :class:`OfficeDocumentError`: an English message with ``%(...)s`` fields (all listed
in :data:`MESSAGES`, so that the web can translate them with gettext) and their values, which
are file and member names only.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Final

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

__all__ = [
    "EXECUTABLE_SUFFIXES",
    "MAIN_PARTS",
    "MAX_MEMBERS",
    "MESSAGES",
    "OfficeDocumentError",
    "check_office_package",
    "check_office_zip",
]

CONTENT_TYPES: Final = "[Content_Types].xml"
_NS: Final = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# Claimed extension -> (main part, its content type, the MIME type of the whole file).
MAIN_PARTS: Final[Mapping[str, tuple[str, str, str]]] = {
    ".docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
MAX_MEMBERS: Final = 10_000
MAX_CONTENT_TYPES_BYTES: Final = 1024 * 1024
EXECUTABLE_SUFFIXES: Final = frozenset(
    {
        ".exe", ".dll", ".bat", ".cmd", ".com", ".scr", ".js", ".jse", ".vbs", ".vbe", ".ps1",
        ".msi", ".msp", ".jar", ".hta", ".wsf", ".pif", ".cpl", ".lnk", ".sh",
    }
)  # fmt: skip
# First bytes of native executables: PE (MZ), ELF, Mach-O (both byte orders, 32/64-bit) and
# Java class files / fat Mach-O (CAFEBABE).
_EXECUTABLE_MAGIC: Final = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_MAGIC_BYTES: Final = max(len(m) for m in _EXECUTABLE_MAGIC)
# Content types that carry code: macro-enabled main parts (.docm/.xlsm/.pptm and their
# templates, add-ins, .xlsb), the VBA project itself and Excel 4.0 macro sheets.
_MACRO_MARKERS: Final = ("macroenabled", "vbaproject", "vbadata", "macrosheet", "ms-office.vba")

NOT_A_PACKAGE: Final = (
    "%(name)s is not a valid Office document: it cannot be opened as an Office Open XML package."
)
TOO_MANY_PARTS: Final = "%(name)s has too many parts (%(count)s) to be checked."
UNSAFE_PATH: Final = "%(name)s contains a part with an unsafe path (%(member)s)."
ENCRYPTED_PART: Final = "%(name)s contains an encrypted part (%(member)s) that cannot be checked."
MACROS: Final = (
    "%(name)s contains macros (%(member)s). Save it as a document without macros "
    "(.docx, .xlsx, .pptx) and upload it again."
)
EXECUTABLE: Final = "%(name)s contains an executable file (%(member)s) and was refused."
NO_CONTENT_TYPES: Final = "%(name)s is not a valid Office document: [Content_Types].xml is missing."
BAD_CONTENT_TYPES: Final = (
    "%(name)s is not a valid Office document: [Content_Types].xml cannot be read safely."
)
MISSING_MAIN_PART: Final = (
    "%(name)s is not a valid %(kind)s document: its main part %(member)s is missing."
)
WRONG_MAIN_TYPE: Final = (
    "%(name)s is not a valid %(kind)s document: its main part has the content type %(type)s."
)
MESSAGES: Final = (
    NOT_A_PACKAGE,
    TOO_MANY_PARTS,
    UNSAFE_PATH,
    ENCRYPTED_PART,
    MACROS,
    EXECUTABLE,
    NO_CONTENT_TYPES,
    BAD_CONTENT_TYPES,
    MISSING_MAIN_PART,
    WRONG_MAIN_TYPE,
)

# Each refusal's code in the problem catalogue (dti.engine.messages), where a workbook's
# refusal is reported as a problem.
CODES: Final = {
    NOT_A_PACKAGE: "office_not_a_package",
    TOO_MANY_PARTS: "office_too_many_parts",
    UNSAFE_PATH: "office_unsafe_path",
    ENCRYPTED_PART: "office_encrypted_part",
    MACROS: "office_macros",
    EXECUTABLE: "office_executable",
    NO_CONTENT_TYPES: "office_no_content_types",
    BAD_CONTENT_TYPES: "office_bad_content_types",
    MISSING_MAIN_PART: "office_missing_main_part",
    WRONG_MAIN_TYPE: "office_wrong_main_type",
}


class OfficeDocumentError(Exception):
    """Why an Office upload was refused: ``message`` (one of :data:`MESSAGES`) and ``params``."""

    def __init__(self, message: str, **params: str) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params)

    @property
    def code(self) -> str:
        return CODES[self.message]


# What a damaged archive raises while its directory or a member's first bytes are read.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def check_office_package(source: str | Path | IO[bytes], *, kind: str, name: str) -> str:
    """Raise :class:`OfficeDocumentError` unless ``source`` is a macro-free, executable-free
    Office Open XML document of ``kind`` (``.docx``, ``.xlsx`` or ``.pptx``); return its MIME
    type."""
    try:
        with zipfile.ZipFile(source) as archive:
            check_office_zip(archive, kind=kind, name=name)
    except _DAMAGED as exc:
        raise OfficeDocumentError(NOT_A_PACKAGE, name=name) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return MAIN_PARTS[kind.lower()][2]


def check_office_zip(archive: zipfile.ZipFile, *, kind: str, name: str) -> None:
    """:func:`check_office_package` on an archive already open."""
    try:
        _check(archive, kind.lower(), name)
    except _DAMAGED as exc:  # a member's header or data is damaged
        raise OfficeDocumentError(NOT_A_PACKAGE, name=name) from exc


def _check(archive: zipfile.ZipFile, kind: str, name: str) -> None:
    main_part, main_type, _ = MAIN_PARTS[kind]
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise OfficeDocumentError(TOO_MANY_PARTS, name=name, count=str(len(infos)))
    for info in infos:
        _check_member(archive, info, name)
    types = _content_types(archive, name)
    for part, content_type in types.items():
        if any(marker in content_type.lower() for marker in _MACRO_MARKERS):
            raise OfficeDocumentError(MACROS, name=name, member=f"{part}: {content_type}")
    if main_part not in {info.filename for info in infos}:
        raise OfficeDocumentError(MISSING_MAIN_PART, name=name, kind=kind, member=main_part)
    declared = types.get(main_part, "")
    if declared != main_type:
        raise OfficeDocumentError(WRONG_MAIN_TYPE, name=name, kind=kind, type=declared or "(none)")


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    member = info.filename
    parts = member.replace("\\", "/").split("/")
    if (
        member.startswith(("/", "\\"))
        or (len(member) > 1 and member[1] == ":")  # a Windows drive
        or ".." in parts
        or "\x00" in member
    ):
        raise OfficeDocumentError(UNSAFE_PATH, name=name, member=member)
    if info.is_dir():
        return
    base = PurePosixPath(parts[-1].lower())
    if base.name == "vbaproject.bin" or base.name.startswith("vbaproject"):
        raise OfficeDocumentError(MACROS, name=name, member=member)
    if base.suffix in EXECUTABLE_SUFFIXES:
        raise OfficeDocumentError(EXECUTABLE, name=name, member=member)
    if info.flag_bits & 0x1:
        raise OfficeDocumentError(ENCRYPTED_PART, name=name, member=member)
    if info.file_size == 0:
        return
    with archive.open(info) as handle:  # a few bytes only, whatever the member inflates to
        head = handle.read(_MAGIC_BYTES)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise OfficeDocumentError(EXECUTABLE, name=name, member=member)


def _content_types(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Part name (no leading slash) -> content type, from the overrides and, for the parts the
    archive holds, the defaults by extension."""
    try:
        info = archive.getinfo(CONTENT_TYPES)
    except KeyError:
        raise OfficeDocumentError(NO_CONTENT_TYPES, name=name) from None
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise OfficeDocumentError(BAD_CONTENT_TYPES, name=name)
    with archive.open(info) as handle:
        data = handle.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(data) > MAX_CONTENT_TYPES_BYTES:
        raise OfficeDocumentError(BAD_CONTENT_TYPES, name=name)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise OfficeDocumentError(BAD_CONTENT_TYPES, name=name) from exc
    if root.tag != f"{_NS}Types":
        raise OfficeDocumentError(BAD_CONTENT_TYPES, name=name)
    defaults: dict[str, str] = {}
    types: dict[str, str] = {}
    for element in root:
        content_type = str(element.get("ContentType") or "")
        if element.tag == f"{_NS}Default":
            defaults[str(element.get("Extension") or "").lower()] = content_type
        elif element.tag == f"{_NS}Override":
            types[str(element.get("PartName") or "").lstrip("/")] = content_type
    for member in archive.namelist():
        suffix = PurePosixPath(member).suffix.lower().lstrip(".")
        if member not in types and suffix in defaults:
            types[member] = defaults[suffix]
    # A default no member uses still declares what the package may hold (e.g. "bin" as a VBA
    # project): refused as well, under a pseudo part name.
    for extension, content_type in defaults.items():
        types.setdefault(f"*.{extension}", content_type)
    return types
