from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Version(models.Model):
    """One state of a versioned artefact (a canvas, a strategy view), as a JSON snapshot.

    Every change records one, except that consecutive changes by one person within a few minutes are coalesced
    into one version (see history.services.version_record): `number` is then the artefact's version after the
    latest of them, `edits` how many there were, `kinds` which kinds. A user may name any version; a named one is
    never extended. Restoring a version records a new one, so nothing is ever lost. The snapshot's shape:
    {"fields": {...}, "items": [{"id": ..., "group": ..., ...}, ...]}."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=120, blank=True)
    action = models.CharField(max_length=30)  # the kind of the latest change in this version
    kinds = models.CharField(max_length=200, blank=True)  # every kind it holds, space-separated, first seen first
    edits = models.PositiveIntegerField(default=1)
    summary = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)  # the first change
    changed_at = models.DateTimeField(default=timezone.now)  # the latest change: when the snapshot was taken

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="history_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} v{self.number}"

    @property
    def kind_list(self) -> list[str]:
        return self.kinds.split() or [self.action]

    @property
    def first_number(self) -> int:
        """The artefact's version after the first change this version holds (the numbers in between are its own)."""
        return self.number - self.edits + 1
