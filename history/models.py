from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Version(models.Model):
    """One state of a versioned artefact (a canvas, later a strategy view), as a JSON snapshot.

    Every change records one; a user may name any of them. Restoring a version records a new one, so nothing
    is ever lost. The snapshot's shape: {"fields": {...}, "items": [{"id": ..., "group": ..., ...}, ...]}."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=120, blank=True)
    action = models.CharField(max_length=30)
    summary = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="history_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} v{self.number}"
