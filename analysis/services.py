"""Analyses: run a model (demand forecast, customer segmentation, customer lifetime value) from `ml/` on a ready
dataset as a background job. Parameters are checked here, before anything is queued; the worker runs it as a job
(core/jobs.py), reads the events through the storage API, runs the model with a heartbeat, and stores the result
(and, for a segmentation or lifetime value, the per-customer table as Parquet) only once it is complete."""

import dataclasses
import io
import math
import uuid
from collections.abc import Callable
from datetime import date
from typing import cast

import pandas as pd
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.models import Analysis
from core.errors import Conflict, InvalidInput
from core.files import rows_delete_with_files
from core.jobs import JobFailed, JobOutput, JobStopped, job_beat, job_cancel, job_run
from core.text import control_characters_refuse
from datasets.models import Dataset
from datasets.selectors import dataset_events
from ml.customer_value import customer_value
from ml.forecast import forecast
from ml.lifetime_value import LifetimeValueError
from ml.segmentation import SegmentationError, segment
from ml.series import SeriesError, build_series, propose_frequency
from teams.access import role_require
from teams.models import Role

METRICS = ("orders", "revenue", "quantity", "active_users", "event_count")
FREQUENCIES = ("D", "W", "M", "Q", "Y")
# The API also takes the words (any case): day, week, month, quarter, year.
FREQUENCY_WORDS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
SPLITS = ("channel", "product")
# Default and largest horizon per frequency (periods ahead): a month, a quarter, half a year, a year, three years.
HORIZONS = {"D": (28, 180), "W": (12, 104), "M": (6, 36), "Q": (4, 12), "Y": (3, 10)}
METRIC_NEEDS = {"revenue": "amount", "quantity": "quantity"}


def _problem(message: str) -> InvalidInput:
    return InvalidInput(message, code="params")


def forecast_params_clean(dataset: Dataset, params: dict) -> dict:
    """The forecast's parameters, completed with defaults (frequency proposed from the data) and checked against
    what the dataset has. Raises InvalidInput with the specific problem."""
    metric = params.get("metric") or "orders"
    if metric not in METRICS:
        raise _problem(_("Unknown metric %(metric)s: choose one of %(choices)s.") % {"metric": metric, "choices": ", ".join(METRICS)})
    needs = METRIC_NEEDS.get(metric)
    if needs and needs not in dataset.mapping:
        raise _problem(_("This dataset has no %(role)s column, so it cannot forecast %(metric)s.") % {"role": needs, "metric": metric})
    event = str(params.get("event") or "").strip()[:200]
    if metric == "event_count" and not event:
        raise _problem(_("Say which event to count."))
    if metric == "event_count" and "event" not in dataset.mapping:
        raise _problem(_("This dataset has no event column, so it cannot count an event."))
    frequency = frequency_clean(params.get("frequency")) or frequency_proposed(dataset)
    default, largest = HORIZONS[frequency]
    try:
        horizon = int(params.get("horizon") or default)
    except (TypeError, ValueError):
        raise _problem(_("The horizon must be a whole number of periods.")) from None
    if not 1 <= horizon <= largest:
        raise _problem(_("The horizon must be between 1 and %(largest)s periods for this frequency.") % {"largest": largest})
    split_by = params.get("split_by") or ""
    if split_by and split_by not in SPLITS:
        raise _problem(_("A forecast can be split by channel or product only."))
    if split_by and split_by not in dataset.mapping:
        raise _problem(_("This dataset has no %(role)s column to split by.") % {"role": split_by})
    return {
        "metric": metric,
        "frequency": frequency,
        "horizon": horizon,
        "split_by": split_by,
        "event": event,
        "thorough": _thorough_clean(params.get("thorough")),
    }


def _thorough_clean(value: object) -> bool:
    """Whether to also try AutoARIMA (slower; see ml/forecast.py): a JSON boolean, absent meaning no."""
    if value in (None, ""):
        return False
    if not isinstance(value, bool):
        raise _problem(_("“thorough” must be true or false (true also tries AutoARIMA, which is slower)."))
    return value


def frequency_clean(value: object) -> str:
    """ "D"…"Y" from a letter or a word (day, week, month, quarter, year); "" when none was given."""
    if value in (None, ""):
        return ""
    text = str(value).strip()
    frequency = FREQUENCY_WORDS.get(text.lower(), text.upper() if len(text) == 1 else text)
    if frequency not in FREQUENCIES:
        raise _problem(
            _("Unknown frequency %(frequency)s: choose D, W, M, Q or Y (day, week, month, quarter, year).") % {"frequency": text[:20]}
        )
    return frequency


def segmentation_params_clean(dataset: Dataset, params: dict) -> dict:
    k = params.get("k")
    if k in (None, "", "auto"):
        return {"k": None}
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise _problem(_("The number of segments must be a whole number from 2 to 10, or automatic.")) from None
    if not 2 <= k <= 10:
        raise _problem(_("The number of segments must be a whole number from 2 to 10, or automatic."))
    return {"k": k}


