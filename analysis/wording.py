"""What a model run's numbers mean, in the reader's words: one place that turns a forecast series' backtest and a
segmentation's validation into sentences, so the analysis page, the dashboard panel and the canvas note say the
same thing from the same numbers (never "−46 % better"). Results stored before these numbers existed are described
from what they hold, honestly."""

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from core.money import money_format

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
    """A model's name for the page: the naive baselines and the combination by what they do, the others (AutoETS,
    AutoTheta…: statsforecast's names, the same in every language) by name."""
    if name == COMBINATION:
        return _("mean of the best models")
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
    return _("%(choice)s %(accuracy)s.") % {"choice": choice, "accuracy": capfirst(accuracy)} if accuracy else choice


INTERVALS = {
    "conformal": gettext_lazy(
        "The %(low)s %% and %(high)s %% ranges are set from the forecast's own errors in the backtest (conformal intervals)."
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
        if baseline and model != baseline and mase is not None and baseline_mase:
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


def _auc(value: float | None) -> str:
    return number_format(value, decimal_pos=2, use_l10n=True) if value is not None else "—"


def segmentation_verdict(result: dict) -> str:
    """Which segments these are and what the test on later purchases said of them; "" for runs stored before it."""
    validation, method = result.get("validation"), result.get("method")
    if not method:
        return ""
    if not validation:
        if method == "rfm":
            return _(
                "These are RFM segments (recency, frequency, spend). The log is too short to test on later purchases whether clusters would do better."
            )
        return _("These are clusters of customers' behaviour; the log is too short to test them on later purchases.")
    auc = validation.get("auc", {})
    values = {"date": validation.get("split_at", ""), "rfm": _auc(auc.get("rfm")), "kmeans": _auc(auc.get("kmeans"))}
    if validation.get("chosen") == "kmeans":
        sentence = _(
            "Clusters were chosen: segmented on the log before %(date)s, they ranked who bought again after it better than "
            "RFM segments (AUC %(kmeans)s against %(rfm)s)."
        )
    elif auc.get("kmeans") is None:
        sentence = _("RFM segments: segmented on the log before %(date)s, they ranked who bought again after it with an AUC of %(rfm)s.")
    else:
        sentence = _(
            "RFM segments were kept: segmented on the log before %(date)s, they ranked who bought again after it at least as "
            "well as clusters (AUC %(rfm)s against %(kmeans)s)."
        )
    return (sentence % values) + " " + _("An AUC of 0.5 is a coin toss; 1 ranks every returning customer first.")


def segment_future_rows(result: dict, *, language: str) -> list[dict]:
    """The test's segments (of the method chosen): their share of customers and of the later period's revenue."""
    validation = result.get("validation") or {}
    rows = (validation.get("future_revenue_share") or {}).get(validation.get("chosen") or "") or []
    chinese = language.lower().startswith("zh")
    return [
        {
            "label": row.get("name_zh") if chinese and row.get("name_zh") else row.get("name", ""),
            "customers": row.get("share_of_customers", 0.0),
            "future_revenue": row.get("share_of_future_revenue", 0.0),
        }
        for row in rows
    ]


# What a segmentation's note codes mean (ml.segmentation); an unknown code falls back to the model's English note.
SEGMENT_NOTES = {
    "no_amounts": gettext_lazy("No amounts in the data: frequency counts events, and spend is neither used nor scored."),
    "sampled": gettext_lazy("The choice of the number of clusters, the silhouettes and the stability use a random sample of customers."),
    "k_given": gettext_lazy("The number of clusters was given, not searched for."),
    "elbow_chosen": gettext_lazy("Several numbers of clusters fitted almost as well: the one at the elbow of the fit was chosen."),
    "too_short_to_validate": gettext_lazy("The log is too short to split in time, so the segments could not be tested on later purchases."),
    "no_kmeans_contender": gettext_lazy("Clustering could not run on the earlier part of the log: only RFM segments were tested."),
}
SAID_BY_THE_VERDICT = ("rfm_won", "kmeans_won")


def segmentation_notes(result: dict) -> list[str]:
    codes, sentences = result.get("note_codes") or [], result.get("notes") or []
    if not codes:
        return [str(sentence) for sentence in sentences]
    return [
        str(SEGMENT_NOTES.get(code, sentences[index] if index < len(sentences) else code))
        for index, code in enumerate(codes)
        if code not in SAID_BY_THE_VERDICT
    ]


# What the forecaster's notes and reasons (codes, see ml/forecast.py) mean, for the page.
NOTES = {
    "short_history": gettext_lazy("Less than two seasons of history: only models without seasonality were tried."),
    "too_few_points": gettext_lazy("Too few periods to test models on: this is the naive forecast."),
    "all_zero": gettext_lazy("Every period is zero: this is the naive forecast."),
    "constant": gettext_lazy("The history is constant: this is the naive forecast."),
    "long_gap": gettext_lazy("The series has gone quiet (a long run of zeros at the end): this is the naive forecast."),
    "intermittent": gettext_lazy("Many periods are zero: models for intermittent demand (Croston, ADIDA, IMAPA) were tried too."),
    "intermittent_short": gettext_lazy("Many periods are zero, but the history is too short for the intermittent-demand models."),
    "leading_zeros_trimmed": gettext_lazy("Zeros before the first sale were left out (the series had not started)."),
    "missing_values_zeroed": gettext_lazy("Missing periods were counted as zero."),
    "model_failed": gettext_lazy("The models failed on this series: this is the naive forecast."),
    "split_capped": gettext_lazy("Only the largest series were kept; the rest are summed as “other”."),
    "partial_last_period": gettext_lazy("The last period is incomplete in the data."),
    "partial_last_period_dropped": gettext_lazy(
        "The data ends part-way through the last period: that period was left out, so it does not read as a fall."
    ),
    "orders_without_amount": gettext_lazy("No row has an amount: each distinct customer and time counts as one order."),
    "one_season": gettext_lazy(
        "Between one and two seasons of history: seasonal patterns were taken from one season and used only where the backtest supported them."
    ),
    "interval_from_level": gettext_lazy(
        "No variation to learn from (one point, or a flat history): the range is a fifth of the level either side at the first step, widening with time."
    ),
    "interval_from_few_points": gettext_lazy("The range comes from only a handful of period-to-period changes, so it is wide."),
    "backtest_pooled": gettext_lazy(
        "The backtest scores of this series were pooled with the run's other series before the model was chosen (one "
        "series' few windows are a noisy judge); the table shows those pooled scores."
    ),
    "lower_bound_ratio": gettext_lazy(
        "Where a symmetric range would have gone below zero, its lower end is as far below the forecast, in ratio, as the upper end is above it."
    ),
}


def note_texts(notes: list) -> list[str]:
    """Notes as sentences; a note is a code or a dict with a "code" (and numbers)."""
    codes = [note["code"] if isinstance(note, dict) else str(note) for note in notes]
    return [str(NOTES.get(code, code)) for code in codes]


# --- customer lifetime value ----------------------------------------------------------------------------------------


def amount(value: float, digits: int = 0) -> str:
    """A count or an amount for a sentence, grouped as the reader's language groups thousands."""
    return number_format(round(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def _money_digits(value: float) -> int:
    return 0 if abs(value) >= 100 else 2


def value_totals_words(result: dict, *, currency: str = "") -> list[str]:
    """What the run expects of the customers over the horizon, with the 80 % ranges, in two sentences (money in the
    venture's `currency`)."""
    purchases, value, average = result["totals"]["purchases"], result["totals"]["value"], result["average_value"]
    days = result["horizon_days"]
    digits = _money_digits(average["value"])
    return [
        _(
            "Over the next %(days)s days, the %(customers)s customers seen so far are expected to buy again about "
            "%(purchases)s times (80 %% range %(low)s to %(high)s), worth about %(value)s (80 %% range %(value_low)s to "
            "%(value_high)s)."
        )
        % {
            "days": amount(days),
            "customers": amount(result["customers"]),
            "purchases": amount(purchases["value"]),
            "low": amount(purchases["low"]),
            "high": amount(purchases["high"]),
            "value": money_format(value["value"], currency, digits=0),
            "value_low": money_format(value["low"], currency, digits=0),
            "value_high": money_format(value["high"], currency, digits=0),
        },
        _("That is %(value)s per customer on average (80 %% range %(low)s to %(high)s).")
        % {
            key: money_format(average[name], currency, digits=digits)
            for key, name in (("value", "value"), ("low", "low"), ("high", "high"))
        },
        value_range_words(result),
    ]


def value_range_words(result: dict) -> str:
    """What the 80 % ranges hold: the fit’s uncertainty and the purchases' chance, and the model’s own error found
    by refitting it inside the calibration period (ml.customer_value.inner_backtest), or why that is missing."""
    model_error = result.get("model_error")
    if not model_error:
        return _("The 80 %% ranges hold the fit’s uncertainty and the chance in who buys, not the model’s own error.") % {}
    if "skipped" in model_error:
        return (
            _(
                "The 80 %% ranges hold only the fit’s uncertainty and the chance in who buys, not the model’s own error: the "
                "calibration period is too short to test the model on part of it."
            )
            % {}
        )
    cuts = model_error["cuts"]
    values = {"count": len(cuts), "first": cuts[0]["cut"], "last": cuts[-1]["cut"], "date": result["calibration_end"]}
    if model_error["error_share"] > 0:
        return _(
            "The 80 %% ranges hold the fit’s uncertainty, the chance in who buys and the model’s own error: refitted at "
            "%(count)s earlier dates from %(first)s to %(last)s, it missed the rest of the log up to %(date)s by up to "
            "%(share)s %% beyond its own range, so the ranges were widened by that share. The expected totals themselves "
            "are not corrected."
        ) % {**values, "share": percent(model_error["error_share"])}
    return (
        _(
            "The 80 %% ranges hold the fit’s uncertainty and the chance in who buys: refitted at %(count)s earlier dates from "
            "%(first)s to %(last)s, the model predicted the rest of the log up to %(date)s within its own range, so they were "
            "not widened."
        )
        % values
    )


def arpu_words(result: dict, *, currency: str = "") -> str:
    """Revenue per active customer per month, then how many customers bought again: two sentences, joined as the
    reader's language joins them (a space in English, none after "。")."""
    arpu = _("Revenue per active customer per month, up to %(date)s: %(arpu)s.") % {
        "date": result["calibration_end"],
        "arpu": money_format(result["arpu"], currency, digits=_money_digits(result["arpu"])),
    }
    repeat = ngettext(
        "%(customers)s customer bought on more than one day.",
        "%(customers)s customers bought on more than one day.",
        result["repeat_customers"],
    ) % {"customers": amount(result["repeat_customers"])}
    return sentences([arpu, repeat])


def sentences(parts: list[str]) -> str:
    """Sentences run together as the reader's language writes them: after a space in English, none after "。"."""
    return ("" if (get_language() or "").startswith("zh") else " ").join(parts)


def concentration_words(result: dict, *, currency: str = "") -> str:
    """How concentrated the value is: the top tenth's share, and the median customer."""
    distribution = result["distribution"]
    median = distribution["quantiles"]["p50"]
    return _(
        "The top tenth of customers carry %(share)s %% of the predicted value; the median customer is expected to bring %(median)s."
    ) % {
        "share": percent(distribution["top_tenth_share"]),
        "median": money_format(median, currency, digits=_money_digits(median)),
    }


HOLDOUT_SKIPPED = {
    "no_data_after": gettext_lazy(
        "No check against later purchases: the model was fitted on the whole log, so nothing after it is left to compare "
        "with. Run it again with an earlier calibration end to see how well it predicts."
    ),
    "too_little": gettext_lazy(
        "No check against later purchases: less than four weeks of data before or after the calibration end is too little to judge by."
    ),
}


def holdout_words(result: dict) -> list[str]:
    """The check on the days after the calibration end: predicted against actual repeat purchases, in total and per
    customer beside the naive forecast "the same rate as before"; or why there is none."""
    holdout = result.get("holdout") or {}
    if "skipped" in holdout:
        return [str(HOLDOUT_SKIPPED.get(holdout["skipped"], holdout["skipped"]))]
    predicted, actual = holdout["predicted_total"], holdout["actual_total"]
    error = (predicted - actual) / actual if actual else 0.0
    if round(error * 100) > 0:
        direction = _("%(percent)s %% more than happened") % {"percent": percent(error)}
    elif round(error * 100) < 0:
        direction = _("%(percent)s %% fewer than happened") % {"percent": percent(-error)}
    else:
        direction = _("as many as happened")
    total = _(
        "Checked on the %(days)s days after %(date)s, which the model did not see: it expected %(predicted)s repeat "
        "purchases (80 %% range %(low)s to %(high)s) and %(actual)s happened: %(direction)s, %(inside)s."
    ) % {
        "days": amount(holdout["period_days"]),
        "date": result["calibration_end"],
        "predicted": amount(predicted),
        "low": amount(holdout["predicted_low"]),
        "high": amount(holdout["predicted_high"]),
        "actual": amount(actual),
        "direction": direction,
        "inside": _("inside the range") if holdout["covered"] else _("outside the range"),
    }
    words = [total]
    if holdout.get("mae_ratio") is not None:
        words.append(
            _(
                "Customer by customer it was off by %(mae)s purchases on average, against %(naive)s for the naive forecast "
                "“each customer keeps buying at the same rate as before”: %(ratio)s times its error."
            )
            % {"mae": amount(holdout["mae"], 2), "naive": amount(holdout["naive_mae"], 2), "ratio": amount(holdout["mae_ratio"], 2)}
        )
    return words


VALUE_NOTES = {
    "calibrated_on_whole_log": gettext_lazy("Fitted on the whole log."),
    "spend_follows_frequency": gettext_lazy(
        "Customers who buy more often also spend differently per purchase here, which the spend model assumes they do "
        "not: read the value per customer with care."
    ),
    "no_channel": gettext_lazy("The dataset has no channel column, so value by channel is not shown."),
    "channels_capped": gettext_lazy("Only the largest channels are listed."),
}


def value_notes(result: dict) -> list[str]:
    """The run's notes as sentences; whether the model was tested inside the calibration period is said by
    value_range_words, and the whole log's calibration by the page's chips."""
    return [str(VALUE_NOTES[code]) for code in result.get("notes", []) if code in VALUE_NOTES and code != "calibrated_on_whole_log"]


def value_method_words() -> str:
    return _(
        "Repeat purchases follow the BG/NBD model (each customer buys at their own pace and may quietly stop after any "
        "purchase), the amount per purchase the Gamma-Gamma model, both fitted by maximum likelihood on each "
        "customer's purchase days (rows with a positive amount, one per customer and day). Amounts are in the "
        "dataset's own units and not discounted."
    )
