from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "dti.web.results"
    label = "results"
    verbose_name = "Results"

    def ready(self) -> None:
        from dti.web.assessments.workflow import on_publication_change
        from dti.web.results.services import published_version_bump

        # Published results are cached under a per-period counter: every publication,
        # reopening and republication bumps it in its own transaction.
        on_publication_change(published_version_bump)
