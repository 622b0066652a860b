import os

import pyarrow as pa
import pytest

from ingest.arrow_memory import arrow_memory_pool_configure


@pytest.mark.skipif(
    "jemalloc" not in pa.supported_memory_backends() or bool(os.environ.get("ARROW_DEFAULT_MEMORY_POOL")),
    reason="this pyarrow build has no jemalloc (ARM Linux, macOS) or the environment chose the pool",
)
def test_the_app_allocates_arrow_memory_with_jemalloc():
    """Set when Django starts (analysis/apps.py): mimalloc's huge pages made the ingest a fifth slower."""
    assert pa.default_memory_pool().backend_name == "jemalloc"


def test_a_build_without_jemalloc_keeps_its_default_pool(monkeypatch):
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc", "system"])
    try:
        assert arrow_memory_pool_configure() == "system"
    finally:
        pa.set_memory_pool(before)


def test_the_pool_the_environment_chooses_is_kept(monkeypatch):
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        assert arrow_memory_pool_configure() == "system"
    finally:
        pa.set_memory_pool(before)
