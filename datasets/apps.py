from django.apps import AppConfig
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = _("Datasets")

    def ready(self) -> None:
        from core.files import owned_files_register
        from ingest.arrow_memory import arrow_memory_pool_configure

        arrow_memory_pool_configure()  # before any dataset is read or written in this process
        # Deleting a team, a venture or a dataset removes the uploads and Parquet files (core/files.py): teams and
        # ventures sit below datasets and cannot ask it directly.
        owned_files_register("teams.Team", _team_files)
        owned_files_register("ventures.Venture", _venture_files)
        owned_files_register("datasets.Dataset", _dataset_files)


def _team_files(teams: QuerySet) -> list[str]:
    from datasets.models import Dataset

    return _dataset_files(Dataset.objects.filter(venture__team__in=teams))


def _venture_files(ventures: QuerySet) -> list[str]:
    from datasets.models import Dataset

    return _dataset_files(Dataset.objects.filter(venture__in=ventures))


def _dataset_files(datasets: QuerySet) -> list[str]:
    from datasets.selectors import dataset_storage_names

    return dataset_storage_names(datasets=datasets)
