"""The distinct values of a stream of arrays (Arrow or numpy), in memory bounded by them rather than by the stream.
Pure: no Django, no files."""

from collections.abc import Callable
from typing import Any


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
