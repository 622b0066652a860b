"""Read a CSV as batches of rows (text cells) with the exact line number of every row, a block of the file at a time.

The file comes as UTF-8 blocks that end at a line break (ingest/blocks.py). A block is parsed by Arrow's CSV reader (the
fast path) when Arrow's line numbers are provably the csv module's: a record spans one line plus the line breaks in its
quoted cells, empty lines are found between one-line records (not between longer ones), no bare CR ends a line, the
block does not end inside a quoted cell, no cell is over the length limit, the block is UTF-8. Any other block is read
with the csv module (the fallback: exact by definition, and the reference the tests compare with), from that block's
start until a record ends at a block's end; the next block tries Arrow again. Arrow turns into text only the columns
the ingest keeps (ReadSettings.kept): for a wide export most are dropped. Pure apart from the stream: no Django."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ingest.blocks import Lines, Undecodable, Utf8Blocks, encoding_error
from ingest.errors import RejectedFile
from ingest.sniffing import unique_headers

if TYPE_CHECKING:
    from _csv import Reader

HEADER_BYTES = 64 << 10
SENTINEL = b"\x01"  # neither a quote nor a delimiter


def column_name(position: int) -> str:
    return f"c{position}"


@dataclass
class Batch:
    """Rows of the right width (text cells, in file order, with their line numbers) and the lines of the rows that had
    the wrong number of cells. `counted` rows: blank lines are neither."""

    table: pa.Table
    lines: np.ndarray
    wrong: np.ndarray

    @property
    def counted(self) -> int:
        return len(self.lines) + len(self.wrong)

    @classmethod
    def from_rows(cls, rows: list[list[str]], lines: list[int], wrong: list[int], width: int, kept: tuple[int, ...] | None) -> "Batch":
        """The rows' cells in the columns at the `kept` positions (None: all of them)."""
        columns = list(zip(*rows, strict=True)) if rows else [()] * width
        positions = range(width) if kept is None else kept
        table = pa.table({column_name(i): pa.array(columns[i], pa.string()) for i in positions})
        return cls(table, np.asarray(lines, np.int64), np.asarray(wrong, np.int64))

    @classmethod
    def concat(cls, batches: list["Batch"]) -> "Batch":
        if len(batches) == 1:
            return batches[0]
        return cls(
            pa.concat_tables([batch.table for batch in batches]),
            np.concatenate([batch.lines for batch in batches]),
            np.concatenate([batch.wrong for batch in batches]),
        )

    def split(self, count: int) -> tuple["Batch", "Batch"]:
        """The first `count` counted rows, and the rest."""
        if count >= self.counted:
            return self, Batch(self.table.slice(0, 0), self.lines[:0], self.wrong[:0])
        if not len(self.wrong):
            return self._cut(count, 0)
        last = np.sort(np.concatenate([self.lines, self.wrong]))[count - 1]
        return self._cut(int(np.searchsorted(self.lines, last, "right")), int(np.searchsorted(self.wrong, last, "right")))

    def _cut(self, rows: int, wrong: int) -> tuple["Batch", "Batch"]:
        head = Batch(self.table.slice(0, rows), self.lines[:rows], self.wrong[:wrong])
        return head, Batch(self.table.slice(rows), self.lines[rows:], self.wrong[wrong:])


def csv_records(reader: "Reader", first_line: int, settings: "ReadSettings") -> Iterator[list[str]]:
    """The csv module's records, its errors refused with the file's line number (`first_line` is the reader's line 0)."""
    try:
        yield from reader
    except csv.Error as exc:
        line = first_line + reader.line_num
        if "field larger than field limit" in str(exc):
            raise RejectedFile("line_too_long", f"Line {line} is longer than {settings.max_line_chars} characters.") from exc
        raise RejectedFile("malformed", f"Line {line} cannot be read as CSV: {exc}.") from exc


@dataclass(frozen=True)
class ReadSettings:
    encoding: str
    delimiter: str
    max_line_chars: int
    chunk_rows: int
    fast_path: bool
    # The positions of the columns the batches hold, ascending (None: all): Arrow then turns only those into text,
    # so a wide export's dropped columns are parsed but not converted.
    kept: tuple[int, ...] | None = None


def read_header(blocks: Utf8Blocks, settings: ReadSettings) -> tuple[list[str], bytes, int]:
    """The header (names made unique), what is left of the block it ended in, and the lines it took (blank lines
    before it included)."""
    try:
        block = blocks.next()
    except Undecodable as exc:
        raise encoding_error(exc.line, settings.encoding) from exc
    if block is None:
        raise RejectedFile("empty", "The file is empty.")
    cut = block.find(b"\n", HEADER_BYTES) + 1  # the csv module reads the header from a small piece
    if cut:
        blocks.unread(block[cut:])
        block = block[:cut]
    lines = Lines(block, blocks, 0, settings.encoding)
    reader = csv.reader(lines, delimiter=settings.delimiter)
    for row in csv_records(reader, 0, settings):
        if any(cell.strip() for cell in row):
            return unique_headers(row), b"" if lines.at_block_end else lines.rest(), lines.count
    raise RejectedFile("empty", "The file is empty.")


