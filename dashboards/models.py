from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analysis.models import Analysis
from canvas.models import Canvas
from core.choices import TextChoices
from core.scoping import team_scoped
from datasets.models import Dataset
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


class PanelBinding(models.Model):
    """What one data panel of a saved dashboard shows: the dataset and/or model run chosen for it (the newest at the
    time of choosing). A newer upload or run never replaces it by itself: the panel offers "Update to the run of
    <date>" to those who may edit. Deleting the dataset or run empties it (SET_NULL), it never jumps to another."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="bindings")
    panel = models.CharField(_("panel"), max_length=40)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("dataset"))
    analysis = models.ForeignKey(Analysis, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("model run"))
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bound_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("panel binding")
        verbose_name_plural = _("panel bindings")
        constraints = [models.UniqueConstraint(fields=["dashboard", "panel"], name="dashboards_binding_one_per_panel")]

    def __str__(self) -> str:
        return f"{self.dashboard_id}:{self.panel}"


class ShareTarget(TextChoices):
    DASHBOARD = "dashboard", _("Dashboard")
    CANVAS = "canvas", _("Canvas")


class ShareMode(TextChoices):
    LIVE = "live", _("Live")
    SNAPSHOT = "snapshot", _("Snapshot")


class ShareLink(models.Model):
    """A read-only link to a venture's dashboard or to one of its canvases, for people without an account. Only
    the SHA-256 of its token is stored (core.tokens): the token is shown once, at creation. A live link shows the
    dashboard as it is now (its pinned panels); a snapshot link shows what was stored at creation (ShareSnapshot)."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="share_links")
    target = models.CharField(_("shows"), max_length=10, choices=ShareTarget.choices, default=ShareTarget.DASHBOARD)
    canvas = models.ForeignKey(Canvas, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=ShareMode.choices, default=ShareMode.LIVE)
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


class ShareSnapshot(models.Model):
    """A snapshot link's frozen page: each panel's rendered HTML and figure JSON in every interface language, stored
    when the link was made (kept apart from ShareLink so listing links never loads it)."""

    link = models.OneToOneField(ShareLink, primary_key=True, on_delete=models.CASCADE, related_name="snapshot")
    taken_at = models.DateTimeField(default=timezone.now)
    panels = models.JSONField(default=dict)  # {language: [panel as dashboards.panel_cache.panel_for_page returns it]}

    class Meta:
        verbose_name = _("share snapshot")
        verbose_name_plural = _("share snapshots")

    def __str__(self) -> str:
        return f"Snapshot of link {self.link_id}"
