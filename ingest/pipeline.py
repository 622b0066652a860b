"""Stream a CSV into normalised events in Parquet, a block at a time. Three stages overlap, each handing on at most two
batches, so memory stays bounded by the block and chunk sizes whatever the file's size: reading and parsing on a
thread (ingest/read.py: text cells, with the exact line number of every row), normalising on the caller's thread,
which also reports progress (ingest/normalise.py), and appending to Parquet on a thread (ingest/stages.py). Cells are
read as text because Arrow's own typed conversion takes forms our rules read otherwise ("1e3", "NaN", "+05").
Distinct users are counted by the summary (ingest/summary.py), which numbers them anyway: counting them here too would
hash every user twice. Pure apart from the files it is handed: no Django. Measurements: bench/README.md."""

import csv
import io
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.blocks import Utf8Blocks
from ingest.cells import Column, with_control_characters
from ingest.errors import RejectedFile, gettext_noop
from ingest.normalise import numbers, parse_numbers, parse_timestamps, properties, strip, timestamps
from ingest.read import Batch, ReadSettings, Tally, column_name, read_batches, read_header
from ingest.sniffing import ROLES, Sniffed
from ingest.stages import ParquetAppender, ReadAhead

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["IngestCancelled", "IngestOptions", "IngestReport", "ingest_csv", "parse_numbers", "parse_timestamps"]

SCHEMA = pa.schema(
    [
        # Never null (a row without them is rejected): written without definition levels.
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
        ("event", pa.string()),
        ("amount", pa.float64()),
        ("quantity", pa.float64()),
        ("product", pa.string()),
        ("channel", pa.string()),
        pa.field("line", pa.int64(), nullable=False),
        # The file's other columns, when the user chose to keep them (column → text; empty cells left out). Only in
        # the files of datasets that keep some: a column of nulls still costs the Parquet writer (a map has two
        # leaves, and each null row is levelled in both), and no reader needs it there.
        ("properties", pa.map_(pa.string(), pa.string())),
    ]
)
WITHOUT_PROPERTIES = SCHEMA.remove(SCHEMA.get_field_index("properties"))
SAMPLE_LINES_PER_REASON = 10


class IngestCancelled(Exception):
    pass


@dataclass(frozen=True)
class IngestOptions:
    encoding: str
    delimiter: str
    mapping: dict[str, str]  # role → column name in the file
    decimal: str = "."
    date_order: str = ""  # "day_first" | "month_first" | ""
    keep_extra: bool = False  # the columns no role uses: kept as properties, or dropped
    max_line_chars: int = 100_000
    # The lines a record may take: a quoted cell may hold up to 99 line breaks. An event log's cells with line breaks
    # are addresses and notes, of a few lines; a quote opened by mistake takes every line up to the next quote (to
    # the end of the file, if there is none). Within 100 lines the mistake costs one rejected record (the lines after
    # it are read again) and a look-ahead the csv module makes in a fraction of a millisecond.
    max_record_lines: int = 100
    max_reject_share: float = 0.2
    # Rows normalised and written at a time (a Parquet row group); progress after each chunk. 100 000 rather than
    # 200 000: the stages wait less for each other, and less memory is held.
    chunk_rows: int = 100_000
    fast_path: bool = True  # False: the csv module reads every block (the reference the tests compare Arrow with)

    @classmethod
    def from_sniffed(cls, found: Sniffed, **overrides: Any) -> "IngestOptions":
        """The options as the sniff found the file (encoding, delimiter, mapping, decimal mark, date order)."""
        fields = {"encoding": found.encoding, "delimiter": found.delimiter, "mapping": found.mapping, "decimal": found.decimal}
        return cls(**{**fields, "date_order": found.date_order, **overrides})


