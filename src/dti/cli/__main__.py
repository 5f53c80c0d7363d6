"""``python -m dti.cli``: the same as the ``dti`` command."""

from dti.cli import main

main()
