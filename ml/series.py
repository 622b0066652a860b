"""Turn a normalised events table into regular time series in statsforecast's long format (unique_id, ds, y).

The events table is the one ingestion writes to Parquet: user_id, timestamp (UTC), event, amount (negative = refund),
quantity, product, channel. Every series shares one regular index running from the period of the dataset's first
timestamp to the period of its last, with 0 for periods that have no events: a missing period means "nothing
happened", which is what a forecaster must learn from, not a gap to interpolate.
"""

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Metric = Literal["orders", "revenue", "quantity", "active_users", "event_count"]
Frequency = Literal["D", "W", "M", "Q", "Y"]
SplitBy = Literal["channel", "product"]
# A machine-readable note: a "code" and numbers (and, for split_capped, the merged series' key).
Note = dict[str, str | int]

METRICS: tuple[str, ...] = ("orders", "revenue", "quantity", "active_users", "event_count")
FREQUENCIES: tuple[str, ...] = ("D", "W", "M", "Q", "Y")
SPLIT_COLUMNS: tuple[str, ...] = ("channel", "product")

TOTAL_KEY = "total"
OTHER_KEY = "other"
MISSING_KEY = "(missing)"

# propose_frequency's thresholds (see its docstring).
DAILY_MAX_SPAN_DAYS = 400
DAILY_ALWAYS_BELOW_DAYS = 56
WEEKLY_MAX_SPAN_DAYS = 3 * 365
QUARTERLY_MIN_SPAN_DAYS = 3 * 365  # a coarser grid than months only for long histories
YEARLY_MIN_SPAN_DAYS = 8 * 365
MIN_DENSITY = 0.5


# With more periods than this, an incomplete last period is left out of the series.
MIN_PERIODS_TO_DROP_PARTIAL = 3