LIFETIME_HORIZON_DAYS = (365, 1095)  # default and largest: a year, three years


def lifetime_value_params_clean(dataset: Dataset, params: dict) -> dict:
    """Lifetime value's parameters: `calibration_end` (a day of the log; default: its last day, so no holdout) and
    `horizon_days` (1 to three years). Refused without an amount column: the value models need amounts."""
    if "amount" not in dataset.mapping:
        raise _problem(_("Value models need an amount column: this dataset has none."))
    if "user_id" not in dataset.mapping:
        raise _problem(_("Value models need a customer column: this dataset has none."))
    calibration_end = params.get("calibration_end") or None
    if calibration_end is not None:
        try:
            calibration_end = date.fromisoformat(str(calibration_end)).isoformat()
        except ValueError:
            raise _problem(_("The calibration end must be a date written YYYY-MM-DD.")) from None
        days = (dataset.report.get("summary") or {}).get("daily", {}).get("day") or []
        if days and not days[0][:10] <= calibration_end <= days[-1][:10]:
            raise _problem(
                _("The calibration end must lie within the log, from %(first)s to %(last)s.")
                % {"first": days[0][:10], "last": days[-1][:10]}
            )
    default, largest = LIFETIME_HORIZON_DAYS
    horizon = params.get("horizon_days")
    horizon = default if horizon in (None, "") else horizon
    if isinstance(horizon, bool) or not isinstance(horizon, int | str) or not str(horizon).strip().isdigit():
        raise _problem(_("The horizon must be a whole number of days."))
    if not 1 <= int(horizon) <= largest:
        raise _problem(_("The horizon must be between 1 and %(largest)s days.") % {"largest": largest})
    return {"calibration_end": calibration_end, "horizon_days": int(horizon)}


PARAMS_CLEAN: dict[str, Callable[[Dataset, dict], dict]] = {
    Analysis.Kind.FORECAST: forecast_params_clean,
    Analysis.Kind.SEGMENTATION: segmentation_params_clean,
    Analysis.Kind.LIFETIME_VALUE: lifetime_value_params_clean,
}


def frequency_proposed(dataset: Dataset) -> str:
    """Day, week or month, from the span and density of the days that have events (kept in the ingest summary, so
    proposing needs no pass over the data)."""
    days = (dataset.report.get("summary") or {}).get("daily", {}).get("day", [])
    if not days:
        return "W"
    return propose_frequency(pd.Series(pd.to_datetime(days, utc=True)))


def analysis_edit_require(*, user: User | AnonymousUser, dataset: Dataset) -> None:
    """Who may start, cancel and delete model runs on a dataset (editors and owners): the one check every write here
    makes; views ask it too where they must refuse before acting."""
    role_require(user=user, team=dataset.venture.team, minimum=Role.EDITOR)


@transaction.atomic
def analysis_create(*, user: User, dataset: Dataset, kind: str, params: dict | None = None) -> Analysis:
    """Queue a model run. Editors and owners only; the dataset must be ready."""
    from analysis.tasks import analysis_run_task

    analysis_edit_require(user=user, dataset=dataset)
    if kind not in PARAMS_CLEAN:
        raise InvalidInput(_("Unknown kind of analysis: choose forecast, segmentation or lifetime_value."), code="kind")
    if dataset.status != Dataset.Status.READY:
        raise Conflict(_("The dataset is not ready yet: ingest it first."), code="dataset_not_ready")
    params = dict(params or {})
    control_characters_refuse(params, field="params", code="params")  # PostgreSQL cannot even store a NUL
    cleaned = PARAMS_CLEAN[kind](dataset, params)
    analysis = Analysis.objects.create(dataset=dataset, kind=kind, params=cleaned, attempt=1, created_by=user)
    transaction.on_commit(lambda: analysis_run_task.delay(analysis.pk, 1), robust=True)  # robust: see dataset_ingest_start
    return analysis


@transaction.atomic
def analysis_rerun(*, user: User, analysis: Analysis, params: dict | None = None) -> Analysis:
    """Run the same kind of model again on the same dataset, with these (or the same) parameters: a new run, the
    earlier one is kept."""
    return analysis_create(user=user, dataset=analysis.dataset, kind=analysis.kind, params={**analysis.params, **(params or {})})


@transaction.atomic
def analysis_cancel(*, user: User, analysis: Analysis) -> Analysis:
    analysis_edit_require(user=user, dataset=analysis.dataset)
    job_cancel(analysis)
    return analysis


@transaction.atomic
def analysis_delete(*, user: User, analysis: Analysis) -> None:
    """Delete the run and its segment member table (after the commit)."""
    analysis_edit_require(user=user, dataset=analysis.dataset)
    rows_delete_with_files(analysis)


def analysis_run(*, analysis_id: int, attempt: int) -> str:
    """The worker's part (core.jobs.job_run: idempotent per attempt). Returns the final status."""
    return job_run(Analysis, pk=analysis_id, attempt=attempt, work=_model_run)


