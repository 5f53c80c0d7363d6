"""``manage.py load_demo``: the seed datasets as published and Quảng Nam's 2025 reorganisation.

Idempotent: units, lineage, accounts and periods that exist already are kept, so running it
again (``scripts/serve`` does at every start) only adds what is missing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from dti.web.demo import DEMO_PROVINCE_ACCOUNTS, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: Quảng Nam 2020 and 2022, Lào Cai 2022-2023, Gia Viễn 2022 as "
        "published, Quảng Nam's 2025 reorganisation, and one account per role."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        self.stdout.write("Loading the demo (skipping what is already loaded)…")
        demo_load(log=self.stdout.write)
        self.stdout.write(f"Demo ready in {time.monotonic() - started:.0f} s.")
        self.stdout.write(
            "Demo accounts (user / password / role, province; roles are per province):"
        )
        for (_code, province), accounts in DEMO_PROVINCE_ACCOUNTS:
            for username, password, role, unit, _name in accounts:
                where = f" — {unit}" if unit else ""
                self.stdout.write(
                    f"  {username:<12} {password:<20} {role.label}, {province}{where}"
                )
