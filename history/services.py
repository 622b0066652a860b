from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from accounts.models import User
from core.errors import NotFound
from history.models import Version


def version_record(*, target: models.Model, number: int, action: str, snapshot: dict, user: User | None, summary: str = "") -> Version:
    """Record the state `target` is in after a change. The caller holds the lock on `target` and has bumped its
    version number to `number`."""
    return Version.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        number=number,
        action=action,
        summary=summary[:200],
        snapshot=snapshot,
        created_by=user,
    )


@transaction.atomic
def version_name(*, target: models.Model, number: int, name: str) -> Version:
    version = Version.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk, number=number).first()
    if version is None:
        raise NotFound()
    version.name = name.strip()
    version.full_clean()
    version.save(update_fields=["name"])
    return version
