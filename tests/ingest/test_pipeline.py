"""The ingest pipeline on generated files: normalisation, rejects with line numbers, whole-file refusals."""

import io

import pyarrow.parquet as pq
import pytest

from ingest.errors import RejectedFile
from ingest.pipeline import IngestCancelled, IngestOptions, ingest_csv
from ingest.sniffing import sniff
from tests.ingest.ingesting import sniffed_options


def run(text: str, tmp_path, encoding: str = "utf-8", sample: bytes | None = None, **overrides: object):
    data = text.encode(encoding)
    options = sniffed_options(data, sample, **overrides)
    destination = str(tmp_path / "events.parquet")
    report = ingest_csv(io.BytesIO(data), destination, options, lambda _bytes, _rows: True)
    return report, pq.read_table(destination).to_pandas()


def test_timestamps_in_every_common_form_end_up_utc(tmp_path):
    text = "user,time\na,2024-05-01T10:00:00+02:00\nb,2024-05-01 08:00:00\nc,1714550400\nd,1714550400000\ne,2025年3月1日\n"

    report, events = run(text, tmp_path)

    assert report.rows_accepted == 5
    assert [str(ts) for ts in events["timestamp"]] == [
        "2024-05-01 08:00:00+00:00",
        "2024-05-01 08:00:00+00:00",
        "2024-05-01 08:00:00+00:00",
        "2024-05-01 08:00:00+00:00",
        "2025-03-01 00:00:00+00:00",
    ]


def test_amounts_with_decimal_commas_currency_and_refunds(tmp_path):
    text = "customer;date;amount\nk1;2024-01-01;1.234,50 €\nk2;2024-01-02;-12,00\nk3;2024-01-03;(5,25)\n"

    _report, events = run(text, tmp_path)

    assert events["amount"].tolist() == [1234.5, -12.0, -5.25]


def test_bad_rows_are_rejected_with_reason_and_line_while_the_rest_is_kept(tmp_path):
    text = "user,time,amount\nu1,2024-01-01,1\n,2024-01-01,1\nu3,not a date,1\nu4,2024-01-01,abc\nu5,2024-01-01\nu6,2024-01-02,2\n"

    report, events = run(text, tmp_path)

    assert events["user_id"].tolist() == ["u1", "u6"]
    assert report.rejects_by_reason == {"missing_user": 1, "unparseable_timestamp": 1, "non_numeric_amount": 1, "wrong_column_count": 1}
    assert report.sample_rejected_lines == {
        "missing_user": [3],
        "unparseable_timestamp": [4],
        "non_numeric_amount": [5],
        "wrong_column_count": [6],
    }
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 2, 4)


def test_hostile_values_are_stored_as_plain_text(tmp_path):
    text = 'user,time,event\nu1,2024-01-01,"=HYPERLINK(""http://evil"")"\nu2,2024-01-01,+cmd\nu3,2024-01-01,<script>alert(1)</script>\n'

    _report, events = run(text, tmp_path)

    assert events["event"].tolist() == ['=HYPERLINK("http://evil")', "+cmd", "<script>alert(1)</script>"]


def test_too_many_rejected_rows_refuse_the_file(tmp_path):
    text = "user,time\nu1,2024-01-01\nu2,nope\nu3,nope\n"

    with pytest.raises(RejectedFile) as refused:
        run(text, tmp_path, max_reject_share=0.2)

    assert refused.value.code == "too_many_rejects"
    assert "67%" in refused.value.message


def test_every_timestamp_unparseable_refuses_the_file(tmp_path):
    with pytest.raises(RejectedFile) as refused:
        run("user,time\nu1,soon\nu2,later\n", tmp_path)

    assert refused.value.code == "unparseable_timestamp"


def test_a_line_over_the_limit_refuses_the_file(tmp_path):
    with pytest.raises(RejectedFile) as refused:
        run("user,time,note\nu1,2024-01-01," + "x" * 500 + "\n", tmp_path, max_line_chars=100)

    assert refused.value.code == "line_too_long"
    assert "Line 2" in refused.value.message


def test_cancelling_stops_between_chunks(tmp_path):
    data = ("user,time\n" + "".join(f"u{i},2024-01-01\n" for i in range(20))).encode()
    found = sniff(data)
    options = IngestOptions(encoding=found.encoding, delimiter=",", mapping=found.mapping, chunk_rows=5)

    with pytest.raises(IngestCancelled):
        ingest_csv(io.BytesIO(data), str(tmp_path / "x.parquet"), options, lambda _bytes, rows: rows < 10)


