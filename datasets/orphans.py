"""Files under datasets/ and analyses/ in storage that no row points at: left by a worker killed between writing a
file and recording it, or by a storage error during a delete. Walked through the storage API (local or S3 alike).
With them go the jobs' temporary files on this host (JOB_TEMP_DIR) that no running job owns."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from core.files import storage_delete
from core.jobs import jobs_temp_sweep
from core.tasks import job_models
from datasets.selectors import storage_names_referenced

ROOTS = ("datasets", "analyses")


@dataclass
class OrphanSweep:
    scanned: int = 0
    referenced: int = 0
    recent: int = 0
    orphans: list[str] = field(default_factory=list)
    deleted: int = 0
    temporary: int = 0  # jobs' temporary files deleted (never in a dry run)


def _walk(folder: str):
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _walk(f"{folder}/{directory}")


def storage_orphans_sweep(*, grace: timedelta = timedelta(hours=24), dry_run: bool = False) -> OrphanSweep:
    """Find (and unless `dry_run`, delete) the files under datasets/ and analyses/ that no dataset or analysis
    references and that are older than `grace` (younger ones may belong to an upload or a run not yet recorded)."""
    outcome = OrphanSweep()
    cutoff = timezone.now() - grace
    names = [name for root in ROOTS for name in _walk(root)]
    referenced = storage_names_referenced()  # read after the listing: a file recorded meanwhile counts as referenced
    for name in names:
        outcome.scanned += 1
        if name in referenced:
            outcome.referenced += 1
        elif default_storage.get_modified_time(name) > cutoff:
            outcome.recent += 1
        else:
            outcome.orphans.append(name)
    if not dry_run:
        keep = storage_names_referenced()  # one last look just before deleting
        outcome.deleted = storage_delete(name for name in outcome.orphans if name not in keep)
        outcome.temporary = jobs_temp_sweep(job_models(), grace=grace)
    return outcome
