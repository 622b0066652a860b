"""Analyses: run a model (demand forecast, customer segmentation) from `ml/` on a ready dataset as a background job.
Parameters are checked here, before anything is queued; the worker claims the row (analysis/jobs.py), reads the
events through the storage API, runs the model with a heartbeat, and stores the result (and, for a segmentation,
the per-user table as Parquet) only once it is complete."""

import dataclasses
import io
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.events import dataset_events
from analysis.jobs import job_beat, job_cancel, job_claim, job_finish, jobs_requeue_lost, jobs_sweep_stale
from analysis.models import Analysis, Dataset
from core.errors import Conflict, InvalidInput
from core.files import rows_delete_with_files, storage_delete_on_commit
from ml.forecast import forecast
from ml.segmentation import SegmentationError, segment
from ml.series import SeriesError, build_series, propose_frequency
from teams.access import role_require
from teams.models import Role

logger = logging.getLogger(__name__)

METRICS = ("orders", "revenue", "quantity", "active_users", "event_count")
FREQUENCIES = ("D", "W", "M")
SPLITS = ("channel", "product")
# Default and largest horizon per frequency (periods ahead): a month, a quarter, half a year by default.
HORIZONS = {"D": (28, 180), "W": (12, 104), "M": (6, 36)}
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
    frequency = params.get("frequency") or frequency_proposed(dataset)
    if frequency not in FREQUENCIES:
        raise _problem(_("Unknown frequency %(frequency)s: choose D, W or M.") % {"frequency": frequency})
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


PARAMS_CLEAN: dict[str, Callable[[Dataset, dict], dict]] = {
    Analysis.Kind.FORECAST: forecast_params_clean,
    Analysis.Kind.SEGMENTATION: segmentation_params_clean,
}


def frequency_proposed(dataset: Dataset) -> str:
    """Day, week or month, from the span and density of the days that have events (kept in the ingest summary, so
    proposing needs no pass over the data)."""
    days = (dataset.report.get("summary") or {}).get("daily", {}).get("day", [])
    if not days:
        return "W"
    return propose_frequency(pd.Series(pd.to_datetime(days, utc=True)))


@transaction.atomic
def analysis_create(*, user: User, dataset: Dataset, kind: str, params: dict | None = None) -> Analysis:
    """Queue a model run. Editors and owners only; the dataset must be ready."""
    from analysis.tasks import analysis_run_task

    role_require(user=user, team=dataset.venture.team, minimum=Role.EDITOR)
    if kind not in PARAMS_CLEAN:
        raise InvalidInput(_("Unknown kind of analysis: choose forecast or segmentation."), code="kind")
    if dataset.status != Dataset.Status.READY:
        raise Conflict(_("The dataset is not ready yet: ingest it first."), code="dataset_not_ready")
    cleaned = PARAMS_CLEAN[kind](dataset, dict(params or {}))
    analysis = Analysis.objects.create(dataset=dataset, kind=kind, params=cleaned, attempt=1, created_by=user)
    transaction.on_commit(lambda: analysis_run_task.delay(analysis.pk, 1), robust=True)  # see dataset_ingest_start
    return analysis


@transaction.atomic
def analysis_rerun(*, user: User, analysis: Analysis, params: dict | None = None) -> Analysis:
    """Run the same kind of model again on the same dataset, with these (or the same) parameters: a new run, the
    earlier one is kept."""
    return analysis_create(user=user, dataset=analysis.dataset, kind=analysis.kind, params={**analysis.params, **(params or {})})


@transaction.atomic
def analysis_cancel(*, user: User, analysis: Analysis) -> Analysis:
    role_require(user=user, team=analysis.dataset.venture.team, minimum=Role.EDITOR)
    job_cancel(analysis)
    return analysis


@transaction.atomic
def analysis_delete(*, user: User, analysis: Analysis) -> None:
    """Delete the run and its segment member table (after the commit)."""
    role_require(user=user, team=analysis.dataset.venture.team, minimum=Role.EDITOR)
    rows_delete_with_files(analysis)


class _Stopped(Exception):
    """The run was cancelled, re-queued or swept while the model worked: its result is not wanted."""


