"""One lifecycle for every background job row (a dataset's ingest, an analysis' model run): the row is the job's
truth, not a Celery result backend. Every step is a compare-and-set UPDATE on the row for one `attempt`, so a
duplicate, late or redelivered message can never run a job twice at once nor overwrite a newer attempt; a job ends
`failed` with its true reason, never stuck at `running`; its output file is written under a fresh name and switched
to only on success, the file it replaces deleted once that has committed."""

import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.files import storage_delete, storage_delete_on_commit

logger = logging.getLogger(__name__)


STORAGE_FAILED = _("The file storage failed (%(error)s). Try again; if it fails again, tell the administrator.")
NUL_OUTPUT = _("The result holds a NUL character (U+0000), which the database cannot store. Remove it from the data and try again.")
OUTPUT_UNSAVED = _("The result could not be saved (%(error)s). Try again; if it fails again, tell the administrator.")


@dataclass(frozen=True)
class JobMessages:
    """What a kind of job tells its user when it fails for a reason outside its own work (translatable, lazy)."""

    time_limit: Promise | str
    unexpected: Promise | str  # with %(error)s: the exception's class name
    worker_lost: Promise | str
    # The same for every kind of job unless it says otherwise:
    storage: Promise | str = STORAGE_FAILED  # with %(error)s
    nul_output: Promise | str = NUL_OUTPUT
    unsaved: Promise | str = OUTPUT_UNSAVED  # with %(error)s


class Job(models.Model):
    """What every background job row has. `attempt` goes up each time the job is (re)started or cancelled, so a late
    or duplicate delivery of an older message finds no row to claim. A concrete job declares its Status (with
    QUEUED, RUNNING, FAILED, CANCELLED), the status of success, its messages, the Celery task that runs it and the
    field naming its output file."""

    done_status: ClassVar[str]
    messages: ClassVar[JobMessages]
    task_path: ClassVar[str]  # dotted path of the Celery task that runs it, taking (pk, attempt)
    output_file_field: ClassVar[str]

    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class JobBusy(Exception):
    """Another delivery of this job is running (or was, until its heartbeat stops): try again later."""


class JobStopped(Exception):
    """The job was cancelled, re-queued or swept while it worked: its output is not wanted."""


class JobFailed(Exception):
    """The job's work refused its input: `message` is for the user, `code` stable."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class JobOutput:
    """What a successful run writes on its row: `fields`, and the storage name of its output file (saved under a
    fresh name by the work; "" for none)."""

    fields: dict[str, Any] = field(default_factory=dict)
    file: str = ""


def heartbeat_stale() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as abandoned (its worker died)."""
    return timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)


def job_status(model: type[Job], pk: int) -> str:
    return model.objects.filter(pk=pk).values_list("status", flat=True).first() or "gone"


def job_claim(model: type[Job], *, pk: int, attempt: int) -> bool:
    """queued → running, or running → running when the previous claimant's heartbeat has stopped (its worker was
    killed and the message redelivered). False when there is nothing to do (finished, cancelled, another attempt);
    raises JobBusy while another live delivery holds the job."""
    now, running = timezone.now(), model.Status.RUNNING
    abandoned = Q(status=running, heartbeat_at__lt=now - heartbeat_stale())
    claimed = model.objects.filter(Q(status=model.Status.QUEUED) | abandoned, pk=pk, attempt=attempt).update(
        status=running, started_at=now, heartbeat_at=now, progress=0, error="", error_code=""
    )
    if claimed:
        return True
    if model.objects.filter(pk=pk, attempt=attempt, status=running).exists():
        raise JobBusy()
    return False


def job_beat(job: Job, *, progress: int, **fields: object) -> bool:
    """Record progress (0–99) and the heartbeat. False when the job is no longer this attempt's or no longer running
    (cancelled, re-queued, swept): the worker should stop."""
    model = type(job)
    return bool(
        model.objects.filter(pk=job.pk, attempt=job.attempt, status=model.Status.RUNNING).update(
            progress=max(0, min(99, progress)), heartbeat_at=timezone.now(), **fields
        )
    )


