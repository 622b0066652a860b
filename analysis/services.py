"""Datasets: upload (sniffed at once), ingest on a worker (claimed with compare-and-set, progress and heartbeat on
the row, Parquet written to a new storage name and switched to only when complete), cancel, delete."""

import gzip
import logging
import os
import tempfile
import uuid
import zipfile
import zlib
from typing import BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.ingest import IngestCancelled, IngestOptions, ingest_csv
from analysis.jobs import job_beat, job_cancel, job_claim, job_finish, jobs_requeue_lost, jobs_sweep_stale
from analysis.models import Dataset
from analysis.sniffing import ROLES, SAMPLE_BYTES, RejectedFile, sniff
from analysis.summary import dataset_summary
from core.errors import Conflict, InvalidInput
from core.files import rows_delete_with_files, storage_delete_on_commit
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture

logger = logging.getLogger(__name__)


def open_decompressed(path_or_file: BinaryIO) -> BinaryIO:
    """The file's bytes, through gzip or a one-entry zip if it is compressed, with the decompressed size capped
    (zip-bomb defence)."""
    head = path_or_file.read(4)
    path_or_file.seek(0)
    if head[:2] == b"\x1f\x8b":
        return _Capped(gzip.GzipFile(fileobj=path_or_file), settings.DATASET_MAX_DECOMPRESSED_BYTES)
    if head == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(path_or_file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise _corrupt() from exc
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
        if len(entries) != 1:
            raise RejectedFile(
                "zip_entries", _("A zip file must hold exactly one CSV file; this one holds %(count)d files.") % {"count": len(entries)}
            )
        if entries[0].file_size > settings.DATASET_MAX_DECOMPRESSED_BYTES:
            raise RejectedFile(
                "too_large_decompressed",
                _("Unpacked, this file would exceed the limit of %(limit)s bytes.") % {"limit": settings.DATASET_MAX_DECOMPRESSED_BYTES},
            )
        return _Capped(archive.open(entries[0]), settings.DATASET_MAX_DECOMPRESSED_BYTES)
    return path_or_file


def _corrupt() -> RejectedFile:
    return RejectedFile("corrupt_archive", _("This compressed file is damaged or incomplete; compress the CSV again and upload it."))


class _Capped:
    """A read-only stream that refuses to yield more than `limit` bytes."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
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
            raise RejectedFile(
                "too_large_decompressed", _("Unpacked, this file would exceed the limit of %(limit)s bytes.") % {"limit": self.limit}
            )
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.stream.close()


def _sniff_upload(upload: BinaryIO) -> dict:
    stream = open_decompressed(upload)
    sample = stream.read(SAMPLE_BYTES)
    upload.seek(0)
    found = sniff(sample)
    return {
        "encoding": found.encoding,
        "delimiter": found.delimiter,
        "decimal": found.decimal,
        "date_format": found.date_order,
        "columns": found.columns,
        "rows": found.rows,
        "mapping": found.mapping,
    }


@transaction.atomic
def dataset_upload(
    *,
    user: User,
    venture: Venture,
    name: str,
    upload: UploadedFile,
    mapping: dict | None = None,
    auto_ingest: bool | None = None,
    keep_extra_columns: bool = False,
) -> Dataset:
    """Store an uploaded file and say what it looks like. Raises InvalidInput (nothing stored) for a file that
    cannot be an event table."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    try:
        detected = _sniff_upload(upload)
    except RejectedFile as exc:
        raise InvalidInput(exc.message, code=exc.code) from exc
    dataset = Dataset(
        venture=venture,
        name=(name or upload.name or "dataset").strip()[:120],
        original_name=(upload.name or "")[:255],
        size_bytes=upload.size or 0,
        detected={key: value for key, value in detected.items() if key != "mapping"},
        mapping=detected["mapping"],
        keep_extra_columns=keep_extra_columns,
        created_by=user,
    )
    dataset.file.save("upload", upload, save=False)
    try:
        dataset.full_clean()
        dataset.save()
        if mapping is not None or auto_ingest:
            return dataset_ingest_start(user=user, dataset=dataset, mapping=mapping or detected["mapping"])
    except BaseException:  # the row is rolled back: so goes the stored file (e.g. a mapping that cannot be used)
        default_storage.delete(dataset.file.name)
        raise
    return dataset


@transaction.atomic
def dataset_ingest_start(
    *, user: User, dataset: Dataset, mapping: dict, date_format: str | None = None, keep_extra_columns: bool | None = None
) -> Dataset:
    """Queue (or re-queue, with another mapping) the ingest of a dataset. Refused while one runs. `None` keeps the
    dataset's current choice of date format / extra columns."""
    from analysis.tasks import dataset_ingest_task

    role_require(user=user, team=dataset.venture.team, minimum=Role.EDITOR)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.status in (Dataset.Status.QUEUED, Dataset.Status.RUNNING):
        raise Conflict(_("This dataset is being ingested; cancel it first."), code="ingest_running")
    unknown = set(mapping) - set(ROLES)
    missing = [role for role in ("user_id", "timestamp") if not mapping.get(role)]
    absent = [column for column in mapping.values() if column and column not in dataset.detected.get("columns", [])]
    if unknown or missing or absent:
        problems = [
            *(f"unknown role {role}" for role in sorted(unknown)),
            *(f"{role} is required" for role in missing),
            *(f"no column {column!r}" for column in absent),
        ]
        raise InvalidInput(_("The column mapping is not usable: %(problems)s.") % {"problems": "; ".join(problems)}, code="mapping")
    if date_format is not None:
        dataset.detected = {**dataset.detected, "date_format": date_format}
    if keep_extra_columns is not None:
        dataset.keep_extra_columns = keep_extra_columns
    dataset.mapping = {role: column for role, column in mapping.items() if column}
    dataset.status, dataset.progress, dataset.rows_processed, dataset.error, dataset.error_code = Dataset.Status.QUEUED, 0, 0, "", ""
    dataset.attempt += 1
    dataset.save()
    attempt = dataset.attempt
    # robust: with the broker down the upload still succeeds; the job stays queued and jobs_requeue_lost sends it later.
    transaction.on_commit(lambda: dataset_ingest_task.delay(dataset.pk, attempt), robust=True)
    return dataset


def dataset_ingest_run(*, dataset_id: int, attempt: int) -> str:
    """The worker's part. Idempotent: the row is claimed for this attempt with a compare-and-set update (see
    analysis/jobs.py), so a duplicate or outdated delivery does nothing. Returns the final status; raises JobBusy
    while another live delivery holds the job."""
    S = Dataset.Status
    if not job_claim(Dataset, pk=dataset_id, attempt=attempt, queued=S.QUEUED, running=S.RUNNING):
        return Dataset.objects.filter(pk=dataset_id).values_list("status", flat=True).first() or "gone"
    dataset = Dataset.objects.get(pk=dataset_id)
    fd, temporary = tempfile.mkstemp(suffix=".parquet")
    os.close(fd)
    try:
        report = _ingest(dataset, temporary)
        name = _store_parquet(dataset, temporary)
    except IngestCancelled:
        job_finish(dataset, Dataset.Status.CANCELLED)
        return Dataset.Status.CANCELLED
    except RejectedFile as exc:
        job_finish(dataset, Dataset.Status.FAILED, error=exc.message, code=exc.code)
        return Dataset.Status.FAILED
    except SoftTimeLimitExceeded:
        job_finish(dataset, Dataset.Status.FAILED, error=_("The ingest took longer than the time limit."), code="time_limit")
        return Dataset.Status.FAILED
    except Exception as exc:  # recorded on the row, never left "running"
        logger.exception("ingest of dataset %s failed", dataset_id)
        job_finish(
            dataset,
            Dataset.Status.FAILED,
            error=_("The ingest failed unexpectedly (%(error)s).") % {"error": type(exc).__name__},
            code="internal",
        )
        return Dataset.Status.FAILED
    finally:
        os.unlink(temporary)
    with transaction.atomic():
        current = Dataset.objects.select_for_update().filter(pk=dataset_id).first()
        if current is None or current.attempt != attempt or current.status != Dataset.Status.RUNNING:
            # deleted, cancelled or re-queued meanwhile: the new Parquet belongs to no row
            default_storage.delete(name)
            return current.status if current else "gone"
        old = current.parquet
        current.parquet, current.report, current.status, current.progress = name, report, Dataset.Status.READY, 100
        current.finished_at = timezone.now()
        current.save()
    storage_delete_on_commit([old])  # the previous ingest's Parquet, now that nothing points at it
    return Dataset.Status.READY


def _ingest(dataset: Dataset, destination: str) -> dict:
    options = IngestOptions(
        encoding=dataset.detected["encoding"],
        delimiter=dataset.detected["delimiter"],
        mapping=dataset.mapping,
        decimal=dataset.detected.get("decimal", "."),
        date_order=dataset.detected.get("date_format", ""),
        keep_extra=dataset.keep_extra_columns,
        max_line_chars=settings.DATASET_MAX_LINE_CHARS,
        max_reject_share=settings.DATASET_MAX_REJECT_SHARE,
    )
    total = max(dataset.size_bytes, 1)

    def progress(bytes_read: int, rows: int) -> bool:
        """Record progress and heartbeat; go on only while the job is still this attempt and running."""
        percent = int(bytes_read * 100 / total) if dataset.size_bytes else 0
        return job_beat(dataset, running=Dataset.Status.RUNNING, progress=percent, rows_processed=rows)

    with dataset.file.open("rb") as upload:
        report = ingest_csv(open_decompressed(upload), destination, options, progress)
    summary = dataset_summary(destination)
    return {**report.__dict__, "users": summary.pop("users"), "summary": summary}


def _store_parquet(dataset: Dataset, path: str) -> str:
    """Save under a fresh name; the dataset points at it only once it is complete (the atomic switch)."""
    with open(path, "rb") as handle:
        return default_storage.save(f"datasets/{dataset.venture_id}/{uuid.uuid4().hex}.parquet", File(handle))


@transaction.atomic
def dataset_cancel(*, user: User, dataset: Dataset) -> Dataset:
    role_require(user=user, team=dataset.venture.team, minimum=Role.EDITOR)
    job_cancel(dataset)
    return dataset


@transaction.atomic
def dataset_delete(*, user: User, dataset: Dataset) -> None:
    """Delete the dataset, its analyses and their files (the upload, the Parquet, segment member tables), the files
    once the deletion has committed."""
    role_require(user=user, team=dataset.venture.team, minimum=Role.EDITOR)
    rows_delete_with_files(dataset)


def datasets_sweep_stale() -> int:
    """Fail ingests whose worker died and that no redelivery took over. Returns how many."""
    return jobs_sweep_stale(
        Dataset,
        running=Dataset.Status.RUNNING,
        failed=Dataset.Status.FAILED,
        error=_("The worker stopped while ingesting and the job was not picked up again. Start the ingest again."),
    )


def datasets_requeue_lost() -> int:
    """Send again the ingests whose message the broker lost (see analysis.jobs.jobs_requeue_lost)."""
    from analysis.tasks import dataset_ingest_task

    return jobs_requeue_lost(Dataset, queued=Dataset.Status.QUEUED, send=dataset_ingest_task.delay)
