import re

import pytest

from history.models import Version
from strategy.models import Insight
from strategy.resources import INSIGHTS, VALUE_CHAIN
from strategy.services import row_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["swot", "five_forces", "value_chain", "risks", "competitors"])
def test_every_view_page_renders_with_its_figure_data(client, world, kind):
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/{kind}/")

    assert page.status_code == 200
    assert "vendor/plotly/plotly-bizcanvas.min.js" in page.content.decode()


def test_adding_a_swot_item_in_the_browser(client, world):
    client.force_login(world.editor)

    response = client.post(
        f"/ventures/{world.venture.pk}/strategy/swot/", {"resource": "swot", "text": "Fast team", "kind": "strength", "weight": 4}
    )

    assert response.status_code == 302
    assert Insight.objects.get().text == "Fast team"


def test_a_refused_risk_comes_back_on_the_pages_own_address_with_the_scale_said(client, world):
    client.force_login(world.editor)
    url = f"/ventures/{world.venture.pk}/strategy/risks/"
    form = {"resource": "risks", "title": "Supplier fails", "category": "market", "probability": 9, "impact": 0, "status": "open"}

    refused = client.post(url, form)
    reloaded = client.get(url)  # what the browser's address bar now holds

    assert refused.status_code == 422
    page = refused.content.decode()
    assert f'action="{url}"' in page
    assert re.search(r'name="probability" value="9" min="1" max="5"', page)
    assert re.search(r'name="impact" value="0" min="1" max="5"', page)
    assert "From 1 (low) to 5 (high)." in page
    assert reloaded.status_code == 200


def test_a_row_posted_to_another_views_page_is_404(client, world):
    client.force_login(world.editor)

    response = client.post(
        f"/ventures/{world.venture.pk}/strategy/risks/", {"resource": "swot", "text": "x", "kind": "strength", "weight": 1}
    )

    assert response.status_code == 404


def test_dragging_an_item_to_another_quadrant_retags_it(client, world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Regulation", kind="threat")
    client.force_login(world.editor)

    client.post(f"/ventures/{world.venture.pk}/strategy/rows/swot/{insight.pk}/", {"move": "quadrant", "kind": "opportunity", "version": 1})

    assert Insight.objects.get(pk=insight.pk).kind == "opportunity"


def test_a_stale_edit_shows_their_version_and_keep_mine(client, world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Original", kind="strength")
    Insight.objects.filter(pk=insight.pk).update(text="Owner's", version=2)
    client.force_login(world.editor)

    response = client.post(
        f"/ventures/{world.venture.pk}/strategy/rows/insights/{insight.pk}/",
        {"text": "Editor's", "kind": "strength", "weight": 3, "version": 1},
    )

    assert response.status_code == 409
    assert "Owner&#x27;s" in response.content.decode()
    assert "Keep mine" in response.content.decode()
    assert Insight.objects.get(pk=insight.pk).text == "Owner's"


def test_viewer_gets_no_edit_controls_and_403_on_writes(client, world):
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/swot/").content.decode()
    write = client.post(f"/ventures/{world.venture.pk}/strategy/swot/", {"resource": "swot", "text": "x", "kind": "strength", "weight": 1})

    assert 'name="resource"' not in page
    assert write.status_code == 403


def test_another_teams_strategy_pages_are_404(client, world):
    client.force_login(world.owner)

    assert client.get(f"/ventures/{world.other_venture.pk}/strategy/swot/").status_code == 404


def test_hostile_text_is_escaped_in_the_page_and_in_the_figure_json(client, world):
    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="</script><script>alert(1)</script>", kind="strength")
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/swot/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "\\u0026lt;/script\\u0026gt;" in page  # escaped for Plotly's labels, then for the JSON block


def test_history_page_names_groups_and_actions_and_restores(client, world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Fast team", kind="strength")
    client.force_login(world.editor)
    client.post(f"/ventures/{world.venture.pk}/strategy/rows/insights/{insight.pk}/delete/", {"version": 1})
    view_versions = {v.number: v.pk for v in Version.objects.filter(content_type__model="strategyview")}

    page = client.get(f"/ventures/{world.venture.pk}/strategy/swot/history/?version={view_versions[1]}").content.decode()
    client.post(f"/ventures/{world.venture.pk}/strategy/swot/history/{view_versions[1]}/restore/")

    assert "Deleted" in page
    assert "<h3>Strengths</h3>" in page
    assert Insight.objects.get(pk=insight.pk).text == "Fast team"


@pytest.mark.parametrize(
    ("kind", "figure", "form"),
    [
        ("swot", "swot", "swot"),
        ("five_forces", "five_forces", "five_forces"),
        ("value_chain", "value_chain", "value_chain"),
        ("risks", "risk_matrix", "risks"),
    ],
)
def test_an_empty_view_draws_no_chart_but_says_what_to_add_and_links_there(client, world, kind, figure, form):
    client.force_login(world.editor)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/{kind}/").content.decode()

    assert f'data-empty-figure="{figure}"' in page
    assert 'type="application/json"' not in page  # no figure JSON at all: no empty axes, no "Margin 100 %"
    assert f'href="#add-{form}"' in page
    assert f'id="add-{form}"' in page  # the form the link opens
    assert page.count("data-empty-figure") == 1  # the drivers' bars wait with the radar: one empty state


def test_the_value_chain_margin_shows_once_an_activity_is_entered(client, world):
    client.force_login(world.viewer)
    empty = client.get(f"/ventures/{world.venture.pk}/strategy/value_chain/").content.decode()
    row_create(user=world.owner, venture=world.venture, resource=VALUE_CHAIN, activity="operations", cost_share=30, value_score=4)

    filled = client.get(f"/ventures/{world.venture.pk}/strategy/value_chain/").content.decode()

    assert "100.00 %" not in empty
    assert "70.00 %" in filled
    assert "data-empty-figure" not in filled
    assert 'href="#add-' not in empty  # a viewer cannot add: told who can, not sent to a form they do not have
