"""Aggregates of an ingested dataset for its summary charts, computed once on the worker and kept with the report,
so pages stay small and fast whatever the dataset's size. Pure: a Parquet path in, plain dicts out.

The Parquet is read a batch of rows at a time and the aggregates are added up, so memory stays bounded by the batch,
the distinct users and the distinct (week, user) pairs, not by the rows. Within a batch the work is on integer day
numbers and user codes (Arrow, numpy), not on pandas' strings and datetimes. The results are those of the plain pandas
statements tests/ingest/test_summary.py keeps as the reference, with ties among the most common values ordered by
value. Measurements against those statements (bench/summary.py): bench/README.md."""

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.distinct import HeldDistinct, Numbering

TOP = 10
BATCH_ROWS = 1_000_000
COLUMNS = ["user_id", "timestamp", "event", "amount", "channel"]
MICROSECONDS_PER_DAY = 86_400_000_000
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday: day d's week (from Monday) starts at day d - (d + 3) % 7
DAY_OFFSET = 1 << 22  # added to day numbers in (week, user) keys, which must not be negative (years -9500 to 13500)
CODE_BITS = 32


def dataset_summary(parquet_path: str) -> dict[str, Any]:
    """The charts' aggregates, and `users`: the distinct users (for the ingest report: numbered here anyway, they
    are hashed once instead of twice)."""
    # Without pre-buffering: with it, reading batch by batch held the file's column chunks in memory.
    with pq.ParquetFile(parquet_path, pre_buffer=False) as parquet:
        if not parquet.metadata.num_rows:
            return {"users": 0}
        summary = _Summary()
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=COLUMNS):
            summary.add(batch)
    return summary.result()


class _Summary:
    def __init__(self) -> None:
        self.daily = pd.DataFrame({"size": pd.Series(dtype="int64"), "sum": pd.Series(dtype="float64")})
        self.counts: dict[str, Counter[str | None]] = {"event": Counter(), "channel": Counter()}
        self.users = _UserWeeks()

    def add(self, batch: pa.RecordBatch) -> None:
        day = np.asarray(batch.column("timestamp").cast(pa.int64())) // MICROSECONDS_PER_DAY
        amount = batch.column("amount").to_numpy(zero_copy_only=False)
        self.daily = self.daily.add(pd.Series(amount).groupby(day).agg(["size", "sum"]), fill_value=0)
        for role, counter in self.counts.items():
            counted = pc.value_counts(batch.column(role))
            counter.update(dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)))
        self.users.add(batch.column("user_id"), day - (day + EPOCH_WEEKDAY) % 7)

    def result(self) -> dict[str, Any]:
        weekly_users = self.users.result()  # numbers the batches still waiting: the users known are then all
        return {
            "users": len(self.users.known),
            "daily": {
                "day": _dates(self.daily.index),  # sorted: the batches' days are merged as a sorted union
                "events": self.daily["size"].astype(int).tolist(),
                "revenue": self.daily["sum"].fillna(0).round(2).tolist(),
            },
            "top_events": _top(self.counts["event"]),
            "channels": _top(self.counts["channel"]),
            "weekly_users": weekly_users,
        }


class _UserWeeks:
    """Per week (Monday to Sunday) with events: the users active in it for the first time, and the others. Users are
    numbered as they first appear (ingest.distinct.Numbering), each user's first week is kept by number, and the
    distinct (week, user) pairs as one integer each."""

    HELD_PAIRS = 4_000_000

    def __init__(self) -> None:
        self.numbering = Numbering(self._numbered)
        self.first_monday = np.zeros(0, np.int64)
        self.pairs = HeldDistinct(lambda pairs: pd.unique(np.concatenate(pairs)), held=self.HELD_PAIRS)

    @property
    def known(self) -> pa.Array:
        return self.numbering.known

    def add(self, user: pa.Array, monday: np.ndarray) -> None:
        self.numbering.add(user, monday=monday)

    def _numbered(self, codes: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        monday = columns["monday"]
        new = len(self.known) - len(self.first_monday)
        if new:  # users not seen before
            self.first_monday = np.concatenate([self.first_monday, np.full(new, monday.max())])
        np.minimum.at(self.first_monday, codes, monday)
        self.pairs.add(pd.unique((monday + DAY_OFFSET) << CODE_BITS | codes))

    def result(self) -> dict[str, list[Any]]:
        self.numbering.flush()
        pairs = self.pairs.values()
        monday, code = (pairs >> CODE_BITS) - DAY_OFFSET, pairs & ((1 << CODE_BITS) - 1)
        weeks, week_of_pair = np.unique(monday, return_inverse=True)
        total = np.bincount(week_of_pair)
        new = np.bincount(week_of_pair, weights=monday == self.first_monday[code]).astype(int)
        return {"week": _dates(weeks), "new": new.tolist(), "returning": (total - new).tolist()}


def _top(counts: Counter[str | None]) -> dict[str, list[Any]]:
    """The TOP most common values (empty text counts, missing values do not), ties by value."""
    top = sorted((-count, name) for name, count in counts.items() if name is not None)[:TOP]
    return {"name": [name for _count, name in top], "count": [-count for count, _name in top]}


def _dates(days: np.ndarray | pd.Index) -> list[str]:
    dates: list[str] = np.datetime_as_string(np.asarray(days, np.int64).astype("datetime64[D]")).tolist()
    return dates
