"""Every kind of page is served with a Content-Security-Policy whose scripts are same-origin files only (no
'unsafe-inline', no 'unsafe-eval', no wildcard), and holds no script the policy would have to allow: no inline
<script> but JSON data islands, no on…= handler attributes, no javascript: URLs."""

import re

import pytest

from analysis.services import analysis_create, analysis_run
from tests.canvas.factories import CanvasFactory, CanvasItemFactory
from tests.dashboards.factories import ShareLinkFactory
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>'
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def assert_strict(response) -> None:
    policy = response["Content-Security-Policy"]
    scripts = directive(policy, "script-src") or directive(policy, "default-src")
    assert scripts == ["'self'"], policy
    assert directive(policy, "object-src") == ["'none'"]
    assert directive(policy, "base-uri") == ["'self'"]
    html = response.content.decode()
    for attributes in SCRIPT.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not HANDLER.search(html)
    assert not SCRIPT_URL.search(html)


@pytest.fixture
def pages(world):
    """A venture full of the user's (hostile) text: a canvas, a dataset with a segmentation, a share link."""
    world.venture.name = HOSTILE[:120]
    world.venture.save()
    canvas = CanvasFactory(venture=world.venture, title=HOSTILE[:120])
    CanvasItemFactory(canvas=canvas, text=HOSTILE, note=HOSTILE)
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    analysis = analysis_create(user=world.editor, dataset=dataset, kind="segmentation", params={"k": 2})
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    link = ShareLinkFactory(venture=world.venture)
    venture = world.venture.pk
    return {
        "signed_in": [
            "/",
            f"/teams/{world.team.pk}/",
            f"/ventures/{venture}/",
            f"/canvases/{canvas.pk}/",
            f"/ventures/{venture}/strategy/swot/",
            f"/ventures/{venture}/strategy/risks/",
            f"/datasets/{dataset.pk}/",
            f"/analyses/{analysis.pk}/",
            f"/ventures/{venture}/dashboard/",
            "/api/docs/",
        ],
        "anonymous": ["/", "/accounts/login/", f"/s/{link.token}/", "/s/not-a-token/", "/no-such-page/"],
    }


def test_every_kind_of_page_runs_same_origin_script_files_only(client, world, pages):
    for path in pages["anonymous"]:
        assert_strict(client.get(path))
    client.force_login(world.owner)
    for path in pages["signed_in"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)
