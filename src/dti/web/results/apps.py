from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "dti.web.results"
    label = "results"
    verbose_name = "Results"

    def ready(self) -> None:
        # Published pages are cached under a per-period counter: every transition that enters
        # or leaves "published" bumps it, in the transition's own transaction.
        from dti.web.assessments.workflow import on_publication_change
        from dti.web.results.services import published_version_bump

        on_publication_change(lambda period_id: published_version_bump(period_id=period_id))
