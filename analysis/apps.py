from django.apps import AppConfig
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analyses")

    def ready(self) -> None:
        """Deleting a team, a venture, a dataset or an analysis removes the analyses' segment member tables
        (core/files.py): the apps below cannot ask this one directly."""
        from core.files import owned_files_register

        owned_files_register("teams.Team", _team_files)
        owned_files_register("ventures.Venture", _venture_files)
        owned_files_register("datasets.Dataset", _dataset_files)
        owned_files_register("analysis.Analysis", _analysis_files)


def _team_files(teams: QuerySet) -> list[str]:
    from analysis.models import Analysis

    return _analysis_files(Analysis.objects.filter(dataset__venture__team__in=teams))


def _venture_files(ventures: QuerySet) -> list[str]:
    from analysis.models import Analysis

    return _analysis_files(Analysis.objects.filter(dataset__venture__in=ventures))


def _dataset_files(datasets: QuerySet) -> list[str]:
    from analysis.models import Analysis

    return _analysis_files(Analysis.objects.filter(dataset__in=datasets))


def _analysis_files(analyses: QuerySet) -> list[str]:
    from analysis.selectors import analysis_storage_names

    return analysis_storage_names(analyses=analyses)
