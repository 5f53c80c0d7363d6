"""The ``dti`` command line: validate, score, template, frameworks, report, summary, units.

Bad input prints every located problem to stderr and exits with status 2; nothing partial is
written (results go to a temporary file renamed into place). One module per command group:
:mod:`.frameworks` (frameworks, validate, template), :mod:`.score`, :mod:`.reports` (report,
summary) and :mod:`.units`; :mod:`.app` holds the group they register on.
"""

from dti.cli import frameworks, reports, score, units  # noqa: F401  (they register the commands)
from dti.cli.app import main

__all__ = ["main"]
