"""A shared dashboard's payload does not grow with the dataset: the page (HTML with its inline figures) and every
figure JSON it can fetch, for a venture whose dataset has the demo's 10 k rows (the baseline) and one with a large
generated event log (default 5 M rows), each ingested and modelled (forecast + segmentation) through the services.

  python bench/dashboard_payload.py                 # 5 M rows
  python bench/dashboard_payload.py --rows 1000000

Runs on a scratch SQLite database and media folder (deleted afterwards); plotly.js itself is a cached static file
and is not counted."""

import argparse
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise SystemExit(problem)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
            MEDIA_ROOT=f"{folder}/media",
            CELERY_BROKER_URL="memory://",
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        rows = [("demo dataset (baseline)", None), (f"generated, {args.rows:,} rows", args.rows)]
        results = [measure(label, count, Path(folder)) for label, count in rows]
    print(f"{'dataset':32} {'rows':>10} {'ingest+models s':>16} {'page KB':>9} {'figures KB':>11} {'total KB':>9}")
    for result in results:
        print(
            f"{result['label']:32} {result['rows']:>10,} {result['seconds']:>16.1f} {result['page'] / 1024:>9.1f} "
            f"{result['figures'] / 1024:>11.1f} {(result['page'] + result['figures']) / 1024:>9.1f}"
        )
    base, large = results
    print(f"total payload, large / baseline: {(large['page'] + large['figures']) / (base['page'] + base['figures']):.2f}x (budget ~1 MB)")


def measure(label: str, rows: int | None, folder: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User
    from analysis.demo import demo_transactions_csv
    from analysis.services import analysis_create, analysis_run
    from bench.ingest import generate
    from dashboards.services import share_link_create
    from datasets.services import dataset_ingest_run, dataset_upload
    from teams.models import Membership, Role, Team
    from ventures.models import Venture

    start = time.perf_counter()
    suffix = rows or "demo"
    user = User.objects.create_user(username=f"bench{suffix}", email=f"bench{suffix}@example.com", password=secrets.token_urlsafe(16))
    team = Team.objects.create(name=f"Bench {suffix}")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    venture = Venture.objects.create(team=team, name=f"Bench {suffix}")
    if rows:
        path = folder / f"events-{rows}.csv"
        generate(path, rows)
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        mapping = {"user_id": "user_id", "timestamp": "timestamp", "event": "event", "amount": "amount", "channel": "channel"}
    else:
        upload = SimpleUploadedFile("demo.csv", demo_transactions_csv(), content_type="text/csv")
        mapping = {"user_id": "shop_id", "timestamp": "order_date", "event": "event", "amount": "amount", "channel": "channel"}
    dataset = dataset_upload(user=user, venture=venture, name=label, upload=upload, mapping=mapping)
    expect(dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready", "the ingest failed")
    dataset.refresh_from_db()
    for kind, params in (("forecast", {"metric": "revenue", "frequency": "W", "horizon": 12}), ("segmentation", {})):
        analysis = analysis_create(user=user, dataset=dataset, kind=kind, params=params)
        expect(analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded", f"the {kind} failed")
    seconds = time.perf_counter() - start
    _link, token = share_link_create(user=user, venture=venture)
    client = Client(HTTP_HOST="localhost")
    page = client.get(f"/s/{token}/")
    expect(page.status_code == 200, f"the shared page answered {page.status_code}")
    html = page.content.decode()
    names = re.findall(r'<script id="figure-(\w+)" type="application/json">', html)
    figures = sum(len(client.get(f"/s/{token}/figures/{name}.json").content) for name in names)
    return {"label": label, "rows": dataset.report["rows_accepted"], "seconds": seconds, "page": len(page.content), "figures": figures}


if __name__ == "__main__":
    main()
