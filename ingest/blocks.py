"""The stream as UTF-8 blocks that end at a line break, for the reader (ingest/read.py), and the text lines of those
blocks one at a time for the csv module. UTF-8 is passed through as it is and checked where it is read; other
encodings are transcoded. A byte the encoding lacks is refused with the line it is on.
Pure apart from the stream it is handed: no Django."""

import codecs
import io
from typing import Protocol

from ingest.errors import RejectedFile

# Rather than 16 MB: the first rows reach the normalising thread sooner, and the copies of a block stay in the cache.
BLOCK_BYTES = 4 << 20
# Blocks start smaller and double up to BLOCK_BYTES: the first rows reach the normalising thread sooner (the stages
# wait for each other until the first block is parsed).
FIRST_BLOCK_BYTES = 256 << 10


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Undecodable(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def encoding_error(line: int, encoding: str) -> RejectedFile:
    return RejectedFile("encoding", f"Near line {line} the file is not {encoding} text: choose the right encoding.")


class Utf8Blocks:
    """The stream as UTF-8 blocks of about `size` bytes (the first ones smaller), each ending at a line break (the
    last at the end of the file). UTF-8 is passed through as it is (parse_block checks each block Arrow reads, the csv
    path decodes what it reads); other encodings are transcoded."""

    def __init__(self, raw: Readable, encoding: str, size: int | None = None) -> None:
        self.raw, self.largest = raw, size or BLOCK_BYTES
        self.size = min(FIRST_BLOCK_BYTES, self.largest)
        name = codecs.lookup(encoding).name
        self.bom = codecs.BOM_UTF8 if name == "utf-8-sig" else b""
        self.decoder = None if name in ("utf-8", "utf-8-sig") else codecs.getincrementaldecoder(encoding)("strict")
        self.pending = b""
        self.eof = False

    def next(self) -> bytes | None:
        """The next block, or None at the end. Raises Undecodable (with the line in the pending data) on bad bytes.
        The pieces read are joined once (memoryviews: slicing bytes would copy each block a second time)."""
        pieces = [self.pending]
        size = len(self.pending)
        while not self.eof and (size < self.size or not any(b"\n" in piece for piece in pieces)):
            pieces.append(self._read(pieces))
            size += len(pieces[-1])
        last = pieces.pop()
        cut = last.rfind(b"\n") + 1
        if self.eof:
            block, self.pending = b"".join([*pieces, last]), b""
        elif cut:
            block, self.pending = b"".join([*pieces, memoryview(last)[:cut]]), last[cut:]
        else:  # a long line: the last piece has no line break, an earlier one has
            joined = b"".join([*pieces, last])
            cut = joined.rfind(b"\n") + 1
            block, self.pending = joined[:cut], joined[cut:]
        self.size = min(2 * self.size, self.largest)
        return block or None

    def unread(self, data: bytes) -> None:
        self.pending = data + self.pending

    def _read(self, before: list[bytes]) -> bytes:
        """The next piece, UTF-8; `before` are the pieces of the block so far, to number the line of a bad byte."""
        data = self.raw.read(self.size)
        self.eof = not data
        if self.bom and data.startswith(self.bom):
            data = data[len(self.bom) :]
        self.bom = b""  # only at the very start
        if self.decoder is None:
            return data
        try:
            return self.decoder.decode(data, final=self.eof).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise Undecodable(sum(piece.count(b"\n") for piece in before) + _lines_before(data, exc) + 1) from exc


def _lines_before(data: bytes, error: UnicodeDecodeError) -> int:
    """The line breaks in `data` before the bad byte, as near as can be told: a multibyte decoder counts `start` from
    the bytes it held back from the piece before, and those may not decode on their own (then 0: the piece's first
    line)."""
    try:
        return codecs.decode(data[: error.start], error.encoding).count("\n")
    except (UnicodeDecodeError, LookupError):
        return 0


class Unclosed(Exception):
    """The record being read was given up: it ran over the lines a record may take, or the file ended inside one of
    its quoted cells (a quote opened and never closed)."""


class Lines:
    """The text lines of blocks, one at a time as the csv module asks for them (split at CR, LF or CRLF as a file
    opened with newline="" does); says when the line just handed out was the last of its block.
    The lines of the record being read are kept (`record`): one that would take more than `max_lines` lines, or that
    the file ends inside, raises Unclosed in the csv module's reader, and `give_up` then hands out its lines after its
    first again, so that a stray quote costs the one record it opens, never the lines after it."""

    def __init__(self, block: bytes, blocks: Utf8Blocks, first_line: int, encoding: str, max_lines: int = 0) -> None:
        self.blocks, self.first_line, self.encoding = blocks, first_line, encoding
        self.max_lines = max_lines or 1 << 62
        self.count = 0  # the number, counted from first_line, of the last line handed out
        self.record: list[str] = []  # the lines of the record being read
        self._replay: list[str] = []  # lines to hand out again, the next one last
        self._block_end = False
        self._start(block)

    def _start(self, block: bytes) -> None:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise encoding_error(self.first_line + self.count + block.count(b"\n", 0, exc.start) + 1, self.encoding) from exc
        self._text = io.StringIO(text, newline="")
        self._next = self._text.readline()

    @property
    def at_block_end(self) -> bool:
        """Whether the line just handed out was the last of its block (and none is to be handed out again)."""
        return self._block_end and not self._replay

    def __iter__(self) -> "Lines":
        return self

    def __next__(self) -> str:
        record = self.record
        if len(record) >= self.max_lines:
            raise Unclosed
        if self._replay:
            line = self._replay.pop()
        else:
            while not self._next:
                try:
                    block = self.blocks.next()
                except Undecodable as exc:
                    raise encoding_error(self.first_line + self.count + exc.line, self.encoding) from exc
                if block is None:
                    if record:  # the csv module asks for more only inside a quoted cell
                        raise Unclosed
                    raise StopIteration
                self._start(block)
            line, self._next = self._next, self._text.readline()
            self._block_end = not self._next
        self.count += 1
        record.append(line)
        return line

    def record_read(self) -> int:
        """The lines the record just read took; the next record starts."""
        taken = len(self.record)
        self.record = []
        return taken

    def give_up(self) -> int:
        """Gives up the record being read: its first line is taken as a record of its own, the lines after it will be
        handed out again. Returns the number of that first line."""
        self.count -= len(self.record) - 1
        self._replay.extend(reversed(self.record[1:]))
        self.record = []
        return self.first_line + self.count

    def rest(self) -> bytes:
        """What is left of the current block, as UTF-8."""
        return ("".join(reversed(self._replay)) + self._next + self._text.read()).encode("utf-8")
