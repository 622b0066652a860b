"""The dashboard page: every member sees it; owners and editors choose its panels and manage its share links."""

import re

import pytest

from canvas.services import canvas_create, item_add, item_update
from dashboards.models import Dashboard, ShareLink
from dashboards.panels import PANELS
from tests.conftest import TeamWorld
from tests.dashboards.factories import ShareLinkFactory, ready_dataset

pytestmark = pytest.mark.django_db


def _url(world: TeamWorld) -> str:
    return f"/ventures/{world.venture.pk}/dashboard/"


def test_the_venture_page_links_to_its_dashboard(client, world: TeamWorld):
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/").content.decode()

    assert f'href="{_url(world)}"' in page


def test_a_viewer_sees_the_dashboard_and_its_links_without_controls(client, world: TeamWorld):
    ShareLinkFactory(venture=world.venture, label="for the bank", created_by=world.owner)
    client.force_login(world.viewer)

    response = client.get(_url(world))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-panel="swot"' in page
    assert "for the bank" in page
    assert world.owner.username in page
    assert "/dashboard/layout/" not in page
    assert "/dashboard/links/" not in page


def test_another_teams_dashboard_is_not_found(client, world: TeamWorld):
    client.force_login(world.other_owner)

    assert client.get(_url(world)).status_code == 404


def test_an_editor_chooses_and_orders_panels_with_the_form(client, world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="lean", title="Lean one")
    client.force_login(world.editor)
    order = ["risk_matrix", "key_numbers", "canvas", "swot", "five_forces", "value_chain", "forecast", "segmentation", "unit_economics"]
    form = {"order": order, "show": ["forecast", "swot", "risk_matrix"], "canvas": str(canvas.pk)}

    response = client.post(f"/ventures/{world.venture.pk}/dashboard/layout/", form)
    page = client.get(_url(world)).content.decode()

    assert response.status_code == 302
    dashboard = Dashboard.objects.get(venture=world.venture)
    assert dashboard.layout == ["risk_matrix", "swot", "forecast"]
    assert dashboard.canvas == canvas
    assert re.findall(r'data-panel="(\w+)"', page) == ["risk_matrix", "swot", "forecast"]
    assert "No forecast chosen for this panel yet." in page  # saved: bound to what existed, nothing


def test_a_viewer_cannot_post_a_layout(client, world: TeamWorld):
    client.force_login(world.viewer)

    client.post(f"/ventures/{world.venture.pk}/dashboard/layout/", {"order": list(PANELS), "show": ["swot"]})

    assert not Dashboard.objects.exists()


def test_an_editor_creates_a_link_sees_it_once_then_revokes_it(client, world: TeamWorld):
    client.force_login(world.editor)

    client.post(f"/ventures/{world.venture.pk}/dashboard/links/", {"target": "dashboard", "label": "investors", "expires_on": "2099-01-31"})
    first = client.get(_url(world)).content.decode()
    second = client.get(_url(world)).content.decode()
    url = re.search(r'id="new-link" class="token" readonly value="([^"]+)"', first).group(1)
    link = ShareLink.objects.get()
    revoke = client.post(f"/ventures/{world.venture.pk}/dashboard/links/{link.pk}/revoke/")

    assert url.startswith("http://testserver/s/")
    assert 'id="new-link"' not in second
    assert link.label == "investors"
    assert link.expires_at.isoformat() == "2099-02-01T00:00:00+00:00"  # to the end of the day chosen
    assert revoke.status_code == 302
    client.logout()
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


def test_key_numbers_come_from_the_latest_ready_dataset_and_the_canvas(client, world: TeamWorld):
    ready_dataset(world.venture, users=321)
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="BMC")
    for index, status in enumerate(["untested", "testing", "validated", "untested"]):
        item = item_add(user=world.owner, canvas=canvas, block="channels", text=f"Assumption {index}")
        item_update(user=world.owner, item=item, expected_version=item.version, is_assumption=True, assumption_status=status)
    client.force_login(world.viewer)

    page = client.get(_url(world)).content.decode()
    numbers = re.search(r'<section class="card dash-panel wide" id="panel-key_numbers".*?</section>', page, re.S).group(0)
    values = re.findall(r"<strong>(.*?)</strong>", numbers)

    # 321 customers in all; the week of 13 January is the last complete one (30 active, 7 × 50 revenue); 2 of 4 untested
    # (one being tested is not untested).
    assert values == ["321", "30", "350", "—", "50 %"]  # no revenue forecast yet
    assert "2025-01-13 – 2025-01-19" in numbers


def test_a_refused_layout_form_says_which_field(client, world: TeamWorld):
    client.force_login(world.editor)

    response = client.post(f"/ventures/{world.venture.pk}/dashboard/layout/", {"order": ["swot"], "show": ["swot"]}, follow=True)

    assert "The list of panels changed: reload the page." in response.content.decode()
    assert not Dashboard.objects.exists()


def test_move_buttons_reorder_without_javascript_and_there_is_no_position_number(client, world: TeamWorld):
    client.force_login(world.editor)
    layout = ["key_numbers", "swot", "five_forces"]
    order = [*layout, *(key for key in PANELS if key not in layout)]

    client.post(f"/ventures/{world.venture.pk}/dashboard/layout/", {"order": order, "show": layout, "move": "five_forces:up"})
    page = client.get(_url(world)).content.decode()

    assert Dashboard.objects.get(venture=world.venture).layout == ["key_numbers", "five_forces", "swot"]
    assert 'name="move" value="swot:down"' in page  # a real button: keyboard and no-JS alike
    assert 'type="number"' not in page
    assert "order_swot" not in page
