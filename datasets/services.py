"""Datasets: upload (sniffed at once), ingest as a background job (core/jobs.py: claimed per attempt, progress and
heartbeat on the row, the Parquet switched to only when complete), cancel, delete."""

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, InvalidInput
from core.files import rows_delete_with_files, storage_delete_on_commit
from core.jobs import JobFailed, JobOutput, JobStopped, job_beat, job_cancel, job_run, job_temp_file
from core.text import control_characters_refuse, nul_replaced
from datasets.models import Dataset, DatasetCohorts
from ingest.archives import open_decompressed
from ingest.cohorts import cohort_tables, cohort_tables_to_json
from ingest.errors import RejectedFile
from ingest.pipeline import IngestCancelled, IngestOptions, ingest_csv
from ingest.sniffing import REQUIRED_ROLES, ROLES, SAMPLE_BYTES, Sniffed, sniff
from ingest.summary import dataset_summary
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture


def dataset_edit_require(*, user: User | AnonymousUser, venture: Venture) -> None:
    """Who may upload, ingest, cancel and delete a venture's datasets (editors and owners): the one check every
    write here makes; views ask it too where they must refuse before reading a form."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)


def rejected_message(exc: RejectedFile) -> str:
    """The engine's refusal in the reader's language (its template translated, then filled in)."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)


def upload_stream(stream: BinaryIO) -> BinaryIO:
    """The CSV's bytes of an uploaded file, unpacked if it came compressed (capped: zip-bomb defence)."""
    return open_decompressed(stream, limit=settings.DATASET_MAX_DECOMPRESSED_BYTES)


def _sniff_upload(upload: BinaryIO, encoding: str | None = None) -> Sniffed:
    sample = upload_stream(upload).read(SAMPLE_BYTES)
    upload.seek(0)
    return sniff(sample, encoding)


def dataset_sniff(*, dataset: Dataset, encoding: str | None = None) -> Sniffed:
    """What the stored upload looks like read in `encoding` (the guess when None): the preview of the encoding
    picker. Raises InvalidInput when the file is not text in that encoding."""
    try:
        with dataset.file.open("rb") as upload:
            return _sniff_upload(upload, encoding)
    except RejectedFile as exc:
        raise InvalidInput(rejected_message(exc), code=exc.code) from exc


def _detected(found: Sniffed) -> dict:
    return {key: value for key, value in dataclasses.asdict(found).items() if key != "mapping"}


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
    encoding: str | None = None,
) -> Dataset:
    """Store an uploaded file and say what it looks like (read in `encoding` if given, else in the one detected).
    Raises InvalidInput (nothing stored) for a file that cannot be an event table."""
    dataset_edit_require(user=user, venture=venture)
    control_characters_refuse([name or "", upload.name or ""], field=_("The dataset name"), code="name")  # NUL: unstorable
    try:
        found = _sniff_upload(upload, encoding)
    except RejectedFile as exc:
        raise InvalidInput(rejected_message(exc), code=exc.code) from exc
    dataset = Dataset(
        venture=venture,
        name=(name or upload.name or "dataset").strip()[:120],
        original_name=(upload.name or "")[:255],
        size_bytes=upload.size or 0,
        detected=_detected(found),
        mapping=found.mapping,
        keep_extra_columns=keep_extra_columns,
        created_by=user,
    )
    dataset.file.save("upload", upload, save=False)
    try:
        dataset.full_clean()
        dataset.save()
        if mapping is not None or auto_ingest:
            return dataset_ingest_start(user=user, dataset=dataset, mapping=mapping or found.mapping)
    except BaseException:  # the row is rolled back: so goes the stored file (e.g. a mapping that cannot be used)
        default_storage.delete(dataset.file.name)
        raise
    return dataset


def _mapping_problems(dataset: Dataset, mapping: dict) -> list[str]:
    unknown = set(mapping) - set(ROLES)
    missing = [role for role in REQUIRED_ROLES if not mapping.get(role)]
    absent = [column for column in mapping.values() if column and column not in dataset.detected.get("columns", [])]
    return [
        *(f"unknown role {role}" for role in sorted(unknown)),
        *(f"{role} is required" for role in missing),
        *(f"no column {column!r}" for column in absent),
    ]


