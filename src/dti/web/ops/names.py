"""Upload file names: refused, not silently repaired, when they carry paths or control characters.

Django's multipart parser already keeps only the last path component of a browser's file name;
this check also guards the services when they are called by the API or a command.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from dti.web.errors import InvalidInput

MAX_NAME_LENGTH = 200


def checked_upload_name(name: str | None) -> str:
    """``name`` unchanged if it is a plain file name; else :class:`InvalidInput` saying why."""
    name = name or ""
    shown = name.encode("unicode_escape").decode("ascii")[:80]
    if "/" in name or "\\" in name or ".." in name:
        raise InvalidInput(
            _("The file name %(name)s contains a path; rename the file and upload it again.")
            % {"name": shown}
        )
    if not name.strip() or name.strip(". ") == "":
        raise InvalidInput(_("The file has no name."))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InvalidInput(
            _(
                "The file name %(name)s contains control characters; "
                "rename the file and upload it again."
            )
            % {"name": shown}
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            _("The file name is longer than %(n)s characters.") % {"n": MAX_NAME_LENGTH}
        )
    return name
