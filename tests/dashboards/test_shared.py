"""The public page a share link opens: anyone with the link, no account; nothing else of the app; gone at once."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from canvas.services import canvas_create, item_add
from dashboards.models import ShareLink
from dashboards.services import dashboard_layout_save, share_link_revoke
from strategy.models import Insight, Risk
from strategy.resources import RESOURCES
from strategy.services import row_create
from teams.models import Membership
from tests.conftest import TeamWorld
from tests.dashboards.factories import ShareLinkFactory, ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(world: TeamWorld) -> TeamWorld:
    """The world's venture with a canvas, SWOT items, a risk owned by a member and a ready dataset."""
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Acme BMC")
    item_add(user=world.owner, canvas=canvas, block="value_propositions", text="Rides for 1 € per 10 minutes")
    Insight.objects.create(venture=world.venture, kind="strength", text="Campus partnerships", weight=4)
    Risk.objects.create(venture=world.venture, title="Bike theft", probability=4, impact=3, owner=world.editor)
    ready_dataset(world.venture)
    return world


def test_a_link_works_logged_out_and_shows_the_dashboard_with_its_charts(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    response = client.get(f"/s/{link.token}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Bikes" in page
    assert "Rides for 1 € per 10 minutes" in page  # the canvas, read-only
    figures = {
        match: json.loads(body) for match, body in re.findall(r'<script id="figure-(\w+)" type="application/json">(.*?)</script>', page)
    }
    assert set(figures) == {"swot", "risk_matrix"}  # no driver, no activity entered: no empty radar or value chain
    assert page.count("Nothing to draw yet") == 2
    assert "Campus partnerships" in json.dumps(figures["swot"])
    assert "Bike theft" in json.dumps(figures["risk_matrix"])
    assert "/static/vendor/plotly/plotly-bizcanvas.min.js" in page


def test_the_shared_page_has_no_form_no_csrf_token_no_link_into_the_app_and_no_names(client, filled: TeamWorld):
    filled.team.name = "Northwind Founders"
    filled.team.save()
    link = ShareLinkFactory(venture=filled.venture, label="for investors", created_by=filled.owner)

    response = client.get(f"/s/{link.token}/")

    page = response.content.decode()
    assert "<form" not in page
    assert "csrfmiddlewaretoken" not in page
    assert "csrf" not in page.lower()
    assert re.findall(r"<a[\s>]", page) == []  # no link at all, so none into the app
    assert all(href.startswith("/static/") for href in re.findall(r'(?:href|src)="([^"]*)"', page))
    assert "csrftoken" not in response.cookies
    assert "sessionid" not in response.cookies
    assert "Northwind Founders" not in page
    assert "for investors" not in page  # the label is the team's note, not the visitor's
    for membership in Membership.objects.filter(team=filled.team).select_related("user"):
        assert membership.user.username not in page


def test_the_shared_page_carries_no_raw_dataset_rows(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    page = client.get(f"/s/{link.token}/").content.decode()

    assert "120" in page  # customers in the data (an aggregate)
    assert "orders.csv" not in page


def test_headers_of_a_shared_page_forbid_referrers_indexing_caching_and_framing(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    response = client.get(f"/s/{link.token}/")

    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_a_link_made_to_be_embedded_may_be_framed(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture, allow_embed=True)

    response = client.get(f"/s/{link.token}/")

    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_every_view_is_counted(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    for _ in range(3):
        client.get(f"/s/{link.token}/")
    client.get(f"/s/{link.token}/figures/swot.json")  # a figure is not a view of the page

    link.refresh_from_db()
    assert link.views == 3
    assert link.last_viewed_at is not None


def test_revoked_expired_and_unknown_links_get_the_same_plain_404_even_after_the_page_was_cached(client, filled: TeamWorld):
    revoked = ShareLinkFactory(venture=filled.venture)
    expired = ShareLinkFactory(venture=filled.venture, expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(f"/s/{revoked.token}/").status_code == 200  # rendered and cached
    assert client.get(f"/s/{expired.token}/").status_code == 200

    share_link_revoke(user=filled.owner, link=revoked)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answers = [
        client.get(f"/s/{revoked.token}/"),
        client.get(f"/s/{expired.token}/"),
        client.get("/s/no-such-token-0123456789abcdefghijklmnopqrstuvwxyz/"),
        client.get(f"/s/{revoked.token}/figures/swot.json"),
        client.get("/s/"),
        client.get(f"/s/{expired.token}/anything/else"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 6
    assert len({answer.content for answer in answers}) == 1
    body = answers[0].content.decode()
    assert "Acme" not in body
    assert "<a" not in body
    assert answers[0]["X-Robots-Tag"] == "noindex, nofollow"


def test_the_page_shows_live_data_despite_the_cache(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)
    client.get(f"/s/{link.token}/")  # cached now

    row_create(user=filled.editor, venture=filled.venture, resource=RESOURCES["swot"], text="Rival e-scooters", kind="threat", weight=3)
    with_threat = client.get(f"/s/{link.token}/").content.decode()
    dashboard_layout_save(user=filled.editor, venture=filled.venture, layout=["forecast"])
    relaid = client.get(f"/s/{link.token}/").content.decode()

    assert "Rival e-scooters" in with_threat
    assert 'data-panel="forecast"' in relaid
    assert "No forecast yet" in relaid
    assert 'data-panel="swot"' not in relaid


def test_a_canvas_link_shows_that_canvas_only(client, filled: TeamWorld):
    canvas = filled.venture.canvases.get()
    link = ShareLinkFactory(venture=filled.venture, target="canvas", canvas=canvas)

    page = client.get(f"/s/{link.token}/").content.decode()

    assert "Acme BMC" in page
    assert "Rides for 1 € per 10 minutes" in page
    assert "data-figure" not in page
    assert 'data-panel="key_numbers"' not in page


def test_a_figure_of_a_shared_dashboard_as_json(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    response = client.get(f"/s/{link.token}/figures/risk_matrix.json")
    missing = client.get(f"/s/{link.token}/figures/forecast.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Bike theft" in json.dumps(response.json())
    assert response["Referrer-Policy"] == "no-referrer"
    assert missing.status_code == 404


def test_the_visitors_browser_language_is_used(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    chinese = client.get(f"/s/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = client.get(f"/s/{link.token}/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert chinese["Content-Language"] == "zh-hans"
    assert "关键数字" in chinese.content.decode()
    swot = re.search(r'<script id="figure-swot" type="application/json">(.*?)</script>', chinese.content.decode()).group(1)
    assert "优势" in json.dumps(json.loads(swot), ensure_ascii=False)  # the figure's quadrant names
    assert "Key numbers" in english.content.decode()


def test_the_share_path_is_rate_limited_per_ip(client, filled: TeamWorld, settings):
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 3
    link = ShareLinkFactory(venture=filled.venture)

    answers = [client.get(f"/s/{link.token}/").status_code for _ in range(3)]
    guessed = client.get("/s/guessing-another-token/")
    other_ip = client.get(f"/s/{link.token}/", REMOTE_ADDR="10.0.0.9")

    assert answers == [200, 200, 200]
    assert guessed.status_code == 429
    assert guessed["Retry-After"] == "60"
    assert other_ip.status_code == 200


def test_a_post_to_the_share_path_is_refused(client, filled: TeamWorld):
    link = ShareLinkFactory(venture=filled.venture)

    assert client.post(f"/s/{link.token}/").status_code == 405
    link.refresh_from_db()
    assert link.views == 0


def test_robots_txt_keeps_crawlers_off_share_links(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert "Disallow: /s/" in response.content.decode()


def test_the_latest_models_show_on_the_shared_page_as_aggregates_only(client, world: TeamWorld):
    from analysis.services import analysis_create, analysis_run
    from tests.datasets.factories import ready_dataset as orders_dataset

    dataset = orders_dataset(user=world.editor, venture=world.venture)
    for kind, params in (("forecast", {"metric": "revenue", "frequency": "W", "horizon": 4}), ("segmentation", {"k": 3})):
        analysis = analysis_create(user=world.editor, dataset=dataset, kind=kind, params=params)
        assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    forecast = dataset.analyses.get(kind="forecast").result["series"][0]["forecast"][0]
    link = ShareLinkFactory(venture=world.venture)

    page = client.get(f"/s/{link.token}/").content.decode()
    figures = dict(re.findall(r'<script id="figure-(\w+)" type="application/json">(.*?)</script>', page))

    assert {"forecast", "segments"} <= set(figures)
    assert "scatter" not in figures  # one dot per customer: never on a shared page
    assert f"{forecast['yhat']:,.0f}" in page  # the key number: next period's revenue
    assert "c001" not in page  # no customer id
    assert client.get(f"/s/{link.token}/figures/forecast.json").status_code == 200
