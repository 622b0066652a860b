"""The distinct values of a stream of arrays (Arrow or numpy), in memory bounded by them rather than by the stream, and
the numbering of distinct strings as they appear.
Pure: no Django, no files."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class HeldDistinct:
    """The arrays added are held and deduplicated together with the distinct values so far once at least
    max(`held`, distinct so far) values wait: each value is hashed a bounded number of times, where deduplicating each
    array against the distinct values so far would hash those again each time.
    `deduplicate` takes a list of arrays and returns one array of their distinct values."""

    def __init__(self, deduplicate: Callable[[list[Any]], Any], *, held: int) -> None:
        self.deduplicate, self.held = deduplicate, held
        self.parts: list[Any] = []  # the distinct values so far first, then the arrays not yet merged
        self.distinct = 0
        self.raw = 0  # values not yet merged

    def add(self, values: Any) -> None:
        self.parts.append(values)
        self.raw += len(values)
        if self.raw >= max(self.held, self.distinct):
            self._merge()

    def values(self) -> Any:
        """The distinct values of all added (None when nothing was)."""
        if self.raw:
            self._merge()
        return self.parts[0] if self.parts else None

    def _merge(self) -> None:
        merged = self.deduplicate(self.parts)
        self.parts, self.distinct, self.raw = [merged], len(merged), 0


class Numbering:
    """The distinct strings of a stream of Arrow arrays numbered 0, 1, … as they first appear (`known`, in that order),
    and every value of the stream by its number. Arrow's index_in hashes all the strings known at each call, so arrays
    wait, with their rows' other columns, until they hold as many values as are known and are numbered together: each
    known string is hashed a bounded number of times. `numbered(codes, columns)` receives each group so numbered:
    the numbers of its values and its other columns, concatenated in the order added. (Grouping by user with Arrow
    instead took more time and memory.)"""

    def __init__(self, numbered: Callable[[np.ndarray, dict[str, np.ndarray]], None]) -> None:
        self.numbered = numbered
        self.known = pa.array([], pa.large_string())  # more than 2 GB of strings in all
        self.waiting: list[tuple[pa.Array, dict[str, np.ndarray]]] = []  # arrays not yet numbered
        self.waiting_rows = 0

    def add(self, values: pa.Array, **columns: np.ndarray) -> None:
        self.waiting.append((values, columns))
        self.waiting_rows += len(values)
        if self.waiting_rows >= len(self.known):
            self.flush()

    def flush(self) -> None:
        """Number what waits (at the end of the stream: then `known` holds every distinct string)."""
        if not self.waiting:
            return
        values = pa.concat_arrays([values.cast(pa.large_string()) for values, _columns in self.waiting])
        columns = {name: np.concatenate([columns[name] for _values, columns in self.waiting]) for name in self.waiting[0][1]}
        self.waiting, self.waiting_rows = [], 0
        codes = pc.index_in(values, value_set=self.known)
        if codes.null_count:  # strings not seen before: numbered after the others
            self.known = pa.concat_arrays([self.known, pc.unique(values.filter(pc.is_null(codes)))])
            codes = pc.index_in(values, value_set=self.known)
        self.numbered(np.asarray(codes, np.int64), columns)
