"""A job's temporary files live in JOB_TEMP_DIR, named after their job, so that what a killed worker leaves behind
is found and deleted (by the orphan sweep and when a worker starts) once its job is not running or is a day old; and
the progress of a compressed upload is the share of its compressed bytes read, not of the unpacked ones."""

import gzip
import os
import random
import time
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.tasks import jobs_temp_sweep_on_start
from datasets import services
from datasets.models import Dataset
from datasets.orphans import storage_orphans_sweep
from tests.datasets.factories import MAPPING, orders_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_dir(settings, tmp_path):
    settings.JOB_TEMP_DIR = tmp_path / "jobs"
    settings.JOB_TEMP_DIR.mkdir()
    return settings.JOB_TEMP_DIR


def uploaded(world, content: bytes, name: str = "orders.csv") -> Dataset:
    upload = SimpleUploadedFile(name, content)
    return services.dataset_upload(user=world.editor, venture=world.venture, name="Orders", upload=upload, mapping=MAPPING)


def test_the_ingest_writes_its_temporary_parquet_in_the_jobs_folder_named_after_it(world, temp_dir, monkeypatch):
    dataset = uploaded(world, orders_csv())
    seen: list[list[str]] = []
    beat = services.job_beat

    def spy(job, **fields):
        seen.append(sorted(os.listdir(temp_dir)))
        return beat(job, **fields)

    monkeypatch.setattr(services, "job_beat", spy)

    assert services.dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    assert seen
    assert all(len(names) == 1 and names[0].startswith(f"datasets.dataset-{dataset.pk}-{dataset.attempt}-") for names in seen)
    assert os.listdir(temp_dir) == []  # deleted once stored


def test_the_sweeps_delete_leftovers_of_jobs_not_running_and_keep_a_running_jobs(world, temp_dir):
    finished = uploaded(world, orders_csv())
    running = uploaded(world, orders_csv())
    Dataset.objects.filter(pk=running.pk).update(status=Dataset.Status.RUNNING, attempt=2, heartbeat_at=timezone.now())
    left = temp_dir / f"datasets.dataset-{finished.pk}-1-abc.parquet"  # a worker killed mid-ingest left it
    older_attempt = temp_dir / f"datasets.dataset-{running.pk}-1-abc.parquet"
    live = temp_dir / f"datasets.dataset-{running.pk}-2-abc.parquet"
    stranger, old_stranger = temp_dir / "something-else", temp_dir / "something-old"
    for path in (left, older_attempt, live, stranger, old_stranger):
        path.write_bytes(b"PAR1")
    day_ago = time.time() - 25 * 3600
    os.utime(old_stranger, (day_ago, day_ago))

    outcome = storage_orphans_sweep()

    assert outcome.temporary == 3
    assert sorted(path.name for path in temp_dir.iterdir()) == sorted([live.name, stranger.name])

    Dataset.objects.filter(pk=running.pk).update(status=Dataset.Status.FAILED)
    jobs_temp_sweep_on_start()  # a worker starting on this host
    assert [path.name for path in temp_dir.iterdir()] == [stranger.name]


def test_a_gzip_uploads_progress_is_its_compressed_bytes_read(world, temp_dir, monkeypatch):
    """Blocks and chunks made small so that this small file is read in many steps, as a large one is."""
    monkeypatch.setattr("ingest.blocks.BLOCK_BYTES", 32 << 10)
    monkeypatch.setattr("ingest.blocks.FIRST_BLOCK_BYTES", 32 << 10)
    options = services.ingest_options
    monkeypatch.setattr(services, "ingest_options", lambda dataset: replace(options(dataset), chunk_rows=4000))
    rng = random.Random(7)  # noqa: S311 - test data
    lines = ["customer,time,event,amount,channel"]
    lines += [
        f"c{rng.randrange(900)},2025-01-{rng.randrange(1, 29):02d} 10:{rng.randrange(60):02d},purchase,{rng.randrange(10**5)}.{rng.randrange(100):02d},web"
        for _ in range(120_000)
    ]
    content = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=6)
    dataset = uploaded(world, content, "orders.csv.gz")
    beats: list[tuple[int, int]] = []
    beat = services.job_beat

    def spy(job, *, progress, rows_processed):
        beats.append((rows_processed, progress))
        return beat(job, progress=progress, rows_processed=rows_processed)

    monkeypatch.setattr(services, "job_beat", spy)

    assert services.dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    before_the_end = [progress for rows, progress in beats if rows <= 114_000]  # all but the last 5 %
    assert len(before_the_end) >= 10
    assert max(before_the_end) < 99, beats
    halfway = [progress for rows, progress in beats if rows <= 60_000]
    assert max(halfway) < 80, beats  # unpacked bytes / compressed size would be far past 99 by then
    assert [progress for _, progress in beats] == sorted(progress for _, progress in beats)