@transaction.atomic
def dataset_ingest_start(
    *,
    user: User,
    dataset: Dataset,
    mapping: dict,
    date_order: str | None = None,
    keep_extra_columns: bool | None = None,
    encoding: str | None = None,
) -> Dataset:
    """Queue (or re-queue, with another mapping) the ingest of a dataset. Refused while one runs. `None` keeps the
    dataset's current choice of date order / extra columns / encoding; another encoding reads the file again (its
    columns may differ: the mapping must name them)."""
    from datasets.tasks import dataset_ingest_task

    dataset_edit_require(user=user, venture=dataset.venture)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.status in (Dataset.Status.QUEUED, Dataset.Status.RUNNING):
        raise Conflict(_("This dataset is being ingested; cancel it first."), code="ingest_running")
    if encoding is not None and encoding != dataset.detected.get("encoding"):
        found = dataset_sniff(dataset=dataset, encoding=encoding)
        dataset.detected = {**_detected(found), "date_order": dataset.detected.get("date_order", found.date_order)}
    problems = _mapping_problems(dataset, mapping)
    if problems:
        raise InvalidInput(_("The column mapping is not usable: %(problems)s.") % {"problems": "; ".join(problems)}, code="mapping")
    if date_order is not None:
        dataset.detected = {**dataset.detected, "date_order": date_order}
    if keep_extra_columns is not None:
        dataset.keep_extra_columns = keep_extra_columns
    dataset.mapping = {role: column for role, column in mapping.items() if column}
    dataset.status, dataset.progress, dataset.rows_processed, dataset.error, dataset.error_code = Dataset.Status.QUEUED, 0, 0, "", ""
    dataset.attempt += 1
    dataset.save()
    attempt = dataset.attempt
    # robust: with the broker down the upload still succeeds; the job stays queued and the beat sweep sends it later.
    transaction.on_commit(lambda: dataset_ingest_task.delay(dataset.pk, attempt), robust=True)
    return dataset


def dataset_ingest_run(*, dataset_id: int, attempt: int) -> str:
    """The worker's part (core.jobs.job_run: idempotent per attempt). Returns the final status."""
    return job_run(Dataset, pk=dataset_id, attempt=attempt, work=_ingest)


def ingest_options(dataset: Dataset) -> IngestOptions:
    """The ingest's options: what the sniff found (with the user's mapping and choices) and the limits in force."""
    found = Sniffed(**{"decimal": ".", "date_order": "", **dataset.detected, "mapping": dataset.mapping})
    return IngestOptions.from_sniffed(
        found,
        keep_extra=dataset.keep_extra_columns,
        max_line_chars=settings.DATASET_MAX_LINE_CHARS,
        max_record_lines=settings.DATASET_MAX_RECORD_LINES,
        max_reject_share=settings.DATASET_MAX_REJECT_SHARE,
    )


def _ingest(dataset: Dataset) -> JobOutput:
    """Stream the upload into a temporary Parquet (core.jobs.job_temp_file), summarise it, compute its cohorts, and
    save it under a fresh storage name (the cohorts beside it, recorded for that name)."""
    total = max(dataset.size_bytes, 1)
    try:
        with job_temp_file(dataset, suffix=".parquet") as temporary, dataset.file.open("rb") as upload:
            source = upload_stream(upload)

            def progress(bytes_read: int, rows: int) -> bool:
                """Record progress and heartbeat; go on only while the job is still this attempt and running. The
                share of the upload read: of a compressed one, its compressed bytes (where the reader is in the
                stored file), not the unpacked bytes, which outgrow its size long before the end."""
                consumed = bytes_read if source is upload else _position(upload)
                percent = int(consumed * 100 / total) if dataset.size_bytes else 0
                return job_beat(dataset, progress=percent, rows_processed=rows)

            report = ingest_csv(source, temporary, ingest_options(dataset), progress)
            summary = dataset_summary(temporary)
            rows = report.rows_read  # the upload is read: the cohorts' beats stay at the end (job_beat shows 99 until done)
            tables = _cohorts_compute(dataset, temporary, progress=lambda _share: job_beat(dataset, progress=100, rows_processed=rows))
            with open(temporary, "rb") as handle:
                name = default_storage.save(f"datasets/{dataset.venture_id}/{uuid.uuid4().hex}.parquet", File(handle))
            _cohorts_attach(dataset, parquet=name, file=_cohorts_save(dataset, tables))
    except IngestCancelled as exc:
        raise JobStopped() from exc
    except RejectedFile as exc:
        raise JobFailed(rejected_message(exc), exc.code) from exc
    # a value of the file may hold a NUL, which the database cannot store in the report
    report_fields = nul_replaced({**report.__dict__, "users": summary.pop("users"), "summary": summary})
    return JobOutput(fields={"report": report_fields}, file=name)


