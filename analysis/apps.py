from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analyses")

    def ready(self) -> None:
        from analysis.selectors import analysis_storage_names
        from core.files import owned_files_register

        # Deleting an analysis, or the dataset, venture or team above it, removes its segment table (core/files.py).
        owned_files_register(
            "analysis.Analysis",
            lambda analyses: analysis_storage_names(analyses=analyses),
            owners={"datasets.Dataset": "dataset", "ventures.Venture": "dataset__venture", "teams.Team": "dataset__venture__team"},
        )
