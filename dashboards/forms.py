from django import forms
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from analysis.models import Analysis
from analysis.wording import METRICS
from canvas.models import Canvas
from dashboards import bindings
from dashboards.bindings import Bound
from dashboards.panels import FREQUENCIES, PANELS
from datasets.models import Dataset


def binding_label(choice: Dataset | Analysis) -> str:
    """How a dataset or run is named in the panel's choice: its name (metric and period) and its date."""
    when = date_format(choice.finished_at, "Y-m-d H:i") if choice.finished_at else "—"
    if isinstance(choice, Dataset):
        return _("%(name)s · ready %(when)s") % {"name": choice.name, "when": when}
    if choice.kind == Analysis.Kind.FORECAST:
        params = choice.params
        what = _("%(metric)s, %(frequency)s") % {
            "metric": capfirst(str(METRICS.get(params.get("metric", ""), params.get("metric", "")))),
            "frequency": FREQUENCIES.get(params.get("frequency", ""), params.get("frequency", "")),
        }
        return _("%(what)s · “%(dataset)s” · run of %(when)s") % {"what": what, "dataset": choice.dataset.name, "when": when}
    return _("“%(dataset)s” · run of %(when)s") % {"dataset": choice.dataset.name, "when": when}


class LayoutForm(forms.Form):
    """The panels in their order (one hidden `order` input per panel, in the list's order, which drag and drop or
    the Move buttons change), which are shown, what each data panel shows (a dataset or run; the newest preselected
    where nothing is chosen yet), and the canvas. Works without JavaScript: a Move button submits the form with
    `move` = "<key>:up" or "<key>:down"."""

    canvas = forms.TypedChoiceField(label=_("Canvas shown"), coerce=int, empty_value=None, required=False)
    order = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput)
    show = forms.MultipleChoiceField(required=False)
    move = forms.RegexField(r"^[a-z_]{1,40}:(up|down)$", required=False)

    def __init__(
        self,
        *args: object,
        canvases: list[Canvas],
        layout: list[str],
        chosen_canvas: int | None,
        bound: dict[str, Bound],
        choices: dict[str, list],
        **kwargs: object,
    ) -> None:
        order = [*layout, *(key for key in PANELS if key not in layout)]
        initial: dict[str, object] = {"canvas": chosen_canvas or "", "order": order, "show": list(layout)}
        self.current: dict[str, tuple[int | None, int | None]] = {}
        self.options: dict[str, dict[int, Dataset | Analysis]] = {}
        for key, options in choices.items():
            current = bound.get(key) or Bound()
            self.current[key] = current.ids
            self.options[key] = {option.pk: option for option in options}
            chosen = current.ids[0] if PANELS[key].binds == bindings.DATASET else current.ids[1]
            initial[f"bind_{key}"] = chosen if chosen in self.options[key] else (options[0].pk if options else "")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["canvas"].choices = [("", _("The most recently changed canvas")), *((canvas.pk, canvas.title) for canvas in canvases)]
        self.fields["order"].choices = self.fields["show"].choices = [(key, panel.title) for key, panel in PANELS.items()]
        for key, options in choices.items():
            self.fields[f"bind_{key}"] = forms.TypedChoiceField(
                label=_("Shows"),
                coerce=int,
                empty_value=None,
                required=False,
                choices=[(option.pk, binding_label(option)) for option in options],
            )
        shown = set(layout)
        self.rows = [
            {"key": key, "title": PANELS[key].title, "shown": key in shown, "bind": self[f"bind_{key}"] if key in choices else None}
            for key in order
        ]

    def clean_order(self) -> list[str]:
        order = self.cleaned_data["order"]
        if sorted(order) != sorted(PANELS):
            raise forms.ValidationError(_("The list of panels changed: reload the page."))
        return order

    def layout(self) -> list[str]:
        """The shown panels in the list's order, with the Move button pressed (if any) applied."""
        order, move = list(self.cleaned_data["order"]), self.cleaned_data.get("move")
        if move:
            key, direction = move.split(":")
            if key in order:
                index = order.index(key)
                other = index - 1 if direction == "up" else index + 1
                if 0 <= other < len(order):
                    order[index], order[other] = order[other], order[index]
        shown = set(self.cleaned_data["show"])
        return [key for key in order if key in shown]

    def bound_changes(self) -> dict[str, tuple[Dataset | None, Analysis | None]]:
        """The data panels whose chosen dataset or run differs from what they show: {key: (dataset, analysis)}."""
        changes: dict[str, tuple[Dataset | None, Analysis | None]] = {}
        for key, options in self.options.items():
            chosen = options.get(self.cleaned_data.get(f"bind_{key}") or 0)
            if chosen is None:
                continue
            if isinstance(chosen, Dataset):
                if chosen.pk != self.current[key][0]:
                    changes[key] = (chosen, None)
            elif chosen.pk != self.current[key][1]:
                changes[key] = (None, chosen)
        return changes


class ShareLinkForm(forms.Form):
    target = forms.ChoiceField(label=_("Share"))
    label = forms.CharField(label=_("Label"), max_length=100, required=False, help_text=_("For you, e.g. “for investors”; not shown."))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Empty: never.")
    )
    mode = forms.ChoiceField(
        label=_("Kind of link"),
        choices=[("live", _("Live: as it is now")), ("snapshot", _("Snapshot: frozen now"))],
        initial="live",
        required=False,  # absent: live
        help_text=_("Live: follows your layout and updates. Snapshot: what the panels show now, never changed."),
    )
    allow_embed = forms.BooleanField(label=_("Allow embedding in other sites"), required=False)

    def __init__(self, *args: object, canvases: list[Canvas], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            ("dashboard", _("The dashboard")),
            *((f"canvas:{canvas.pk}", _("Canvas: %(title)s") % {"title": canvas.title}) for canvas in canvases),
        ]

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or "live"

    def canvas_id(self) -> int | None:
        target = self.cleaned_data["target"]
        return int(target.split(":", 1)[1]) if target.startswith("canvas:") else None
