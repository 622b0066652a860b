from django.apps import AppConfig
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Datasets and analyses")

    def ready(self) -> None:
        from analysis.arrow_memory import arrow_memory_pool_configure

        arrow_memory_pool_configure()  # before any dataset is read or written in this process
        self._register_owned_files()

    def _register_owned_files(self) -> None:
        """Tell core/files.py which files rows own, so that deleting a team, a venture, a dataset or an analysis
        removes them (teams and ventures sit below analysis and cannot ask it directly)."""
        from core.files import owned_files_register

        owned_files_register("teams.Team", _team_files)
        owned_files_register("ventures.Venture", _venture_files)
        owned_files_register("analysis.Dataset", _dataset_files)
        owned_files_register("analysis.Analysis", _analysis_files)


def _team_files(teams: QuerySet) -> list[str]:
    from analysis.models import Dataset

    return _dataset_files(Dataset.objects.filter(venture__team__in=teams))


def _venture_files(ventures: QuerySet) -> list[str]:
    from analysis.models import Dataset

    return _dataset_files(Dataset.objects.filter(venture__in=ventures))


def _dataset_files(datasets: QuerySet) -> list[str]:
    from analysis.selectors import dataset_storage_names

    return dataset_storage_names(datasets=datasets)


def _analysis_files(analyses: QuerySet) -> list[str]:
    from analysis.selectors import analysis_storage_names

    return analysis_storage_names(analyses=analyses)
