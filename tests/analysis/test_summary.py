import io

import pytest

from analysis.figures import build_counts_figure
from analysis.ingest import IngestOptions, ingest_csv
from analysis.summary import dataset_summary


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
