"""What a data panel is bound to, and what the newest candidate for it is. A panel declares the kind of thing it shows
(`Panel.binds`): "dataset" (the key numbers: a ready dataset and that dataset's newest revenue forecast of the
total), "forecast", "segmentation" or "lifetime_value" (a successful model run). Saved dashboards store the choice (PanelBinding); the
newest candidate is what a panel is bound to when it is chosen, and what "Update to the run of <date>" offers."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from analysis.models import Analysis
from datasets.models import Dataset
from ventures.models import Venture

DATASET, FORECAST, SEGMENTATION, LIFETIME_VALUE = "dataset", "forecast", "segmentation", "lifetime_value"
BINDS = (DATASET, FORECAST, SEGMENTATION, LIFETIME_VALUE)


@dataclass(frozen=True)
class Bound:
    """What a panel shows: its dataset and model run (either may be None). `pinned`: chosen and stored (a saved
    dashboard); False for an unsaved dashboard, which shows the newest until someone saves it."""

    dataset: Dataset | None = None
    analysis: Analysis | None = None
    pinned: bool = True

    @property
    def ids(self) -> tuple[int | None, int | None]:
        return (self.dataset.pk if self.dataset else None, self.analysis.pk if self.analysis else None)

    @property
    def run_at(self) -> datetime | None:
        """The date of what it shows: the later of the dataset's ingest and the model run."""
        moments = [item.finished_at for item in (self.dataset, self.analysis) if item is not None and item.finished_at]
        return max(moments) if moments else None

    def stamp(self) -> str:
        """Part of the panel cache's key: changes when the binding or what it points at changes (a re-ingest)."""
        return str([(item.pk, item.finished_at) if item else None for item in (self.dataset, self.analysis)])


def revenue_forecast_of(dataset: Dataset | None) -> Analysis | None:
    """The dataset's newest successful revenue forecast of the total (not split by channel or product): what the
    key numbers' "Revenue forecast" tile shows, whatever other metric was forecast later."""
    if dataset is None:
        return None
    return (
        Analysis.objects.filter(dataset=dataset, kind=Analysis.Kind.FORECAST, status=Analysis.Status.SUCCEEDED, params__metric="revenue")
        .filter(Q(params__split_by="") | Q(params__split_by__isnull=True))
        .select_related("dataset")
        .order_by(F("finished_at").desc(nulls_last=True), "-id")
        .first()
    )


def latest_ready_dataset(venture: Venture) -> Dataset | None:
    return (
        Dataset.objects.filter(venture=venture, status=Dataset.Status.READY).order_by(F("finished_at").desc(nulls_last=True), "-id").first()
    )


def latest_run(venture: Venture, kind: str) -> Analysis | None:
    return (
        Analysis.objects.filter(dataset__venture=venture, kind=kind, status=Analysis.Status.SUCCEEDED)
        .select_related("dataset")
        .order_by(F("finished_at").desc(nulls_last=True), "-id")
        .first()
    )


def newest_for(binds: str, venture: Venture) -> Bound:
    """What a panel showing `binds` would be bound to if chosen now: the newest ready dataset / successful run."""
    if binds == DATASET:
        dataset = latest_ready_dataset(venture)
        return Bound(dataset=dataset, analysis=revenue_forecast_of(dataset))
    analysis = latest_run(venture, binds)
    return Bound(dataset=analysis.dataset if analysis else None, analysis=analysis)


def choices_for(binds: str, venture: Venture) -> list[Dataset] | list[Analysis]:
    """What an owner may bind such a panel to, newest first: ready datasets, or successful runs of the kind."""
    if binds == DATASET:
        return list(
            Dataset.objects.filter(venture=venture, status=Dataset.Status.READY).order_by(F("finished_at").desc(nulls_last=True), "-id")
        )
    return list(
        Analysis.objects.filter(dataset__venture=venture, kind=binds, status=Analysis.Status.SUCCEEDED)
        .select_related("dataset")
        .defer("result")
        .order_by(F("finished_at").desc(nulls_last=True), "-id")
    )
