"""``manage.py api_token USERNAME``: create an API token and print it (once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.api.models import ApiToken
from dti.web.api.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it; --list and --revoke manage them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--list", action="store_true", help="list the user's tokens")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token with PREFIX")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {options['username']!r}") from exc
        if options["list"]:
            for t in ApiToken.objects.filter(user=user):
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                self.stdout.write(f"{t.prefix}…  {state}  last used {used}  {t.name}")
            return
        if options["revoke"]:
            tokens = list(ApiToken.objects.filter(user=user, prefix=options["revoke"]))
            if len(tokens) != 1:
                raise CommandError(f"no single token of {user.username} with that prefix")
            token_revoke(actor=None, token=tokens[0])
            self.stdout.write(f"revoked {tokens[0].prefix}…")
            return
        created = token_create(actor=None, user=user, name=options["name"])
        # Only the token on stdout, so that scripts can capture it; the note goes to stderr.
        self.stdout.write(created.secret)
        self.stderr.write("Store this token now: it is shown only once.")
