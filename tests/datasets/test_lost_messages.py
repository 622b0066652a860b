"""Jobs whose message the broker lost (Redis restarted without persistence, or down when the job was queued) are
sent again by the sweeper, once per window; a job queued moments ago is left alone. bench/faults.py runs the real
thing (its own redis-server killed and restarted); these are the cheap parts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from analysis import tasks as analysis_tasks
from core.jobs import jobs_requeue_lost
from datasets import tasks
from datasets.models import Dataset
from datasets.services import dataset_upload
from datasets.tasks import dataset_ingest_task
from tests.conftest import TeamWorld
from tests.datasets.factories import MAPPING, orders_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, int]]:
    """The messages the ingest task would have sent to the broker."""
    messages: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks.dataset_ingest_task, "delay", lambda *args: messages.append(args))
    return messages


def _queued(world: TeamWorld) -> Dataset:
    upload = SimpleUploadedFile("orders.csv", orders_csv(days=20, customers=5), content_type="text/csv")
    return dataset_upload(user=world.editor, venture=world.venture, name="Orders", upload=upload, mapping=MAPPING)


def test_a_job_queued_too_long_is_sent_again_once_per_window(world: TeamWorld, sent, settings):
    dataset = _queued(world)
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_SECONDS + 1))

    first, again = jobs_requeue_lost(Dataset, send=dataset_ingest_task.delay), jobs_requeue_lost(Dataset, send=dataset_ingest_task.delay)

    assert (first, again) == (1, 0)
    assert sent == [(dataset.pk, dataset.attempt)]
    assert Dataset.objects.get(pk=dataset.pk).status == Dataset.Status.QUEUED  # the worker's claim moves it on


def test_a_job_queued_moments_ago_is_left_alone(world: TeamWorld, sent):
    _queued(world)

    assert jobs_requeue_lost(Dataset, send=dataset_ingest_task.delay) == 0
    assert sent == []


def test_with_the_broker_down_an_upload_still_succeeds_and_stays_queued(world: TeamWorld, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.dataset_ingest_task, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        dataset = _queued(world)

    assert Dataset.objects.get(pk=dataset.pk).status == Dataset.Status.QUEUED


def test_job_messages_carry_no_time_limits_so_the_workers_own_apply(monkeypatch):
    """Celery stamps the sender's limits on a message and they win over the worker's settings; ours send none."""
    from config.celery import app

    sent_with: list[dict] = []
    monkeypatch.setattr(app, "send_task", lambda *args, **options: sent_with.append(options))

    tasks.dataset_ingest_task.delay(1, 1)
    analysis_tasks.analysis_run_task.delay(1, 1)

    assert [(options["time_limit"], options["soft_time_limit"]) for options in sent_with] == [(None, None), (None, None)]
