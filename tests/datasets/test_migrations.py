"""Upgrading across the move of Dataset from the analysis app to the datasets app loses nothing.

A database is migrated back to the schema before the move (analysis 0003, datasets unapplied, every other app at its
latest), filled through the historical models with datasets, analyses and their files in storage, and migrated to the
latest: every row reads back through the current models with the same ids, fields and relations, the files open with
the same bytes, `detected["date_format"]` became `detected["date_order"]` (datasets 0002), and the content type kept
its id (so permissions follow) under its new app label (datasets 0001). Migrating back to before the move restores
the old state, and going forward again is as good as the first time.

Django's MigrationExecutor drives the migrations (no django-test-migrations: the executor is all this needs, and the
test venv gains no dependency). The test is transactional, since migrations cannot run inside the test's transaction;
a fixture migrates the database back to the latest state whatever happens, and the flush after it leaves it empty.
"""

import io
from collections.abc import Iterator
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import User
from analysis.models import Analysis
from datasets.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)

MOVED = ("analysis", "datasets")
BEFORE_MOVE = ("analysis", "0003_analysis")  # the last migration before Dataset moved; datasets not applied at all
# Apps whose later migrations point at the moved models: kept at their last migration before those.
DEPENDENTS_BEFORE_MOVE = [("dashboards", "0001_initial")]


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def migrate(*, before_move: bool = False) -> Apps:
    """Migrate to the latest state, or to the one before the move (analysis at 0003, datasets unapplied, dashboards
    before its panel bindings, which point at datasets; every other app at its latest), and return the historical
    apps of the state reached."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    if before_move:
        held = {app for app, _name in DEPENDENTS_BEFORE_MOVE}
        nodes = [BEFORE_MOVE, *DEPENDENTS_BEFORE_MOVE, *(node for node in latest if node[0] not in (*MOVED, *held))]
        executor.migrate([*nodes, ("datasets", None)])
    else:
        nodes = latest
        executor.migrate(nodes)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.fixture
def migrator(transactional_db) -> Iterator[None]:
    """Leave the database at the latest migrations even if the test fails half-way (this runs before the flush)."""
    ContentType.objects.clear_cache()
    yield
    migrate()


def save(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


def parquet_bytes(**columns) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def make_old_world(apps: Apps) -> dict:
    """Through the historical models of the state before the move: a user in a team with a venture, a ready dataset
    with a forecast and a segmentation, a failed dataset and a fresh upload; files in storage."""
    User_ = apps.get_model("accounts", "User")
    Team = apps.get_model("teams", "Team")
    Membership = apps.get_model("teams", "Membership")
    Venture = apps.get_model("ventures", "Venture")
    OldDataset = apps.get_model("analysis", "Dataset")
    OldAnalysis = apps.get_model("analysis", "Analysis")
    ContentType_ = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    user = User_.objects.create(username="ada", email="ada@example.com", password="!")
    team = Team.objects.create(name="Acme", created_by=user)
    Membership.objects.create(team=team, user=user, role="owner")
    venture = Venture.objects.create(team=team, name="Acme Bikes", created_by=user)

    # As in a database that never had the datasets app: its content type is analysis.dataset (the reverse of datasets
    # 0001 renamed the test database's one back). Permissions hang on it; a group holding one must keep it.
    ContentType_.objects.filter(app_label="datasets").delete()
    content_type, _ = ContentType_.objects.get_or_create(app_label="analysis", model="dataset")
    view, _ = Permission.objects.get_or_create(content_type=content_type, codename="view_dataset", defaults={"name": "Can view dataset"})
    group = Group.objects.create(name="dataset viewers")
    group.permissions.add(view)
    viewer = User_.objects.create(username="vic", email="vic@example.com", password="!")
    viewer.groups.add(group)

    now = timezone.now()
    files = {
        "ready upload": b"customer;time;amount\nc1;03/04/2025 10:00;12,50\n",
        "ready parquet": parquet_bytes(user_id=["c1", "c2"], amount=[12.5, 3.0]),
        "failed upload": b"\xff\xfenot a table at all",
        "fresh upload": b"customer,time\nc9,2025-04-03\n",
        "members": parquet_bytes(user_id=["c1", "c2"], segment=[0, 1]),
    }
    ready = OldDataset.objects.create(
        venture=venture,
        created_by=user,
        name="Orders",
        file=save(f"datasets/{venture.pk}/ready.upload", files["ready upload"]),
        original_name="orders.csv",
        size_bytes=len(files["ready upload"]),
        status="ready",
        rows_processed=1,
        detected={
            "encoding": "utf-8",
            "delimiter": ";",
            "decimal": ",",
            "date_format": "day_first",
            "columns": ["customer", "time", "amount"],
        },
        mapping={"user_id": "customer", "timestamp": "time", "amount": "amount"},
        keep_extra_columns=True,
        report={"rows_read": 1, "rows_kept": 1, "dropped": {"no_user": 0}, "warnings": ["3 of 4 dates were ambiguous"]},
        parquet=save(f"datasets/{venture.pk}/ready.parquet", files["ready parquet"]),
        progress=100,
        attempt=2,
        started_at=now - timedelta(minutes=3),
        heartbeat_at=now - timedelta(minutes=2),
        finished_at=now - timedelta(minutes=1),
    )
    failed = OldDataset.objects.create(
        venture=venture,
        created_by=None,
        name="Broken",
        file=save(f"datasets/{venture.pk}/failed.upload", files["failed upload"]),
        original_name="broken.csv",
        size_bytes=len(files["failed upload"]),
        status="failed",
        detected={"encoding": "utf-16", "delimiter": ",", "decimal": ".", "date_format": "month_first", "columns": []},
        mapping={"user_id": "customer"},
        error="No column holds a time.",
        error_code="no_time_column",
        attempt=1,
        finished_at=now,
    )
    fresh = OldDataset.objects.create(
        venture=venture,
        created_by=user,
        name="Fresh",
        file=save(f"datasets/{venture.pk}/fresh.upload", files["fresh upload"]),
        original_name="fresh.csv",
        size_bytes=len(files["fresh upload"]),
    )
    forecast = OldAnalysis.objects.create(
        dataset=ready,
        created_by=user,
        kind="forecast",
        params={"horizon": 14, "metric": "amount"},
        status="succeeded",
        result={"model": "AutoETS", "forecast": [{"day": "2025-04-04", "value": 12.5, "low": 10.0, "high": 15.0}]},
        progress=100,
        attempt=1,
        finished_at=now,
    )
    segmentation = OldAnalysis.objects.create(
        dataset=ready,
        created_by=user,
        kind="segmentation",
        params={"k": 2},
        status="succeeded",
        result={"segments": [{"size": 1, "label": "big spenders"}, {"size": 1, "label": "one-off"}]},
        members=save(f"analyses/{ready.pk}/members.parquet", files["members"]),
        progress=100,
        attempt=1,
        finished_at=now,
    )
    return {
        "datasets": {d.pk: d for d in (ready, failed, fresh)},
        "analyses": {a.pk: a for a in (forecast, segmentation)},
        "files": files,
        "content type": content_type.pk,
        "viewer": viewer.pk,
    }


def rows(model) -> dict[int, dict]:
    """Every column of every row, as stored (file fields as their storage names)."""
    return {row["id"]: row for row in model.objects.values(*(field.attname for field in model._meta.concrete_fields))}


def renamed(detected: dict, old: str, new: str) -> dict:
    return {(new if key == old else key): value for key, value in detected.items()}


def read_bytes(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def assert_files_open(world: dict, datasets: dict, analyses: dict) -> None:
    """The files open through the rows' own fields, with the bytes saved before the move."""
    files = world["files"]
    for pk, label in zip(world["datasets"], ("ready", "failed", "fresh"), strict=True):
        with datasets[pk].file.open("rb") as handle:
            assert handle.read() == files[f"{label} upload"]
    ready_pk = next(iter(world["datasets"]))
    assert read_bytes(datasets[ready_pk].parquet) == files["ready parquet"]
    assert pq.read_table(io.BytesIO(read_bytes(datasets[ready_pk].parquet))).column("amount").to_pylist() == [12.5, 3.0]
    forecast_pk, segmentation_pk = world["analyses"]
    assert analyses[forecast_pk].members == ""
    assert read_bytes(analyses[segmentation_pk].members) == files["members"]


