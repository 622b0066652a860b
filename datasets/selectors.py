import pandas as pd
import pyarrow.parquet as pq
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from accounts.models import User
from core.errors import NotFound
from core.files import owned_files
from datasets.models import Dataset

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


def dataset_storage_names(*, datasets: QuerySet[Dataset]) -> list[str]:
    """The files these datasets themselves hold in storage: the uploads and the Parquet files (analyses register
    their own files for a dataset in core/files.py)."""
    return sorted({name for pair in datasets.values_list("file", "parquet") for name in pair if name})


def storage_names_referenced() -> set[str]:
    """Every storage name a dataset or anything hanging off one points at (what the orphan sweep must keep)."""
    return set(owned_files(Dataset.objects.all()))
