from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import currency_choices
from ventures.models import Stage


class VentureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    pitch = forms.CharField(
        label=_("One-line pitch"), max_length=200, required=False, help_text=_("What you do, for whom, in one sentence.")
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.IDEA)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=currency_choices, required=False, help_text=_("Shown with every amount of money of this venture.")
    )
    gross_margin = forms.DecimalField(
        label=_("Gross margin (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        help_text=_("Share of revenue left after the cost of what is sold: it pays back what acquiring a customer cost."),
    )


class VentureCreateForm(VentureForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)

    field_order = ["team", "name", "pitch", "industry", "stage", "currency", "gross_margin"]

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
