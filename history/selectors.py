from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from core.errors import NotFound
from history.models import Version


def version_list(*, target: models.Model) -> QuerySet[Version]:
    """Newest first; without the snapshots, which a list does not need."""
    return (
        Version.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
        .defer("snapshot")
        .select_related("created_by")
    )


def version_get(*, target: models.Model, version_id: int) -> Version:
    version = Version.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk, pk=version_id).first()
    if version is None:
        raise NotFound()
    return version