class SeriesError(ValueError):
    """Parameters that cannot produce a series; `code` is machine-readable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SeriesSet:
    """Series in statsforecast's long format, and what was done to get them.

    `frame` has columns unique_id (str), ds (period start, naive UTC datetime64) and y (float), sorted by unique_id
    then ds. `notes` are machine-readable: dicts with a "code" and numbers, e.g.
    {"code": "split_capped", "kept": 200, "merged": 1234} or {"code": "partial_last_period", "days_covered": 3, "days_in_period": 7}.
    """

    frame: pd.DataFrame
    freq: str
    metric: str
    notes: list[Note] = field(default_factory=list)


def propose_frequency(timestamps: pd.Series) -> str:
    """Propose "D", "W", "M", "Q" or "Y" for a set of event timestamps.

    The rule, in order:
    - "D" when the data spans less than 8 weeks (a coarser grid would leave too few points to learn from), or spans
      at most ~13 months (400 days) and at least half of its days have an event;
    - "W" when it spans at most 3 years and at least half of its weeks have an event;
    - "M" when at least half of its months have an event, or it spans less than 3 years;
    - "Q" when it spans less than 8 years or at least half of its quarters have an event;
    - "Y" otherwise (long and sparse: an event in fewer than half of the quarters over 8 years or more).
    """
    stamps = _naive_utc(pd.Series(timestamps)).dropna()
    if stamps.empty:
        raise SeriesError("no_rows", "There are no timestamps to choose a frequency from.")
    first, last = stamps.min(), stamps.max()
    span_days = (last.normalize() - first.normalize()).days + 1
    if span_days < DAILY_ALWAYS_BELOW_DAYS:
        return "D"
    day_density = stamps.dt.normalize().nunique() / span_days
    if span_days <= DAILY_MAX_SPAN_DAYS and day_density >= MIN_DENSITY:
        return "D"
    weeks = _period_start(stamps, "W")
    span_weeks = (weeks.max() - weeks.min()).days // 7 + 1
    if span_days <= WEEKLY_MAX_SPAN_DAYS and weeks.nunique() / span_weeks >= MIN_DENSITY:
        return "W"
    if span_days < QUARTERLY_MIN_SPAN_DAYS or _density(stamps, "M") >= MIN_DENSITY:
        return "M"
    if span_days < YEARLY_MIN_SPAN_DAYS or _density(stamps, "Q") >= MIN_DENSITY:
        return "Q"
    return "Y"


def _density(stamps: pd.Series, freq: str) -> float:
    """The share of the periods from the first stamp's to the last's that hold at least one stamp."""
    periods = stamps.dt.to_period(freq)
    return float(periods.nunique() / ((periods.max() - periods.min()).n + 1))


def build_series(
    events: pd.DataFrame,
    metric: str,
    freq: str,
    split_by: str | None = None,
    event_name: str | None = None,
    max_series: int = 200,
) -> SeriesSet:
    """Aggregate events into one series per split value (or one "total" series).

    Metrics:
    - "orders": distinct (user_id, timestamp) pairs among sales, where a sale is a row with a positive amount; a
      basket exported as one row per line item shares its user and timestamp, so it counts once. Refunds are not
      orders. When no row has an amount at all (a plain order log), every distinct (user_id, timestamp) counts and
      the note "orders_without_amount" says so.
    - "revenue": sum of amount, refunds (negative amounts) subtracted; missing amounts count as 0.
    - "quantity": sum of quantity; missing quantities count as 0.
    - "active_users": distinct user_id per period (recomputed for the merged "other" series, never summed).
    - "event_count": rows whose event equals `event_name`.

    With `split_by`, rows without a value form the "(missing)" series. When there are more than `max_series` values,
    the `max_series` largest by total volume are kept and the rest are merged into "other" (note "split_capped").
    """
    _check_params(events, metric, freq, split_by, event_name, max_series)
    notes: list[Note] = []
    rows = _metric_rows(events, metric, event_name, notes)
    if rows.empty:
        raise SeriesError("no_rows", "No row contributes to this metric.")
    all_periods = _period_start(_naive_utc(events["timestamp"]).dropna(), freq)
    index = pd.date_range(all_periods.min(), all_periods.max(), freq=_pandas_freq(freq))
    rows = rows.assign(ds=_period_start(_naive_utc(rows["timestamp"]), freq), unique_id=_keys(rows, split_by))
    frame = _aggregate(rows, metric)
    if split_by is not None and frame["unique_id"].nunique() > max_series:
        rows, capped = _cap_split(rows, frame, max_series)
        notes.append(capped)
        frame = _aggregate(rows, metric)
    partial = _partial_period_notes(events["timestamp"], freq)
    if partial and len(index) > MIN_PERIODS_TO_DROP_PARTIAL:
        # A period the data covers only in part reads as a collapse in demand, and a forecaster follows it down:
        # leave it out (the note says so) when enough complete periods remain.
        index = index[:-1]
        frame = frame[frame["ds"] <= index[-1]]
        partial = [{**partial[0], "code": "partial_last_period_dropped"}]
    notes.extend(partial)
    return SeriesSet(frame=_fill_index(frame, index), freq=freq, metric=metric, notes=notes)


def _check_params(events: pd.DataFrame, metric: str, freq: str, split_by: str | None, event_name: str | None, max_series: int) -> None:
    if metric not in METRICS:
        raise SeriesError("unknown_metric", f"Unknown metric {metric!r}; choose one of {', '.join(METRICS)}.")
    if freq not in FREQUENCIES:
        raise SeriesError("unknown_frequency", f"Unknown frequency {freq!r}; choose one of {', '.join(FREQUENCIES)}.")
    if metric == "event_count" and not event_name:
        raise SeriesError("event_name_required", "Counting events needs the name of the event to count.")
    if max_series < 1:
        raise SeriesError("bad_max_series", "max_series must be at least 1.")
    if "timestamp" not in events.columns or events["timestamp"].dropna().empty:
        raise SeriesError("no_rows", "The events table has no rows with a timestamp.")
    if split_by is None:
        return
    if split_by not in SPLIT_COLUMNS:
        raise SeriesError("unknown_split", f"Cannot split by {split_by!r}; choose one of {', '.join(SPLIT_COLUMNS)}.")
    if split_by not in events.columns:
        raise SeriesError("split_column_missing", f"The data has no {split_by} column.")
    if events[split_by].dropna().empty:
        raise SeriesError("split_column_empty", f"Every row's {split_by} is empty.")


def _metric_rows(events: pd.DataFrame, metric: str, event_name: str | None, notes: list[Note]) -> pd.DataFrame:
    """The rows that count for `metric`, with a `value` column holding each row's contribution."""
    rows = events[events["timestamp"].notna()]
    if metric == "event_count":
        if event_name is None:  # _check_params already refused it; said again for the type checker
            raise SeriesError("event_name_required", "Counting events needs the name of the event to count.")
        if "event" not in rows.columns:
            raise SeriesError("event_column_missing", "The data has no event column.")
        rows = rows[rows["event"].eq(event_name).fillna(False).astype(bool)]
        return rows.assign(value=1.0)
    if metric in ("revenue", "quantity"):
        column = "amount" if metric == "revenue" else "quantity"
        if column not in rows.columns or rows[column].isna().all():
            raise SeriesError("metric_column_empty", f"No row has a {column}.")
        return rows.assign(value=rows[column].astype("float64").fillna(0.0))
    if metric == "orders":
        if "amount" in rows.columns and rows["amount"].notna().any():
            rows = rows[rows["amount"] > 0]
        else:
            notes.append({"code": "orders_without_amount"})
        return rows.drop_duplicates(subset=["user_id", "timestamp"]).assign(value=1.0)
    return rows.assign(value=1.0)  # active_users: counted as distinct user_id in _aggregate


