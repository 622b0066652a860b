"""Stream a CSV into normalised events in Parquet: decode once, parse with the csv module (line numbers for every
rejected row), normalise a chunk at a time with pandas, append to a Parquet file. Memory stays bounded by the chunk
size whatever the file size. Pure apart from the files it is handed: no Django."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.sniffing import ROLES, RejectedFile, _unique_headers

SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("event", pa.string()),
        ("amount", pa.float64()),
        ("quantity", pa.float64()),
        ("product", pa.string()),
        ("channel", pa.string()),
        ("line", pa.int64()),
        # The file's other columns, when the user chose to keep them (column → text; empty cells left out).
        ("properties", pa.map_(pa.string(), pa.string())),
    ]
)
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
    max_reject_share: float = 0.2
    chunk_rows: int = 50_000


@dataclass
class IngestReport:
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    sample_rejected_lines: dict[str, list[int]] = field(default_factory=dict)
    users: int = 0
    first_timestamp: str | None = None
    last_timestamp: str | None = None
    columns_dropped: list[str] = field(default_factory=list)
    columns_kept: list[str] = field(default_factory=list)

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

    def readinto(self, buffer: memoryview) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


def ingest_csv(source: BinaryIO, destination: str, options: IngestOptions, progress: Callable[[int, int], bool]) -> IngestReport:
    """Read `source`, write accepted events to the Parquet file `destination`, return the report.

    `progress(bytes_read, rows_read)` is called after every chunk; returning False cancels (IngestCancelled).
    Raises RejectedFile when the file as a whole cannot be used."""
    missing = [role for role in ("user_id", "timestamp") if role not in options.mapping]
    if missing:
        raise RejectedFile("mapping", f"Say which column holds: {', '.join(missing)}.")
    counter = _CountingReader(source)
    text = io.TextIOWrapper(io.BufferedReader(counter, buffer_size=1 << 20), encoding=options.encoding, errors="strict", newline="")
    csv.field_size_limit(options.max_line_chars)
    reader = csv.reader(text, delimiter=options.delimiter)
    report = IngestReport()
    users: set[str] = set()
    writer = pq.ParquetWriter(destination, SCHEMA, compression="zstd")
    try:
        header = _header(reader, options)
        index = {role: header.index(column) for role, column in options.mapping.items() if column in header and role in ROLES}
        absent = [column for role, column in options.mapping.items() if column not in header]
        if absent:
            raise RejectedFile("mapping", f"The file has no column named {', '.join(repr(c) for c in absent)}.")
        extra = {column: position for position, column in enumerate(header) if column not in options.mapping.values()}
        if not options.keep_extra:
            report.columns_dropped, extra = list(extra), {}
        report.columns_kept = list(extra)
        rows: list[list[str]] = []
        lines: list[int] = []
        wrong_width: list[int] = []
        for row in _records(reader, options):
            if len(row) < 2 and not (row and row[0].strip()):  # a blank line (cheap test: this loop is hot)
                continue
            report.rows_read += 1
            if len(row) != len(header):
                wrong_width.append(reader.line_num)
            else:
                rows.append(row)
                lines.append(reader.line_num)
            if len(rows) + len(wrong_width) >= options.chunk_rows:
                _flush(rows, lines, wrong_width, index, extra, options, report, users, writer)
                rows, lines, wrong_width = [], [], []
                if not progress(counter.bytes_read, report.rows_read):
                    raise IngestCancelled()
        _flush(rows, lines, wrong_width, index, extra, options, report, users, writer)
        progress(counter.bytes_read, report.rows_read)
    finally:
        writer.close()
    report.users = len(users)
    _judge(report, options)
    return report


def _header(reader: csv.reader, options: IngestOptions) -> list[str]:
    # hardening-fuzz fix: read through _records, so that a decoding error in the first buffer (which the header read
    # decodes) is a RejectedFile("encoding") like one further on, not an unexpected failure.
    for row in _records(reader, options):
        if any(cell.strip() for cell in row):
            return _unique_headers(row)
    raise RejectedFile("empty", "The file is empty.")


def _records(reader: csv.reader, options: IngestOptions) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise RejectedFile("line_too_long", f"Line {reader.line_num} is longer than {options.max_line_chars} characters.") from exc
        raise RejectedFile("malformed", f"Line {reader.line_num} cannot be read as CSV: {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise RejectedFile(
            "encoding", f"Near line {reader.line_num} the file is not {options.encoding} text: choose the right encoding."
        ) from exc


def _judge(report: IngestReport, options: IngestOptions) -> None:
    if report.rows_read == 0:
        raise RejectedFile("header_only", "The file has a header row but no data rows.")
    if report.rejects_by_reason.get("unparseable_timestamp", 0) + report.rejects_by_reason.get("missing_user", 0) == report.rows_read:
        reason = "unparseable_timestamp" if report.rejects_by_reason.get("unparseable_timestamp") else "missing_user"
        raise RejectedFile(
            reason,
            "No row has a usable user and timestamp: check the column mapping and the date format "
            f"(e.g. {_lines(report.sample_rejected_lines.get(reason, []))}).",
        )
    share = report.rows_rejected / report.rows_read
    if share > options.max_reject_share:
        reasons = ", ".join(
            f"{reason} ({count}: {_lines(report.sample_rejected_lines.get(reason, []))})"
            for reason, count in sorted(report.rejects_by_reason.items(), key=lambda kv: -kv[1])
        )
        raise RejectedFile(
            "too_many_rejects", f"{share:.0%} of the rows were rejected (at most {options.max_reject_share:.0%} allowed): {reasons}."
        )


def _lines(numbers: list[int]) -> str:
    """hardening-fuzz fix: a failed ingest keeps no report, so its message names the first rejected lines."""
    shown = ", ".join(str(number) for number in numbers[:5])
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}{', …' if len(numbers) > 5 else ''}"


def _flush(
    rows: list[list[str]],
    lines: list[int],
    wrong_width: list[int],
    index: dict[str, int],
    extra: dict[str, int],
    options: IngestOptions,
    report: IngestReport,
    users: set[str],
    writer: pq.ParquetWriter,
) -> None:
    """Normalise one chunk: reject rows with the reason and line number, append the rest to the Parquet file."""
    report.reject("wrong_column_count", wrong_width)
    if not rows:
        return
    frame = pd.DataFrame({role: [row[position] for row in rows] for role, position in index.items()}, dtype="string")
    line = pd.Series(lines, dtype="int64")
    user = frame["user_id"].str.strip()
    timestamp = parse_timestamps(frame["timestamp"], options.date_order)
    numbers = {role: parse_numbers(frame[role], options.decimal) for role in ("amount", "quantity") if role in frame}

    reason = pd.Series("", index=frame.index, dtype="string")
    reason = reason.mask((reason == "") & (user == ""), "missing_user")
    reason = reason.mask((reason == "") & timestamp.isna(), "unparseable_timestamp")
    for role, values in numbers.items():
        given = frame[role].str.strip() != ""
        reason = reason.mask((reason == "") & given & values.isna(), f"non_numeric_{role}")
    for name in reason[reason != ""].unique():
        report.reject(str(name), line[reason == name].tolist())

    accepted = reason == ""
    if not accepted.any():
        return
    table = pd.DataFrame(
        {
            "user_id": user[accepted],
            "timestamp": timestamp[accepted],
            "event": _text(frame, "event", accepted),
            "amount": numbers.get("amount", pd.Series(float("nan"), index=frame.index))[accepted].astype("float64"),
            "quantity": numbers.get("quantity", pd.Series(float("nan"), index=frame.index))[accepted].astype("float64"),
            "product": _text(frame, "product", accepted),
            "channel": _text(frame, "channel", accepted),
            "line": line[accepted],
        }
    )
    arrays = pa.Table.from_pandas(table, schema=SCHEMA.remove(SCHEMA.get_field_index("properties")), preserve_index=False)
    kept = [row for row, ok in zip(rows, accepted.tolist(), strict=True) if ok]
    writer.write_table(arrays.append_column(SCHEMA.field("properties"), _properties(kept, extra)))
    report.rows_accepted += int(accepted.sum())
    users.update(table["user_id"].unique().tolist())
    first, last = table["timestamp"].min(), table["timestamp"].max()
    report.first_timestamp = min(filter(None, [report.first_timestamp, first.isoformat()]))
    report.last_timestamp = max(filter(None, [report.last_timestamp, last.isoformat()]))


def _properties(rows: list[list[str]], extra: dict[str, int]) -> pa.Array:
    """One map per row of the kept columns' non-empty cells; null when no column is kept."""
    if not extra:
        return pa.nulls(len(rows), SCHEMA.field("properties").type)
    keys: list[str] = []
    items: list[str] = []
    offsets = [0]
    for row in rows:
        for column, position in extra.items():
            if value := row[position].strip():
                keys.append(column)
                items.append(value)
        offsets.append(len(keys))
    return pa.MapArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(keys, pa.string()), pa.array(items, pa.string()))


