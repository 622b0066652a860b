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
DEMO_CALIBRATION_END = "2025-10-05"  # the log's last 13 weeks are left to check the lifetime value prediction on
# The file's words in each language: the dataset's name, its columns (header) and the values of its events and
# channels, which the dataset page, the forecast's series and the segments' profiles show as they are.
WORDS = {
    "en": {
        "name": DEMO_NAME,
        "file": "demo-transactions.csv",
        "columns": ("shop_id", "order_date", "event", "amount", "channel"),
        "events": ("subscription", "top_up", "refund"),
        "channels": ("partner", "app_store", "web"),
    },
    "zh-hans": {
        "name": "演示交易数据",
        "file": "演示交易数据.csv",
        "columns": ("店铺编号", "下单时间", "事件", "金额", "渠道"),
        "events": ("订阅", "充值", "退款"),
        "channels": ("合作伙伴", "应用商店", "官网"),
    },
}


def demo_transactions_csv(*, shops: int = 1500, days: int = 364, seed: int = 7, language: str = "en") -> bytes:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    start = datetime(2025, 1, 6)  # a Monday: 52 whole weeks
    words = WORDS[language]
    subscription, top_up, refund = words["events"]
    partner, app_store, web = words["channels"]
    lines = [",".join(words["columns"])]
    for shop in range(shops):
        joined = rng.randrange(days)
        monthly = rng.choice([29, 29, 29, 49])
        channel = rng.choice([partner, partner, app_store, web])
        churn_day = joined + rng.randrange(60, 600)
        for day in range(joined, min(days, churn_day), 30):
            moment = start + timedelta(days=day, minutes=rng.randrange(1440))
            lines.append(f"S{shop:04d},{moment:%Y-%m-%d %H:%M},{subscription},{monthly:.2f},{channel}")
            if rng.random() < 0.15 and day + 3 < days:
                lines.append(f"S{shop:04d},{moment + timedelta(days=3):%Y-%m-%d %H:%M},{top_up},{rng.choice([10, 20, 50]):.2f},{channel}")
            if rng.random() < 0.02 and day + 5 < days:
                lines.append(f"S{shop:04d},{moment + timedelta(days=5):%Y-%m-%d %H:%M},{refund},-{monthly:.2f},{channel}")
    return ("\n".join(lines) + "\n").encode()


def demo_dataset_seed(*, user: User, venture: Venture, language: str = "en") -> Dataset:
    """Idempotent. Ingested and modelled right here (the same services the worker calls), so the demo's dataset,
    forecast, segmentation and lifetime value are ready when the login is printed."""
    words = WORDS[language]
    dataset = Dataset.objects.filter(venture=venture, name=words["name"]).first()
    if dataset is None:
        content = demo_transactions_csv(language=language)
        upload = SimpleUploadedFile(words["file"], content, content_type="text/csv")
        mapping = dict(zip(("user_id", "timestamp", "event", "amount", "channel"), words["columns"], strict=True))
        dataset = dataset_upload(user=user, venture=venture, name=words["name"], upload=upload, mapping=mapping)
        dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
        dataset.refresh_from_db()
    if dataset.status == Dataset.Status.READY and not dataset.analyses.exists():
        for kind, params in (
            ("forecast", {"metric": "revenue", "frequency": "W", "horizon": 12}),
            ("segmentation", {}),
            ("lifetime_value", {"calibration_end": DEMO_CALIBRATION_END, "horizon_days": 365}),
        ):
            analysis = analysis_create(user=user, dataset=dataset, kind=kind, params=params)
            analysis_run(analysis_id=analysis.pk, attempt=analysis.attempt)
    return dataset
