"""Dataset uploads through the real HTTP path: gunicorn, Django's streaming upload handler with the size limit,
the sniff, storage. Compared in the same run with the same bytes sent by the same client to the same server on a
path that reads and discards the body (the baseline: what the network and WSGI cost), and with the file's own ingest.

  python bench/upload_http.py --rows 1000000

Each kind of request is sent --repeat times, alternating (a single one swung 0.02-0.08 s on a shared machine).
Runs a scratch SQLite database and media folder (deleted afterwards) and its own gunicorn on a free port."""

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import generate  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def curl(*arguments: str) -> tuple[float, str]:
    """Seconds of the whole request (as curl measures it) and the body of the answer."""
    output = subprocess.run(
        [shutil.which("curl") or "/usr/bin/curl", "-sS", "-o", "/dev/stdout", "-w", "\n%{time_total}", *arguments],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body, _, seconds = output.rpartition("\n")
    return float(seconds), body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help="requests of each kind, alternating; the medians are shown (each upload is kept: disk)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.upload_settings",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "CELERY_BROKER_URL": "memory://",
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        password = secrets.token_urlsafe(16)
        setup = (
            "from accounts.models import User; from teams.models import Team, Membership, Role; from ventures.models import Venture;"
            "from rest_framework.authtoken.models import Token;"
            f"u = User.objects.create_user(username='bench', email='bench@example.com', password={password!r});"
            "t = Team.objects.create(name='Bench'); Membership.objects.create(team=t, user=u, role=Role.OWNER);"
            "v = Venture.objects.create(team=t, name='Bench'); print(Token.objects.create(user=u).key, v.pk)"
        )
        token, venture = subprocess.run(
            [python, "manage.py", "shell", "-v", "0", "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        path = Path(folder) / "events.csv"
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1024**2
        port = free_port()
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "600"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    curl(f"{base}/healthz")
                    break
                except subprocess.CalledProcessError:
                    time.sleep(0.1)
            baselines, uploads = [], []
            for _ in range(args.repeat):
                baselines.append(curl("-F", f"file=@{path}", f"{base}/bench/discard/")[0])
                seconds, body = curl(
                    "-H", f"Authorization: Token {token}", "-F", f"venture={venture}", "-F", f"file=@{path}", f"{base}/api/v1/datasets/"
                )
                uploads.append(seconds)
            dataset = json.loads(body)
            baseline, seconds = statistics.median(baselines), statistics.median(uploads)
        finally:
            server.terminate()
            server.wait(timeout=30)
        code = (
            "import time; from analysis.services import dataset_ingest_start, dataset_ingest_run; from analysis.models import Dataset;"
            f"d = Dataset.objects.get(pk={dataset['id']}); d = dataset_ingest_start(user=d.created_by, dataset=d, mapping=d.mapping);"
            "start = time.perf_counter(); status = dataset_ingest_run(dataset_id=d.pk, attempt=d.attempt); print(time.perf_counter() - start, status)"
        )
        ingest = float(
            subprocess.run(
                [python, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout.split()[0]
        )
    print(
        f"file: {size_mb:.0f} MB, {args.rows:,} rows; {args.repeat} requests of each kind, medians; answer: status {dataset.get('status')}, detected {dataset.get('detected', {}).get('encoding')}"
    )
    print(f"{'request':44} {'seconds':>8} {'MB/s':>8}")
    print(f"{'POST same bytes, body discarded (baseline)':44} {baseline:8.2f} {size_mb / baseline:8.0f}")
    print(f"{'POST /api/v1/datasets/ (stream+sniff+store)':44} {seconds:8.2f} {size_mb / seconds:8.0f}")
    print(f"{'its ingest afterwards (worker side)':44} {ingest:8.2f} {size_mb / ingest:8.0f}")
    print(f"upload / baseline: {seconds / baseline:.2f}x")


if __name__ == "__main__":
    main()