def _text(frame: pd.DataFrame, role: str, accepted: pd.Series) -> pd.Series:
    if role not in frame:
        return pd.Series(pd.NA, index=frame.index[accepted], dtype="string")
    return frame[role][accepted].str.strip()


def parse_timestamps(raw: pd.Series, date_order: str) -> pd.Series:
    """ISO 8601 (with or without zone; stored as UTC), epoch seconds or milliseconds, dates like 12/1/2010 8:26 in
    the given order, Chinese dates (2025年3月1日). Unparseable → NaT."""
    values = raw.str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    epoch = values.str.fullmatch(r"\d{9,13}(\.\d+)?").fillna(False).astype(bool)
    if epoch.any():
        numbers = pd.to_numeric(values[epoch])
        millis = (numbers > 1e11).reindex(values.index, fill_value=False)
        result[epoch & millis] = pd.to_datetime(numbers[millis[epoch]], unit="ms", utc=True)
        result[epoch & ~millis] = pd.to_datetime(numbers[~millis[epoch]], unit="s", utc=True)
    rest = ~epoch & (values != "").fillna(False).astype(bool)
    if rest.any():
        text = values[rest]
        chinese = text.str.contains("年", regex=False).fillna(False).astype(bool)
        if chinese.any():  # the regex runs row by row in Python: only on the rows that need it
            text = text.where(
                ~chinese, text[chinese].str.replace(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", r"\1-\2-\3", regex=True)
            )
        # Zoned and naive stamps parsed apart: in one call pandas 2 reads a naive stamp in the zone of the first one.
        zoned = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False).astype(bool)
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
        for part in (zoned, ~zoned):
            if part.any():
                parsed[part] = pd.to_datetime(text[part], format="ISO8601", utc=True, errors="coerce")
        retry = parsed.isna()
        if retry.any():
            parsed[retry] = pd.to_datetime(text[retry], format="mixed", dayfirst=date_order == "day_first", utc=True, errors="coerce")
        result[rest] = parsed
    return result


def parse_numbers(raw: pd.Series, decimal: str) -> pd.Series:
    """Amounts as people write them: currency symbols, spaces, thousands separators, 1.234,50 with a decimal
    comma, (12.50) or -12.50 for refunds. Unparseable → NaN."""
    values = raw.str.strip()
    negative = values.str.match(r"^\(.*\)$").fillna(False).astype(bool)
    cleaned = values.str.replace(r"[^\d,.\-]", "", regex=True)
    if decimal == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce").astype("float64")
    return numbers.where(~negative, -numbers.abs())
