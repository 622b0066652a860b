import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ingest.summary
from datasets.figures import build_counts_figure
from ingest.pipeline import SCHEMA, WITHOUT_PROPERTIES, IngestOptions, ingest_csv
from ingest.stages import ParquetAppender
from ingest.summary import TOP, dataset_summary


@pytest.fixture
def parquet(tmp_path):
    text = (
        "user,time,event,amount,channel\n"
        "a,2024-01-01 10:00,buy,10,web\n"
        "a,2024-01-01 12:00,refund,-4,web\n"
        "b,2024-01-02 09:00,buy,5,app\n"
        "a,2024-01-09 09:00,buy,7,web\n"
    )
    options = IngestOptions(
        encoding="utf-8",
        delimiter=",",
        mapping={"user_id": "user", "timestamp": "time", "event": "event", "amount": "amount", "channel": "channel"},
    )
    path = str(tmp_path / "events.parquet")
    ingest_csv(io.BytesIO(text.encode()), path, options, lambda _bytes, _rows: True)
    return path


def test_summary_aggregates_days_events_channels_and_new_vs_returning(parquet):
    summary = dataset_summary(parquet)

    assert summary["daily"] == {"day": ["2024-01-01", "2024-01-02", "2024-01-09"], "events": [2, 1, 1], "revenue": [6.0, 5.0, 7.0]}
    assert summary["top_events"] == {"name": ["buy", "refund"], "count": [3, 1]}
    assert summary["channels"] == {"name": ["web", "app"], "count": [3, 1]}
    assert summary["weekly_users"] == {"week": ["2024-01-01", "2024-01-08"], "new": [2, 0], "returning": [0, 1]}


def test_counts_figure_escapes_user_text():
    figure = build_counts_figure({"name": ["<a href=x>win</a>"], "count": [3]}, "Top events")

    assert figure.data[0].y[0] == "&lt;a href=x&gt;win&lt;/a&gt;"


def reference_summary(parquet_path: str) -> dict:
    """The plain pandas statements the summary was first written as (ties among the top values by value)."""
    events = pq.read_table(parquet_path, columns=["user_id", "timestamp", "event", "amount", "channel"]).to_pandas()
    if events.empty:
        return {"users": 0}
    utc = events["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None)
    daily = events.assign(day=utc.dt.floor("D")).groupby("day").agg(events=("user_id", "size"), revenue=("amount", "sum"))
    week = utc.dt.to_period("W").dt.start_time
    first_week = week.groupby(events["user_id"]).transform("min")
    active = pd.DataFrame({"week": week, "user": events["user_id"], "new": week == first_week}).drop_duplicates(["week", "user"])
    weekly = active.groupby("week")["new"].agg(new="sum", total="size")

    def counts(values: pd.Series) -> dict:
        counted = values.dropna().value_counts()
        top = sorted(zip(-counted.to_numpy(), counted.index, strict=True))[:TOP]
        return {"name": [str(name) for _count, name in top], "count": [int(-count) for count, _name in top]}

    return {
        "users": events["user_id"].nunique(),
        "daily": {
            "day": [value.strftime("%Y-%m-%d") for value in daily.index],
            "events": daily["events"].astype(int).tolist(),
            "revenue": daily["revenue"].fillna(0).round(2).tolist(),
        },
        "top_events": counts(events["event"]),
        "channels": counts(events["channel"]),
        "weekly_users": {
            "week": [value.strftime("%Y-%m-%d") for value in weekly.index],
            "new": weekly["new"].astype(int).tolist(),
            "returning": (weekly["total"] - weekly["new"]).astype(int).tolist(),
        },
    }


@pytest.mark.parametrize("batch_rows", [1_000_000, 97, 7])
@pytest.mark.parametrize("seed", range(8))
def test_summary_is_what_the_plain_pandas_statements_give(seed, batch_rows, tmp_path, monkeypatch):
    """Random logs: users that come back weeks later, stamps before 1970 and across years, Sunday/Monday edges,
    missing and negative amounts, missing and empty events, ties among the most common values, several row groups;
    read whole or in batches of a few rows, the (week, user) pairs merged every few batches."""
    monkeypatch.setattr(ingest.summary, "BATCH_ROWS", batch_rows)
    monkeypatch.setattr(ingest.summary._UserWeeks, "HELD_PAIRS", 50)
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 3000))
    start = datetime(1969, 12, 20, tzinfo=UTC) if seed % 2 else datetime(2023, 12, 30, 23, tzinfo=UTC)
    stamps = [start + timedelta(minutes=int(minutes)) for minutes in rng.integers(0, 60 * 24 * 400, rows)]
    amounts = rng.normal(20, 30, rows).round(2)
    table = pa.table(
        {
            "user_id": [f"ü{user}" for user in rng.integers(0, max(1, rows // 5), rows)],
            "timestamp": stamps,
            "event": pa.array([None if e == 12 else f"e{e}" if e else "" for e in rng.integers(0, 13, rows)], pa.string()),
            "amount": pa.array(amounts, mask=rng.random(rows) < 0.2),
            "quantity": pa.nulls(rows, pa.float64()),
            "product": pa.nulls(rows, pa.string()),
            "channel": pa.array([["web", "app", "shop"][c % 3] if c < 6 else None for c in rng.integers(0, 7, rows)], pa.string()),
            "line": np.arange(rows) + 2,
        },
        schema=WITHOUT_PROPERTIES,
    )
    path = str(tmp_path / "events.parquet")
    writer = ParquetAppender(path, WITHOUT_PROPERTIES)  # as the ingest writes: LZ4, dictionaries, deltas, a row group per chunk
    for start in range(0, rows, max(1, rows // 3)):
        writer.write_table(table.slice(start, max(1, rows // 3)))
    writer.close()

    assert dataset_summary(path) == reference_summary(path)


def test_an_empty_dataset_has_no_summary(tmp_path):
    path = str(tmp_path / "empty.parquet")
    pq.write_table(SCHEMA.empty_table(), path)

    assert dataset_summary(path) == {"users": 0} == reference_summary(path)
