from django import forms
from django.utils.translation import gettext_lazy as _

from ventures.models import Stage


class VentureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    pitch = forms.CharField(
        label=_("One-line pitch"), max_length=200, required=False, help_text=_("What you do, for whom, in one sentence.")
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.IDEA)


class VentureCreateForm(VentureForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)

    field_order = ["team", "name", "pitch", "industry", "stage"]

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
