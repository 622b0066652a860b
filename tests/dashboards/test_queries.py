"""What the dashboard page costs in queries, counted (never timed): the panels are built once per change of the
venture's data and then served from the cache, and no count grows with the amount of data shown."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.services import analysis_create, analysis_run
from canvas.blueprints import BUSINESS_MODEL
from canvas.services import canvas_create, item_add
from dashboards.panels import DEFAULT_LAYOUT
from dashboards.services import dashboard_layout_save
from strategy.resources import INSIGHTS
from strategy.services import row_create
from tests.conftest import TeamWorld
from tests.dashboards.factories import ShareLinkFactory
from tests.datasets.factories import ready_dataset
from ventures.services import venture_update

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill(world: TeamWorld, canvas: object, items: int) -> None:
    for index in range(items):
        item_add(user=world.owner, canvas=canvas, block=BUSINESS_MODEL.keys[index % 9], text=f"Note {index}")
        if index % 2:
            ShareLinkFactory(venture=world.venture, created_by=world.owner, canvas=canvas, target="canvas")
        else:
            ShareLinkFactory(venture=world.venture, created_by=world.owner)


def test_the_panels_are_built_once_then_served_from_the_cache(client, world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Plan")
    _fill(world, canvas, 3)
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"

    first, second = _queries(client, url), _queries(client, url)

    # Session, user, venture, dashboard, canvases, shown canvas, the strategy versions (one read), membership,
    # links; and, the dashboard being unsaved (it shows the newest), the newest dataset, forecast, segmentation and
    # lifetime value run.
    assert second == 13
    assert first > second + 10  # every panel's reads (canvas items, datasets, analyses, strategy views…)


def test_a_saved_dashboard_reads_its_bindings_in_one_query(client, world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Plan")
    _fill(world, canvas, 3)
    dashboard_layout_save(user=world.owner, venture=world.venture, layout=list(DEFAULT_LAYOUT))
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"

    _queries(client, url)

    # As above, but what the data panels show is one read of their bindings, whatever is newer.
    assert _queries(client, url) == 10


def test_no_query_count_grows_with_the_data(client, world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Plan")
    _fill(world, canvas, 2)
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"
    small = (_queries(client, url), _queries(client, url))

    _fill(world, canvas, 20)
    cache.clear()  # both measured from a cold cache: every panel built again
    large = (_queries(client, url), _queries(client, url))

    assert large == small


def test_a_canvas_edit_rebuilds_only_the_panels_that_read_the_canvas(client, world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Plan")
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"
    cold, warm = _queries(client, url), _queries(client, url)

    item_add(user=world.owner, canvas=canvas, block="channels", text="Partners")
    after_edit = _queries(client, url)

    assert warm < after_edit < cold  # the canvas and key numbers again, not the strategy charts or the models
    assert "Partners" in client.get(url).content.decode()


def test_a_finished_analysis_shows_at_once_despite_the_cache(client, world: TeamWorld):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"
    assert "No segmentation yet" in client.get(url).content.decode()  # cached now

    analysis = analysis_create(user=world.editor, dataset=dataset, kind="segmentation", params={"k": 3})
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"

    assert "No segmentation yet" not in client.get(url).content.decode()


def test_a_strategy_edit_or_a_renamed_venture_shows_at_once_despite_the_cache(client, world: TeamWorld):
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"
    assert "Strong brand" not in client.get(url).content.decode()  # cached now

    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Strong brand", kind="strength")
    assert "Strong brand" in client.get(url).content.decode()

    venture_update(user=world.owner, venture=world.venture, name="Renamed venture")
    assert 'data-filename="renamed-venture-' in client.get(url).content.decode()  # the figures' file names, in the panels
