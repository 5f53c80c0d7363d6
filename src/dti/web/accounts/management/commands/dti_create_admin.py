"""``manage.py dti_create_admin``: the first admin of a province, on an empty database.

    manage.py dti_create_admin --province quang-nam --province-name "Quảng Nam" \
        --username qn-admin --email it@skhcn.quangnam.gov.vn [--full-name "…"] \
        [--password-stdin | --link https://dti.example.gov.vn]

The password is asked twice at a prompt (never echoed, never on the command line), or read
from the first line of standard input with ``--password-stdin`` (for scripts). With ``--link``
no password is set: the command prints a one-time set-password link under that address
(Django's password-reset token) for the new admin to open. Nothing secret is printed otherwise.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.accounts.first_admin import first_admin_create, set_password_path
from dti.web.errors import InvalidInput


class Command(BaseCommand):
    help = "Create the first admin of a province (and the province if missing); audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="the province's code (a slug)")
        parser.add_argument("--province-name", default="", help="its name, for a new province")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", default="")
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        how.add_argument(
            "--link",
            metavar="BASE_URL",
            help="set no password; print a one-time set-password link under BASE_URL",
        )

    def _password(self, options: dict[str, Any]) -> str | None:
        if options["link"]:
            return None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("An empty password.")
        return password

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options)
        try:
            made = first_admin_create(
                province_code=options["province"],
                province_name=options["province_name"],
                username=options["username"],
                email=options["email"],
                password=password,
                full_name=options["full_name"],
            )
        except InvalidInput as error:
            raise CommandError("\n".join([error.message, *error.problems])) from error
        province = made.province
        note = " (new)" if made.province_created else ""
        self.stdout.write(
            f"Admin {made.user.username} of {province.name} [{province.code}]{note} created."
        )
        if options["link"]:
            base = options["link"].rstrip("/")
            self.stdout.write(f"Set the password (one time): {base}{set_password_path(made.user)}")