def analysis_run(*, analysis_id: int, attempt: int) -> str:
    """The worker's part; idempotent like the ingest (claim by compare-and-set for this attempt). Returns the final
    status; raises JobBusy while another live delivery holds the job."""
    S = Analysis.Status
    if not job_claim(Analysis, pk=analysis_id, attempt=attempt, queued=S.QUEUED, running=S.RUNNING):
        return Analysis.objects.filter(pk=analysis_id).values_list("status", flat=True).first() or "gone"
    analysis = Analysis.objects.select_related("dataset").get(pk=analysis_id)
    members_name = ""
    try:
        with heartbeat(analysis):
            progress = _progress_reporter(analysis)
            if analysis.kind == Analysis.Kind.FORECAST:
                result = _forecast(analysis, progress)
            else:
                result, members = _segmentation(analysis, progress)
                members_name = _store_members(analysis, members)
    except _Stopped:
        return Analysis.objects.filter(pk=analysis_id).values_list("status", flat=True).first() or "gone"
    except (SeriesError, SegmentationError) as exc:
        job_finish(analysis, S.FAILED, error=model_error_message(exc), code=f"model_{exc.code}")
        return S.FAILED
    except SoftTimeLimitExceeded:
        job_finish(analysis, S.FAILED, error=_("The model took longer than the time limit."), code="time_limit")
        return S.FAILED
    except Exception as exc:  # recorded on the row, never left "running"
        logger.exception("analysis %s failed", analysis_id)
        message = _("The model failed unexpectedly (%(error)s).") % {"error": type(exc).__name__}
        job_finish(analysis, S.FAILED, error=message, code="internal")
        return S.FAILED
    with transaction.atomic():
        current = Analysis.objects.select_for_update().filter(pk=analysis_id).first()
        if current is None or current.attempt != attempt or current.status != S.RUNNING:  # deleted, cancelled or swept
            if members_name:
                default_storage.delete(members_name)
            return current.status if current else "gone"
        old = current.members
        current.result, current.members, current.status, current.progress = result, members_name, S.SUCCEEDED, 100
        current.finished_at = timezone.now()
        current.save()
    if old != members_name:
        storage_delete_on_commit([old])
    return S.SUCCEEDED


def model_error_message(exc: SeriesError | SegmentationError) -> str:
    """The model's refusal in the user's words (the model speaks in codes; its English detail is kept after)."""
    messages = {
        "no_rows": _("The dataset has no events to model."),
        "no_amounts": _("The dataset has no amounts, so revenue cannot be modelled."),
        "too_few_users": _("There are too few customers to find segments in."),
        "identical_users": _("All customers behave the same: there are no segments to find."),
        "unknown_metric": _("This metric is not known."),
        "split_empty": _("The column to split by is empty."),
    }
    return messages.get(exc.code, _("The model could not run on this data.")) + f" ({exc})"


def _progress_reporter(analysis: Analysis) -> Callable[[float], None]:
    """`report(fraction)` records progress for a fraction of the model's work (0–1 → 10–95 %); stops the run
    (raises _Stopped) once the job is no longer this attempt's."""

    def report(fraction: float) -> None:
        if not job_beat(analysis, running=Analysis.Status.RUNNING, progress=10 + int(85 * max(0.0, min(1.0, fraction)))):
            raise _Stopped()

    return report


@contextmanager
def heartbeat(analysis: Analysis) -> Iterator[None]:
    """Beat every JOB_HEARTBEAT_SECONDS from a side thread while the model computes (one KMeans fit or one batch of
    series can take longer than the staleness window): the job counts as abandoned only when its process is gone."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                Analysis.objects.filter(pk=analysis.pk, attempt=analysis.attempt, status=Analysis.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-analysis-{analysis.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


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
        "notes": _plain(series.notes),
        "series": [_plain(dataclasses.asdict(item)) for item in forecasts],
    }


def _segmentation(analysis: Analysis, progress: Callable[[float], None]) -> tuple[dict, pd.DataFrame]:
    events = dataset_events(
        analysis.dataset, ("user_id", "timestamp", "event", "amount", "channel"), categorical=("user_id", "event", "channel")
    )
    progress(0.05)
    result, members = segment(events, k=analysis.params.get("k"), progress=lambda fraction: progress(0.05 + 0.9 * fraction))
    return _plain(dataclasses.asdict(result)), members


def _store_members(analysis: Analysis, members: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    members.to_parquet(buffer, index=False, compression="zstd")
    return default_storage.save(f"analyses/{analysis.dataset_id}/{uuid.uuid4().hex}.parquet", ContentFile(buffer.getvalue()))


def _plain(value: object) -> object:
    """JSON-ready: NaN/inf become None, tuples lists, dict keys strings (JSONField and the API need plain data)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def analyses_sweep_stale() -> int:
    """Fail model runs whose worker died and that no redelivery took over. Returns how many."""
    return jobs_sweep_stale(
        Analysis,
        running=Analysis.Status.RUNNING,
        failed=Analysis.Status.FAILED,
        error=_("The worker stopped while running the model and the job was not picked up again. Run it again."),
    )


def analyses_requeue_lost() -> int:
    """Send again the model runs whose message the broker lost (see analysis.jobs.jobs_requeue_lost)."""
    from analysis.tasks import analysis_run_task

    return jobs_requeue_lost(Analysis, queued=Analysis.Status.QUEUED, send=analysis_run_task.delay)