def _aggregate(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    grouped = rows.groupby(["unique_id", "ds"], sort=True, observed=True)
    values = grouped["user_id"].nunique() if metric == "active_users" else grouped["value"].sum()
    return values.astype("float64").rename("y").reset_index()


def _keys(rows: pd.DataFrame, split_by: str | None) -> pd.Series:
    if split_by is None:
        return pd.Series(TOTAL_KEY, index=rows.index, dtype="object")
    return rows[split_by].astype("object").where(rows[split_by].notna(), MISSING_KEY).astype(str)


def _cap_split(rows: pd.DataFrame, frame: pd.DataFrame, max_series: int) -> tuple[pd.DataFrame, Note]:
    """Keep the `max_series` largest series by volume (ties by name) and relabel the rest as one merged series."""
    volume = frame.groupby("unique_id")["y"].sum().reset_index()
    volume = volume.sort_values(["y", "unique_id"], ascending=[False, True], kind="stable")
    kept = set(volume["unique_id"].iloc[:max_series])
    merged_key = OTHER_KEY if OTHER_KEY not in kept else f"{OTHER_KEY} (merged)"
    relabelled = rows.assign(unique_id=rows["unique_id"].where(rows["unique_id"].isin(kept), merged_key))
    return relabelled, {"code": "split_capped", "kept": max_series, "merged": len(volume) - max_series, "merged_key": merged_key}


def _fill_index(frame: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    keys = sorted(frame["unique_id"].unique())
    full = pd.MultiIndex.from_product([keys, index], names=["unique_id", "ds"])
    filled = frame.set_index(["unique_id", "ds"])["y"].reindex(full, fill_value=0.0)
    return filled.reset_index().astype({"unique_id": str, "y": "float64"})


def _partial_period_notes(timestamps: pd.Series, freq: str) -> list[Note]:
    """Say when the data stops part-way through its last period: that period's total is low for a reason the
    forecaster cannot see (build_series then leaves it out, if enough periods remain)."""
    if freq == "D":
        return []
    last = _naive_utc(timestamps).dropna().max()
    start = _period_start(pd.Series([last]), freq).iloc[0]
    end = start + pd.tseries.frequencies.to_offset(_pandas_freq(freq))
    days_in_period = (end - start).days
    days_covered = (last.normalize() - start).days + 1
    if days_covered >= days_in_period:
        return []
    return [{"code": "partial_last_period", "days_covered": int(days_covered), "days_in_period": int(days_in_period)}]


def _naive_utc(timestamps: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(timestamps, utc=True)
    return stamps.dt.tz_convert(None)


def _period_start(stamps: pd.Series, freq: str) -> pd.Series:
    """Start of each stamp's period: the day, the Monday of its week, the first of its month, quarter or year."""
    starts: pd.Series
    if freq == "D":
        starts = stamps.dt.normalize()
    elif freq == "W":
        starts = stamps.dt.to_period("W-SUN").dt.start_time
    else:
        starts = stamps.dt.to_period({"M": "M", "Q": "Q", "Y": "Y"}[freq]).dt.start_time
    return starts


def _pandas_freq(freq: str) -> str:
    """The pandas/statsforecast frequency alias for our frequency code (weeks start Monday, months, quarters and
    years on their first day)."""
    return {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS-JAN", "Y": "YS-JAN"}[freq]


def statsforecast_freq(freq: str) -> str:
    """Public name for the alias statsforecast needs for a SeriesSet's `freq`."""
    if freq not in FREQUENCIES:
        raise SeriesError("unknown_frequency", f"Unknown frequency {freq!r}.")
    return _pandas_freq(freq)
