"""Retention cohorts of an ingested dataset: its customers grouped by the week (from Monday) or month of their first
event, and for each cohort its size, the share of it active (any event) at each age, the revenue per original customer
at each age and its size by the channel of each customer's first event; with the average curves across cohorts. Pure:
a Parquet file in, frozen dataclasses out (and to and from plain JSON, as they are stored).

Streamed like ingest/summary.py: a batch of rows at a time, users numbered as they appear, each user's first event
kept by number, and the distinct (period, user) pairs, each one integer, with their amounts summed; so memory is
bounded by the distinct users × periods, not by the rows. The results are those of the plain pandas statements
tests/ingest/test_cohorts.py keeps as the reference; bench/cohorts.py measures both (bench/README.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.distinct import HeldDistinct, Numbering
from ingest.pipeline import IngestCancelled
from ingest.summary import CODE_BITS, DAY_OFFSET, EPOCH_WEEKDAY, MICROSECONDS_PER_DAY

PERIODS = ("week", "month")
BATCH_ROWS = 1_000_000
COLUMNS = ["user_id", "timestamp", "amount", "channel"]
NO_CHANNEL = -1  # a first event without a channel


@dataclass(frozen=True)
class Cohort:
    """The customers whose first event fell in one period. `active[a]` is the share of them with any event in the
    period `a` periods after it (age 0 is that first period: 1.0), up to the dataset's last period; `revenue[a]` the
    amount of their events in it divided by `size` (None without an amount column); `size_by_channel` how many came
    by each channel of their first event (None key: without one; None without a channel column)."""

    start: date  # the period's first day: a Monday, or the 1st of a month
    size: int
    active: tuple[float, ...]
    revenue: tuple[float, ...] | None
    size_by_channel: dict[str | None, int] | None


@dataclass(frozen=True)
class CohortTable:
    """Every cohort of one period kind, oldest first, and the curves averaged across them at each age, weighted by
    cohort size, over the cohorts old enough to have that age. The data's last period is `partial_last` when its
    last event (on `last_day`) falls before the period's last day: each cohort's last value then covers only part of
    a period and would read as a drop, so the averages leave it out. `average_customers` and `average_cohorts` say
    how many customers and cohorts each average rests on."""

    period: str  # "week" or "month"
    cohorts: tuple[Cohort, ...]
    average_active: tuple[float, ...]
    average_revenue: tuple[float, ...] | None
    average_customers: tuple[int, ...] = ()
    average_cohorts: tuple[int, ...] = ()
    last_day: date | None = None
    partial_last: bool = False


def cohort_tables(
    parquet: str | BinaryIO, *, amounts: bool, channels: bool, progress: Callable[[float], bool] | None = None
) -> dict[str, CohortTable]:
    """The cohort tables by period ("week", "month") of the events in the Parquet `parquet` (a path or an open file). `amounts` and `channels` say
    whether the dataset has those columns (else revenue and sizes by channel are None). `progress(share read)` is
    called after each batch; when it returns False the work stops (IngestCancelled)."""
    with pq.ParquetFile(parquet, pre_buffer=False) as events:  # see ingest/summary.py on pre-buffering
        rows, done = events.metadata.num_rows, 0
        log = _Log(amounts=amounts)
        for batch in events.iter_batches(batch_size=BATCH_ROWS, columns=COLUMNS):
            log.add(batch)
            done += batch.num_rows
            if progress is not None and not progress(done / max(rows, 1)):
                raise IngestCancelled()
    return {period: log.table(period, amounts=amounts, channels=channels) for period in PERIODS}


class _Log:
    """What the cohorts need of the events, added a batch at a time: per user (by number) the time and channel of the
    first event; per period kind the distinct (period, user) pairs with their amounts."""

    HELD_PAIRS = 4_000_000

    def __init__(self, *, amounts: bool) -> None:
        self.amounts = amounts
        self.numbering = Numbering(self._numbered)
        self.first_stamp = np.zeros(0, np.int64)
        self.first_channel = np.zeros(0, np.int64)
        self.channel_names: dict[str, int] = {}
        self.rows = 0
        self.last_stamp = np.iinfo(np.int64).min
        self.pairs = {period: HeldDistinct(_summed, held=self.HELD_PAIRS) for period in PERIODS}

    def add(self, batch: pa.RecordBatch) -> None:
        stamp = np.asarray(batch.column("timestamp").cast(pa.int64()))
        amount = batch.column("amount").to_numpy(zero_copy_only=False) if self.amounts else np.zeros(len(stamp))
        row = np.arange(self.rows, self.rows + len(stamp))
        if len(stamp):
            self.last_stamp = max(self.last_stamp, int(stamp.max()))
        self.rows += len(stamp)
        self.numbering.add(
            batch.column("user_id"), stamp=stamp, row=row, amount=amount, channel=self._channel_numbers(batch.column("channel"))
        )

    def _channel_numbers(self, channel: pa.Array) -> np.ndarray:
        """Channels numbered across batches (they are few), NO_CHANNEL for none."""
        encoded = pc.dictionary_encode(channel)
        numbers = np.array(
            [self.channel_names.setdefault(name, len(self.channel_names)) for name in encoded.dictionary.to_pylist()] + [NO_CHANNEL]
        )
        return numbers[np.asarray(encoded.indices.fill_null(len(numbers) - 1), np.int64)]

    def _numbered(self, codes: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        stamp, row = columns["stamp"], columns["row"]
        new = len(self.numbering.known) - len(self.first_stamp)
        if new:  # users not seen before
            self.first_stamp = np.concatenate([self.first_stamp, np.full(new, np.iinfo(np.int64).max)])
            self.first_channel = np.concatenate([self.first_channel, np.full(new, NO_CHANNEL)])
        # Each user's earliest event here (the first in the file among equal stamps), kept if earlier than the one so far
        # (groups come in the file's order: among equal stamps the earlier group's stays).
        order = np.lexsort((row, stamp, codes))
        leads = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
        user = codes[leads]
        earlier = stamp[leads] < self.first_stamp[user]
        user, leads = user[earlier], leads[earlier]
        self.first_stamp[user], self.first_channel[user] = stamp[leads], columns["channel"][leads]
        day = stamp // MICROSECONDS_PER_DAY
        for period in PERIODS:
            keys = (_period_number(period, day) + DAY_OFFSET) << CODE_BITS | codes
            self.pairs[period].add(_summed([pd.Series(columns["amount"], index=keys)]))

    def table(self, period: str, *, amounts: bool, channels: bool) -> CohortTable:
        self.numbering.flush()
        pairs = self.pairs[period].values()
        if pairs is None:
            return CohortTable(period, (), (), () if amounts else None)
        keys = pairs.index.to_numpy()
        number, code = (keys >> CODE_BITS) - DAY_OFFSET, keys & ((1 << CODE_BITS) - 1)
        first = _period_number(period, self.first_stamp // MICROSECONDS_PER_DAY)
        starts, cohort_of_user, sizes = np.unique(first, return_inverse=True, return_counts=True)
        ages = _age(period, starts, number.max()) + 1  # how many ages each cohort has
        grid = (len(starts), int(ages.max()))
        cell = np.ravel_multi_index((cohort_of_user[code], _age(period, first[code], number)), grid)
        active = np.bincount(cell, minlength=grid[0] * grid[1]).reshape(grid)
        revenue = np.bincount(cell, weights=pairs.to_numpy(), minlength=grid[0] * grid[1]).reshape(grid) if amounts else None
        by_channel = _sizes_by_channel(self, cohort_of_user, len(starts)) if channels else None
        cohorts = tuple(
            Cohort(
                start=_period_start(period, start),
                size=int(size),
                active=tuple((active[index, :count] / size).tolist()),
                revenue=None if revenue is None else tuple((revenue[index, :count] / size).tolist()),
                size_by_channel=None if by_channel is None else by_channel[index],
            )
            for index, (start, size, count) in enumerate(zip(starts, sizes, ages, strict=True))
        )
        last = np.array([self.last_stamp // MICROSECONDS_PER_DAY])  # the last event's day number
        partial = _period_number(period, last + 1)[0] == _period_number(period, last)[0]  # the next day in the same period
        complete = ages - 1 if partial else ages  # the ages each cohort has whole
        whole = np.arange(grid[1]) < complete[:, None]
        width = int(complete.max())
        customers = (whole * sizes[:, None]).sum(axis=0)[:width]
        return CohortTable(
            period=period,
            cohorts=cohorts,
            average_active=tuple(((active * whole).sum(axis=0)[:width] / customers).tolist()),
            average_revenue=None if revenue is None else tuple(((revenue * whole).sum(axis=0)[:width] / customers).tolist()),
            average_customers=tuple(customers.tolist()),
            average_cohorts=tuple(whole.sum(axis=0)[:width].tolist()),
            last_day=last.astype("datetime64[D]")[0].item(),
            partial_last=bool(partial),
        )


def _sizes_by_channel(log: _Log, cohort_of_user: np.ndarray, cohorts: int) -> list[dict[str | None, int]]:
    names: list[str | None] = [*log.channel_names, None]  # NO_CHANNEL (-1) is the last
    counts = np.zeros((cohorts, len(names)), np.int64)
    np.add.at(counts, (cohort_of_user, log.first_channel), 1)
    return [{names[index]: int(count) for index, count in enumerate(row) if count} for row in counts]


def _summed(parts: list[pd.Series]) -> pd.Series:
    """The amounts of each (period, user) key added up (missing amounts count 0)."""
    merged = pd.concat(parts) if len(parts) > 1 else parts[0]
    return merged.groupby(level=0, sort=False).sum()


def _period_number(period: str, day: np.ndarray) -> np.ndarray:
    """A week as the day number of its Monday; a month as months since January 1970."""
    if period == "month":
        months: np.ndarray = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        return months
    mondays: np.ndarray = day - (day + EPOCH_WEEKDAY) % 7
    return mondays


def _age(period: str, start: np.ndarray, number: np.ndarray | np.integer) -> np.ndarray:
    age: np.ndarray = (number - start) // 7 if period == "week" else number - start
    return age


def _period_start(period: str, number: np.integer) -> date:
    start: date = np.array([number]).astype("datetime64[D]" if period == "week" else "datetime64[M]").astype("datetime64[D]")[0].item()
    return start


def cohort_tables_to_json(tables: dict[str, CohortTable]) -> dict[str, Any]:
    """Plain JSON (dates as ISO text; channels as [name, count] pairs, since a channel may be named "null")."""
    return {
        period: {
            "cohorts": [
                {
                    "start": cohort.start.isoformat(),
                    "size": cohort.size,
                    "active": list(cohort.active),
                    "revenue": None if cohort.revenue is None else list(cohort.revenue),
                    "size_by_channel": None if cohort.size_by_channel is None else list(cohort.size_by_channel.items()),
                }
                for cohort in table.cohorts
            ],
            "average_active": list(table.average_active),
            "average_revenue": None if table.average_revenue is None else list(table.average_revenue),
            "average_customers": list(table.average_customers),
            "average_cohorts": list(table.average_cohorts),
            "last_day": None if table.last_day is None else table.last_day.isoformat(),
            "partial_last": table.partial_last,
        }
        for period, table in tables.items()
    }


def cohort_tables_from_json(stored: dict[str, Any]) -> dict[str, CohortTable]:
    return {
        period: CohortTable(
            period=period,
            cohorts=tuple(
                Cohort(
                    start=date.fromisoformat(cohort["start"]),
                    size=cohort["size"],
                    active=tuple(cohort["active"]),
                    revenue=None if cohort["revenue"] is None else tuple(cohort["revenue"]),
                    size_by_channel=None if cohort["size_by_channel"] is None else dict(map(tuple, cohort["size_by_channel"])),
                )
                for cohort in table["cohorts"]
            ),
            average_active=tuple(table["average_active"]),
            average_revenue=None if table["average_revenue"] is None else tuple(table["average_revenue"]),
            # tables stored before these were kept have none of them
            average_customers=tuple(table.get("average_customers", ())),
            average_cohorts=tuple(table.get("average_cohorts", ())),
            last_day=date.fromisoformat(table["last_day"]) if table.get("last_day") else None,
            partial_last=table.get("partial_last", False),
        )
        for period, table in stored.items()
    }