def test_chunks_grow_from_an_eighth_of_the_chunk_size(tmp_path):
    """Small first chunks, so that writing starts soon; then chunks (Parquet row groups) of the size set."""
    data = ("user,time\n" + "".join(f"u{i},2024-01-01\n" for i in range(100))).encode()
    found = sniff(data)
    options = IngestOptions(encoding=found.encoding, delimiter=",", mapping=found.mapping, chunk_rows=16)
    destination = tmp_path / "x.parquet"

    ingest_csv(io.BytesIO(data), str(destination), options, lambda _bytes, _rows: True)

    metadata = pq.ParquetFile(destination).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [2, 4, 8, 16, 16, 16, 16, 16, 6]


def test_extra_columns_are_kept_as_properties_when_chosen(tmp_path):
    text = "user,time,Coupon,Device\na,2024-05-01,SPRING,ios\nb,2024-05-02,,=cmd\n"

    report, events = run(text, tmp_path, keep_extra=True)

    assert report.columns_kept == ["Coupon", "Device"]
    assert report.columns_dropped == []
    assert [dict(value) for value in events["properties"]] == [{"Coupon": "SPRING", "Device": "ios"}, {"Device": "=cmd"}]


def test_extra_columns_are_dropped_by_default(tmp_path):
    report, events = run("user,time,Coupon\na,2024-05-01,SPRING\n", tmp_path)

    assert (report.columns_kept, report.columns_dropped) == ([], ["Coupon"])
    assert "properties" not in events.columns  # no column of nulls: only datasets that keep columns have one


def log_lines(count: int, start: int = 0) -> list[str]:
    return [f"u{i},2024-01-01,ok\n" for i in range(start, start + count)]


def test_a_stray_quote_costs_its_own_record_not_the_rows_after_it(tmp_path):
    """The issue's file: 2,102 lines, a quote opened by mistake on line 102 and never closed. It used to swallow the
    2,000 rows after it into one accepted row."""
    rows = log_lines(2_100)
    rows[100] = 'u100,2024-01-01,"oops\n'  # line 102: the header is line 1
    text = "user,time,note\n" + "".join(rows) + "\n"

    report, events = run(text, tmp_path, max_reject_share=0.2)

    assert report.rejects_by_reason == {"unclosed_quote": 1}
    assert report.sample_rejected_lines == {"unclosed_quote": [102]}
    assert report.rows_accepted == len(events) == 2_099
    assert events["user_id"].iloc[-1] == "u2099"
    assert (report.lines_total, report.header_lines, report.blank_lines, report.lines_in_cells) == (2_102, 1, 1, 0)


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_quote_closed_only_after_more_lines_than_a_record_may_take_is_a_rejected_record(fast_path, tmp_path):
    rows = log_lines(30)
    rows[3] = 'u3,2024-01-01,"a note\n'  # line 5, closed 8 lines further down: by a stray quote
    rows[11] = 'u11,2024-01-01,ok"\n'

    report, events = run("user,time,note\n" + "".join(rows), tmp_path, max_record_lines=5, fast_path=fast_path)

    assert report.sample_rejected_lines == {"unclosed_quote": [5]}
    assert len(events) == 29
    assert report.lines_accounted == report.lines_total == 31


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_quoted_cell_within_the_lines_a_record_may_take_is_read_as_one(fast_path, tmp_path):
    rows = log_lines(30)
    rows[3] = 'u3,2024-01-01,"a note\n' + "over\n" * 3 + 'lines"\n'  # five lines: as many as a record may take

    report, events = run("user,time,note\n" + "".join(rows), tmp_path, max_record_lines=5, fast_path=fast_path)

    assert report.rows_rejected == 0
    assert events["line"].tolist()[2:5] == [4, 9, 10]
    assert (report.lines_total, report.lines_in_cells) == (35, 4)


def test_a_quote_left_open_in_the_last_lines_is_a_rejected_record(tmp_path):
    text = "user,time,note\n" + "".join(log_lines(10)) + 'u10,"2024-01-01,x\n' + "".join(log_lines(5, 11))

    report, events = run(text, tmp_path)

    assert report.sample_rejected_lines == {"unclosed_quote": [12]}
    assert events["user_id"].tolist()[-5:] == ["u11", "u12", "u13", "u14", "u15"]


def test_a_multiline_cell_over_the_length_limit_is_a_rejected_record_not_a_refused_file(tmp_path):
    rows = log_lines(20)
    rows[4] = 'u4,2024-01-01,"' + "x" * 60 + "\n"  # the quote runs on, over the 100 characters a cell may have

    report, events = run("user,time,note\n" + "".join(rows), tmp_path, max_line_chars=100)

    assert report.sample_rejected_lines == {"unclosed_quote": [6]}
    assert len(events) == 19


