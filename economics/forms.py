from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SpendForm(forms.Form):
    """A spend row as typed in the table: the service checks it (one set of rules for the page, the API, the CSV)."""

    month = forms.CharField(label=_("Month"), max_length=10, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"}))
    channel = forms.CharField(label=_("Channel"), max_length=100)
    spend = forms.CharField(
        label=pgettext_lazy("marketing", "Spend"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class SpendUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("One line per month and channel: month, channel, spend (e.g. 2025-03, ads, 1200).")
    )


class MarginForm(forms.Form):
    gross_margin = forms.DecimalField(
        label=_("Gross margin (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("Share of revenue left after the cost of what is sold: it pays back what acquiring a customer cost."),
    )
