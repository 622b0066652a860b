"""SIGKILL the worker's pool process in the middle of a model run: like an ingest, the run does not stay "running".
Its message is redelivered and the run taken over once the dead run's heartbeat (beaten from a side thread) is
stale, or the sweeper fails it with a reason; a result is stored whole or not at all."""

import random
from datetime import date, timedelta

import pytest

from analysis.models import Analysis
from analysis.services import analysis_create
from core.jobs import jobs_sweep_stale
from tests.datasets.factories import ready_dataset
from tests.waiting import wait_until
from tests.worker import kill_pool_processes, start_worker, stop_worker

PRODUCTS = 24


def products_csv() -> bytes:
    """Seven months of daily orders of PRODUCTS products: one forecast per product keeps a worker busy a while."""
    rng = random.Random(11)  # noqa: S311 - test data
    start = date(2025, 1, 1)
    lines = ["customer,time,product"]
    for day in range(210):
        for product in range(PRODUCTS):
            lines.extend(f"c{rng.randrange(300)},{start + timedelta(days=day)},p{product}" for _ in range(rng.randrange(1, 6)))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_forecast_leaves_no_run_stuck_running(world, tmp_path, settings):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 3
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=products_csv(),
        mapping={"user_id": "customer", "timestamp": "time", "product": "product"},
    )
    process = start_worker(tmp_path, "--pool=prefork", "--concurrency=1", JOB_HEARTBEAT_STALE_SECONDS="3", JOB_HEARTBEAT_SECONDS="1")
    try:
        analysis = analysis_create(
            user=world.editor,
            dataset=dataset,
            kind="forecast",
            params={"metric": "orders", "frequency": "D", "horizon": 14, "split_by": "product"},
        )

        def modelling() -> bool:
            analysis.refresh_from_db()
            return analysis.status == Analysis.Status.RUNNING and analysis.progress > 10

        wait_until(modelling, timeout=90, what="the forecast to be under way", interval=0.05)
        kill_pool_processes(process)

        def ended() -> bool:
            jobs_sweep_stale(Analysis)
            analysis.refresh_from_db()
            return analysis.status in (Analysis.Status.SUCCEEDED, Analysis.Status.FAILED)

        try:
            wait_until(ended, timeout=150, what="the killed forecast to end", interval=0.5)
        except AssertionError:
            print((tmp_path / "worker.log").read_text()[-4000:])
            raise
    finally:
        stop_worker(process)

    print(f"killed-worker outcome: {analysis.status} {analysis.error_code}")
    if analysis.status == Analysis.Status.SUCCEEDED:
        assert len(analysis.result["series"]) == PRODUCTS  # redelivered and finished: the result is whole
        assert analysis.progress == 100
    else:
        assert analysis.error_code == "worker_lost"
        assert analysis.result == {}
