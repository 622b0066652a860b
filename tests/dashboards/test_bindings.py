"""Pinned panels: a saved dashboard's data panels show the dataset and runs chosen for them; a newer upload or run is
offered to those who may edit ("Update to the run of <date>") and never taken by itself; every data panel says what
it shows; the key numbers' revenue forecast is a revenue forecast whatever was forecast later."""

import re

import pytest

from dashboards.models import Dashboard, PanelBinding
from dashboards.panels import DEFAULT_LAYOUT, PANELS
from dashboards.services import dashboard_layout_save, share_link_create
from tests.conftest import TeamWorld
from tests.dashboards.factories import forecast_run, ready_dataset, segmentation_run

pytestmark = pytest.mark.django_db


def _page(client, world: TeamWorld) -> str:
    return client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode()


def _panel(page: str, key: str) -> str:
    return re.search(rf'<section class="card dash-panel[^"]*" id="panel-{key}".*?</section>', page, re.S).group(0)


def _numbers(page: str) -> list[str]:
    return re.findall(r"<strong>(.*?)</strong>", _panel(page, "key_numbers"))


@pytest.fixture
def pinned(world: TeamWorld) -> dict:
    """A saved dashboard whose data panels were chosen when one dataset, one forecast and one segmentation existed."""
    dataset = ready_dataset(world.venture, name="Shop 2025", users=321)
    forecast, segmentation = forecast_run(dataset, yhat=115), segmentation_run(dataset)
    dashboard_layout_save(user=world.owner, venture=world.venture, layout=list(DEFAULT_LAYOUT))
    return {"dataset": dataset, "forecast": forecast, "segmentation": segmentation}


def test_a_new_upload_and_its_runs_do_not_change_a_saved_dashboard(client, world: TeamWorld, pinned: dict):
    newer = ready_dataset(world.venture, name="Upload 1998", users=1998)
    forecast_run(newer, metric="orders", frequency="D", yhat=9876)
    segmentation_run(newer, names=("Whales", "Minnows"))
    client.force_login(world.viewer)

    page = _page(client, world)

    assert "Shop 2025" in _panel(page, "key_numbers")
    assert _numbers(page)[0] == "321"
    assert _numbers(page)[3] == "115"  # the revenue forecast chosen, not the newer orders one
    assert "115" in _panel(page, "forecast")
    assert "9,876" not in _panel(page, "forecast")
    assert "Loyal" in _panel(page, "segmentation")
    assert "Whales" not in page
    assert "Update to the run of" not in page  # a viewer is offered nothing


def test_an_editor_is_offered_the_newer_run_and_update_moves_only_that_panel(client, world: TeamWorld, pinned: dict):
    newer = forecast_run(pinned["dataset"], metric="orders", frequency="D", yhat=9876)
    client.force_login(world.editor)

    before = _page(client, world)
    response = client.post(f"/ventures/{world.venture.pk}/dashboard/panels/forecast/update/")
    after = _page(client, world)

    assert "Update to the run of" in _panel(before, "forecast")
    assert "Update to the run of" not in _panel(before, "segmentation")
    assert response.status_code == 302
    assert PanelBinding.objects.get(panel="forecast").analysis == newer
    assert "9,876" in _panel(after, "forecast")  # the cached panel is not served: the binding is part of its key
    assert "Update to the run of" not in _panel(after, "forecast")
    assert _numbers(after)[3] == "115"  # the key numbers keep the revenue forecast: an orders run is no candidate


def test_a_viewer_cannot_update_a_panel(client, world: TeamWorld, pinned: dict):
    forecast_run(pinned["dataset"], yhat=9876)
    client.force_login(world.viewer)

    client.post(f"/ventures/{world.venture.pk}/dashboard/panels/forecast/update/")

    assert PanelBinding.objects.get(panel="forecast").analysis == pinned["forecast"]