@contextmanager
def job_heartbeat(job: Job) -> Iterator[None]:
    """Beat every JOB_HEARTBEAT_SECONDS from a side thread while the work runs (one model fit or one slow block can
    take longer than the staleness window): the job counts as abandoned only when its process is gone."""
    stop = threading.Event()
    model = type(job)

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                model.objects.filter(pk=job.pk, attempt=job.attempt, status=model.Status.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label_lower}-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def job_temp_file(job: Job, *, suffix: str = "") -> Iterator[str]:
    """The path of a temporary file for this attempt's work, in JOB_TEMP_DIR and named after the job, deleted when the
    work ends however it ends. One that a killed worker leaves behind is deleted by jobs_temp_sweep."""
    folder = Path(settings.JOB_TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix=f"{job._meta.label_lower}-{job.pk}-{job.attempt}-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        yield path
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)


_TEMP_NAME = re.compile(r"^(?P<label>[\w]+\.[\w]+)-(?P<pk>\d+)-(?P<attempt>\d+)-")


def jobs_temp_sweep(models: Iterable[type[Job]], *, grace: timedelta = timedelta(days=1)) -> int:
    """Delete the files in JOB_TEMP_DIR (on this host) that no running job owns: its job is not running this attempt
    any more (finished, failed, cancelled, re-queued, deleted), or the file is older than `grace`. A worker killed
    mid-run leaves one behind; runs when a worker starts and daily with the orphan sweep. Returns how many."""
    folder = Path(settings.JOB_TEMP_DIR)
    if not folder.is_dir():
        return 0
    by_label = {model._meta.label_lower: model for model in models}
    cutoff = (timezone.now() - grace).timestamp()
    deleted = 0
    for path in folder.iterdir():
        try:
            if not path.is_file():
                continue
            fresh = path.stat().st_mtime > cutoff
            match = _TEMP_NAME.match(path.name)
            model = by_label.get(match["label"]) if match else None
            if match is None or model is None:  # not a job's: only once it is old
                keep = fresh
            else:
                keep = fresh and model.objects.filter(pk=match["pk"], attempt=match["attempt"], status=model.Status.RUNNING).exists()
            if keep:
                continue
            path.unlink()
            deleted += 1
        except FileNotFoundError:  # its job ended and deleted it meanwhile
            continue
    return deleted


def job_finish(job: Job, status: str, *, error: str = "", code: str = "") -> None:
    """End this attempt with `status` (and the reason when it failed). A newer attempt is left alone."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=status, error=error, error_code=code, finished_at=now, heartbeat_at=now
    )


def job_run(model: type[Job], *, pk: int, attempt: int, work: Callable[[Any], JobOutput]) -> str:
    """The worker's part of every job: claim the row for this attempt, run `work(job)` with a heartbeat, record how
    it ended, and switch to its output only if the attempt is still current. Idempotent; returns the final status;
    raises JobBusy while another live delivery holds the job."""
    if not job_claim(model, pk=pk, attempt=attempt):
        return job_status(model, pk)
    job = model.objects.get(pk=pk)
    failed = model.Status.FAILED
    try:
        with job_heartbeat(job):
            output = work(job)
    except JobStopped:
        return job_status(model, pk)
    except JobFailed as exc:
        job_finish(job, failed, error=exc.message, code=exc.code)
        return failed
    except SoftTimeLimitExceeded:
        job_finish(job, failed, error=str(model.messages.time_limit), code="time_limit")
        return failed
    except OSError as exc:  # reading the input or storing the output (a local disk, a bucket behind the storage API)
        logger.exception("%s %s failed on storage", model._meta.label, pk)
        job_finish(job, failed, error=str(model.messages.storage) % {"error": type(exc).__name__}, code="storage")
        return failed
    except Exception as exc:  # recorded on the row, never left "running"
        logger.exception("%s %s failed", model._meta.label, pk)
        job_finish(job, failed, error=str(model.messages.unexpected) % {"error": type(exc).__name__}, code="internal")
        return failed
    return _job_complete(job, output=output)


def _holds_nul(value: object) -> bool:
    """Whether a string anywhere in `value` (dict keys too) holds U+0000: PostgreSQL refuses it in text and JSON."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def _job_complete(job: Job, *, output: JobOutput) -> str:
    """The final save, inside the job's error handling: when it fails (a NUL the database refuses, any database
    error) the job ends `failed` with that reason, its new file is deleted and the row keeps what it had, never left
    `running` for the sweep to call a lost worker."""
    model = type(job)
    try:
        if _holds_nul(output.fields):
            raise JobFailed(str(model.messages.nul_output), "output_nul")
        return _job_switch(model, pk=job.pk, attempt=job.attempt, output=output)
    except Exception as exc:
        if isinstance(exc, JobFailed):
            message, code = exc.message, exc.code
        else:
            logger.exception("%s %s: its output could not be saved", model._meta.label, job.pk)
            message, code = str(model.messages.unsaved) % {"error": type(exc).__name__}, "output_unsaved"
        storage_delete([output.file] if output.file else [])  # rolled back: no row points at it
        job_finish(job, model.Status.FAILED, error=message, code=code)
        return model.Status.FAILED


