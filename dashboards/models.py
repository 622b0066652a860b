from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canvas.models import Canvas
from core.choices import TextChoices
from core.scoping import team_scoped
from ventures.models import Venture


class Dashboard(models.Model):
    """A venture's dashboard: which panels it shows, in which order (`layout`, keys of dashboards.panels.PANELS),
    and which canvas its canvas panel shows (None: the venture's most recently changed one). One per venture, so
    its id is the venture's id. A venture without a row shows the default layout."""

    venture = models.OneToOneField(Venture, primary_key=True, on_delete=models.CASCADE, related_name="dashboard", verbose_name=_("venture"))
    layout = models.JSONField(_("layout"), default=list)
    canvas = models.ForeignKey(Canvas, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("canvas"))
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")

    def __str__(self) -> str:
        return f"Dashboard of {self.venture}"


class ShareTarget(TextChoices):
    DASHBOARD = "dashboard", _("Dashboard")
    CANVAS = "canvas", _("Canvas")


class ShareLink(models.Model):
    """A read-only link to a venture's dashboard or to one of its canvases, for people without an account. Only
    the SHA-256 of its token is stored (core.tokens): the token is shown once, at creation."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="share_links")
    target = models.CharField(_("shows"), max_length=10, choices=ShareTarget.choices, default=ShareTarget.DASHBOARD)
    canvas = models.ForeignKey(Canvas, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    allow_embed = models.BooleanField(_("allow embedding"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveBigIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped("venture__team")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        constraints = [
            models.CheckConstraint(
                condition=Q(target="dashboard", canvas__isnull=True) | Q(target="canvas", canvas__isnull=False),
                name="dashboards_sharelink_target_matches_canvas",
            )
        ]

    def __str__(self) -> str:
        return f"{self.venture}: {self.label or self.target}"

    def is_active(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