def test_the_revenue_forecast_tile_shows_the_revenue_forecast_when_a_newer_orders_forecast_exists(client, world: TeamWorld):
    dataset = ready_dataset(world.venture)
    forecast_run(dataset, yhat=115)
    forecast_run(dataset, metric="orders", frequency="D", yhat=9876)
    forecast_run(dataset, yhat=999, split_by="channel")  # split: not the total
    client.force_login(world.viewer)

    assert _numbers(_page(client, world))[3] == "115"


def test_every_data_panel_says_what_it_shows(client, world: TeamWorld, pinned: dict):
    client.force_login(world.viewer)

    page = _page(client, world)

    forecast = _panel(page, "forecast")
    assert "Revenue (sum of the amount column; no currency set)" in forecast  # the venture has no currency setting
    assert "weekly, 2025-01-06 – 2025-02-03 (history and forecast)" in forecast
    assert "“Shop 2025” (2025-01-06 – 2025-01-21)" in forecast
    assert "AutoETS" in forecast
    assert "Run of" in forecast
    segments = _panel(page, "segmentation")
    assert "RFM segments" in segments
    assert "“Shop 2025”" in segments
    numbers = _panel(page, "key_numbers")
    assert "“Shop 2025” (2025-01-06 – 2025-01-21)" in numbers
    assert "weekly · AutoETS" in numbers


def test_the_owner_chooses_what_a_panel_shows_in_the_form(client, world: TeamWorld, pinned: dict):
    newer = segmentation_run(pinned["dataset"], names=("Whales", "Minnows"))
    client.force_login(world.owner)
    page = _page(client, world)
    assert f'<option value="{pinned["segmentation"].pk}" selected>' in page  # what it shows, not the newest

    layout = list(DEFAULT_LAYOUT)
    form = {"order": layout, "show": layout, "bind_segmentation": str(newer.pk), "bind_forecast": str(pinned["forecast"].pk)}
    form["bind_key_numbers"] = str(pinned["dataset"].pk)
    client.post(f"/ventures/{world.venture.pk}/dashboard/layout/", form)

    assert PanelBinding.objects.get(panel="segmentation").analysis == newer
    assert PanelBinding.objects.get(panel="forecast").analysis == pinned["forecast"]
    assert "Whales" in _panel(_page(client, world), "segmentation")


def test_a_panel_added_later_is_bound_to_the_newest_at_that_time(world: TeamWorld):
    dataset = ready_dataset(world.venture)
    dashboard_layout_save(user=world.owner, venture=world.venture, layout=["swot"])
    newest = forecast_run(dataset)

    dashboard_layout_save(user=world.owner, venture=world.venture, layout=["swot", "forecast"])

    assert PanelBinding.objects.get(panel="forecast").analysis == newest
    assert not PanelBinding.objects.filter(panel="key_numbers").exists()


def test_deleting_the_bound_run_empties_the_panel_it_does_not_jump_to_another(client, world: TeamWorld, pinned: dict):
    other = forecast_run(pinned["dataset"], metric="orders", yhat=9876)
    pinned["forecast"].delete()
    client.force_login(world.editor)

    forecast = _panel(_page(client, world), "forecast")

    assert "No forecast chosen for this panel yet." in forecast
    assert "9,876" not in forecast.split("</form>")[-1]
    assert "Update to the run of" in forecast
    assert PanelBinding.objects.get(panel="forecast").analysis is None
    assert other.pk


def test_sharing_an_unsaved_dashboard_pins_what_it_shows(world: TeamWorld):
    dataset = ready_dataset(world.venture)
    forecast = forecast_run(dataset)

    share_link_create(user=world.editor, venture=world.venture)

    dashboard = Dashboard.objects.get(venture=world.venture)
    assert dashboard.layout == list(DEFAULT_LAYOUT)
    bound = {binding.panel: (binding.dataset, binding.analysis) for binding in dashboard.bindings.all()}
    assert bound == {
        "key_numbers": (dataset, forecast),
        "forecast": (dataset, forecast),
        "segmentation": (None, None),
        "unit_economics": (None, None),
    }
    assert {key for key, panel in PANELS.items() if panel.binds} == set(bound)
