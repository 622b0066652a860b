import factory
from django.utils import timezone

from analysis.models import Analysis
from core.tokens import token_new
from dashboards.models import Dashboard, ShareLink
from datasets.models import Dataset
from tests.ventures.factories import VentureFactory


class DashboardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dashboard

    venture = factory.SubFactory(VentureFactory)
    layout = factory.LazyFunction(lambda: ["key_numbers", "swot"])


class ShareLinkFactory(factory.django.DjangoModelFactory):
    """A share link; its clear token (never stored) is on the instance as `.token`."""

    class Meta:
        model = ShareLink

    venture = factory.SubFactory(VentureFactory)
    label = "For investors"

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> ShareLink:
        token, digest = token_new()
        link = super()._create(model_class, *args, token_hash=digest, **kwargs)
        link.token = token
        return link


def ready_dataset(venture: object, *, users: int = 120, summary: dict | None = None, name: str = "Orders 2025") -> Dataset:
    """A dataset as the worker leaves it: ready, with the report's aggregates (no file needed by dashboards)."""
    summary = summary or {
        # Monday 2025-01-06 to Sunday 2025-01-19: two complete weeks, then two days of a third.
        "daily": {
            "day": [f"2025-01-{day:02d}" for day in range(6, 22)],
            "events": [10] * 16,
            "revenue": [100.0] * 7 + [50.0] * 7 + [999.0, 999.0],
        },
        "weekly_users": {"week": ["2025-01-06", "2025-01-13", "2025-01-20"], "new": [30, 10, 5], "returning": [0, 20, 20]},
        "top_events": {"name": [], "count": []},
        "channels": {"name": [], "count": []},
    }
    return Dataset.objects.create(
        venture=venture,
        name=name,
        file="datasets/x.upload",
        original_name="orders.csv",
        status=Dataset.Status.READY,
        report={"users": users, "summary": summary},
        finished_at=timezone.now(),
    )


def forecast_run(dataset: Dataset, *, metric: str = "revenue", frequency: str = "W", yhat: float = 115.0, split_by: str = "") -> Analysis:
    """A successful forecast as the worker leaves it (finished now: later runs are newer), one series of the total
    unless split."""
    series = {
        "key": "web" if split_by else "total",
        "model": "AutoETS",
        "reason": "single_best",
        "members": ["AutoETS"],
        "horizon": 2,
        "history": [["2025-01-06", 100.0], ["2025-01-13", 120.0], ["2025-01-20", 110.0]],
        "forecast": [
            {"ds": "2025-01-27", "yhat": yhat, "lo80": yhat - 15, "hi80": yhat + 15, "lo95": yhat - 25, "hi95": yhat + 25},
            {"ds": "2025-02-03", "yhat": yhat + 1, "lo80": yhat - 16, "hi80": yhat + 18, "lo95": yhat - 27, "hi95": yhat + 29},
        ],
        "backtest": {"AutoETS": {"mase": 0.5, "smape": 10.0}, "SeasonalNaive": {"mase": 0.7, "smape": 12.0}},
        "notes": [],
        "accuracy": {"error_share": 0.09, "baseline": "SeasonalNaive", "vs_baseline": 0.2857, "interval": "conformal"},
    }
    params = {"metric": metric, "frequency": frequency, "horizon": 2, "split_by": split_by, "event": ""}
    result = {"metric": metric, "frequency": frequency, "horizon": 2, "notes": [], "series": [series]}
    return Analysis.objects.create(
        dataset=dataset, kind="forecast", status="succeeded", params=params, result=result, attempt=1, finished_at=timezone.now()
    )


def segmentation_run(dataset: Dataset, *, names: tuple[str, str] = ("Loyal", "New")) -> Analysis:
    segments = [
        {"id": index, "name": name, "size": 10, "share": 0.5, "revenue_share": 0.7 - 0.4 * index, "profile": {}}
        for index, name in enumerate(names)
    ]
    result = {"k": 2, "users": 20, "method": "rfm", "segments": segments, "notes": []}
    return Analysis.objects.create(
        dataset=dataset, kind="segmentation", status="succeeded", params={}, result=result, attempt=1, finished_at=timezone.now()
    )
