from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import team_scoped
from ventures.models import Venture


class MarketingSpend(models.Model):
    """What the venture spent on one acquisition channel in one month (the month's first day): what CAC divides.
    Channels are the words the data uses for them; a channel no customer came by is kept (and flagged on the page)."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="marketing_spend", verbose_name=_("venture"))
    month = models.DateField(_("month"))
    channel = models.CharField(_("channel"), max_length=100)
    spend = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = team_scoped("venture__team")

    class Meta:
        ordering = ["month", "channel", "id"]
        verbose_name = _("marketing spend")
        verbose_name_plural = _("marketing spend")
        constraints = [
            models.UniqueConstraint(fields=["venture", "month", "channel"], name="marketing_spend_unique_month_channel"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="marketing_spend_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel}"
