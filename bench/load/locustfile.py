"""The load scenario: team members browsing dashboards and canvases, editing canvas items through the API (two
members of a team on the same few items, so some edits are stale: 409, expected, not an error), uploading small
CSVs, and anyone opening share links; plus, for the throughput comparison, closed-loop users that only call the
canvas API or only the bare view.

Reads the seed written by bench/load/seed.py from $BENCH_SEED. Run by bench/load/run.py; by hand:
  BENCH_SEED=seed.json locust -f bench/load/locustfile.py --headless -u 50 -r 5 -t 5m --host http://127.0.0.1:8765 TeamMember
"""

import io
import itertools
import json
import os
import random

from locust import FastHttpUser, HttpUser, between, constant, task

SEED = json.loads(open(os.environ["BENCH_SEED"]).read())  # noqa: SIM115 (read once at import)
TEAMS = SEED["teams"]
HOT_ITEMS = 3  # the items both members of a team edit: where the conflicts happen
_slots = itertools.count()


def small_csv(rows: int = 200) -> bytes:
    lines = ["user_id,timestamp,event,amount"]
    for _row in range(rows):
        lines.append(
            f"u{random.randrange(50)},2025-{random.randrange(1, 13):02d}-{random.randrange(1, 29):02d},purchase,{random.randrange(100, 9999) / 100}"
        )
    return ("\n".join(lines) + "\n").encode()


class TeamMember(HttpUser):
    """One member of one team: user n is the owner (even n) or the editor (odd n) of team n // 2."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        slot = next(_slots)
        self.team = TEAMS[(slot // 2) % len(TEAMS)]
        me = self.team["users"][slot % 2]
        self.api = {"Authorization": f"Token {me['token']}"}
        self.client.cookies.set("sessionid", me["session"])  # not Secure-flagged here: the run is plain HTTP
        self.versions: dict[int, int] = {}
        self.canvas_version = 0

    @task(4)
    def canvas_page(self) -> None:
        self.client.get(f"/canvases/{self.team['canvas']}/", name="page: canvas")

    @task(3)
    def canvas_poll(self) -> None:
        with self.client.get(
            f"/canvases/{self.team['canvas']}/poll/?version={self.canvas_version}", name="page: canvas poll", catch_response=True
        ) as response:
            if response.status_code == 200:  # changed since the version this page shows: every block's HTML
                self.canvas_version = response.json()["version"]
            elif response.status_code == 204:  # nothing changed
                response.success()

    @task(3)
    def dashboard_page(self) -> None:
        self.client.get(f"/ventures/{self.team['venture']}/dashboard/", name="page: dashboard")

    @task(3)
    def canvas_api(self) -> None:
        response = self.client.get(f"/api/v1/canvases/{self.team['canvas']}/", headers=self.api, name="api: canvas GET")
        if response.ok:
            for block in response.json()["blocks"]:
                for item in block["items"]:
                    self.versions[item["id"]] = item["version"]

    @task(5)
    def item_edit(self) -> None:
        """Edit one of the hot items at the version last seen; a 409 carries the current item: retry once on it."""
        item = random.choice(self.team["items"][:HOT_ITEMS])
        version = self.versions.get(item, 1)
        for _attempt in range(2):
            with self.client.patch(
                f"/api/v1/items/{item}/",
                json={"text": f"Edited {random.randrange(10**6)}"},
                headers={**self.api, "If-Match": f'"{version}"'},
                name="api: item PATCH",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    self.versions[item] = response.json()["version"]
                    return
                if response.status_code == 409:  # stale: expected when two people edit one item
                    response.success()
                    self.environment.events.request.fire(
                        request_type="PATCH", name="conflict: item 409 (expected)", response_time=0, response_length=0, exception=None
                    )
                    version = response.json()["current"]["version"]
                    self.versions[item] = version
                    continue
                response.failure(f"status {response.status_code}")
                return

    @task(1)
    def upload_csv(self) -> None:
        self.client.post(
            "/api/v1/datasets/",
            data={"venture": self.team["venture"], "name": "Load upload", "auto_ingest": "true"},
            files={"file": ("events.csv", io.BytesIO(small_csv()), "text/csv")},
            headers=self.api,
            name="api: dataset upload",
        )

    @task(2)
    def share_link(self) -> None:
        token = random.choice(self.team["share_tokens"])
        self.client.get(f"/s/{token}/", name="share: page")

    @task(2)
    def bare(self) -> None:
        self.client.get("/bench/bare/", name="bare: JSON view")


class CanvasApiLoop(FastHttpUser):
    """Closed loop on the canvas API (no think time): its throughput."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.team = TEAMS[next(_slots) % len(TEAMS)]
        self.api = {"Authorization": f"Token {self.team['users'][0]['token']}"}

    @task
    def canvas_api(self) -> None:
        self.client.get(f"/api/v1/canvases/{self.team['canvas']}/", headers=self.api, name="loop: canvas API GET")


class BareLoop(FastHttpUser):
    """Closed loop on the bare Django JSON view: the baseline throughput."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/bench/bare/", name="loop: bare JSON view")
