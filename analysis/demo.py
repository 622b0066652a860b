"""A generated transactions dataset for the demo venture (no third-party data): a year of subscription payments,
top-ups and refunds from a few hundred small shops, uploaded and ingested like any user's file."""

import random
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from analysis.services import analysis_create, analysis_run
from datasets.models import Dataset
from datasets.services import dataset_ingest_run, dataset_upload
from ventures.models import Venture

DEMO_NAME = "Demo transactions"


def demo_transactions_csv(*, shops: int = 1500, days: int = 364, seed: int = 7) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    start = datetime(2025, 1, 6)  # a Monday: 52 whole weeks
    lines = ["shop_id,order_date,event,amount,channel"]
    for shop in range(shops):
        joined = rng.randrange(days)
        monthly = rng.choice([29, 29, 29, 49])
        channel = rng.choice(["partner", "partner", "app_store", "web"])
        churn_day = joined + rng.randrange(60, 600)
        for day in range(joined, min(days, churn_day), 30):
            moment = start + timedelta(days=day, minutes=rng.randrange(1440))
            lines.append(f"S{shop:04d},{moment:%Y-%m-%d %H:%M},subscription,{monthly:.2f},{channel}")
            if rng.random() < 0.15 and day + 3 < days:
                lines.append(f"S{shop:04d},{moment + timedelta(days=3):%Y-%m-%d %H:%M},top_up,{rng.choice([10, 20, 50]):.2f},{channel}")
            if rng.random() < 0.02 and day + 5 < days:
                lines.append(f"S{shop:04d},{moment + timedelta(days=5):%Y-%m-%d %H:%M},refund,-{monthly:.2f},{channel}")
    return ("\n".join(lines) + "\n").encode()


def demo_dataset_seed(*, user: User, venture: Venture) -> Dataset:
    """Idempotent. Ingested and modelled right here (the same services the worker calls), so the demo's dataset,
    forecast and segmentation are ready when the login is printed."""
    dataset = Dataset.objects.filter(venture=venture, name=DEMO_NAME).first()
    if dataset is None:
        upload = SimpleUploadedFile("demo-transactions.csv", demo_transactions_csv(), content_type="text/csv")
        mapping = {"user_id": "shop_id", "timestamp": "order_date", "event": "event", "amount": "amount", "channel": "channel"}
        dataset = dataset_upload(user=user, venture=venture, name=DEMO_NAME, upload=upload, mapping=mapping)
        dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
        dataset.refresh_from_db()
    if dataset.status == Dataset.Status.READY and not dataset.analyses.exists():
        for kind, params in (("forecast", {"metric": "revenue", "frequency": "W", "horizon": 12}), ("segmentation", {})):
            analysis = analysis_create(user=user, dataset=dataset, kind=kind, params=params)
            analysis_run(analysis_id=analysis.pk, attempt=analysis.attempt)
    return dataset
