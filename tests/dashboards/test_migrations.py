"""Upgrading to pinned panels keeps every dashboard showing what it showed: each data panel of a saved dashboard is
bound to the newest ready dataset / successful run (what it followed until then), the key numbers to a revenue
forecast of their dataset (the tile showed "—" when the newest forecast was of another metric), and a venture shared
by a link but never saved gets its default layout saved and bound, so its links stop following new uploads too.

Django's MigrationExecutor drives the migration (as tests/datasets/test_migrations.py does); the test is
transactional, and a fixture migrates back to the latest state whatever happens."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dashboards.models import Dashboard, PanelBinding
from tests.ventures.factories import VentureFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("dashboards", "0001_initial")
AFTER = ("dashboards", "0002_pinned_panels_and_snapshots")


@pytest.fixture
def old_apps() -> Iterator:
    executor = MigrationExecutor(connection)
    nodes = [BEFORE, *(node for node in executor.loader.graph.leaf_nodes() if node[0] != "dashboards")]
    executor.migrate(nodes)
    yield MigrationExecutor(connection).loader.project_state(nodes).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_dashboards_are_bound_to_what_they_show_today(old_apps):
    saved, shared_only = VentureFactory(), VentureFactory()
    OldDataset, OldAnalysis = old_apps.get_model("datasets", "Dataset"), old_apps.get_model("analysis", "Analysis")
    OldDashboard, OldShareLink = old_apps.get_model("dashboards", "Dashboard"), old_apps.get_model("dashboards", "ShareLink")
    now = timezone.now()
    older = OldDataset.objects.create(
        venture_id=saved.pk, name="Old", file="x", original_name="x", status="ready", finished_at=now - timedelta(days=2)
    )
    newest = OldDataset.objects.create(venture_id=saved.pk, name="New", file="y", original_name="y", status="ready", finished_at=now)

    def run(dataset, kind: str, metric: str = "", minutes: int = 0):
        params = {"metric": metric, "split_by": ""} if metric else {}
        result = {"metric": metric, "series": [{"key": "total"}]} if metric else {}
        finished = now + timedelta(minutes=minutes)
        return OldAnalysis.objects.create(
            dataset=dataset, kind=kind, status="succeeded", params=params, result=result, finished_at=finished
        )

    revenue = run(newest, "forecast", "revenue", 1)
    orders = run(newest, "forecast", "orders", 2)  # the newest forecast: what the forecast panel showed
    segmentation = run(older, "segmentation", minutes=3)
    OldDashboard.objects.create(venture_id=saved.pk, layout=["key_numbers", "forecast", "segmentation", "swot"])
    OldShareLink.objects.create(venture_id=shared_only.pk, token_hash="a" * 64)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])

    bound = {row.panel: (row.dataset_id, row.analysis_id) for row in PanelBinding.objects.filter(dashboard_id=saved.pk)}
    assert bound == {
        "key_numbers": (newest.pk, revenue.pk),  # its "—" fixed: the revenue forecast of its dataset
        "forecast": (newest.pk, orders.pk),
        "segmentation": (older.pk, segmentation.pk),
    }
    created = Dashboard.objects.get(venture_id=shared_only.pk)
    assert set(created.bindings.values_list("panel", "dataset", "analysis")) == {
        ("key_numbers", None, None),
        ("forecast", None, None),
        ("segmentation", None, None),
    }
