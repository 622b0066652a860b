from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import TextChoices
from core.money import validate_currency
from core.scoping import team_scoped
from teams.models import Team


class Stage(TextChoices):
    IDEA = "idea", _("Idea")
    PROBLEM_FIT = "problem_fit", _("Problem–solution fit")
    MVP = "mvp", _("Minimum viable product")
    PRODUCT_MARKET_FIT = "product_market_fit", _("Product–market fit")
    GROWTH = "growth", _("Growth")
    SCALE = "scale", _("Scale")


class Venture(models.Model):
    """The startup being designed. Everything later (canvases, views, datasets, dashboards) hangs off a venture,
    and through it belongs to exactly one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ventures", verbose_name=_("team"))
    name = models.CharField(_("name"), max_length=120)
    pitch = models.CharField(_("one-line pitch"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    # ISO 4217, shown with every money figure of the venture (core.money); "" = none set.
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[validate_currency])
    # Gross margin in percent of revenue: what turns revenue into the margin that pays back acquisition cost.
    gross_margin = models.DecimalField(
        _("gross margin (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = team_scoped("team")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("venture")
        verbose_name_plural = _("ventures")
        indexes = [models.Index(fields=["team", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ventures:detail", args=[self.pk])
