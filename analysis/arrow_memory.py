"""Arrow's memory pool for the processes that ingest and read datasets: jemalloc, where pyarrow ships it.

pyarrow's default pool, mimalloc, backs its arenas with transparent huge pages wherever the kernel offers them (THP
"madvise" or "always"), and each new 2 MB page is zeroed by the kernel when first touched. The ingest streams through
short-lived buffers, so a fifth of its CPU went to the kernel's clear_page, and its wall time was a fifth longer than
with jemalloc (bench/ingest.py; mimalloc's own issues 1323 and 1373 describe the same). pyarrow's own CSV reader, which
allocates once, is as fast with either pool. Pure: no Django."""

import pyarrow as pa


def arrow_memory_pool_configure() -> str:
    """Make jemalloc Arrow's default pool when this pyarrow build has it (Linux and macOS wheels do); else leave the
    default. Call it once at start-up, before Arrow allocates. Returns the pool's backend name."""
    if "jemalloc" in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name
