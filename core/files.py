"""Files in storage that rows own, and deleting them with the rows.

Which files a row owns is known by the app that stores them (`datasets`: uploads, Parquet; `analysis`: segment
member tables), while the rows deleted may sit above it in a cascade (a team, a venture) in apps that must not import
it. So the app that stores files registers a finder for its model (a function from a queryset of it to the storage
names its rows own) and the lookups from it to the models it cascades from. `rows_delete_with_files` is the one way a service deletes rows that may own files: it
lists the names before the delete and removes the files through the storage API (local or S3 alike) once the
transaction has committed, so a rolled-back delete keeps its files and a committed one leaves none behind. Files a
crash leaves anyway are found by the orphan sweep (`manage.py storage_sweep_orphans`).
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction

logger = logging.getLogger(__name__)

FileFinder = Callable[[models.QuerySet], Iterable[str]]

_finders: dict[str, dict[tuple[str, str], FileFinder]] = defaultdict(dict)


def owned_files_register(model_label: str, finder: FileFinder, *, owners: dict[str, str] | None = None) -> None:
    """Declare that rows of `model_label` ("app_label.ModelName") own the files `finder(queryset)` names, and so do
    the rows they cascade from: `owners` maps each such model's label to the lookup from `model_label` to it (e.g.
    {"teams.Team": "venture__team"}). Called from an AppConfig.ready(); registering twice is harmless."""
    _finders[model_label][(model_label, "")] = finder
    for owner, lookup in (owners or {}).items():
        _finders[owner][(model_label, lookup)] = _through(model_label, lookup, finder)


def _through(model_label: str, lookup: str, finder: FileFinder) -> FileFinder:
    def owned_by(owners: models.QuerySet) -> Iterable[str]:
        return finder(apps.get_model(model_label)._default_manager.filter(**{f"{lookup}__in": owners}))

    return owned_by


def owned_files(queryset: models.QuerySet) -> list[str]:
    """Every storage name the rows of `queryset` own, through every registered finder (sorted, without blanks)."""
    names: set[str] = set()
    for finder in _finders.get(queryset.model._meta.label, {}).values():
        names.update(name for name in finder(queryset) if name)
    return sorted(names)


def storage_delete_on_commit(names: Iterable[str]) -> None:
    """Delete these storage names once the current transaction commits (at once outside one). A file that cannot be
    deleted is logged and left for the orphan sweep; it never turns a committed delete into an error."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: storage_delete(names))


def storage_delete(names: Iterable[str]) -> int:
    """Delete these storage names now; returns how many were deleted without an error."""
    deleted = 0
    for name in names:
        try:
            default_storage.delete(name)
            deleted += 1
        except Exception:  # a storage outage must not stop the rest; the orphan sweep retries later
            logger.exception("could not delete %s from storage", name)
    return deleted


def rows_delete_with_files(instance_or_queryset: models.Model | models.QuerySet) -> None:
    """Delete a row (or a queryset's rows) with everything cascading from it, and the files all of those own, the
    files after the commit. Call inside the service's transaction."""
    if isinstance(instance_or_queryset, models.Model):
        queryset = type(instance_or_queryset)._default_manager.filter(pk=instance_or_queryset.pk)
    else:
        queryset = instance_or_queryset
    names = owned_files(queryset)
    queryset.delete()
    storage_delete_on_commit(names)
