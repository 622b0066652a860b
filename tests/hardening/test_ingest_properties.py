"""Property tests of the ingest engine's accounting, on generated event logs with stray quotes, NULs and other
control characters, CR / LF / CRLF mixes, blank lines and junk bytes injected anywhere.

Whatever the file: it is refused with a code (never for lines it lost) or every line of the decoded file is accounted
for (rows accepted + rejected + header + blank + lines inside quoted cells = its lines, as the csv module splits
them); the Parquet holds exactly the accepted rows, on lines of their own, none of them rejected, none holding a
control character; and Arrow's fast path and the csv module's path say the same. Bounded for the suite
(`INGEST_FUZZ_EXAMPLES`, default 40 files: a few seconds); run it longer with a larger number."""

import io
import os
from collections import Counter
from dataclasses import replace
from unittest import mock

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import blocks as ingest_blocks
from ingest.errors import RejectedFile
from ingest.pipeline import IngestOptions, ingest_csv

MAPPING = {"user_id": "user", "timestamp": "time", "event": "event", "amount": "amount"}
CONTROL = {chr(code) for code in range(32)} - set("\t\n\r")

users = st.sampled_from(["u1", "u2", "c007", "42", ""])
stamps = st.sampled_from(["2025-01-06", "2025-01-06 12:30", "2025-02-11T08:00:00Z", "06/01/2025", "soon"])
events = st.sampled_from(["view", "buy", "refund", "add to cart", "view", "buy", "view", "buy", '"quoted, with comma"', '"two\nlines"'])
amounts = st.sampled_from(["12.50", "3", "-4.20", "", "abc"])
endings = st.sampled_from(["\n", "\r\n", "\r"])
injections = st.one_of(
    st.just('"'),
    st.just('"'),
    st.just("\x00"),
    st.sampled_from(["\x0b", "\x1b", "\x7f"]),
    endings,
    st.binary(min_size=1, max_size=3),
)


@st.composite
def event_logs(draw: st.DrawFn) -> bytes:
    lines = ["user,time,event,amount"]
    for _ in range(draw(st.integers(0, 40))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", ","])))  # a blank line, or one of empty cells
        lines.append(",".join([draw(users), draw(stamps), draw(events), draw(amounts)]))
    data = b"".join(line.encode() + draw(endings).encode() for line in lines)
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no line break after the last line
    header = len(lines[0]) + 1  # junk in the header only makes the mapping fail: test_csv_properties has such files
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(header, max(header, len(data))))
        junk = draw(injections)
        data = data[:at] + (junk if isinstance(junk, bytes) else junk.encode()) + data[at:]
    return data


def physical_lines(data: bytes) -> int:
    """The decoded file's lines as the csv module splits them: at CR, LF or CRLF."""
    return len(io.StringIO(data.decode("utf-8"), newline="").readlines())


def ingest(data: bytes, path: str, options: IngestOptions, block_bytes: int):
    with mock.patch.object(ingest_blocks, "BLOCK_BYTES", block_bytes):
        try:
            report = ingest_csv(io.BytesIO(data), path, options, lambda _bytes, _rows: True)
        except RejectedFile as refused:
            return ("refused", refused.code, refused.message), None
    return report, pq.read_table(path)


def test_every_line_of_any_event_log_is_accounted_for_and_both_readers_agree(tmp_path):
    outcomes: Counter = Counter()

    @settings_for_suite
    @given(
        data=event_logs(),
        block_bytes=st.sampled_from([16, 64, 256, 1 << 20]),
        max_record_lines=st.integers(2, 8),
        chunk_rows=st.integers(1, 30),
    )
    def check(data: bytes, block_bytes: int, max_record_lines: int, chunk_rows: int) -> None:
        options = IngestOptions(
            encoding="utf-8",
            delimiter=",",
            mapping=MAPPING,
            max_reject_share=1.0,
            max_line_chars=200,
            max_record_lines=max_record_lines,
            chunk_rows=chunk_rows,
        )
        report, events = ingest(data, str(tmp_path / "fast.parquet"), options, block_bytes)
        reference, reference_events = ingest(data, str(tmp_path / "reference.parquet"), replace(options, fast_path=False), block_bytes)

        # Then both readers say the same
        assert (report if isinstance(report, tuple) else report.__dict__) == (
            reference if isinstance(reference, tuple) else reference.__dict__
        )
        if isinstance(report, tuple):
            outcomes[f"refused: {report[1]}"] += 1
            assert report[1] not in ("unaccounted_lines", "malformed", "internal"), report
            return
        assert events is not None
        assert reference_events is not None
        assert events.equals(reference_events)
        outcomes["ingested"] += 1
        outcomes["with rejects"] += bool(report.rows_rejected)
        outcomes["with unclosed quotes"] += "unclosed_quote" in report.rejects_by_reason
        outcomes["with control characters"] += "control_character" in report.rejects_by_reason
        # Then every line is accounted for
        assert report.lines_total == physical_lines(data)
        assert report.rows_accepted + report.rows_rejected + report.header_lines + report.blank_lines + report.lines_in_cells == (
            report.lines_total
        )
        assert report.rows_accepted + report.rows_rejected == report.rows_read
        # And the Parquet holds exactly the accepted rows, each on a line of its own that is no rejected one
        lines = events["line"].to_pylist()
        assert len(lines) == report.rows_accepted
        assert lines == sorted(set(lines))
        assert all(report.header_lines < line <= report.lines_total for line in lines)
        rejected = {line for sample in report.sample_rejected_lines.values() for line in sample}
        assert not rejected & set(lines)
        for name in ("user_id", "event"):
            assert not any(CONTROL & set(value) for value in events[name].to_pylist() if value)

    check()
    print(dict(outcomes))
    # the generator reaches what the test is about
    assert outcomes["ingested"]
    assert outcomes["with unclosed quotes"]
    assert outcomes["with control characters"]


settings_for_suite = settings(
    max_examples=int(os.environ.get("INGEST_FUZZ_EXAMPLES", "40")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
