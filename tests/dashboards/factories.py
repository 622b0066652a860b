import factory

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


def ready_dataset(venture: object, *, users: int = 120, summary: dict | None = None) -> Dataset:
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
        name="Orders 2025",
        file="datasets/x.upload",
        original_name="orders.csv",
        status=Dataset.Status.READY,
        report={"users": users, "summary": summary},
    )