def assert_as_upgraded(world: dict, before: dict) -> None:
    """Read through the current models: nothing lost, the JSON key renamed, the content type moved with its id."""
    expected_datasets = {
        pk: {**row, "detected": renamed(row["detected"], "date_format", "date_order")} for pk, row in before["datasets"].items()
    }
    assert rows(Dataset) == expected_datasets
    assert rows(Analysis) == before["analyses"]

    datasets = Dataset.objects.in_bulk()
    analyses = Analysis.objects.select_related("dataset").in_bulk()
    ready, failed, fresh = (datasets[pk] for pk in world["datasets"])
    assert ready.detected["date_order"] == "day_first"
    assert failed.detected["date_order"] == "month_first"
    assert all("date_format" not in dataset.detected for dataset in datasets.values())
    assert fresh.detected == {}
    assert {analysis.pk: analysis.dataset for analysis in analyses.values()} == dict.fromkeys(world["analyses"], ready)
    assert set(ready.analyses.values_list("pk", flat=True)) == set(world["analyses"])
    assert ready.venture.name == "Acme Bikes"
    assert ready.venture.team.name == "Acme"
    assert_files_open(world, datasets, analyses)

    content_type = ContentType.objects.get_for_model(Dataset)
    assert (content_type.pk, content_type.app_label) == (world["content type"], "datasets")
    assert not ContentType.objects.filter(app_label="analysis", model="dataset").exists()
    assert User.objects.get(pk=world["viewer"]).has_perm("datasets.view_dataset")


def assert_as_before_move(apps: Apps, world: dict, before: dict) -> None:
    """Read through the historical models before the move: the rows and the content type as they were."""
    OldDataset = apps.get_model("analysis", "Dataset")
    OldAnalysis = apps.get_model("analysis", "Analysis")
    ContentType_ = apps.get_model("contenttypes", "ContentType")
    assert rows(OldDataset) == before["datasets"]
    assert rows(OldAnalysis) == before["analyses"]
    analyses = OldAnalysis.objects.select_related("dataset").in_bulk()
    ready_pk = next(iter(world["datasets"]))
    assert {analysis.dataset.pk for analysis in analyses.values()} == {ready_pk}
    assert_files_open(world, OldDataset.objects.in_bulk(), analyses)
    assert list(ContentType_.objects.filter(model="dataset", app_label__in=MOVED).values_list("pk", "app_label")) == [
        (world["content type"], "analysis")
    ]


def test_upgrading_across_the_move_loses_nothing_and_the_downgrade_restores_it(migrator):
    old_apps = migrate(before_move=True)
    world = make_old_world(old_apps)
    before = {"datasets": rows(old_apps.get_model("analysis", "Dataset")), "analyses": rows(old_apps.get_model("analysis", "Analysis"))}
    assert all("date_format" in row["detected"] for row in before["datasets"].values() if row["name"] != "Fresh")

    migrate()
    # What `manage.py migrate` does next: a content type for a model it does not find would get a new id here.
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    assert_as_upgraded(world, before)

    assert_as_before_move(migrate(before_move=True), world, before)

    migrate()
    assert_as_upgraded(world, before)
