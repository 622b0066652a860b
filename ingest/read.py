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
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ingest.blocks import Lines, Unclosed, Undecodable, Utf8Blocks, encoding_error
from ingest.errors import RejectedFile, gettext_noop
from ingest.sniffing import unique_headers

HEADER_BYTES = 64 << 10
SENTINEL = b"\x01"  # neither a quote nor a delimiter


def column_name(position: int) -> str:
    return f"c{position}"


NO_LINES = np.zeros(0, np.int64)


@dataclass
class Batch:
    """Rows of the right width (text cells, in file order, with the line each ends on), the lines of the rows that
    had the wrong number of cells, and those of the records given up (a quote that opens a cell never closed, or not
    within the lines a record may take: the record is its first line, the lines after it are read again). `counted`
    rows. Also the other lines the batch's part of the file took: blank lines (neither rows nor rejected) and the
    line breaks inside the rows' quoted cells."""

    table: pa.Table
    lines: np.ndarray
    wrong: np.ndarray
    unclosed: np.ndarray = field(default_factory=lambda: NO_LINES)
    blank: int = 0
    in_cells: int = 0

    @property
    def counted(self) -> int:
        return len(self.lines) + len(self.wrong) + len(self.unclosed)

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
            np.concatenate([batch.unclosed for batch in batches]),
            sum(batch.blank for batch in batches),
            sum(batch.in_cells for batch in batches),
        )

    def split(self, count: int) -> tuple["Batch", "Batch"]:
        """The first `count` counted rows, and the rest (the other lines are the first part's)."""
        if count >= self.counted:
            return self, Batch(self.table.slice(0, 0), self.lines[:0], self.wrong[:0])
        if not len(self.wrong) and not len(self.unclosed):
            return self._cut(count, 0, 0)
        last = np.sort(np.concatenate([self.lines, self.wrong, self.unclosed]))[count - 1]
        return self._cut(*(int(np.searchsorted(lines, last, "right")) for lines in (self.lines, self.wrong, self.unclosed)))

    def _cut(self, rows: int, wrong: int, unclosed: int) -> tuple["Batch", "Batch"]:
        head = Batch(self.table.slice(0, rows), self.lines[:rows], self.wrong[:wrong], self.unclosed[:unclosed], self.blank, self.in_cells)
        return head, Batch(self.table.slice(rows), self.lines[rows:], self.wrong[wrong:], self.unclosed[unclosed:])


@dataclass
class Tally:
    """What the reader counts besides the rows, for the report's accounting of every line of the file."""

    lines: int = 0  # the file's lines, as the csv module splits them (at CR, LF or CRLF)
    header: int = 0  # the header's lines
    blank_before_header: int = 0


def csv_records(lines: Lines, settings: "ReadSettings") -> Iterator[list[str] | None]:
    """The csv module's records; None for a record given up (`lines.give_up`): the lines after its first are read
    again. The csv module's errors refused with the file's line number."""
    while True:
        reader = csv.reader(lines, delimiter=settings.delimiter)
        try:
            yield from reader
            return
        except Unclosed:
            pass
        except csv.Error as exc:
            line = lines.first_line + lines.count
            if "field larger than field limit" not in str(exc):
                raise RejectedFile("malformed", gettext_noop("Line %(line)s cannot be read as CSV."), line=line) from exc
            if len(lines.record) < 2:
                raise RejectedFile(
                    "line_too_long",
                    gettext_noop("Line %(line)s is longer than %(limit)s characters."),
                    line=line,
                    limit=settings.max_line_chars,
                ) from exc
        yield None  # a quoted cell over several lines that is too long: a quote not closed


@dataclass(frozen=True)
class ReadSettings:
    encoding: str
    delimiter: str
    max_line_chars: int
    chunk_rows: int
    fast_path: bool
    # The lines a record may take (its quoted cells' line breaks and one): a quote that opens a cell not closed
    # within as many is a stray one, and the record is rejected instead of swallowing the lines after it.
    max_record_lines: int = 100
    # The positions of the columns the batches hold, ascending (None: all): Arrow then turns only those into text,
    # so a wide export's dropped columns are parsed but not converted.
    kept: tuple[int, ...] | None = None


def read_header(blocks: Utf8Blocks, settings: ReadSettings, tally: Tally) -> tuple[list[str], bytes, int]:
    """The header (names made unique), what is left of the block it ended in, and the line it ends on (blank lines
    before it included); the header's lines and the blank ones before it tallied."""
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
    lines = Lines(block, blocks, 0, settings.encoding, settings.max_record_lines)
    for row in csv_records(lines, settings):
        if row is None:
            raise RejectedFile(
                "unclosed_quote",
                gettext_noop("The header row (line %(line)s) opens a quote that is not closed within %(limit)s lines."),
                line=lines.count - len(lines.record) + 1,
                limit=settings.max_record_lines,
            )
        taken = lines.record_read()
        if any(cell.strip() for cell in row):
            tally.header, tally.blank_before_header = taken, lines.count - taken
            return unique_headers(row), b"" if lines.at_block_end else lines.rest(), lines.count
    raise RejectedFile("empty", "The file is empty.")


