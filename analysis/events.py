"""Read a ready dataset's normalised events back from storage (local files or S3 alike: through Django's storage
API, never a local path), for the models and the figures."""

import pandas as pd
import pyarrow.parquet as pq
from django.core.files.storage import default_storage

from analysis.models import Dataset

EVENT_COLUMNS = ("user_id", "timestamp", "event", "amount", "quantity", "product", "channel")


def dataset_events(dataset: Dataset, columns: tuple[str, ...] = EVENT_COLUMNS, *, categorical: tuple[str, ...] = ()) -> pd.DataFrame:
    """The events as a DataFrame with only `columns` read (Parquet is columnar: the others cost nothing). Text
    columns named in `categorical` come dictionary-encoded (pandas Categorical): far less memory and much faster to
    group by than millions of Python strings."""
    with default_storage.open(dataset.parquet, "rb") as handle:
        return pq.read_table(handle, columns=list(columns), read_dictionary=list(categorical)).to_pandas()
