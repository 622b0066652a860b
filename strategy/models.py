from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import TextChoices
from history.models import Version
from strategy import labels
from ventures.models import Venture

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class ViewChange(TextChoices):
    """The kinds of change a strategy view's history records (history.Version.action and kinds)."""

    ADD = "add", _("Added")
    EDIT = "edit", _("Edited")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", pgettext_lazy("history action", "Restored")


class StrategyView(models.Model):
    """The versioned container of one view of a venture (its SWOT, its five forces, …). Every change to a row of
    the view bumps `version` and records a `history.Version` snapshot, as for canvases."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="strategy_views")
    kind = models.CharField(max_length=20, choices=labels.choices(labels.VIEWS))
    version = models.PositiveIntegerField(default=0)
    versions = GenericRelation(Version)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venture", "kind"], name="strategy_view_unique_kind")]

    def __str__(self) -> str:
        return f"{self.venture} {self.kind} v{self.version}"


class VersionedRow(models.Model):
    """A row of a strategy view: belongs to a venture, has its own version for optimistic concurrency."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        for name in ("text", "name", "title", "activity"):
            if getattr(self, name, ""):
                return str(getattr(self, name))[:60]
        return f"{self.__class__.__name__} {self.pk}"


class Insight(VersionedRow):
    """One sentence the team believes about the venture; tagged S/W/O/T it appears in the SWOT."""

    text = models.CharField(_("insight"), max_length=300)
    kind = models.CharField(_("SWOT tag"), max_length=12, choices=labels.INSIGHT_KIND_CHOICES, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=3, validators=ONE_TO_FIVE)
    evidence_url = models.URLField(_("evidence link"), blank=True)

    class Meta:
        ordering = ["kind", "-weight", "id"]


class Competitor(VersionedRow):
    """A competitor: shown among the SWOT threats, and as a driver of rivalry (and of new entrants if it is one)."""

    name = models.CharField(_("name"), max_length=120)
    positioning = models.CharField(_("positioning"), max_length=300, blank=True)
    strengths = models.CharField(_("strengths"), max_length=500, blank=True)
    weaknesses = models.CharField(_("weaknesses"), max_length=500, blank=True)
    price_point = models.CharField(_("price point"), max_length=120, blank=True)
    threat = models.PositiveSmallIntegerField(_("threat level"), default=3, validators=ONE_TO_FIVE)
    is_new_entrant = models.BooleanField(_("new entrant"), default=False)

    class Meta:
        ordering = ["-threat", "name", "id"]


class TowsStrategy(VersionedRow):
    """A strategy pairing two SWOT items (S-O, W-O, S-T, W-T)."""

    kind = models.CharField(_("kind"), max_length=2, choices=labels.TOWS_KIND_CHOICES)
    text = models.CharField(_("strategy"), max_length=300)
    first = models.ForeignKey(
        Insight, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("first SWOT item")
    )
    second = models.ForeignKey(
        Insight, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("second SWOT item")
    )

    class Meta:
        ordering = ["kind", "id"]


class ForceDriver(VersionedRow):
    force = models.CharField(_("force"), max_length=20, choices=labels.choices(labels.FORCES))
    text = models.CharField(_("driver"), max_length=300)
    score = models.PositiveSmallIntegerField(_("score"), default=3, validators=ONE_TO_FIVE)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=ONE_TO_FIVE)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["force", "id"]


class ValueActivity(VersionedRow):
    activity = models.CharField(_("activity"), max_length=30, choices=labels.choices(labels.ACTIVITIES))
    description = models.CharField(_("description"), max_length=500, blank=True)
    cost_share = models.DecimalField(
        _("cost share (%)"), max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    value_score = models.PositiveSmallIntegerField(_("value contribution"), default=3, validators=ONE_TO_FIVE)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["venture", "activity"], name="strategy_value_activity_unique")]


class Risk(VersionedRow):
    title = models.CharField(_("risk"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=labels.choices(labels.RISK_CATEGORIES))
    probability = models.PositiveSmallIntegerField(_("probability"), default=3, validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact"), default=3, validators=ONE_TO_FIVE)
    response = models.CharField(_("response"), max_length=10, choices=labels.choices(labels.RISK_RESPONSES), default="mitigate")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=12, choices=labels.choices(labels.RISK_STATUSES), default="open")

    class Meta:
        ordering = ["-probability", "-impact", "id"]

    @property
    def score(self) -> int:
        return self.probability * self.impact
