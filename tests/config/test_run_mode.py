"""`./bizcanvas run` serves as production does (config/settings/run.py under gunicorn): hashed static files
compressed and cached for a year, the app's own error pages instead of Django's debug pages."""

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
# Only the app's own static files: collecting (and compressing) plotly.js, the admin's and Swagger's takes a minute.
IGNORE = ["vendor", "admin", "rest_framework", "drf_spectacular_sidecar"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, process: subprocess.Popen) -> bool:
    """Whether the server answers yet; a server that exited fails at once instead of waiting out the timeout."""
    if process.poll() is not None:
        raise AssertionError(f"the server exited with {process.returncode}")
    try:
        get(url)
    except OSError:
        return False
    return True


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  # http:// to the server this test started
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("run-var")
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "STATIC_ROOT"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.run",
        "BIZCANVAS_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
    }
    ignore = [arg for name in IGNORE for arg in ("--ignore", f"{name}/*")]
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", *ignore], cwd=ROOT, env=env, check=True, timeout=300)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--config", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(base + "/robots.txt", process), timeout=120, what="gunicorn to answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_mistyped_url_gets_the_apps_own_404_not_the_url_list(server):
    status, _headers, body = get(server + "/no-such-page/")

    assert status == 404
    assert b"This page does not exist, or you do not have access to it." in body
    assert b"URLconf" not in body
    assert b"api/v1/" not in body


def test_hashed_static_files_are_compressed_and_cached_for_a_year(server):
    _status, _headers, page = get(server + "/no-such-page/")
    match = re.search(r"/static/css/app\.[0-9a-f]{12}\.css", page.decode())
    assert match, "the page does not link the hashed stylesheet"

    status, headers, _body = get(server + match.group(0), **{"Accept-Encoding": "br, gzip"})

    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    status, headers, _body = get(server + match.group(0), **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"


def test_the_run_command_serves_with_these_settings_and_the_readme_says_the_first_run_is_slow():
    script = (ROOT / "bizcanvas").read_text()
    run = script[script.index("cmd_run() {") : script.index("cmd_test() {")]

    assert "DJANGO_SETTINGS_MODULE:-config.settings.run" in run
    assert "gunicorn" in run
    assert "runserver" not in run
    assert "The first run takes a few minutes" in (ROOT / "README.md").read_text()