def read_batches(blocks: Utf8Blocks, block: bytes, line: int, width: int, settings: ReadSettings) -> Iterator[Batch]:
    """The rows after the header: `block` is the rest of the header's block, `line` the header's last line.
    Arrow turns only the kept columns into text until a quoted block fails with them alone and succeeds with all: a
    cell left out holds line breaks, which the numbering must count; every column is turned from then on."""
    converted = settings.kept
    while True:
        fast = bool(block) and settings.fast_path and width >= 2
        parsed = parse_block(block, line, width, settings, converted) if fast else None
        if parsed is None and fast and converted is not None and b'"' in block:
            parsed = parse_block(block, line, width, settings, None)
            converted = converted if parsed is None else None
        if parsed is not None:
            batch, block_lines = parsed
            yield batch
            line += block_lines
        elif block:
            lines = Lines(block, blocks, line, settings.encoding)
            yield from csv_batches(lines, width, settings)
            line += lines.count
        try:
            following = blocks.next()
        except Undecodable as exc:
            raise encoding_error(line + exc.line, settings.encoding) from exc
        if following is None:
            return
        block = following


def csv_batches(lines: Lines, width: int, settings: ReadSettings) -> Iterator[Batch]:
    """The csv module's rows, until a record ends where a block ends (or the file does)."""
    reader = csv.reader(lines, delimiter=settings.delimiter)
    rows: list[list[str]] = []
    row_lines: list[int] = []
    wrong: list[int] = []
    for row in csv_records(reader, lines.first_line, settings):
        if len(row) >= 2 or (row and row[0].strip()):  # else a blank line (cheap test: this loop is hot)
            if len(row) != width:
                wrong.append(lines.first_line + reader.line_num)
            else:
                rows.append(row)
                row_lines.append(lines.first_line + reader.line_num)
            if len(rows) + len(wrong) >= settings.chunk_rows:
                yield Batch.from_rows(rows, row_lines, wrong, width, settings.kept)
                rows, row_lines, wrong = [], [], []
        if lines.at_block_end:
            break
    yield Batch.from_rows(rows, row_lines, wrong, width, settings.kept)


def parse_block(block: bytes, line: int, width: int, settings: ReadSettings, converted: tuple[int, ...] | None) -> tuple[Batch, int] | None:
    """Arrow's rows of one block (the kept columns), numbered from `line` + 1, and the block's line count; None when
    Arrow's answer might differ from the csv module's. Arrow turns the `converted` columns into text (None: all)."""
    if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
        return None  # a bare CR ends a line for both parsers, but the line arithmetic below counts LF only
    if not _utf8(block):
        return None  # the csv module's path says on which line
    quoted = b'"' in block
    try:
        if quoted:
            # A line of its own after the block tells whether the block ends inside a quoted cell: it is then
            # swallowed by that cell instead of coming back as a row of one cell.
            table, invalid = _arrow_read(
                block + (b"" if block.endswith(b"\n") else b"\n") + SENTINEL + b"\n", width, settings.delimiter, converted, quoted=True
            )
            if not invalid or invalid[-1] != (table.num_rows + len(invalid), SENTINEL.decode()):
                return None
            invalid.pop()
        else:
            table, invalid = _arrow_read(block, width, settings.delimiter, converted, quoted=False)
    except pa.ArrowInvalid:  # a record Arrow cannot read: the csv module will say
        return None
    if not _cells_within(table, invalid, settings.max_line_chars):
        return None
    if converted is not None and not _lines_within(block, settings.max_line_chars):
        return None  # a cell of a column left out might be over the limit
    numbered = _numbered(block, table, invalid, line, settings.delimiter)
    if numbered is not None and settings.kept is not None and converted != settings.kept:
        numbered[0].table = table.select([column_name(i) for i in settings.kept])
    return numbered


