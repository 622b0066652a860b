from collections.abc import Iterator

import pandas as pd
import pyarrow.parquet as pq
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.models import Analysis
from core.errors import NotFound


def analysis_list_for_user(
    *, user: User | AnonymousUser, dataset_id: int | None = None, venture_id: int | None = None
) -> QuerySet[Analysis]:
    analyses = Analysis.objects.for_user(user).select_related("dataset__venture__team")
    if dataset_id is not None:
        analyses = analyses.filter(dataset_id=dataset_id)
    if venture_id is not None:
        analyses = analyses.filter(dataset__venture_id=venture_id)
    return analyses


def analysis_get_for_user(*, user: User | AnonymousUser, analysis_id: int) -> Analysis:
    analysis = analysis_list_for_user(user=user).filter(pk=analysis_id).first()
    if analysis is None:
        raise NotFound()
    return analysis


def analysis_latest(*, venture_id: int, kind: str) -> Analysis | None:
    """The venture's most recent successful run of a kind (for its dashboard and canvas evidence)."""
    return (
        Analysis.objects.filter(dataset__venture_id=venture_id, kind=kind, status=Analysis.Status.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


FIGURE_NAMES = {
    Analysis.Kind.FORECAST: ("forecast",),
    Analysis.Kind.SEGMENTATION: ("segments", "scatter", "profiles"),
    Analysis.Kind.LIFETIME_VALUE: ("value_distribution", "value_by_segment"),
}
CUSTOMER_VALUE_COLUMNS = ("user_id", "predicted_purchases", "probability_active", "predicted_value")


def analysis_series(analysis: Analysis, key: str | None = None) -> dict:
    """One series of a finished forecast: the one named `key`, else the first (the largest by volume)."""
    series = (analysis.result or {}).get("series") or []
    if not series:
        raise NotFound()
    if key is None:
        return series[0]
    for item in series:
        if item["key"] == key:
            return item
    raise NotFound(_("This forecast has no series %(key)s.") % {"key": key})


def analysis_segments(analysis: Analysis, *, language: str) -> list[dict]:
    """The segments of a finished segmentation, each with `label`: its name in the reader's language."""
    chinese = language.lower().startswith("zh")
    return [
        {**segment, "label": segment.get("name_zh") if chinese and segment.get("name_zh") else segment["name"]}
        for segment in (analysis.result or {}).get("segments", [])
    ]


def segment_members(analysis: Analysis, segment_id: int | None = None) -> pd.DataFrame:
    """The per-user table of a segmentation (all of it, or one segment's members), read through the storage API."""
    if not analysis.members:
        raise NotFound()
    filters = [("segment_id", "=", segment_id)] if segment_id is not None else None
    with default_storage.open(analysis.members, "rb") as handle:
        return pq.read_table(handle, filters=filters).to_pandas()


def customer_values(analysis: Analysis, *, batch_rows: int = 65_536) -> Iterator[pd.DataFrame]:
    """A finished lifetime value run's per-customer predictions, a batch of rows at a time (read through the storage
    API), so a download of millions of customers holds one batch in memory."""
    if analysis.kind != Analysis.Kind.LIFETIME_VALUE or analysis.status != Analysis.Status.SUCCEEDED or not analysis.members:
        raise NotFound()  # here, before the first batch is asked for: a response must know its status before streaming
    return _batches(analysis.members, batch_rows)


def _batches(name: str, batch_rows: int) -> Iterator[pd.DataFrame]:
    with default_storage.open(name, "rb") as handle:
        for batch in pq.ParquetFile(handle).iter_batches(batch_size=batch_rows, columns=list(CUSTOMER_VALUE_COLUMNS)):
            yield batch.to_pandas()


def analysis_storage_names(*, analyses: QuerySet[Analysis]) -> list[str]:
    """The files these analyses own in storage: their segment member tables."""
    return sorted(name for name in analyses.values_list("members", flat=True) if name)
