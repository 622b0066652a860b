"""Retention cohorts (ingest/cohorts.py) against the plain pandas statements they stand for, on a log with known
answers and on random logs (hypothesis), read whole and in batches of a few rows."""

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.cohorts
from ingest.cohorts import Cohort, cohort_tables, cohort_tables_from_json, cohort_tables_to_json
from ingest.pipeline import SCHEMA, WITHOUT_PROPERTIES, IngestCancelled
from ingest.stages import ParquetAppender


def write_log(path: str, events: list[tuple[str, datetime, float | None, str | None]], *, row_groups: int = 3) -> str:
    """The events as the ingest writes them (LZ4, dictionaries, a row group per chunk)."""
    rows = len(events)
    table = pa.table(
        {
            "user_id": [user for user, _stamp, _amount, _channel in events],
            "timestamp": pa.array([stamp for _user, stamp, _amount, _channel in events], pa.timestamp("us", tz="UTC")),
            "event": pa.array(["buy"] * rows, pa.string()),
            "amount": pa.array([amount for _user, _stamp, amount, _channel in events], pa.float64()),
            "quantity": pa.nulls(rows, pa.float64()),
            "product": pa.nulls(rows, pa.string()),
            "channel": pa.array([channel for _user, _stamp, _amount, channel in events], pa.string()),
            "line": np.arange(rows) + 2,
        },
        schema=WITHOUT_PROPERTIES,
    )
    writer = ParquetAppender(path, WITHOUT_PROPERTIES)
    step = max(1, math.ceil(rows / row_groups))
    for start in range(0, rows, step):
        writer.write_table(table.slice(start, step))
    writer.close()
    return path


