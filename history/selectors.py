import re

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from core.errors import NotFound
from history.models import Version


def version_list(*, target: models.Model, author: str = "", kind: str = "") -> QuerySet[Version]:
    """Newest first; without the snapshots, which a list does not need. `author` (a username) and `kind` (a kind of
    change, e.g. "item_move") keep the versions made by that person, or holding a change of that kind."""
    versions = _of(target).defer("snapshot").select_related("created_by")
    if author:
        versions = versions.filter(created_by__username=author)
    if kind:
        versions = versions.filter(kinds__regex=rf"(^| ){re.escape(kind)}( |$)")
    return versions


def version_authors(*, target: models.Model) -> list[str]:
    """The usernames of the people who made the target's versions, for the history's filter."""
    return sorted(
        {
            username
            for username in _of(target).exclude(created_by=None).order_by().values_list("created_by__username", flat=True).distinct()
        },
        key=str.casefold,
    )


def version_kinds(*, target: models.Model) -> list[str]:
    """The kinds of change the target's history holds, for the history's filter."""
    found: dict[str, None] = {}
    for kinds in _of(target).order_by().values_list("kinds", flat=True).distinct():
        found.update(dict.fromkeys(kinds.split()))
    return sorted(found)


def version_get(*, target: models.Model, version_id: int) -> Version:
    version = _of(target).filter(pk=version_id).first()
    if version is None:
        raise NotFound()
    return version


def _of(target: models.Model) -> QuerySet[Version]:
    return Version.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
