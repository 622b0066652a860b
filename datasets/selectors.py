import json
from dataclasses import dataclass

import pandas as pd
import pyarrow.parquet as pq
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, NotFound
from core.files import owned_files
from datasets.models import Dataset, DatasetCohorts
from datasets.services import dataset_cohorts_queue
from ingest.cohorts import PERIODS, CohortTable, cohort_tables_from_json

EVENT_COLUMNS = ("user_id", "timestamp", "event", "amount", "quantity", "product", "channel")


def dataset_list_for_user(*, user: User | AnonymousUser, venture_id: int | None = None) -> QuerySet[Dataset]:
    datasets = Dataset.objects.for_user(user).select_related("venture__team")
    return datasets.filter(venture_id=venture_id) if venture_id is not None else datasets


def dataset_get_for_user(*, user: User | AnonymousUser, dataset_id: int) -> Dataset:
    dataset = dataset_list_for_user(user=user).filter(pk=dataset_id).first()
    if dataset is None:
        raise NotFound()
    return dataset


def dataset_events(dataset: Dataset, columns: tuple[str, ...] = EVENT_COLUMNS, *, categorical: tuple[str, ...] = ()) -> pd.DataFrame:
    """A ready dataset's events, read through the storage API (local or S3 alike), with only `columns` read (Parquet
    is columnar: the others cost nothing). Text columns named in `categorical` come dictionary-encoded (pandas
    Categorical): far less memory and much faster to group by than millions of Python strings."""
    with default_storage.open(dataset.parquet, "rb") as handle:
        return pq.read_table(handle, columns=list(columns), read_dictionary=list(categorical)).to_pandas()


@dataclass(frozen=True)
class CohortsPending:
    """The cohorts of a dataset's current Parquet are not there yet: `status` queued or running (with `progress`,
    0–99), or failed (with the reason in `error`)."""

    status: str
    progress: int
    error: str = ""


def dataset_cohorts(*, user: User | AnonymousUser, dataset: Dataset, period: str) -> CohortTable | CohortsPending:
    """A ready dataset's retention cohorts by `period` ("week" or "month"; ingest/cohorts.py says what they hold), or
    how their computation is going. The ingest computes them; for a Parquet ingested before that, the first read
    queues their computation on the worker (datasets.services.dataset_cohorts_queue). Another team's dataset is
    NotFound; a dataset not ready is a Conflict."""
    if period not in PERIODS:
        raise ValueError(period)
    dataset = dataset_get_for_user(user=user, dataset_id=dataset.pk)
    if dataset.status != Dataset.Status.READY or not dataset.parquet:
        raise Conflict(_("The dataset is not ready: ingest it first."), code="not_ready")
    cohorts = DatasetCohorts.objects.filter(dataset=dataset, parquet=dataset.parquet).first()
    if cohorts is None or cohorts.status == DatasetCohorts.Status.CANCELLED:
        cohorts = dataset_cohorts_queue(dataset=dataset)
    if cohorts.status != DatasetCohorts.Status.READY:
        return CohortsPending(status=cohorts.status, progress=cohorts.progress, error=cohorts.error)
    with default_storage.open(cohorts.file, "rb") as stored:
        tables = json.load(stored)
    if "partial_last" not in tables[period]:  # computed before partial periods were told apart: computed again
        cohorts = dataset_cohorts_queue(dataset=dataset, again=True)
        return CohortsPending(status=cohorts.status, progress=cohorts.progress, error=cohorts.error)
    return cohort_tables_from_json(tables)[period]


def dataset_storage_names(*, datasets: QuerySet[Dataset]) -> list[str]:
    """The files these datasets themselves hold in storage: the uploads and the Parquet files (analyses register
    their own files for a dataset in core/files.py)."""
    return sorted({name for pair in datasets.values_list("file", "parquet") for name in pair if name})


def cohorts_storage_names(*, cohorts: QuerySet[DatasetCohorts]) -> list[str]:
    return sorted(name for name in cohorts.values_list("file", flat=True) if name)


def storage_names_referenced() -> set[str]:
    """Every storage name a dataset or anything hanging off one points at (what the orphan sweep must keep)."""
    return set(owned_files(Dataset.objects.all()))