def _cohorts_compute(dataset: Dataset, parquet: str | BinaryIO, *, progress: Callable[[float], bool]) -> dict:
    try:
        return cohort_tables(parquet, amounts="amount" in dataset.mapping, channels="channel" in dataset.mapping, progress=progress)
    except IngestCancelled as exc:
        raise JobStopped() from exc


def _cohorts_save(dataset: Dataset, tables: dict) -> str:
    content = ContentFile(json.dumps(cohort_tables_to_json(tables)).encode())
    return default_storage.save(f"datasets/{dataset.venture_id}/{uuid.uuid4().hex}.cohorts.json", content)


@transaction.atomic
def _cohorts_attach(dataset: Dataset, *, parquet: str, file: str) -> None:
    """Record `file` as the cohorts of the Parquet `parquet` (the one the ingest is about to switch to): the row is
    ready, a computation still running for an older Parquet stops (its attempt is over), the old file goes."""
    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # one writer of the dataset's cohorts at a time
    cohorts = DatasetCohorts.objects.filter(dataset=dataset).first() or DatasetCohorts(dataset=dataset)
    storage_delete_on_commit([cohorts.file] if cohorts.file != file else [])
    cohorts.parquet, cohorts.file, cohorts.status, cohorts.progress = parquet, file, DatasetCohorts.Status.READY, 100
    cohorts.error, cohorts.error_code, cohorts.attempt, cohorts.finished_at = "", "", cohorts.attempt + 1, timezone.now()
    cohorts.full_clean()
    cohorts.save()


@transaction.atomic
def dataset_cohorts_queue(*, dataset: Dataset, again: bool = False) -> DatasetCohorts:
    """Queue the computation of a ready dataset's cohorts for its current Parquet (one ingested before cohorts were
    computed with it), unless it is queued, running, done or failed for it; `again`: also when done, for cohorts
    stored in an older shape. Filling this cache needs no role: whoever may read the dataset may ask for its
    cohorts."""
    from datasets.tasks import dataset_cohorts_task

    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
    cohorts = DatasetCohorts.objects.filter(dataset=dataset).first() or DatasetCohorts(dataset=dataset)
    current = cohorts.pk and cohorts.parquet == dataset.parquet
    if current and cohorts.status != DatasetCohorts.Status.CANCELLED and not (again and cohorts.status == DatasetCohorts.Status.READY):
        return cohorts
    cohorts.parquet, cohorts.status, cohorts.progress = dataset.parquet, DatasetCohorts.Status.QUEUED, 0
    cohorts.error, cohorts.error_code, cohorts.attempt = "", "", cohorts.attempt + 1
    cohorts.full_clean()
    cohorts.save()
    pk, attempt = cohorts.pk, cohorts.attempt
    transaction.on_commit(lambda: dataset_cohorts_task.delay(pk, attempt), robust=True)
    return cohorts


def dataset_cohorts_run(*, cohorts_id: int, attempt: int) -> str:
    """The worker's part of a queued cohorts computation (core.jobs.job_run). Returns the final status."""
    return job_run(DatasetCohorts, pk=cohorts_id, attempt=attempt, work=_cohorts_from_parquet)


def _cohorts_from_parquet(cohorts: DatasetCohorts) -> JobOutput:
    def progress(share: float) -> bool:
        return job_beat(cohorts, progress=int(share * 99))

    with default_storage.open(cohorts.parquet, "rb") as parquet:
        tables = _cohorts_compute(cohorts.dataset, parquet, progress=progress)
    return JobOutput(file=_cohorts_save(cohorts.dataset, tables))


def _position(upload: BinaryIO) -> int:
    """How far into the stored file the reader is (0 when the storage cannot say)."""
    try:
        return upload.tell()
    except (OSError, ValueError):
        return 0


@transaction.atomic
def dataset_cancel(*, user: User, dataset: Dataset) -> Dataset:
    dataset_edit_require(user=user, venture=dataset.venture)
    job_cancel(dataset)
    return dataset


@transaction.atomic
def dataset_delete(*, user: User, dataset: Dataset) -> None:
    """Delete the dataset, its analyses and their files (the upload, the Parquet, segment member tables), the files
    once the deletion has committed."""
    dataset_edit_require(user=user, venture=dataset.venture)
    rows_delete_with_files(dataset)
