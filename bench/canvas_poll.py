"""How cheap is live updating by conditional polling? Compares, in one run, against the baseline of reloading
the whole editor page (what a user without live updates would do):

  * poll, nothing changed  -> 204, one query on the canvas row
  * poll, something changed -> 200 with every block's HTML
  * full page GET           -> baseline

Usage: DJANGO_SETTINGS_MODULE=config.settings.test python bench/canvas_poll.py [--items 60] [--rounds 300]
(uses a throwaway test database on whatever DATABASE_URL points at)."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def measure(client: Client, url: str, rounds: int) -> tuple[float, int, int, int]:
    """Median milliseconds, response status, bytes and queries of GET url."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), response.status_code, len(response.content), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        from canvas.blueprints import BUSINESS_MODEL
        from canvas.services import canvas_create, item_add
        from teams.models import Role
        from tests.teams.factories import TeamFactory, member
        from tests.ventures.factories import VentureFactory

        team = TeamFactory()
        user = member(team, Role.EDITOR).user
        canvas = canvas_create(user=user, venture=VentureFactory(team=team), kind="business_model", title="Bench")
        for index in range(args.items):
            item_add(user=user, canvas=canvas, block=BUSINESS_MODEL.keys[index % 9], text=f"Note {index} " + "x" * 80)
        canvas.refresh_from_db()
        client = Client()
        client.force_login(user)

        page = measure(client, f"/canvases/{canvas.pk}/", args.rounds)
        idle = measure(client, f"/canvases/{canvas.pk}/poll/?version={canvas.version}", args.rounds)
        changed = measure(client, f"/canvases/{canvas.pk}/poll/?version=0", args.rounds)

        print(f"canvas with {args.items} notes, {args.rounds} requests each, database {connection.vendor}")
        print(f"{'request':34} {'median ms':>10} {'status':>7} {'bytes':>8} {'queries':>8} {'time vs page':>13}")
        for name, (ms, code, size, queries) in (
            ("full page GET (baseline)", page),
            ("poll, nothing changed", idle),
            ("poll, canvas changed (9 blocks)", changed),
        ):
            print(f"{name:34} {ms:10.2f} {code:7d} {size:8d} {queries:8d} {ms / page[0]:12.2f}x")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
