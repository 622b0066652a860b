"""Uploads may come gzip- or zip-compressed: `open_decompressed` hands the ingest the CSV's bytes either way, with
the unpacked size capped, so a small archive cannot unpack into more than the limit (zip-bomb defence)."""

import gzip
import zipfile
import zlib
from typing import IO, BinaryIO

from ingest.errors import RejectedFile, gettext_noop

TOO_LARGE = gettext_noop("Unpacked, this file would exceed the limit of %(limit)s bytes.")


def open_decompressed(stream: BinaryIO, *, limit: int) -> BinaryIO:
    """The file's bytes, through gzip or a one-entry zip if it is compressed; at most `limit` bytes unpacked."""
    head = stream.read(4)
    stream.seek(0)
    if head[:2] == b"\x1f\x8b":
        return _Capped(gzip.GzipFile(fileobj=stream), limit)  # type: ignore[return-value]
    if head == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise _corrupt() from exc
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
        if len(entries) != 1:
            message = gettext_noop("A zip file must hold exactly one CSV file; this one holds %(count)d files.")
            raise RejectedFile("zip_entries", message, count=len(entries))
        if entries[0].file_size > limit:
            raise RejectedFile("too_large_decompressed", TOO_LARGE, limit=limit)
        return _Capped(archive.open(entries[0]), limit)  # type: ignore[return-value]
    return stream


def _corrupt() -> RejectedFile:
    message = gettext_noop("This compressed file is damaged or incomplete; compress the CSV again and upload it.")
    return RejectedFile("corrupt_archive", message)


class _Capped:
    """A read-only stream that refuses to yield more than `limit` bytes."""

    def __init__(self, stream: gzip.GzipFile | IO[bytes], limit: int) -> None:
        self.stream, self.limit, self.count = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.stream.read(size)
        except (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError, NotImplementedError) as exc:
            # a truncated or tampered archive (bad CRC, size past its header's, …); NotImplementedError is zipfile's
            # answer to a compression method it cannot unpack
            raise _corrupt() from exc
        self.count += len(data)
        if self.count > self.limit:
            raise RejectedFile("too_large_decompressed", TOO_LARGE, limit=self.limit)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.stream.close()
