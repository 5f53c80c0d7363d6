"""``manage.py dti_demo_source [--port 8765]``: the demo's local source on 127.0.0.1.

What the demo province's connectors read (:mod:`dti.web.demo.source`): the public-service
portal's statistics and the one-stop system's JSON/CSV feed of the departments with
procedures; the file drop's table is written into its folder as well. Runs until stopped
(``scripts/serve`` starts it before ``load_demo`` and stops it with the web server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dti.web.demo.scenario import MEASURED_UNITS
from dti.web.demo.source import DemoSource, drop_write, server


class Command(BaseCommand):
    help = "Serve the demo's local source (portal statistics, a JSON/CSV feed) on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        default = urlsplit(settings.DTI_DEMO_SOURCE_URL).port or 8765
        parser.add_argument("--port", type=int, default=default)

    def handle(self, *args: Any, **options: Any) -> None:
        source = DemoSource(MEASURED_UNITS)
        drop_write(source, Path(settings.VAR_DIR) / "connectors" / "hop-truc-tuyen")
        httpd = server(source, port=options["port"])
        self.stdout.write(f"Demo source at http://127.0.0.1:{httpd.server_address[1]}/")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
