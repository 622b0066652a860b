"""Cells as Arrow holds them: a column's pieces, the UTF-8 bytes of its values read without a copy, and which rows
hold control characters. Shared by the normaliser and the pipeline's reject of unusable rows."""

from typing import TypeAlias

import numpy as np
import pyarrow as pa

Column: TypeAlias = pa.Array | pa.ChunkedArray


def pieces(values: Column) -> list[pa.Array]:
    """The column's arrays, empty ones left out."""
    return [piece for piece in (values.chunks if isinstance(values, pa.ChunkedArray) else [values]) if len(piece)]


def whole(values: Column) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def utf8_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """A string array's offsets and the bytes of its values, without copying; (None, None) when empty or with nulls."""
    if not len(values) or values.null_count or values.type != pa.string():
        return None, None
    offsets = np.frombuffer(values.buffers()[1], np.int32, len(values) + 1, values.offset * 4)
    start, data = int(offsets[0]), values.buffers()[2]
    return offsets, np.frombuffer(data, np.uint8, int(offsets[-1]) - start, start) if data is not None else np.zeros(0, np.uint8)


def with_control_characters(columns: list[Column]) -> np.ndarray | None:
    """Which rows hold, in any of the columns, a control character other than tab, line feed and carriage return:
    NUL among them, which PostgreSQL's text and JSON refuse (the summary's names and the report are stored there), and
    the others no export means as text. None when no row does. On the bytes: in the common case one pass for the
    smallest, no copy."""
    found: np.ndarray | None = None
    for values in columns:
        mask = np.concatenate(
            [_control_rows(piece) for piece in (values.chunks if isinstance(values, pa.ChunkedArray) else [values])] or [np.zeros(0, bool)]
        )
        if mask.any():
            found = mask if found is None else found | mask
    return found


def _control_rows(values: pa.Array) -> np.ndarray:
    offsets, data = utf8_buffers(values)
    rows = np.zeros(len(values), bool)
    if offsets is None or data is None or not len(data) or data.min() >= ord(" "):
        return rows
    low = data < ord(" ")
    at = np.flatnonzero(low & (data != ord("\t")) & (data != ord("\n")) & (data != ord("\r")))
    rows[np.searchsorted(offsets[1:] - offsets[0], at, "right")] = True
    return rows
