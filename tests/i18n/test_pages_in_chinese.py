"""Every kind of page, read in 中文, shows no English: the demo seeded in Chinese (so the data is Chinese too), plus
an empty venture, a teammate with fewer rights and a stranger, crawled with the Django test client (the pages are
rendered on the server, figures included as JSON). A Latin-alphabet word fails the test unless tests/i18n/latin.py
allows it (names, units, codes) or the markup marks it as not for translation."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from analysis.models import Analysis
from canvas.models import Canvas
from core.views import bad_request, server_error
from dashboards.services import share_link_create
from strategy.resources import RESOURCES
from teams.models import Role
from teams.services import invitation_create
from tests.i18n.latin import latin_words, page_findings
from tests.teams.factories import member
from ventures.demo import demo_venture
from ventures.models import Venture

pytestmark = pytest.mark.django_db

PASSWORD = "演示-password-123"


@pytest.fixture
def demo(client: Client) -> dict:
    """The Chinese demo, an empty venture beside it, an invitation and a viewer."""
    call_command("demo_seed", password=PASSWORD, language="zh-hans", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(username="demo")
    venture = demo_venture(user=user, language="zh-hans")
    empty = Venture.objects.create(team=venture.team, name="空白项目", pitch="", industry="", created_by=user)
    viewer = member(venture.team, Role.VIEWER).user
    viewer.username, viewer.language = "访客", "zh-hans"
    viewer.save()
    _invitation, token = invitation_create(actor=user, team=venture.team, role="viewer", site_url="http://testserver/")
    client.force_login(user)
    return {"user": user, "venture": venture, "empty": empty, "viewer": viewer, "invitation_token": token}


def _pages(demo: dict) -> list[str]:
    venture, empty = demo["venture"], demo["empty"]
    team = venture.team
    canvases = list(Canvas.objects.filter(venture=venture))
    item = canvases[0].items.first()
    dataset = venture.datasets.get()
    analyses = list(Analysis.objects.filter(dataset=dataset))
    pages = [
        "/",
        "/teams/",
        f"/teams/{team.pk}/",
        f"/teams/{team.pk}/delete/",
        f"/teams/join/{demo['invitation_token']}/",
        "/ventures/new/",
        *(f"/ventures/{v.pk}/{suffix}" for v in (venture, empty) for suffix in ("", "edit/", "delete/", "dashboard/", "economics/")),
        *(f"/canvases/{canvas.pk}/{suffix}" for canvas in canvases for suffix in ("", "history/", "settings/", "delete/")),
        f"/canvases/items/{item.pk}/edit/",
        f"/canvases/items/{item.pk}/comments/",
        *(
            f"/ventures/{v.pk}/strategy/{kind}/"
            for v in (venture, empty)
            for kind in ("swot", "five_forces", "value_chain", "risks", "competitors")
        ),
        *(f"/ventures/{venture.pk}/strategy/{kind}/history/" for kind in ("swot", "five_forces", "value_chain", "risks", "competitors")),
        f"/datasets/{dataset.pk}/",
        f"/datasets/{dataset.pk}/?period=week&measure=revenue",  # the retention section's other period and measure
        *(f"/analyses/{analysis.pk}/" for analysis in analyses),
        "/accounts/settings/",
        "/accounts/password/",
    ]
    for key, resource in RESOURCES.items():  # a row's edit page, for each kind of row
        row = resource.model.objects.filter(venture=venture).first()
        if row is not None:
            pages.append(f"/ventures/{venture.pk}/strategy/rows/{key}/{row.pk}/")
    versions = list(canvases[0].versions.order_by("pk"))
    if len(versions) >= 2:
        pages.append(f"/canvases/{canvases[0].pk}/history/compare/?a={versions[0].pk}&b={versions[1].pk}")
    return pages


def _check(response, findings: dict, label: str) -> None:
    words = page_findings(response.content.decode(), label)
    if words:
        findings[label] = words


def test_every_page_kind_reads_in_chinese(client, demo):
    findings: dict[str, dict[str, str]] = {}

    for url in _pages(demo):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "zh-hans", url
        _check(response, findings, url)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    _link, token = share_link_create(user=demo["user"], venture=demo["venture"], label="投资人")  # the seed's token is printed only
    shared = anonymous.get(f"/s/{token}/")
    assert shared.status_code == 200
    _check(shared, findings, "shared page")
    for url in (
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password-reset/",
        "/accounts/signup/sent/",
        "/accounts/password-reset/sent/",
        "/accounts/reset/done/",
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        _check(response, findings, url)
    _error_pages(client, demo, findings)

    assert findings == {}, "English left on pages shown in Chinese:\n" + "\n".join(
        f"  {page}: " + "; ".join(f"{word!r} in “{text}”" for word, text in words.items()) for page, words in findings.items()
    )


def _error_pages(client: Client, demo: dict, findings: dict) -> None:
    missing = client.get("/没有这一页/")
    assert missing.status_code == 404
    _check(missing, findings, "404")
    viewer = Client()
    viewer.force_login(demo["viewer"])
    forbidden = viewer.get(f"/teams/{demo['venture'].team_id}/delete/")
    assert forbidden.status_code == 403
    _check(forbidden, findings, "403")
    request = client.get("/").wsgi_request
    _check(bad_request(request), findings, "400")
    _check(server_error(request), findings, "500")


def test_the_check_catches_english_and_respects_what_is_marked():
    page = (
        '<html lang="zh-hans"><title>项目 · bizcanvas</title><p>Owner：负责人</p><button lang="en">English</button>'
        '<code>k=auto</code><span title="Delete">删除</span><span translate="no">Ledgerly</span>'
        '<script id="f" type="application/json">{"data": [{"name": "Revenue", "x": ["2025-01-06"]}], "layout": {"title": {"text": "收入"}}}</script>'
        "<p>demo@example.com 在 https://example.com/a 写了 CSV 和 S0001</p></html>"
    )

    assert set(page_findings(page)) == {"Owner", "Delete", "Revenue"}
    assert latin_words("预测：revenue（AutoETS）") == ["revenue"]
    assert re.search("English", page)  # the language picker names English in English, marked lang="en"