def _job_switch(model: type[Job], *, pk: int, attempt: int, output: JobOutput) -> str:
    """The atomic switch: the row takes the output only if this attempt still holds it; else the new file goes."""
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=pk).first()
        if current is None or current.attempt != attempt or current.status != model.Status.RUNNING:
            if output.file:  # deleted, cancelled or re-queued meanwhile: the new file belongs to no row
                default_storage.delete(output.file)
            return current.status if current else "gone"
        old = getattr(current, model.output_file_field)
        for name, value in {**output.fields, model.output_file_field: output.file}.items():
            setattr(current, name, value)
        current.status, current.progress, current.finished_at = model.done_status, 100, timezone.now()
        current.save()
    if old and old != output.file:
        storage_delete_on_commit([old])  # the file it replaces, now that nothing points at it
    return model.done_status


def job_cancel(job: Job) -> None:
    """Cancel a queued or running job. The attempt goes up, so a worker still running it finds no row at its next
    beat and stops, and a late delivery of its message finds nothing to claim."""
    status = type(job).Status
    type(job).objects.filter(pk=job.pk, status__in=[status.QUEUED, status.RUNNING]).update(
        status=status.CANCELLED, finished_at=timezone.now(), attempt=F("attempt") + 1
    )
    job.refresh_from_db()


def jobs_sweep_stale(model: type[Job]) -> int:
    """Fail jobs whose worker stopped beating and that no redelivery took over: never stuck at "running". Waits
    three heartbeat windows, so a redelivered message gets its chance first. Returns how many."""
    cutoff = timezone.now() - 3 * heartbeat_stale()
    return model.objects.filter(status=model.Status.RUNNING, heartbeat_at__lt=cutoff).update(
        status=model.Status.FAILED,
        error=str(model.messages.worker_lost),
        error_code="worker_lost",
        finished_at=timezone.now(),
        attempt=F("attempt") + 1,
    )


def jobs_requeue_lost(model: type[Job], *, send: Callable[[int, int], object]) -> int:
    """Send the message again for jobs queued longer than JOB_REQUEUE_SECONDS that no worker has claimed: the broker
    lost it (Redis restarted without persistence) or never got it (down when the job was queued). A second message
    for a job whose first was only slow is harmless: the claim is a compare-and-set, so the later delivery does
    nothing. At most one resend per window per job (updated_at marks it). Returns how many were sent again."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_SECONDS)
    queued = model.objects.filter(status=model.Status.QUEUED, updated_at__lt=cutoff)
    resent = 0
    for pk, attempt in queued.values_list("pk", "attempt"):
        if queued.filter(pk=pk, attempt=attempt).update(updated_at=timezone.now()):
            send(pk, attempt)
            resent += 1
    return resent
