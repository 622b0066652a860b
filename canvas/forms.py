import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from canvas.blueprints import PALETTE
from canvas.models import NOTE_MAX, TEXT_MAX, AssumptionStatus, CanvasKind


class CanvasCreateForm(forms.Form):
    """A new canvas: its template and a title, offered as the template's name (static/js/canvas_new.js follows the
    template chosen until the title is typed; left blank, the template's name is taken)."""

    kind = forms.ChoiceField(label=_("Template"), choices=CanvasKind.choices, initial=CanvasKind.BUSINESS_MODEL)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        title = self.fields["title"]
        title.initial = self.default_title(CanvasKind.BUSINESS_MODEL)
        title.widget.attrs["data-default-titles"] = json.dumps({kind.value: self.default_title(kind) for kind in CanvasKind})

    @staticmethod
    def default_title(kind: str) -> str:
        return str(CanvasKind(kind).label)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("title", "").strip() and cleaned.get("kind"):
            cleaned["title"] = self.default_title(cleaned["kind"])
        return cleaned


class CanvasImportForm(forms.Form):
    file = forms.FileField(label=_("Canvas file (JSON, from an export)"))


class CanvasSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)


class ItemAddForm(forms.Form):
    text = forms.CharField(label=_("New note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    color = forms.ChoiceField(label=_("Colour"), choices=[(value, value) for value in PALETTE], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_assumption = forms.BooleanField(label=_("This is an assumption to test"), required=False)
    assumption_status = forms.ChoiceField(label=_("Status"), choices=AssumptionStatus.choices, required=False)
    evidence = forms.CharField(label=_("Evidence (a note or a link)"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def field_labels(cls) -> dict[str, str]:
        """Field name → its label, for naming what changed between two versions."""
        extra = {"group": _("Block"), "source": _("Data source"), "finding": _("Finding")}  # not edited in the form
        return {name: str(field.label) for name, field in cls.base_fields.items() if field.label} | {
            name: str(label) for name, label in extra.items()
        }

    def clean_assumption_status(self) -> str:
        return self.cleaned_data.get("assumption_status") or AssumptionStatus.UNTESTED


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class VersionNameForm(forms.Form):
    name = forms.CharField(label=_("Name this version"), max_length=120)
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
