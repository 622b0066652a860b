from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from analysis.services import HORIZONS, LIFETIME_HORIZON_DAYS
from datasets.forms import ROLE_LABELS
from datasets.models import Dataset

METRIC_LABELS = {
    "orders": _("Orders (rows)"),
    "revenue": _("Revenue"),
    "quantity": _("Quantity"),
    "active_users": _("Active users"),
    "event_count": _("Count of one event"),
}
FREQUENCY_LABELS = {"D": _("Day"), "W": _("Week"), "M": _("Month"), "Q": _("Quarter"), "Y": _("Year")}


def params_words(kind: str, params: dict) -> list[str]:
    """A run's parameters as the forms name them ("Frequency: week"), not as stored (`frequency=W`): what the pages
    show beside a run. Values from the data (an event's name) are shown as they are; unknown keys are left out."""

    def pair(name: object, value: object) -> str:
        return _("%(name)s: %(value)s") % {"name": name, "value": str(value).lower() if isinstance(value, Promise) else value}

    if kind == "segmentation":
        return [pair(_("Number of segments"), params.get("k") or _("automatic"))]
    if kind == "lifetime_value":
        return [
            pair(_("Fitted up to"), params.get("calibration_end") or _("the end of the log")),
            _("%(count)s days ahead") % {"count": params.get("horizon_days")},
        ]
    words = []
    if params.get("metric") in METRIC_LABELS:
        words.append(pair(_("Forecast"), METRIC_LABELS[params["metric"]]))
    if params.get("frequency") in FREQUENCY_LABELS:
        words.append(pair(_("Frequency"), FREQUENCY_LABELS[params["frequency"]]))
    if params.get("horizon"):
        words.append(_("%(count)s periods ahead") % {"count": params["horizon"]})
    if params.get("split_by") in ROLE_LABELS:
        words.append(pair(_("One series per"), ROLE_LABELS[params["split_by"]]))
    if params.get("event"):
        words.append(pair(_("Event"), params["event"]))
    if params.get("thorough"):
        words.append(str(_("AutoARIMA tried too")))
    return words


class ForecastForm(forms.Form):
    """A forecast's parameters, offering only what this dataset can answer (no revenue without amounts…)."""

    metric = forms.ChoiceField(label=_("Forecast"))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=list(FREQUENCY_LABELS.items()))
    horizon = forms.IntegerField(label=_("Horizon (periods ahead)"), min_value=1, max_value=180)
    split_by = forms.ChoiceField(label=_("One series per"), required=False)
    event = forms.ChoiceField(label=_("Event"), required=False)
    thorough = forms.BooleanField(
        label=_("Also try AutoARIMA (slower)"),
        required=False,
        help_text=_(
            "Adds AutoARIMA to the models tested on each series, where it can be chosen or combined. On 300 series of "
            "the M3 benchmark it took about 8 times as long and was not more accurate."
        ),
    )

    def __init__(self, *args: object, dataset: Dataset, proposed_frequency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        mapping = dataset.mapping
        needs = {"revenue": "amount", "quantity": "quantity", "event_count": "event"}
        self.fields["metric"].choices = [(key, label) for key, label in METRIC_LABELS.items() if needs.get(key, "user_id") in mapping]
        self.fields["split_by"].choices = [("", _("(one series in all)"))] + [
            (role, ROLE_LABELS[role]) for role in ("channel", "product") if role in mapping
        ]
        events = ((dataset.report.get("summary") or {}).get("top_events") or {}).get("name", [])
        self.fields["event"].choices = [("", "—"), *((name, name) for name in events)]
        self.fields["frequency"].initial = proposed_frequency
        self.fields["horizon"].initial = HORIZONS[proposed_frequency][0]
        self.fields["frequency"].help_text = _("Proposed from the data: %(frequency)s.") % {
            "frequency": FREQUENCY_LABELS[proposed_frequency].lower()
        }


class SegmentationForm(forms.Form):
    k = forms.ChoiceField(
        label=_("Number of segments"),
        choices=[
            ("", _("Automatic: RFM segments, unless clusters predict repeat buyers better")),
            *((str(k), str(k)) for k in range(2, 11)),
        ],
        required=False,
    )


class LifetimeValueForm(forms.Form):
    calibration_end = forms.DateField(
        label=_("Fit on the log up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to use the whole log. An earlier date keeps the days after it to check the prediction on."),
    )
    horizon_days = forms.IntegerField(
        label=_("Days ahead"), min_value=1, max_value=LIFETIME_HORIZON_DAYS[1], initial=LIFETIME_HORIZON_DAYS[0]
    )