def _model_run(analysis: Analysis) -> JobOutput:
    progress = _progress_reporter(analysis)
    try:
        if analysis.kind == Analysis.Kind.FORECAST:
            return JobOutput(fields={"result": _forecast(analysis, progress)})
        if analysis.kind == Analysis.Kind.LIFETIME_VALUE:
            result, members = _lifetime_value(analysis, progress)
        else:
            result, members = _segmentation(analysis, progress)
    except (SeriesError, SegmentationError, LifetimeValueError) as exc:
        raise JobFailed(model_error_message(exc), f"model_{exc.code}") from exc
    return JobOutput(fields={"result": result}, file=_store_members(analysis, members))


def model_error_message(exc: SeriesError | SegmentationError | LifetimeValueError) -> str:
    """The model's refusal in the user's words (the model speaks in codes; its English detail is kept after)."""
    messages = {
        "no_rows": _("The dataset has no events to model."),
        "no_amounts": _("The dataset has no amounts, so revenue cannot be modelled."),
        "too_few_users": _("There are too few customers to find segments in."),
        "identical_users": _("All customers behave the same: there are no segments to find."),
        "unknown_metric": _("This metric is not known."),
        "split_empty": _("The column to split by is empty."),
        "no_purchases": _("No row up to the calibration end has a positive amount: there are no purchases to model."),
        "no_repeaters": _("Nobody bought on a second day before the calibration end, so repeat buying cannot be learnt."),
        "too_few_repeaters": _("Too few customers bought twice (with different amounts) to learn what a purchase is worth."),
        "no_fit": _("The lifetime value model could not be fitted to this data."),
    }
    return messages.get(exc.code, _("The model could not run on this data.")) + f" ({exc})"


def _progress_reporter(analysis: Analysis) -> Callable[[float], None]:
    """`report(fraction)` records progress for a fraction of the model's work (0–1 → 10–95 %); stops the run
    (raises JobStopped) once the job is no longer this attempt's."""

    def report(fraction: float) -> None:
        if not job_beat(analysis, progress=10 + int(85 * max(0.0, min(1.0, fraction)))):
            raise JobStopped()

    return report


def _forecast(analysis: Analysis, progress: Callable[[float], None]) -> dict:
    params = analysis.params
    columns = ("user_id", "timestamp", "event", "amount", "quantity", "product", "channel")
    events = dataset_events(analysis.dataset, columns)
    progress(0.02)
    series = build_series(
        events, params["metric"], params["frequency"], split_by=params.get("split_by") or None, event_name=params.get("event") or None
    )
    del events
    progress(0.05)
    forecasts = forecast(
        series.frame,
        params["frequency"],
        params["horizon"],
        thorough=bool(params.get("thorough")),  # runs stored before the parameter existed lack it
        progress=lambda fraction: progress(0.05 + 0.95 * fraction),
    )
    return {
        "metric": params["metric"],
        "frequency": params["frequency"],
        "horizon": params["horizon"],
        "notes": json_ready(series.notes),
        "series": [json_ready(dataclasses.asdict(item)) for item in forecasts],
    }


def _segmentation(analysis: Analysis, progress: Callable[[float], None]) -> tuple[dict, pd.DataFrame]:
    events = dataset_events(
        analysis.dataset, ("user_id", "timestamp", "event", "amount", "channel"), categorical=("user_id", "event", "channel")
    )
    progress(0.05)
    result, members = segment(events, k=analysis.params.get("k"), progress=lambda fraction: progress(0.05 + 0.9 * fraction))
    return cast(dict, json_ready(dataclasses.asdict(result))), members


def _lifetime_value(analysis: Analysis, progress: Callable[[float], None]) -> tuple[dict, pd.DataFrame]:
    """ml.customer_value on the purchases (user, time, amount and, when there is one, channel)."""
    columns = ("user_id", "timestamp", "amount", *(("channel",) if "channel" in analysis.dataset.mapping else ()))
    events = dataset_events(analysis.dataset, columns, categorical=tuple(name for name in ("user_id", "channel") if name in columns))
    progress(0.05)
    end = analysis.params.get("calibration_end")
    result = customer_value(
        events,
        calibration_end=date.fromisoformat(end) if end else None,
        horizon_days=analysis.params["horizon_days"],
        progress=lambda fraction: progress(0.05 + 0.9 * fraction),
    )
    del events
    fields = {field.name: getattr(result, field.name) for field in dataclasses.fields(result) if field.name != "customers_table"}
    return cast(dict, json_ready(fields)), result.customers_table


def _store_members(analysis: Analysis, members: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    members.to_parquet(buffer, index=False, compression="zstd")
    return default_storage.save(f"analyses/{analysis.dataset_id}/{uuid.uuid4().hex}.parquet", ContentFile(buffer.getvalue()))


def json_ready(value: object) -> object:
    """JSON-ready: NaN/inf become None, tuples lists, dict keys strings (JSONField and the API need plain data), a
    NUL U+FFFD (PostgreSQL cannot store it; a value of the user's file, e.g. a product's name, may hold one)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {str(json_ready(key)): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value
