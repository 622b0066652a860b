from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = _("Datasets")

    def ready(self) -> None:
        from core.files import owned_files_register
        from datasets.selectors import cohorts_storage_names, dataset_storage_names
        from ingest.arrow_memory import arrow_memory_pool_configure

        arrow_memory_pool_configure()  # before any dataset is read or written in this process
        # Deleting a dataset, or the venture or team above it, removes its upload, Parquet and cohorts (core/files.py).
        owned_files_register(
            "datasets.Dataset",
            lambda datasets: dataset_storage_names(datasets=datasets),
            owners={"ventures.Venture": "venture", "teams.Team": "venture__team"},
        )
        owned_files_register(
            "datasets.DatasetCohorts",
            lambda cohorts: cohorts_storage_names(cohorts=cohorts),
            owners={"datasets.Dataset": "dataset", "ventures.Venture": "dataset__venture", "teams.Team": "dataset__venture__team"},
        )
