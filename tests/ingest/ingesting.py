"""The ingest's options as the app would choose them for a file: what the sniff found, plus test overrides."""

from ingest.pipeline import IngestOptions
from ingest.sniffing import sniff


def sniffed_options(data: bytes, sample: bytes | None = None, **overrides: object) -> IngestOptions:
    """Tolerant by default (90 % rejects allowed) and in chunks of three rows, so that chunk edges are crossed."""
    return IngestOptions.from_sniffed(sniff(sample or data), **{"max_reject_share": 0.9, "chunk_rows": 3, **overrides})