def _arrow_read(
    data: bytes, width: int, delimiter: str, converted: tuple[int, ...] | None, *, quoted: bool
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The cells of the `converted` columns (None: all) as text; the rows of the wrong width skipped and listed
    (number, text). On one thread, as one piece: the ingest's stages already keep both cores busy, Arrow's own
    threads only added CPU, and a single-threaded read also numbers the rows it skips."""
    invalid: list[tuple[int, str]] = []

    def skip(row: pcsv.InvalidRow) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    names = [column_name(i) for i in range(width)]
    wanted = names if converted is None else [names[i] for i in converted]
    table = pcsv.read_csv(
        pa.BufferReader(data),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=len(data) + 1),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=quoted,
            invalid_row_handler=skip,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(wanted, pa.string()),
            include_columns=wanted,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # the caller has checked the block as a whole (_utf8)
        ),
    )
    return table, invalid


def _utf8(block: bytes) -> bool:
    """Whether the block is UTF-8, checked once as a whole: far cheaper than Arrow's own check, cell by cell. Cells
    are cut at ASCII bytes (delimiters, quotes, line breaks), which never occur inside a multibyte character, so the
    cells of a valid block are valid."""
    offsets = pa.py_buffer(np.array([0, len(block)], np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(block)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _lines_within(block: bytes, max_chars: int) -> bool:
    """Whether no line of the block is over `max_chars` bytes (so none of its cells over as many characters), for the
    columns Arrow left out. A line of more bytes holds a whole one of the block's stretches of max_chars // 2 bytes
    counted from its start, so one without a line feed; memchr finds the first line feed of each stretch at once,
    far cheaper than finding every line feed. (Cells over several lines are not in question: their line breaks would
    be missing from the numbering, which then refuses the block.)"""
    stretch = max(1, max_chars // 2)
    return all(block.find(b"\n", start, start + stretch) >= 0 for start in range(0, len(block) - stretch + 1, stretch))


def _cells_within(table: pa.Table, invalid: list[tuple[int, str]], max_chars: int) -> bool:
    """Whether every cell Arrow read, kept or skipped, is within `max_chars` (else the csv module must say where the
    file fails) and every skipped row has its number."""
    if any(number is None or len(text) > max_chars for number, text in invalid):
        return False
    return not table.num_rows or all(
        pc.max(pc.binary_length(column)).as_py() <= max_chars or pc.max(pc.utf8_length(column)).as_py() <= max_chars
        for column in table.columns
    )


def _numbered(block: bytes, table: pa.Table, invalid: list[tuple[int, str]], line: int, delimiter: str) -> tuple[Batch, int] | None:
    """The line each row ends on, as the csv module counts. Arrow numbers the records it reads 1, 2, … skipping
    empty lines: a record takes one line more for each line break in its quoted cells; with none, the line of record
    k is the k-th non-empty line."""
    records = table.num_rows + len(invalid)
    lines_in_block = _line_feeds(block) + (not block.endswith(b"\n"))
    bad = np.asarray([number for number, _text in invalid], np.int64)
    valid = np.ones(records, bool)
    valid[bad - 1] = False
    breaks = _line_breaks(table, invalid, valid) if b'"' in block else None
    if breaks is not None:  # records over several lines: no empty line may be left out in between (else not known where)
        if records + int(breaks.sum()) != lines_in_block:
            return None
        line_of = line + np.cumsum(breaks + 1)
    elif lines_in_block == records:
        line_of = np.arange(line + 1, line + 1 + records, dtype=np.int64)
    else:  # empty lines in between
        line_of = np.flatnonzero(~_empty_lines(block)) + 1 + line
        if len(line_of) != records:
            return None
    try:
        blank = np.asarray([_blank(text, delimiter) for _number, text in invalid], bool)
    except csv.Error:
        return None
    return Batch(table, line_of[valid], line_of[bad[~blank] - 1] if len(bad) else bad), lines_in_block


def _line_feeds(block: bytes) -> int:
    """The LFs in the block (numpy counts them faster than bytes.count)."""
    return int(np.count_nonzero(np.frombuffer(block, np.uint8) == ord("\n")))


def _line_breaks(table: pa.Table, invalid: list[tuple[int, str]], valid: np.ndarray) -> np.ndarray | None:
    """Line breaks inside each record's cells (CRLF counts once: only LF is counted, as a lone CR is not let in);
    None when there are none."""
    inside = np.zeros(len(valid), np.int64)
    for column in table.columns:
        if pc.any(pc.match_substring(column, "\n")).as_py():
            inside[valid] += np.asarray(pc.count_substring(column, "\n"), np.int64)
    inside[~valid] = [text.count("\n") for _number, text in invalid]
    return inside if inside.any() else None


def _empty_lines(block: bytes) -> np.ndarray:
    """Whether each line of the block is empty (LF or CRLF alone)."""
    data = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    if not block.endswith(b"\n"):
        ends = np.append(ends, len(block))
    starts = np.concatenate([[0], ends[:-1] + 1])
    length = ends - starts
    return np.asarray((length == 0) | ((length == 1) & (data[np.minimum(starts, len(block) - 1)] == ord("\r"))))


def _blank(text: str, delimiter: str) -> bool:
    """A line the csv module reads as blank: no cell, or one cell of spaces."""
    row = next(csv.reader([text], delimiter=delimiter), [])
    return len(row) < 2 and not (row and row[0].strip())
