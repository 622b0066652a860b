from django import forms
from django.utils.translation import gettext_lazy as _

from canvas.models import Canvas
from dashboards.panels import PANELS


class LayoutForm(forms.Form):
    """One checkbox and one position per panel, and the canvas to show: works without JavaScript."""

    canvas = forms.TypedChoiceField(label=_("Canvas shown"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: object, canvases: list[Canvas], layout: list[str], chosen_canvas: int | None, **kwargs: object) -> None:
        initial = {"canvas": chosen_canvas or ""}
        order = {key: index for index, key in enumerate([*layout, *(key for key in PANELS if key not in layout)])}
        for key in PANELS:
            initial[f"show_{key}"] = key in layout
            initial[f"order_{key}"] = order[key] + 1
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["canvas"].choices = [("", _("The most recently changed canvas")), *((canvas.pk, canvas.title) for canvas in canvases)]
        self.rows = []
        for key, panel in sorted(PANELS.items(), key=lambda pair: order[pair[0]]):
            self.fields[f"show_{key}"] = forms.BooleanField(label=panel.title, required=False)
            self.fields[f"order_{key}"] = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)
            self.rows.append((self[f"show_{key}"], self[f"order_{key}"]))

    def layout(self) -> list[str]:
        data = self.cleaned_data
        chosen = [key for key in PANELS if data.get(f"show_{key}")]
        return sorted(chosen, key=lambda key: (data[f"order_{key}"], list(PANELS).index(key)))


class ShareLinkForm(forms.Form):
    target = forms.ChoiceField(label=_("Share"))
    label = forms.CharField(label=_("Label"), max_length=100, required=False, help_text=_("For you, e.g. “for investors”; not shown."))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Empty: never.")
    )
    allow_embed = forms.BooleanField(label=_("Allow embedding in other sites"), required=False)

    def __init__(self, *args: object, canvases: list[Canvas], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            ("dashboard", _("The dashboard")),
            *((f"canvas:{canvas.pk}", _("Canvas: %(title)s") % {"title": canvas.title}) for canvas in canvases),
        ]

    def canvas_id(self) -> int | None:
        target = self.cleaned_data["target"]
        return int(target.split(":", 1)[1]) if target.startswith("canvas:") else None
