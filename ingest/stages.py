"""The ingest's stages that run on threads of their own, so that they overlap the normalising on the caller's thread:
reading and parsing ahead of it, and appending to Parquet behind it. Arrow lets go of the GIL while it parses and
writes, so on two cores the stages run at once; each holds at most a batch or two, so memory stays bounded.
Pure apart from the file it writes: no Django."""

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.read import Batch


class ReadAhead:
    """The reader's batches, read and parsed on a thread of their own up to `depth` ahead of the caller (Arrow's
    parser lets go of the GIL); what goes wrong there is raised in the caller. The thread stops when the caller does."""

    def __init__(self, batches: Iterator[Batch], depth: int = 2) -> None:
        self.batches = batches
        self.handoff: queue.Queue[tuple[Batch | None, BaseException | None]] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()

    def __iter__(self) -> Generator[Batch, None, None]:
        thread = threading.Thread(target=self._produce, name="csv-reader", daemon=True)
        thread.start()
        try:
            while True:
                batch, error = self.handoff.get()
                if error is not None:
                    raise error
                if batch is None:
                    return
                yield batch
        finally:
            self.stop.set()
            thread.join()

    def _produce(self) -> None:
        try:
            for batch in self.batches:
                if not self._hand((batch, None)):
                    return
            self._hand((None, None))
        except BaseException as exc:
            self._hand((None, exc))

    def _hand(self, item: tuple[Batch | None, BaseException | None]) -> bool:
        while not self.stop.is_set():
            try:
                self.handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False


class _SerialThread:
    """Runs calls in order on a thread of its own (Arrow lets go of the GIL while it works), one at a time: a call
    waits until the one before has finished, and what went wrong there is raised in the caller."""

    def __init__(self, name: str) -> None:
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.pending: Future[object] | None = None

    def submit(self, call: Callable[..., object], *args: object) -> None:
        self.wait()
        self.pending = self.thread.submit(call, *args)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # re-raises what went wrong on the thread

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.thread.shutdown()


class ParquetAppender:
    """Appends tables of events to a Parquet file on a thread of its own, so that this overlaps reading and
    normalising the next chunk; at most one chunk waits."""

    def __init__(self, destination: str, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(
            destination,
            schema,
            # LZ4: less CPU than zstd (the writer is the busiest of the stages), for somewhat larger files. Written
            # as the LZ4_RAW codec the Parquet format recommends
            # (pyarrow maps "lz4" and "lz4_raw" alike: codec 7 in the file's footer), not the deprecated Hadoop LZ4.
            compression="lz4",
            # Dictionaries only where values repeat; ascending numbers as deltas: faster to write, and smaller.
            use_dictionary=["event", "product", "channel"],
            column_encoding={"timestamp": "DELTA_BINARY_PACKED", "line": "DELTA_BINARY_PACKED"},
            # Minimum and maximum of the numbers only, which readers can skip row groups by: those of the text
            # columns would cost the writer time for nothing.
            write_statistics=["timestamp", "amount", "quantity", "line"],
        )
        self.worker = _SerialThread("parquet")

    def write_table(self, table: pa.Table) -> None:
        self.worker.submit(self.writer.write_table, table)

    def close(self) -> None:
        try:
            self.worker.close()
        finally:
            self.writer.close()
