"""Datasets for model tests: generated event logs (seeded), uploaded and ingested in-process like a user's file."""

import random
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from datasets.models import Dataset
from datasets.services import dataset_ingest_run, dataset_upload
from ventures.models import Venture

MAPPING = {"user_id": "customer", "timestamp": "time", "event": "event", "amount": "amount", "channel": "channel"}


def orders_csv(*, days: int = 140, customers: int = 60, seed: int = 3, start: datetime = datetime(2025, 1, 6)) -> bytes:
    """Orders with a weekly rhythm (busier at weekends) from customers of three kinds: frequent big spenders, regulars,
    and one-off buyers who stopped early; two channels; a few refunds."""
    rng = random.Random(seed)  # noqa: S311 - test data
    lines = ["customer,time,event,amount,channel"]
    for number in range(customers):
        kind = number % 3
        every, spend, stop = [(3, 120.0, days), (10, 40.0, days), (30, 15.0, days // 3)][kind]
        channel = "web" if number % 2 else "app"
        day = rng.randrange(every)
        while day < stop:
            moment = start + timedelta(days=day, hours=rng.randrange(8, 20))
            boost = 1.5 if moment.weekday() >= 5 else 1.0
            lines.append(f"c{number:03d},{moment:%Y-%m-%d %H:%M},purchase,{spend * boost * rng.uniform(0.8, 1.2):.2f},{channel}")
            if rng.random() < 0.03:
                lines.append(f"c{number:03d},{moment + timedelta(days=1):%Y-%m-%d %H:%M},refund,-{spend:.2f},{channel}")
            day += max(1, int(rng.gauss(every, every / 4)))
    return ("\n".join(lines) + "\n").encode()


def ready_dataset(*, user: User, venture: Venture, content: bytes | None = None, mapping: dict | None = None) -> Dataset:
    upload = SimpleUploadedFile("orders.csv", content or orders_csv(), content_type="text/csv")
    dataset = dataset_upload(user=user, venture=venture, name="Orders", upload=upload, mapping=mapping or MAPPING)
    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    dataset.refresh_from_db()
    return dataset