def read_batches(blocks: Utf8Blocks, block: bytes, line: int, width: int, settings: ReadSettings, tally: Tally) -> Iterator[Batch]:
    """The rows after the header: `block` is the rest of the header's block, `line` the header's last line; the
    file's lines tallied once all are read.
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
            lines = Lines(block, blocks, line, settings.encoding, settings.max_record_lines)
            yield from csv_batches(lines, width, settings)
            line += lines.count
        try:
            following = blocks.next()
        except Undecodable as exc:
            raise encoding_error(line + exc.line, settings.encoding) from exc
        if following is None:
            tally.lines = line
            return
        block = following


def csv_batches(lines: Lines, width: int, settings: ReadSettings) -> Iterator[Batch]:
    """The csv module's rows, until a record ends where a block ends (or the file does)."""
    rows: list[list[str]] = []
    row_lines: list[int] = []
    wrong: list[int] = []
    unclosed: list[int] = []
    blank = in_cells = 0
    for row in csv_records(lines, settings):
        if row is None:
            unclosed.append(lines.give_up())
        elif len(row) >= 2 or (row and row[0].strip()):  # else a blank line (cheap test: this loop is hot)
            in_cells += lines.record_read() - 1
            if len(row) != width:
                wrong.append(lines.first_line + lines.count)
            else:
                rows.append(row)
                row_lines.append(lines.first_line + lines.count)
        else:
            blank += lines.record_read()
        if len(rows) + len(wrong) + len(unclosed) >= settings.chunk_rows:
            yield _csv_batch(rows, row_lines, wrong, unclosed, blank, in_cells, width, settings)
            rows, row_lines, wrong, unclosed, blank, in_cells = [], [], [], [], 0, 0
        if lines.at_block_end:
            break
    yield _csv_batch(rows, row_lines, wrong, unclosed, blank, in_cells, width, settings)


def _csv_batch(
    rows: list[list[str]],
    lines: list[int],
    wrong: list[int],
    unclosed: list[int],
    blank: int,
    in_cells: int,
    width: int,
    settings: ReadSettings,
) -> Batch:
    batch = Batch.from_rows(rows, lines, wrong, width, settings.kept)
    batch.unclosed, batch.blank, batch.in_cells = np.asarray(unclosed, np.int64), blank, in_cells
    return batch


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
    numbered = _numbered(block, table, invalid, line, settings)
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


def _numbered(block: bytes, table: pa.Table, invalid: list[tuple[int, str]], line: int, settings: ReadSettings) -> tuple[Batch, int] | None:
    """The line each row ends on, as the csv module counts, and the block's blank lines and line breaks inside cells.
    Arrow numbers the records it reads 1, 2, … skipping empty lines: a record takes one line more for each line break
    in its quoted cells; with none, the line of record k is the k-th non-empty line. None when a record takes more
    lines than it may (a stray quote, which the csv module's path gives up)."""
    records = table.num_rows + len(invalid)
    lines_in_block = _line_feeds(block) + (not block.endswith(b"\n"))
    bad = np.asarray([number for number, _text in invalid], np.int64)
    valid = np.ones(records, bool)
    valid[bad - 1] = False
    breaks = _line_breaks(table, invalid, valid) if b'"' in block else None
    if breaks is not None:  # records over several lines: no empty line may be left out in between (else not known where)
        if records + int(breaks.sum()) != lines_in_block or int(breaks.max()) >= settings.max_record_lines:
            return None
        line_of = line + np.cumsum(breaks + 1)
    elif lines_in_block == records:
        line_of = np.arange(line + 1, line + 1 + records, dtype=np.int64)
    else:  # empty lines in between
        line_of = np.flatnonzero(~_empty_lines(block)) + 1 + line
        if len(line_of) != records:
            return None
    try:
        blank = np.asarray([_blank(text, settings.delimiter) for _number, text in invalid], bool)
    except csv.Error:
        return None
    spans = np.ones(records, np.int64) if breaks is None else breaks + 1
    blank_records = bad[blank] - 1 if len(bad) else bad
    blank_lines = lines_in_block - records - (0 if breaks is None else int(breaks.sum())) + int(spans[blank_records].sum())
    in_cells = 0 if breaks is None else int(breaks.sum() - breaks[blank_records].sum())
    batch = Batch(table, line_of[valid], line_of[bad[~blank] - 1] if len(bad) else bad, blank=blank_lines, in_cells=in_cells)
    return batch, lines_in_block


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