def reference_cohorts(path: str, period: str) -> list[dict]:
    """The plain pandas statements: each customer's cohort is the period of their first event (its channel that of
    the first such event in the file), active = any event in a period, revenue = amounts in it / cohort size."""
    events = pq.read_table(path, columns=["user_id", "timestamp", "amount", "channel"]).to_pandas()
    if events.empty:
        return []
    utc = events["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None)
    events["period"] = utc.dt.to_period("W" if period == "week" else "M")
    first = events.assign(stamp=utc).sort_values("stamp", kind="stable").drop_duplicates("user_id").set_index("user_id")
    events["cohort"] = events["user_id"].map(first["period"])
    events["age"] = (events["period"] - events["cohort"]).map(lambda offset: offset.n)
    last = events["period"].max()
    cohorts = []
    for start, members in events.groupby("cohort"):
        size = members["user_id"].nunique()
        ages = (last - start).n + 1
        active = members.groupby("age")["user_id"].nunique().reindex(range(ages), fill_value=0)
        revenue = members.groupby("age")["amount"].sum().reindex(range(ages), fill_value=0)
        channels = first.loc[first["period"] == start, "channel"]
        cohorts.append(
            {
                "start": start.start_time.date(),
                "size": size,
                "active": (active / size).tolist(),
                "revenue": (revenue / size).tolist(),
                "size_by_channel": {None if pd.isna(name) else name: count for name, count in channels.value_counts(dropna=False).items()},
            }
        )
    return cohorts


def reference_partial(path: str, period: str) -> bool:
    """Whether the log's last event falls before the last day of its week or month."""
    last = pq.read_table(path, columns=["timestamp"]).to_pandas()["timestamp"].max().tz_convert("UTC").tz_localize(None)
    return (last.normalize() + pd.Timedelta(days=1)).to_period("W" if period == "week" else "M") == last.to_period(
        "W" if period == "week" else "M"
    )


def reference_average(cohorts: list[dict], measure: str, *, partial: bool) -> list[float]:
    """The curves averaged at each age over the cohorts that have it whole (without their last value when the last
    period is partial), weighted by size."""
    curves = [(c["size"], c[measure][:-1] if partial else c[measure]) for c in cohorts]
    longest = max(len(curve) for _size, curve in curves)
    return [
        sum(size * curve[age] for size, curve in curves if len(curve) > age) / sum(size for size, curve in curves if len(curve) > age)
        for age in range(longest)
    ]


def as_dicts(cohorts: tuple[Cohort, ...]) -> list[dict]:
    return [
        {"start": c.start, "size": c.size, "active": list(c.active), "revenue": list(c.revenue or []), "size_by_channel": c.size_by_channel}
        for c in cohorts
    ]


def assert_equal_to_reference(path: str) -> None:
    tables = cohort_tables(path, amounts=True, channels=True)
    for period, table in tables.items():
        expected = reference_cohorts(path, period)
        got = as_dicts(table.cohorts)
        assert [(c["start"], c["size"], c["size_by_channel"]) for c in got] == [
            (c["start"], c["size"], c["size_by_channel"]) for c in expected
        ]
        for measure in ("active", "revenue"):
            assert [c[measure] for c in got] == [pytest.approx(c[measure], abs=1e-9) for c in expected]
        partial = reference_partial(path, period)
        assert table.partial_last == partial
        assert list(table.average_active) == pytest.approx(reference_average(expected, "active", partial=partial), abs=1e-9)
        assert list(table.average_revenue or []) == pytest.approx(reference_average(expected, "revenue", partial=partial), abs=1e-9)
    assert cohort_tables_from_json(cohort_tables_to_json(tables)) == tables


def stamp(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


KNOWN_LOG = [
    # Week of Monday 2024-01-01: a (web), b (app), c (no channel); a and b come back the next week, a in the third.
    ("a", stamp("2024-01-01"), 10.0, "web"),
    ("b", stamp("2024-01-07", 23), 5.0, "app"),  # Sunday: still the first week
    ("c", stamp("2024-01-03"), None, None),
    ("a", stamp("2024-01-08"), 4.0, "app"),  # a's channel stays web: that of the first event
    ("b", stamp("2024-01-09"), -5.0, "app"),  # a refund
    ("a", stamp("2024-01-15"), 6.0, "web"),
    # Week of 2024-01-08: d, whose event in the file before its first is later in time.
    ("d", stamp("2024-01-16"), 3.0, "web"),
    ("d", stamp("2024-01-08", 1), 1.0, "shop"),
]


def test_a_log_with_known_answers(tmp_path):
    path = write_log(str(tmp_path / "known.parquet"), KNOWN_LOG)

    week, month = cohort_tables(path, amounts=True, channels=True).values()

    first, second = week.cohorts
    assert first == Cohort(
        start=date(2024, 1, 1),
        size=3,
        active=pytest.approx((1.0, 2 / 3, 1 / 3)),
        revenue=pytest.approx((15 / 3, -1 / 3, 6 / 3)),
        size_by_channel={"web": 1, "app": 1, None: 1},
    )
    assert second == Cohort(date(2024, 1, 8), 1, (1.0, 1.0), (1.0, 3.0), {"shop": 1})
    # The last week (from 2024-01-15) and month end before their last day: the averages leave them out.
    assert (week.last_day, week.partial_last, month.partial_last) == (date(2024, 1, 16), True, True)
    assert week.average_active == pytest.approx((1.0, 2 / 3))  # age 1: only the first cohort has it whole
    assert (week.average_customers, week.average_cohorts) == ((4, 3), (2, 1))
    assert month.average_active == ()
    assert month.cohorts == (Cohort(date(2024, 1, 1), 4, (1.0,), (24 / 4,), {"web": 1, "app": 1, None: 1, "shop": 1}),)
    assert_equal_to_reference(path)


def test_without_amounts_or_channels_those_are_absent(tmp_path):
    path = write_log(str(tmp_path / "known.parquet"), KNOWN_LOG)

    week = cohort_tables(path, amounts=False, channels=False)["week"]

    assert week.average_revenue is None
    assert {(c.revenue, c.size_by_channel) for c in week.cohorts} == {(None, None)}
    assert week.cohorts[0].active == pytest.approx((1.0, 2 / 3, 1 / 3))


def test_an_empty_log_has_no_cohorts(tmp_path):
    path = str(tmp_path / "empty.parquet")
    pq.write_table(SCHEMA.empty_table(), path)

    tables = cohort_tables(path, amounts=True, channels=True)

    assert [len(table.cohorts) for table in tables.values()] == [0, 0]


def test_progress_is_reported_and_can_stop_the_work(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest.cohorts, "BATCH_ROWS", 3)
    path = write_log(str(tmp_path / "known.parquet"), KNOWN_LOG)
    seen: list[float] = []

    cohort_tables(path, amounts=True, channels=True, progress=lambda share: seen.append(share) or True)
    assert seen == pytest.approx([3 / 8, 6 / 8, 1.0])
    with pytest.raises(IngestCancelled):
        cohort_tables(path, amounts=True, channels=True, progress=lambda share: False)


@st.composite
def event_logs(draw: st.DrawFn) -> list[tuple[str, datetime, float | None, str | None]]:
    """Users that come back weeks or months later, stamps before 1970 and across years, Sunday/Monday and month
    edges, equal stamps, missing and negative amounts, missing channels."""
    start = draw(st.sampled_from([datetime(1969, 12, 20, tzinfo=UTC), datetime(2023, 12, 30, 23, tzinfo=UTC)]))
    users = draw(st.integers(1, 30))
    minutes = st.integers(0, 60 * 24 * 200).map(lambda m: m - m % 360)  # six-hour steps: equal stamps happen
    event = st.tuples(
        st.integers(0, users - 1).map(lambda u: f"ü{u}"),
        minutes.map(lambda m: start + timedelta(minutes=m)),
        st.one_of(st.none(), st.floats(-50, 200).map(lambda x: round(x, 2))),
        st.sampled_from(["web", "app", "shop", None]),
    )
    log = draw(st.lists(event, min_size=1, max_size=200))
    again = draw(st.lists(st.tuples(st.integers(0, len(log) - 1), st.sampled_from(["web", "app", None])), max_size=10))
    return log + [(*log[index][:3], channel) for index, channel in again]  # equal stamps later in the file


@given(log=event_logs(), batch_rows=st.sampled_from([1_000_000, 7, 1]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cohorts_are_what_the_plain_pandas_statements_give(log, batch_rows, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest.cohorts, "BATCH_ROWS", batch_rows)
    monkeypatch.setattr(ingest.cohorts._Log, "HELD_PAIRS", 5)  # merged every few batches

    assert_equal_to_reference(write_log(str(tmp_path / "events.parquet"), log))
