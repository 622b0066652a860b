"""Deleting a team, a venture, a dataset or an analysis leaves no file of theirs in storage (checked by listing
MEDIA_ROOT before and after); a rolled-back delete keeps them; orphans left by a crash are swept after a grace period."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from analysis.models import Analysis
from analysis.services import analysis_create, analysis_run
from datasets import services
from datasets.models import Dataset
from datasets.orphans import storage_orphans_sweep
from datasets.services import dataset_ingest_run, dataset_ingest_start
from tests.conftest import api_as
from tests.datasets.factories import MAPPING, ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """A MEDIA_ROOT of this test's own, so that listing it sees only this test's files."""
    settings.MEDIA_ROOT = tmp_path / "media"


def files_under(*roots: str) -> set[str]:
    media = Path(default_storage.location)
    return {str(path.relative_to(media)) for root in roots for path in (media / root).rglob("*") if path.is_file()}


@pytest.fixture
def segmented(world):
    """A ready dataset with a segmentation (so an upload, a Parquet, its cohorts and a member table) in each team."""
    made = {}
    for venture, user in ((world.venture, world.editor), (world.other_venture, world.other_owner)):
        dataset = ready_dataset(user=user, venture=venture)
        analysis = analysis_create(user=user, dataset=dataset, kind="segmentation", params={"k": 2})
        assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
        analysis.refresh_from_db()
        assert dataset.cohorts.file  # read now: the files are compared once the rows are gone
        made[venture.pk] = (dataset, analysis)
    return made


def owned(dataset: Dataset, analysis: Analysis) -> set[str]:
    return {dataset.file.name, dataset.parquet, dataset.cohorts.file, analysis.members}


def test_deleting_a_venture_deletes_every_file_it_owns(world, segmented, django_capture_on_commit_callbacks):
    dataset, analysis = segmented[world.venture.pk]
    before = files_under("datasets", "analyses")
    assert owned(dataset, analysis) <= before

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.editor).delete(f"/api/v1/ventures/{world.venture.pk}/")

    assert response.status_code == 204
    after = files_under("datasets", "analyses")
    assert before - after == owned(dataset, analysis)  # exactly its files went; the other team's stay
    assert owned(*segmented[world.other_venture.pk]) <= after


def test_deleting_a_venture_in_the_browser_deletes_its_files(client, world, segmented, django_capture_on_commit_callbacks):
    dataset, analysis = segmented[world.venture.pk]
    client.force_login(world.editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ventures/{world.venture.pk}/delete/")

    assert not owned(dataset, analysis) & files_under("datasets", "analyses")


def test_deleting_a_team_deletes_the_files_of_all_its_ventures(world, segmented, django_capture_on_commit_callbacks):
    dataset, analysis = segmented[world.venture.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.owner).delete(f"/api/v1/teams/{world.team.pk}/")

    assert response.status_code == 204
    after = files_under("datasets", "analyses")
    assert not owned(dataset, analysis) & after
    assert owned(*segmented[world.other_venture.pk]) <= after


def test_deleting_a_dataset_deletes_its_analyses_member_tables_too(world, segmented, django_capture_on_commit_callbacks):
    dataset, analysis = segmented[world.venture.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(world.editor).delete(f"/api/v1/datasets/{dataset.pk}/").status_code == 204

    assert not owned(dataset, analysis) & files_under("datasets", "analyses")


def test_deleting_an_analysis_deletes_its_member_table_only(world, segmented, django_capture_on_commit_callbacks):
    dataset, analysis = segmented[world.venture.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(world.editor).delete(f"/api/v1/analyses/{analysis.pk}/").status_code == 204

    after = files_under("datasets", "analyses")
    assert analysis.members not in after
    assert {dataset.file.name, dataset.parquet} <= after


def test_a_rolled_back_delete_keeps_the_files(world, segmented, django_capture_on_commit_callbacks):
    from ventures.services import venture_delete

    dataset, analysis = segmented[world.venture.pk]

    def delete_then_fail() -> None:
        with transaction.atomic():
            venture_delete(user=world.editor, venture=world.venture)
            raise RuntimeError("something later in the request failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()

    assert callbacks == []
    assert owned(dataset, analysis) <= files_under("datasets", "analyses")


def test_reingest_replaces_the_parquet_and_leaves_one(world, django_capture_on_commit_callbacks):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    first = dataset.parquet

    dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)
    with django_capture_on_commit_callbacks(execute=True):
        assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    dataset.refresh_from_db()

    parquets = {name for name in files_under(f"datasets/{world.venture.pk}") if name.endswith(".parquet")}
    assert parquets == {dataset.parquet}
    assert dataset.parquet != first


def test_an_ingest_finishing_after_its_dataset_was_deleted_leaves_no_parquet(world, monkeypatch):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)
    real_ingest = services._ingest

    def ingest_then_the_dataset_is_deleted(dataset):
        output = real_ingest(dataset)
        Dataset.objects.filter(pk=dataset.pk).delete()  # deleted by a user while the worker was busy
        return output

    monkeypatch.setattr(services, "_ingest", ingest_then_the_dataset_is_deleted)

    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "gone"
    assert {name for name in files_under("datasets") if name.endswith(".parquet")} == {dataset.parquet}  # the old one only


def test_the_orphan_sweep_deletes_old_unreferenced_files_only(world, segmented):
    dataset, analysis = segmented[world.venture.pk]
    old_orphan = default_storage.save(f"datasets/{world.venture.pk}/left-by-a-crash.parquet", ContentFile(b"x"))
    new_orphan = default_storage.save("analyses/999/being-recorded.parquet", ContentFile(b"y"))
    week_ago = (default_storage.get_modified_time(old_orphan) - timedelta(days=7)).timestamp()
    os.utime(default_storage.path(old_orphan), (week_ago, week_ago))

    dry = storage_orphans_sweep(grace=timedelta(hours=24), dry_run=True)
    assert (dry.orphans, dry.deleted, dry.recent) == ([old_orphan], 0, 1)
    assert old_orphan in files_under("datasets")

    swept = storage_orphans_sweep(grace=timedelta(hours=24))

    assert (swept.orphans, swept.deleted) == ([old_orphan], 1)
    after = files_under("datasets", "analyses")
    assert old_orphan not in after
    assert new_orphan in after
    assert owned(dataset, analysis) <= after


def test_the_orphan_command_reports_counts(world, segmented, capsys):
    orphan = default_storage.save("analyses/1/left.parquet", ContentFile(b"x"))

    call_command("storage_sweep_orphans", "--dry-run", "--grace-hours", "0")
    out = capsys.readouterr().out

    assert f"orphan: {orphan}" in out
    assert "orphaned 1, deleted 0 (dry run)" in out
    assert default_storage.exists(orphan)
