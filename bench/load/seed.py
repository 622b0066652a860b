"""Seed the load run's database through the services: N teams, each with an owner and an editor, one venture, one
business-model canvas with items, one dataset (ingested by the real worker) and two share links (dashboard, canvas).
Writes what the locust users need (API tokens, session keys, ids, share tokens) as JSON.

Sessions are created directly (what a login stores), so the run measures the pages, not 2·N password hashes.

Run by bench/load/run.py: DJANGO_SETTINGS_MODULE=bench.load.settings python bench/load/seed.py --teams 25 --out seed.json"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import user_api_token_rotate, user_register  # noqa: E402
from canvas.blueprints import BUSINESS_MODEL  # noqa: E402
from canvas.services import canvas_create, item_add  # noqa: E402
from dashboards.services import share_link_create  # noqa: E402
from datasets.models import Dataset  # noqa: E402
from datasets.services import dataset_upload  # noqa: E402
from teams.models import Role  # noqa: E402
from teams.services import member_add, team_create  # noqa: E402
from ventures.services import venture_create  # noqa: E402

PASSWORD = "Quartz-Harbour-7391"  # noqa: S105 (a throwaway database)


def events_csv(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = ["user_id,timestamp,event,amount,channel"]
    for index in range(rows):
        lines.append(
            f"u{rng.randrange(rows // 4 + 1)},2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{index % 24:02d}:00:00Z,"
            f"purchase,{rng.randrange(100, 20000) / 100:.2f},{'web' if index % 3 else 'app'}"
        )
    return ("\n".join(lines) + "\n").encode()


def session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def seed_team(index: int, items: int, dataset_rows: int) -> dict:
    owner = user_register(username=f"load-owner-{index}", email=f"owner{index}@load.example", password=PASSWORD)
    editor = user_register(username=f"load-editor-{index}", email=f"editor{index}@load.example", password=PASSWORD)
    team = team_create(user=owner, name=f"Load team {index}")
    member_add(actor=owner, team=team, username=editor.username, role=Role.EDITOR)
    venture = venture_create(user=owner, team=team, name=f"Venture {index}", pitch="A venture under load.")
    canvas = canvas_create(user=owner, venture=venture, kind="business_model", title=f"Canvas {index}")
    item_ids = [
        item_add(user=owner, canvas=canvas, block=BUSINESS_MODEL.keys[n % 9], text=f"Note {n} " + "x" * 60).pk for n in range(items)
    ]
    upload = SimpleUploadedFile("events.csv", events_csv(dataset_rows, index), content_type="text/csv")
    dataset_upload(user=owner, venture=venture, name="Events", upload=upload, auto_ingest=True)
    _, dashboard_token = share_link_create(user=owner, venture=venture, label="Investors")
    _, canvas_token = share_link_create(user=owner, venture=venture, canvas=canvas, label="Canvas")
    return {
        "venture": venture.pk,
        "canvas": canvas.pk,
        "items": item_ids,
        "share_tokens": [dashboard_token, canvas_token],
        "users": [{"token": user_api_token_rotate(user=user).key, "session": session_for(user)} for user in (owner, editor)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=25)
    parser.add_argument("--items", type=int, default=30, help="items per canvas")
    parser.add_argument("--dataset-rows", type=int, default=2000)
    parser.add_argument("--wait", type=int, default=180, help="seconds to wait for the worker to ingest the datasets")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    start = time.perf_counter()
    teams = [seed_team(index, args.items, args.dataset_rows) for index in range(args.teams)]
    print(f"seeded {args.teams} teams in {time.perf_counter() - start:.1f} s; waiting for the worker to ingest their datasets")
    deadline = time.monotonic() + args.wait
    while Dataset.objects.exclude(status__in=[Dataset.Status.READY, Dataset.Status.FAILED, Dataset.Status.CANCELLED]).exists():
        if time.monotonic() > deadline:
            sys.exit("datasets still not ingested: is the worker running?")
        time.sleep(1)
    print("datasets:", dict(Dataset.objects.values_list("status").annotate(n=Count("id"))))
    Path(args.out).write_text(json.dumps({"teams": teams}))


if __name__ == "__main__":
    main()
