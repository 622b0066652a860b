"""First visit to the chart pages: time to the load event and bytes over the wire (all, and JavaScript alone) of the
dashboard, a dataset's page and an analysis's pages (forecast, segmentation), against the baseline of the same pages
without charts (plotly.js and figures.js refused by the browser, so the page, its styles and figure JSON still load).

  python bench/page_load.py              # served as `./bizcanvas run` serves: gunicorn, config/settings/run.py
  python bench/page_load.py --dev        # runserver with config/settings/dev.py (DEBUG on), as it was served before

Headless Chromium (/usr/bin/chromium), a fresh browser context per visit (cold cache, the session cookie only),
localhost, the demo data (`demo_seed`) on a scratch SQLite database, broker and static folder (deleted afterwards).
Each page is visited --visits times in each mode; the median is printed. Targets (issue 20): load event ≤ 0.5 s,
JavaScript ≤ 1.5 MB over the wire. Next to the load event, the time until every chart in the window is drawn (the
data-drawn mark static/js/figures.js sets): charts further down are drawn when scrolled to, so the load event alone
would flatter the page."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server_env import process_group_stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHARTS = ("/static/vendor/plotly/", "/static/js/figures.")
# Navigation and resources as the browser counted them: transferSize is what came over the wire (headers included).
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const js = resources.filter(r => r.initiatorType === "script" || /\\.js(\\?|$)/.test(r.name));
  return {
    load: nav.loadEventStart,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    js: js.reduce((sum, r) => sum + r.transferSize, 0),
    charts: document.querySelectorAll(".js-plotly-plot").length,
  };
}"""
# The charts a visitor sees without scrolling (in the window at the load event), then the time (ms since the
# navigation started) by which static/js/figures.js had drawn all of them (its data-drawn mark on each).
IN_VIEW = """() => Array.from(document.querySelectorAll("[data-figure]")).filter(el => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.bottom > 0 && box.top < window.innerHeight;
}).length"""
DRAWN = """(count) => {
  const drawn = Array.from(document.querySelectorAll("[data-figure][data-drawn]")).filter(el => {
    const box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }).map(el => Number(el.getAttribute("data-drawn")));
  return drawn.length >= count ? Math.max(0, ...drawn) : null;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def prepare(env: dict[str, str]) -> tuple[str, str, list[tuple[str, str]]]:
    """Migrate, collect static files, seed the demo; the login and the pages to visit."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    seeded = manage(env, "demo_seed")
    words = seeded.split("Demo login: username ", 1)[1].split()
    username, password = words[0], words[2]
    code = (
        "import json; from ventures.models import Venture; from datasets.models import Dataset; "
        "from analysis.models import Analysis; v = Venture.objects.order_by('pk').first(); "
        "d = Dataset.objects.filter(venture=v, status='ready').order_by('pk').first(); "
        "a = {x.kind: x.pk for x in Analysis.objects.filter(dataset=d, status='succeeded')}; "
        "print(json.dumps([v.pk, d.pk, a]))"
    )
    venture, dataset, analyses = json.loads(manage(env, "shell", "-v0", "-c", code).strip().splitlines()[-1])
    pages = [("dashboard", f"/ventures/{venture}/dashboard/"), ("dataset", f"/datasets/{dataset}/")]
    pages += [(f"analysis ({kind})", f"/analyses/{pk}/") for kind, pk in sorted(analyses.items())]
    return username, password, pages


def serve(env: dict[str, str], port: int, *, dev: bool) -> subprocess.Popen:
    if dev:
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    else:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "config.wsgi", "--config", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5).read()  # our own server
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def visit(browser, state: dict, url: str, *, charts: bool) -> dict:
    context = browser.new_context(storage_state=state, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if not charts:
        page.route(lambda u: any(part in u for part in CHARTS), lambda route: route.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    in_view = page.evaluate(IN_VIEW) if charts else 0
    figures = page.evaluate(MEASURE)
    figures["in_view"] = in_view
    figures["drawn"] = page.wait_for_function(DRAWN, arg=in_view, timeout=30_000).json_value() if in_view else 0
    context.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", action="store_true", help="runserver with DEBUG on (config.settings.dev)")
    parser.add_argument("--visits", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "STATIC_ROOT"}},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev" if args.dev else "config.settings.run",
            "BIZCANVAS_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "CELERY_BROKER_URL": "filesystem://localhost/",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
        username, password, pages = prepare(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(env, port, dev=args.dev)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
                )
                context = browser.new_context()
                login = context.new_page()
                login.goto(base + "/accounts/login/")
                login.get_by_label("Username").fill(username)
                login.get_by_label("Password").fill(password)
                login.locator("main form button[type=submit]").click()
                login.wait_for_url(base + "/")
                state = context.storage_state()
                context.close()
                rows = []
                for name, path in pages:
                    visit(browser, state, base + path, charts=True)  # the server's first render of the page (its caches)
                    for charts in (True, False):
                        runs = [visit(browser, state, base + path, charts=charts) for _ in range(args.visits)]
                        rows.append((name, charts, {key: statistics.median(run[key] for run in runs) for key in runs[0]}))
                browser.close()
        finally:
            process_group_stop(server, timeout=30)
    print(
        f"served by: {'runserver, config.settings.dev (DEBUG on)' if args.dev else 'gunicorn, config.settings.run'}; median of {args.visits} cold visits"
    )
    print("drawn: charts drawn by the load event (in view: of those in the window); drawn ms: all charts in view drawn")
    print(f"uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (load average, 1/5/15 min, at the end)")
    print(f"{'page':24} {'charts':>6} {'drawn':>5} {'in view':>7} {'load ms':>8} {'drawn ms':>8} {'all KB':>8} {'JS KB':>8}")
    for name, charts, figures in rows:
        print(
            f"{name:24} {'yes' if charts else 'no':>6} {figures['charts']:>5.0f} {figures['in_view']:>7.0f} {figures['load']:>8.0f} "
            f"{figures['drawn']:>8.0f} {figures['bytes'] / 1024:>8.1f} {figures['js'] / 1024:>8.1f}"
        )


if __name__ == "__main__":
    main()