@dataclass
class IngestReport:
    """What the ingest read. Every line of the file is accounted for: `lines_total` (as the csv module splits the
    decoded text, at CR, LF or CRLF) = rows accepted + rows rejected + header lines + blank lines + the lines that
    continue a record (the line breaks inside its quoted cells)."""

    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    sample_rejected_lines: dict[str, list[int]] = field(default_factory=dict)
    first_timestamp: str | None = None
    last_timestamp: str | None = None
    columns_dropped: list[str] = field(default_factory=list)
    columns_kept: list[str] = field(default_factory=list)
    lines_total: int = 0
    header_lines: int = 0
    blank_lines: int = 0
    lines_in_cells: int = 0

    @property
    def lines_accounted(self) -> int:
        return self.rows_accepted + self.rows_rejected + self.header_lines + self.blank_lines + self.lines_in_cells

    def reject(self, reason: str, lines: list[int]) -> None:
        if not lines:
            return
        self.rows_rejected += len(lines)
        self.rejects_by_reason[reason] = self.rejects_by_reason.get(reason, 0) + len(lines)
        sample = self.sample_rejected_lines.setdefault(reason, [])
        sample.extend(lines[: SAMPLE_LINES_PER_REASON - len(sample)])


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying file, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer)
        data = self.raw.read(len(view))
        view[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:  # without the copies RawIOBase.read makes through readinto
        data = self.raw.read(size)
        self.bytes_read += len(data)
        return data


def ingest_csv(source: BinaryIO, destination: str, options: IngestOptions, progress: Callable[[int, int], bool]) -> IngestReport:
    """Read `source`, write accepted events to the Parquet file `destination`, return the report.

    `progress(bytes_read, rows_read)` is called after every chunk; returning False cancels (IngestCancelled).
    Raises RejectedFile when the file as a whole cannot be used."""
    missing = [role for role in ("user_id", "timestamp") if role not in options.mapping]
    if missing:
        raise RejectedFile("mapping", f"Say which column holds: {', '.join(missing)}.")
    counter = _CountingReader(source)
    settings = ReadSettings(
        options.encoding, options.delimiter, options.max_line_chars, options.chunk_rows, options.fast_path, options.max_record_lines
    )
    blocks = Utf8Blocks(counter, options.encoding)
    report = IngestReport()
    tally = Tally()
    with ExitStack() as cleanup:  # every callback runs, in reverse order, even when one of them raises
        cleanup.callback(csv.field_size_limit, csv.field_size_limit(options.max_line_chars))  # process-wide: put back
        header, rest, header_end = read_header(blocks, settings, tally)
        absent = [column for column in options.mapping.values() if column not in header]
        if absent:
            raise RejectedFile("mapping", f"The file has no column named {', '.join(repr(c) for c in absent)}.")
        index = {role: header.index(column) for role, column in options.mapping.items() if role in ROLES}
        extra = {column: position for position, column in enumerate(header) if column not in options.mapping.values()}
        if not options.keep_extra:
            report.columns_dropped, extra = list(extra), {}
        report.columns_kept = list(extra)
        kept = sorted({*index.values(), *extra.values()})
        settings = replace(settings, kept=None if len(kept) == len(header) else tuple(kept))
        writer = ParquetAppender(destination, SCHEMA if extra else WITHOUT_PROPERTIES)
        cleanup.callback(writer.close)
        chunks = _Chunks(
            _Normaliser(index, extra, options, report, writer),
            options.chunk_rows,
            lambda: progress(counter.bytes_read, report.rows_read),
        )
        batches = iter(ReadAhead(read_batches(blocks, rest, header_end, len(header), settings, tally)))
        try:
            for batch in batches:
                chunks.add(batch)
        finally:
            batches.close()  # stops the reading thread now, also when cancelled or refused
        chunks.finish()
    _account_for_every_line(report, tally)
    _refuse_unusable(report, options)
    return report


def _account_for_every_line(report: IngestReport, tally: Tally) -> None:
    """The report's accounting of the file's lines, which must add up: a line neither read as a row nor said to be
    something else is a line lost, and the file is refused rather than stored short of it."""
    report.lines_total, report.header_lines = tally.lines, tally.header
    report.blank_lines += tally.blank_before_header
    if report.lines_accounted != report.lines_total:
        raise RejectedFile(
            "unaccounted_lines",
            gettext_noop("The file has %(lines)s lines, of which only %(accounted)s could be read: it was not ingested."),
            lines=report.lines_total,
            accounted=report.lines_accounted,
        )


class _Chunks:
    """Regroups the reader's batches into chunks of `size` counted rows: each is normalised and written, then
    progress is reported (False cancels); after the last one it is reported once more. The first chunks are smaller
    (an eighth of `size`, doubling): the Parquet writer starts sooner, instead of waiting for a whole chunk."""

    def __init__(self, normaliser: "_Normaliser", size: int, progress: Callable[[], bool]) -> None:
        self.normaliser, self.largest, self.progress = normaliser, size, progress
        self.size = max(1, size // 8)
        self.pending: list[Batch] = []
        self.counted = 0

    def add(self, batch: Batch) -> None:
        self.normaliser.report.blank_lines += batch.blank  # lines of no row: counted before the batch is cut up
        self.normaliser.report.lines_in_cells += batch.in_cells
        while batch.counted:
            head, batch = batch.split(self.size - self.counted)
            self.pending.append(head)
            self.counted += head.counted
            if self.counted >= self.size:
                self.normaliser.write(Batch.concat(self.pending))
                self.pending, self.counted = [], 0
                self.size = min(2 * self.size, self.largest)
                if not self.progress():
                    raise IngestCancelled()

    def finish(self) -> None:
        if self.pending:
            self.normaliser.write(Batch.concat(self.pending))
        self.progress()


class _Normaliser:
    """Turns batches of text rows into events: rejects rows with the reason and line, appends the rest to Parquet,
    keeps the report's counts."""

    def __init__(
        self,
        index: dict[str, int],
        extra: dict[str, int],
        options: IngestOptions,
        report: IngestReport,
        writer: ParquetAppender,
    ) -> None:
        self.index, self.extra, self.options, self.report, self.writer = index, extra, options, report, writer
        self.absent: dict[str, pa.Array] = {}

    def write(self, batch: Batch) -> None:
        report = self.report
        report.rows_read += batch.counted
        report.reject("wrong_column_count", batch.wrong.tolist())
        report.reject("unclosed_quote", batch.unclosed.tolist())
        if not batch.table.num_rows:
            return
        cells = {role: batch.table.column(column_name(position)) for role, position in self.index.items()}
        user = strip(cells["user_id"])
        timestamp = timestamps(strip(cells["timestamp"]), self.options.date_order)
        given: dict[str, Column] = {role: strip(cells[role]) for role in ("amount", "quantity") if role in cells}
        amounts = {role: (text, numbers(text, self.options.decimal)) for role, text in given.items()}
        control = with_control_characters(batch.table.columns)  # the kept columns' cells
        accepted = self._reject(batch.lines, control, user, timestamp, amounts)
        if not accepted.any():
            return
        kept = _Kept(accepted)
        user, timestamp = kept(user), kept(timestamp)
        columns = {
            "user_id": user,
            "timestamp": timestamp,
            "event": self._kept_text(cells, "event", kept),
            "amount": kept(amounts["amount"][1]) if "amount" in amounts else None,
            "quantity": kept(amounts["quantity"][1]) if "quantity" in amounts else None,
            "product": self._kept_text(cells, "product", kept),
            "channel": self._kept_text(cells, "channel", kept),
            "line": pa.array(kept(batch.lines), pa.int64()),
        }
        if self.extra:
            columns["properties"] = properties(
                {name: kept(batch.table.column(column_name(position)).combine_chunks()) for name, position in self.extra.items()},
                kept.count,
            )
        columns = {name: self._absent(name, kept.count) if column is None else column for name, column in columns.items()}
        self.writer.write_table(pa.table(columns, schema=self.writer.schema))
        self._count_accepted(timestamp)

    def _reject(
        self, lines: np.ndarray, control: np.ndarray | None, user: Column, timestamp: Column, amounts: dict[str, tuple[Column, Column]]
    ) -> np.ndarray:
        """Record each rejected row under its first reason (reasons in order of first appearance); the accepted mask."""
        reasons: list[tuple[str, Column]] = [("control_character", pa.array(control))] if control is not None else []
        reasons += [("missing_user", pc.equal(user, "")), ("unparseable_timestamp", pc.is_null(timestamp))]
        reasons += [
            (f"non_numeric_{role}", pc.and_(pc.not_equal(given, ""), pc.is_null(parsed))) for role, (given, parsed) in amounts.items()
        ]
        taken = np.zeros(len(lines), bool)
        found = []
        for name, condition in reasons:
            if not pc.any(condition).as_py():  # as most chunks: no row turned into numpy's booleans
                continue
            hit = np.asarray(condition) & ~taken
            if hit.any():
                found.append((int(np.argmax(hit)), name, lines[hit].tolist()))
                taken |= hit
        for _first, name, rejected in sorted(found):
            self.report.reject(name, rejected)
        return ~taken

    @staticmethod
    def _kept_text(cells: dict[str, Column], role: str, kept: "_Kept") -> Column | None:
        return kept(strip(cells[role])) if role in cells else None

    def _absent(self, name: str, rows: int) -> pa.Array:
        """A column the file does not have, all nulls: the same array for every chunk of as many rows (pa.nulls
        would allocate and fill a new one each time)."""
        nulls = self.absent.get(name)
        if nulls is None or len(nulls) != rows:
            nulls = self.absent[name] = pa.nulls(rows, SCHEMA.field(name).type)
        return nulls

    def _count_accepted(self, timestamp: Column) -> None:
        report = self.report
        report.rows_accepted += len(timestamp)
        bounds = pc.min_max(timestamp)
        first, last = bounds["min"].as_py().isoformat(), bounds["max"].as_py().isoformat()
        report.first_timestamp = min(filter(None, [report.first_timestamp, first]))
        report.last_timestamp = max(filter(None, [report.last_timestamp, last]))


class _Kept:
    """Keeps the accepted rows of an array (Arrow or numpy): the array itself, not a copy, when all are accepted."""

    def __init__(self, accepted: np.ndarray) -> None:
        self.count = int(accepted.sum())
        self.accepted = None if self.count == len(accepted) else accepted
        self.mask = None if self.accepted is None else pa.array(accepted)

    def __call__(self, values: "Column | np.ndarray") -> "Column | np.ndarray":
        if self.accepted is None:
            return values
        return values[self.accepted] if isinstance(values, np.ndarray) else values.filter(self.mask)


def _refuse_unusable(report: IngestReport, options: IngestOptions) -> None:
    """Raise RejectedFile when the ingest read no row, no row is usable, or more rows were rejected than allowed."""
    if report.rows_read == 0:
        raise RejectedFile("header_only", "The file has a header row but no data rows.")
    if report.rejects_by_reason.get("unparseable_timestamp", 0) + report.rejects_by_reason.get("missing_user", 0) == report.rows_read:
        reason = "unparseable_timestamp" if report.rejects_by_reason.get("unparseable_timestamp") else "missing_user"
        raise RejectedFile(
            reason,
            "No row has a usable user and timestamp: check the column mapping and the date format "
            f"(e.g. {_lines_text(report.sample_rejected_lines.get(reason, []))}).",
        )
    share = report.rows_rejected / report.rows_read
    if share > options.max_reject_share:
        reasons = ", ".join(
            f"{reason} ({count}: {_lines_text(report.sample_rejected_lines.get(reason, []))})"
            for reason, count in sorted(report.rejects_by_reason.items(), key=lambda kv: -kv[1])
        )
        raise RejectedFile(
            "too_many_rejects", f"{share:.0%} of the rows were rejected (at most {options.max_reject_share:.0%} allowed): {reasons}."
        )


def _lines_text(numbers: list[int]) -> str:
    """The first rejected lines as the message names them ("line 3", "lines 3, 5, …"): a failed ingest keeps no
    report."""
    shown = ", ".join(str(number) for number in numbers[:5])
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}{', …' if len(numbers) > 5 else ''}"
