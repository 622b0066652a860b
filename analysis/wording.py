"""What a model run's numbers mean, in the reader's words: one place that turns a forecast series' backtest and a
segmentation's validation into sentences, so the analysis page, the dashboard panel and the canvas note say the
same thing from the same numbers (never "−46 % better"). Results stored before these numbers existed are described
from what they hold, honestly."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NAIVE, SEASONAL_NAIVE, COMBINATION = "Naive", "SeasonalNaive", "Combination"
PERIODS = {
    "D": gettext_lazy("day"),
    "W": gettext_lazy("week"),
    "M": gettext_lazy("month"),
    "Q": gettext_lazy("quarter"),
    "Y": gettext_lazy("year"),
}
METRICS = {
    "orders": gettext_lazy("orders"),
    "revenue": gettext_lazy("revenue"),
    "quantity": gettext_lazy("quantity"),
    "active_users": gettext_lazy("active users"),
    "event_count": gettext_lazy("events"),
}
# What each naive baseline does, said as a founder would (a season of daily data is a week; of the others, a year).
REPEAT_SEASON = {"D": gettext_lazy("repeating last week")}
REPEAT_SEASON_DEFAULT = gettext_lazy("repeating last year")
REPEAT_LAST = {
    "D": gettext_lazy("repeating the last day"),
    "W": gettext_lazy("repeating the last week"),
    "M": gettext_lazy("repeating the last month"),
    "Q": gettext_lazy("repeating the last quarter"),
    "Y": gettext_lazy("repeating the last year"),
}


def percent(share: float, digits: int = 0) -> str:
    return number_format(round(share * 100, digits), decimal_pos=digits, use_l10n=True)


def model_words(name: str, frequency: str) -> str:
    """A model's name for the page: the naive baselines by what they do, the others by name."""
    if name == SEASONAL_NAIVE:
        return str(REPEAT_SEASON.get(frequency, REPEAT_SEASON_DEFAULT))
    if name == NAIVE:
        return str(REPEAT_LAST.get(frequency, REPEAT_LAST["M"]))
    return name


def series_accuracy(series: dict) -> dict:
    """The series' `accuracy` (error share, the better naive baseline, the gain over it), or for a result stored
    before it existed, what its backtest says: the gain over seasonal naive, the one baseline then scored."""
    if series.get("accuracy"):
        return series["accuracy"]
    chosen, naive = series.get("backtest", {}).get(series.get("model")), series.get("backtest", {}).get(SEASONAL_NAIVE)
    if not chosen or not naive or not naive.get("mase"):
        return {"error_share": None, "baseline": None, "vs_baseline": None}
    return {"error_share": None, "baseline": SEASONAL_NAIVE, "vs_baseline": 1 - chosen["mase"] / naive["mase"]}


def comparison_words(gain: float, baseline: str) -> str:
    """ "31 % lower error than repeating last year", "12 % higher error than …", or "the same error as …"."""
    if round(gain * 100) > 0:
        return _("%(percent)s %% lower error than %(baseline)s") % {"percent": percent(gain), "baseline": baseline}
    if round(gain * 100) < 0:
        return _("%(percent)s %% higher error than %(baseline)s") % {"percent": percent(-gain), "baseline": baseline}
    return _("the same error as %(baseline)s") % {"baseline": baseline}


def forecast_choice(series: dict, *, frequency: str) -> str:
    """Which forecast this is and why, from the backtest."""
    reason, model = series.get("reason", ""), series.get("model", "")
    members = ", ".join(series.get("members") or [])
    if reason.startswith("fallback_"):
        return _("The history is too short or too flat to test models on, so this is the naive forecast, untested.")
    if reason == "naive_best":
        return _("No model beat %(baseline)s in the backtest, so the forecast is %(baseline)s.") % {
            "baseline": model_words(model, frequency)
        }
    if reason == "combination_best":
        return _("The mean of %(models)s had the lowest error in the backtest, lower than any of them alone.") % {"models": members}
    if reason == "combination_preferred":  # stored by the rule before the forecast followed its backtest
        return _("This earlier run kept the mean of several models although one of them did better in the backtest; run it again.")
    return _("%(model)s had the lowest error in the backtest.") % {"model": model_words(model, frequency)}


def forecast_accuracy(series: dict, *, frequency: str, metric: str) -> str:
    """How far off the forecast typically was in the backtest, and against the better naive baseline; "" if untested."""
    accuracy = series_accuracy(series)
    parts = []
    if accuracy.get("error_share") is not None:
        parts.append(
            _("typical error ±%(percent)s %% of the %(metric)s per %(period)s in the backtest")
            % {"percent": percent(accuracy["error_share"]), "metric": METRICS.get(metric, metric), "period": PERIODS.get(frequency, "")}
        )
    if accuracy.get("vs_baseline") is not None and accuracy.get("baseline") and series.get("model") != accuracy["baseline"]:
        parts.append(comparison_words(accuracy["vs_baseline"], model_words(accuracy["baseline"], frequency)))
    return _("; ").join(parts)


def forecast_verdict(series: dict, *, frequency: str, metric: str) -> str:
    """The whole verdict in one line: the choice, then its accuracy (what the page, the panel and the note say)."""
    choice, accuracy = forecast_choice(series, frequency=frequency), forecast_accuracy(series, frequency=frequency, metric=metric)
    return _("%(choice)s Its %(accuracy)s.") % {"choice": choice, "accuracy": accuracy} if accuracy else choice


INTERVALS = {
    "conformal": gettext_lazy(
        "The %(low)s %% and %(high)s %% ranges are set from the forecast's own errors in the backtest (conformal "
        "intervals), so that about that share of periods fall inside them."
    ),
}


def interval_words(series: dict) -> str:
    """How the forecast's ranges were made, when the run says so."""
    words = INTERVALS.get((series.get("accuracy") or {}).get("interval", ""))
    return str(words) % {"low": 80, "high": 95} if words else ""


def candidate_rows(series: dict, *, frequency: str) -> list[dict]:
    """Every scored model, best first: its backtest errors and, in words, how it did against the better baseline."""
    accuracy = series_accuracy(series)
    baseline = accuracy.get("baseline")
    baseline_mase = (series.get("backtest", {}).get(baseline) or {}).get("mase") if baseline else None
    rows = []
    for model, scores in series.get("backtest", {}).items():
        mase = scores.get("mase")
        versus = ""
        if model != baseline and mase is not None and baseline_mase:
            versus = comparison_words(1 - mase / baseline_mase, model_words(baseline, frequency))
        rows.append(
            {
                "model": model_words(model, frequency),
                "mase": mase,
                "smape": scores.get("smape"),
                "versus": versus,
                "chosen": model == series["model"],
            }
        )
    return sorted(rows, key=lambda row: (row["mase"] is None, row["mase"] or 0))
