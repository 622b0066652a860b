"""Arrow's memory pool for the processes that ingest and read datasets: jemalloc, where pyarrow ships it.

pyarrow's default pool, mimalloc, backs its arenas with transparent huge pages wherever the kernel offers them (THP
"madvise" or "always"), and each new 2 MB page is zeroed by the kernel when first touched. The ingest streams through
short-lived buffers handed between threads, so a good part of its CPU went to the kernel zeroing pages (perf:
clear_page; mimalloc's issues #1323 and #1373 describe the same). Pure: no Django. Measurements: bench/README.md."""

import os

import pyarrow as pa


def arrow_memory_pool_configure() -> str:
    """Make jemalloc Arrow's default pool when this pyarrow build has it (the x86-64 Linux wheels do; the ARM Linux and
    macOS wheels do not, and keep mimalloc) and the environment does not choose one (Arrow's own
    ARROW_DEFAULT_MEMORY_POOL); else leave the default. Call it once at start-up, before Arrow allocates. Returns the
    pool's backend name."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL") and "jemalloc" in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    return str(pa.default_memory_pool().backend_name)