def test_a_header_with_a_quote_left_open_refuses_the_file(tmp_path):
    data = ('user,"time\n' + "".join(log_lines(200))).encode()
    options = IngestOptions(encoding="utf-8", delimiter=",", mapping={"user_id": "user", "timestamp": "time"})

    with pytest.raises(RejectedFile) as refused:
        ingest_csv(io.BytesIO(data), str(tmp_path / "x.parquet"), options, lambda _bytes, _rows: True)

    assert refused.value.code == "unclosed_quote"
    assert refused.value.params == {"line": 1, "limit": 100}


@pytest.mark.parametrize("fast_path", [True, False])
def test_every_line_is_accounted_for(fast_path, tmp_path):
    text = '\n  \nuser,"time\nof day",note\n\nu1,2024-01-01,"a\n\nb"\nu2,2024-01-01\n\n"\n"\n   \nu3,2024-01-02,x\r\n\r\nu4,bad,y'

    report, _events = run(text, tmp_path, fast_path=fast_path)

    assert (report.rows_accepted, report.rows_rejected, report.header_lines, report.lines_in_cells) == (2, 2, 2, 2)
    assert report.blank_lines == 8  # 2 before the header, 4 empty or of spaces, 2 of a quoted line break alone
    assert report.lines_total == len(text.splitlines()) == 16


@pytest.mark.parametrize("fast_path", [True, False])
def test_values_with_nul_or_other_control_characters_are_rejected_with_their_line(fast_path, tmp_path):
    """A NUL reaches PostgreSQL through the summary (top events, channels) and fails the job there: such a row is a
    counted reject instead. Tabs and line breaks inside quoted cells are text."""
    rows = [f"u{i},2024-01-01,view,web\n" for i in range(400)]  # past the first 8 KiB
    rows[380] = "u380,2024-01-01,vi\x00ew,web\n"  # line 382
    rows[385] = "u385,2024-01-01,view,w\x0beb\n"
    rows[390] = 'u390,2024-01-01,"a\tb",\x1b[0m\n'
    rows[395] = 'u395,2024-01-01,"two\r\nlines",web\n'
    text = "user,time,event,channel\n" + "".join(rows)
    assert "\x00" not in text[:8192]

    report, events = run(text, tmp_path, sample=text[:8192].encode(), fast_path=fast_path)  # as the upload sniffed it

    assert report.rejects_by_reason == {"control_character": 3}
    assert report.sample_rejected_lines == {"control_character": [382, 387, 392]}
    assert "a\tb" not in events["event"].tolist()
    assert "two\r\nlines" in events["event"].tolist()
    assert not any("\x00" in value for column in ("user_id", "event", "channel") for value in events[column])


def test_control_characters_in_a_column_not_kept_do_not_reject_the_row(tmp_path):
    report, events = run("user,time,note\nu1,2024-01-01,a\x00b\nu2,2024-01-01,x\n", tmp_path, sample=b"user,time,note\nu1,2024-01-01,x\n")

    assert report.rows_rejected == 0
    assert len(events) == 2


@pytest.mark.parametrize("fast_path", [True, False])
@pytest.mark.parametrize("endings", [["\r"], ["\n", "\r\n", "\r"]], ids=["CR only", "mixed"])
def test_cr_only_and_mixed_line_endings_are_lines_like_any_other(endings, fast_path, tmp_path):
    rows = ["user,time", *(f"u{i},{'bad' if i == 7 else '2024-01-01'}" for i in range(30))]
    text = "".join(row + endings[i % len(endings)] for i, row in enumerate(rows)) + endings[0]

    # sniffed as LF: the sniffer reads a CR-only sample as one line (left to the sniffer)
    report, events = run(text, tmp_path, sample=b"user,time\nu1,2024-01-01\n", fast_path=fast_path)

    assert report.sample_rejected_lines == {"unparseable_timestamp": [9]}
    assert events["line"].tolist()[:3] == [2, 3, 4]
    assert (report.lines_total, report.blank_lines) == (32, 1)


def test_a_first_line_over_the_limit_is_said_to_be_too_long_not_empty(tmp_path):
    data = ("user,time," + "x" * 1_100_000 + "\nu1,2024-01-01,x\n").encode()
    options = IngestOptions(encoding="utf-8", delimiter=",", mapping={"user_id": "user", "timestamp": "time"})

    with pytest.raises(RejectedFile) as refused:
        ingest_csv(io.BytesIO(data), str(tmp_path / "x.parquet"), options, lambda _bytes, _rows: True)

    assert refused.value.code == "line_too_long"
    assert refused.value.message == "Line 1 is longer than 100000 characters."
