"""Aggregates of an ingested dataset for its summary charts, computed once on the worker and kept with the report,
so pages stay small and fast whatever the dataset's size. Pure: a Parquet path in, plain dicts out."""

import pandas as pd
import pyarrow.parquet as pq

TOP = 10


def dataset_summary(parquet_path: str) -> dict:
    events = pq.read_table(parquet_path, columns=["user_id", "timestamp", "event", "amount", "channel"]).to_pandas()
    if events.empty:
        return {}
    utc = events["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None)  # naive UTC: periods carry no zone
    day = utc.dt.floor("D")
    daily = events.assign(day=day).groupby("day").agg(events=("user_id", "size"), revenue=("amount", "sum"))
    week = utc.dt.to_period("W").dt.start_time
    first_week = week.groupby(events["user_id"]).transform("min")
    active = pd.DataFrame({"week": week, "user": events["user_id"], "new": week == first_week}).drop_duplicates(["week", "user"])
    weekly = active.groupby("week")["new"].agg(new="sum", total="size")
    return {
        "daily": {
            "day": [value.strftime("%Y-%m-%d") for value in daily.index],
            "events": daily["events"].astype(int).tolist(),
            "revenue": daily["revenue"].fillna(0).round(2).tolist(),
        },
        "top_events": _counts(events["event"]),
        "channels": _counts(events["channel"]),
        "weekly_users": {
            "week": [value.strftime("%Y-%m-%d") for value in weekly.index],
            "new": weekly["new"].astype(int).tolist(),
            "returning": (weekly["total"] - weekly["new"]).astype(int).tolist(),
        },
    }


def _counts(values: pd.Series) -> dict:
    counts = values.dropna().value_counts().head(TOP)
    return {"name": [str(name) for name in counts.index], "count": counts.astype(int).tolist()}
