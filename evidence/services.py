"""The canvas fed by the data: an analysis's result becomes canvas items that cite it. A segmentation gives one
Customer Segments item per segment (name, size, share of revenue); a revenue forecast gives one Revenue Streams item
(next period's revenue with its 80 % interval); a lifetime value run one Revenue Streams item (ARPU and the expected
value per customer over the run's horizon with its 80 % range). Each item links to the analysis page, carries the chart that backs it
and its provenance (canvas.sources: dataset, period, model, date of the run).

A dataset's retention cohorts give one Customer Relationships item: the share of customers still active 1, 3, 6 and
12 months after their first (the ages the data has; weeks for data shorter than two months).

One note per finding: a finding is (canvas, dataset, kind of analysis, key), the key being the forecast's metric and
frequency, the segment's name, "value" for lifetime value, or the retention's period. Adding a run of a finding
already on the canvas updates that note in place through the canvas service (its version goes up, history records
the change), unless the note comes from a newer run.

A note is stale (`data_notes_stale`, registered with canvas.sources) when:
- `deleted`: its dataset is gone;
- `newer_data`: a ready dataset of the same venture with the same name or the same uploaded file name was uploaded
  after its own (the same source, uploaded again);
- `contradicted`: the newest successful run of the same finding on the same dataset says otherwise: for the forecast,
  that run's figure for the note's period lies outside the note's 80 % interval; for a segment, that run has no
  segment of that name, or its share of revenue differs by 5 percentage points or more, or its size by 20 % or more;
  for lifetime value, that run (over the same horizon) expects a value per customer outside the note's 80 % range;
- `newer_run`: otherwise, when that newest run is not the note's own and finished after it; for retention, when the
  dataset was ingested again after the note's cohorts were computed.
"""

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from statsmodels.stats.proportion import proportion_confint

from accounts.models import User
from analysis.models import Analysis
from analysis.selectors import analysis_segments
from analysis.wording import amount, forecast_verdict, holdout_words, model_words, sentences
from canvas.models import Canvas, CanvasItem
from canvas.services import item_add, item_update
from canvas.sources import Stale
from core.errors import Conflict, InvalidInput, NotFound
from core.money import money_format
from datasets.models import Dataset, DatasetCohorts
from datasets.selectors import CohortsPending, dataset_cohorts
from ingest.cohorts import CohortTable

SEGMENTS_BLOCK = "customer_segments"
REVENUE_BLOCK = "revenue_streams"
RETENTION_BLOCK = "customer_relationships"
RETENTION = "retention"  # the kind of a retention note's finding and source
RETENTION_AGES = (1, 3, 6, 12)
# What makes a newer run's segment contradict a note (see the module's docstring).
SHARE_POINTS_MATERIAL = 0.05
SIZE_RATIO_MATERIAL = 0.2
YEAR_DAYS = 365
LEGACY_FIGURE = re.compile(r"/api/v1/analyses/([0-9]+)/figures/")
METHODS = {"rfm": gettext_lazy("RFM segments"), "kmeans": gettext_lazy("k-means clusters")}


def _number(value: float, digits: int = 0) -> str:
    return number_format(round(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def finding_of(*, dataset_id: int, kind: str, key: str) -> str:
    """A finding's identity on a canvas (CanvasItem.finding)."""
    return f"dataset:{dataset_id}/{kind}/{key}"


def _run_scope(kind: str, params: dict) -> str | None:
    """Which runs state the same findings: forecasts of one metric at one frequency, unsplit (a split forecast
    feeds no note: None); every segmentation of the dataset."""
    if kind == Analysis.Kind.FORECAST:
        return None if params.get("split_by") else f"{params.get('metric')}/{params.get('frequency')}"
    return ""


def _period(analysis: Analysis) -> tuple[str, str]:
    """The first and last day of the data the run modelled (the dataset's days with events)."""
    return _days(analysis.dataset)


def _days(dataset: Dataset) -> tuple[str, str]:
    """The first and last day of a dataset with events."""
    days = ((dataset.report or {}).get("summary") or {}).get("daily", {}).get("day") or []
    return (days[0], days[-1]) if days else ("", "")


def _source(analysis: Analysis, *, model: str, figure: dict) -> dict:
    start, end = _period(analysis)
    return {
        "dataset": analysis.dataset_id,
        "dataset_name": analysis.dataset.name,
        "kind": analysis.kind,
        "analysis": analysis.pk,
        "period_start": start,
        "period_end": end,
        "model": model,
        "run_at": (analysis.finished_at or analysis.created_at).isoformat(),
        "figure": figure,
    }


def analysis_items(analysis: Analysis, *, language: str) -> tuple[str, list[dict]]:
    """The block and the items (text, note, evidence, its chart, finding, source) an analysis contributes; money in
    the venture's currency."""
    page = analysis.get_absolute_url()
    currency = analysis.dataset.venture.currency
    if analysis.kind == Analysis.Kind.SEGMENTATION:
        figure = f"/api/v1/analyses/{analysis.pk}/figures/segments/"
        model = str(METHODS.get(analysis.result.get("method", ""), analysis.result.get("method", "")))
        items = []
        for segment in analysis_segments(analysis, language=language):
            profile = segment.get("profile", {})
            text = _("%(name)s: %(size)s customers, %(share)s %% of revenue") % {
                "name": segment["label"],
                "size": _number(segment["size"]),
                "share": _number(segment["revenue_share"] * 100),
            }
            note = _("On average %(recency)s days since the last purchase, %(orders)s orders, %(spend)s spent.") % {
                "recency": _number(profile.get("recency", 0)),
                "orders": _number(profile.get("frequency", 0), 1),
                "spend": money_format(profile.get("monetary", 0), currency, digits=0),
            }
            items.append(
                {
                    "text": text,
                    "note": note,
                    "evidence": f"{page}#segments",
                    "evidence_figure": figure,
                    "finding": finding_of(dataset_id=analysis.dataset_id, kind=analysis.kind, key=segment["name"]),
                    "source": _source(analysis, model=model, figure={"size": segment["size"], "revenue_share": segment["revenue_share"]}),
                }
            )
        return SEGMENTS_BLOCK, items
    result = analysis.result
    if analysis.kind == Analysis.Kind.LIFETIME_VALUE:
        return REVENUE_BLOCK, [_lifetime_value_item(analysis, page)]
    if result.get("metric") != "revenue":
        raise InvalidInput(_("Only a revenue forecast can feed Revenue Streams: run one with the metric “Revenue”."), code="not_revenue")
    if len(result.get("series", [])) != 1:
        raise InvalidInput(_("Only a forecast of the total (not split) can feed Revenue Streams."), code="split_forecast")
    series = result["series"][0]
    next_period = series["forecast"][0]
    text = _("Revenue forecast for %(period)s: %(value)s (80 %% interval %(low)s–%(high)s)") % {
        "period": next_period["ds"],
        "value": money_format(next_period["yhat"], currency, digits=0),
        "low": money_format(next_period["lo80"], currency, digits=0),
        "high": money_format(next_period["hi80"], currency, digits=0),
    }
    note = forecast_verdict(series, frequency=result.get("frequency", ""), metric="revenue")
    stated = {key: next_period[key] for key in ("ds", "yhat", "lo80", "hi80")}
    return REVENUE_BLOCK, [
        {
            "text": text,
            "note": note,
            "evidence": f"{page}#forecast",
            "evidence_figure": f"/api/v1/analyses/{analysis.pk}/figures/forecast/",
            "finding": finding_of(dataset_id=analysis.dataset_id, kind=analysis.kind, key=_run_scope(analysis.kind, result) or ""),
            "source": _source(analysis, model=model_words(series.get("model", ""), result.get("frequency", "")), figure=stated),
        }
    ]


def _lifetime_value_item(analysis: Analysis, page: str) -> dict:
    """ "ARPU … per month; expected 12-month value per customer … (80 %: … – …)", the holdout check as its note."""
    result, currency = analysis.result, analysis.dataset.venture.currency
    average, days = result["average_value"], result["horizon_days"]
    digits = 0 if average["value"] >= 100 else 2
    values = {
        "arpu": money_format(result["arpu"], currency, digits=0 if result["arpu"] >= 100 else 2),
        "value": money_format(average["value"], currency, digits=digits),
        "low": money_format(average["low"], currency, digits=digits),
        "high": money_format(average["high"], currency, digits=digits),
        "days": amount(days),
    }
    if days == YEAR_DAYS:
        text = _("ARPU %(arpu)s per month; expected 12-month value per customer %(value)s (80 %%: %(low)s – %(high)s)") % values
    else:
        text = _("ARPU %(arpu)s per month; expected %(days)s-day value per customer %(value)s (80 %%: %(low)s – %(high)s)") % values
    stated = {"horizon_days": days, **{key: average[key] for key in ("value", "low", "high")}}
    return {
        "text": text,
        "note": sentences(holdout_words(result)),
        "evidence": f"{page}#lifetime-value",
        "evidence_figure": f"/api/v1/analyses/{analysis.pk}/figures/value_distribution/",
        "finding": finding_of(dataset_id=analysis.dataset_id, kind=analysis.kind, key="value"),
        "source": _source(analysis, model="BG/NBD, Gamma-Gamma", figure=stated),
    }


def _newer(entry: dict, item: CanvasItem) -> bool:
    """Whether the entry's run is at least as recent as the one the note states (an older run never replaces it)."""
    theirs, ours = parse_datetime(item.source.get("run_at") or ""), parse_datetime(entry["source"]["run_at"])
    return theirs is None or ours is None or ours >= theirs


@transaction.atomic
def analysis_to_canvas(*, user: User, analysis: Analysis, canvas: Canvas, language: str) -> list[CanvasItem]:
    """Put the analysis's findings on a canvas of the same venture (another venture's canvas: NotFound): a finding
    already there is updated in place (a new item version, recorded in history) if this run is not older than the
    note's, a new one is added. Returns the items now on the canvas for these findings."""
    if canvas.venture_id != analysis.dataset.venture_id:
        raise NotFound()
    if analysis.status != Analysis.Status.SUCCEEDED:
        raise Conflict(_("The analysis has not finished."), code="analysis_not_finished")
    block, entries = analysis_items(analysis, language=language)
    if block not in canvas.blueprint.keys:
        raise InvalidInput(_("This canvas has no block for these items."), code="no_block")
    existing = {item.finding: item for item in canvas.items.filter(finding__in=[entry["finding"] for entry in entries])}
    existing |= _legacy_notes(canvas, analysis, block, [entry for entry in entries if entry["finding"] not in existing])
    return _notes_put(user=user, canvas=canvas, block=block, entries=entries, existing=existing)


def _notes_put(*, user: User, canvas: Canvas, block: str, entries: list[dict], existing: dict[str, CanvasItem]) -> list[CanvasItem]:
    """Each entry's note: added, or the note of its finding updated in place unless the entry is older."""
    items = []
    for entry in entries:
        item = existing.get(entry["finding"])
        if item is None:
            item = item_add(user=user, canvas=canvas, block=block, color="blue", **entry)
        elif _newer(entry, item):
            item = item_update(user=user, item=item, expected_version=item.version, **entry)
        items.append(item)
    return items


def retention_item(*, user: User, dataset: Dataset) -> dict:
    """The Customer Relationships item of a dataset's retention: the average share of a cohort still active 1, 3, 6
    and 12 months after its first (those the data has), by month, or by week for data shorter than two months."""
    tables: dict[str, CohortTable] = {}
    for period in ("month", "week"):
        table = dataset_cohorts(user=user, dataset=dataset, period=period)
        if isinstance(table, CohortsPending):
            raise Conflict(_("The retention cohorts are still being computed: try again in a moment."), code="cohorts_pending")
        tables[period] = table
    table = tables["month"] if len(tables["month"].average_active) > 1 else tables["week"]
    curve = table.average_active
    ages = [age for age in RETENTION_AGES if age < len(curve)]
    if not ages:
        raise InvalidInput(_("The data spans a single period: retention needs at least two."), code="too_short")
    shares = [f"{_age(table.period, age)} {_number(curve[age] * 100)} %" for age in ages]
    note = _(
        "Share of customers with any event that many periods after their first, averaged over the cohorts old enough for each, with its 95 %% interval: %(basis)s."
    ) % {"basis": pgettext("between the parts of a list", "; ").join(_retention_basis(table, age) for age in ages)}
    start, end = _days(dataset)
    computed = DatasetCohorts.objects.get(dataset=dataset).finished_at
    return {
        "text": _("Retention: %(shares)s") % {"shares": pgettext("between the parts of a list", ", ").join(shares)},
        "note": note,
        "evidence": f"{dataset.get_absolute_url()}?period={table.period}#retention",
        "finding": finding_of(dataset_id=dataset.pk, kind=RETENTION, key=table.period),
        "source": {
            "dataset": dataset.pk,
            "dataset_name": dataset.name,
            "kind": RETENTION,
            "period_start": start,
            "period_end": end,
            "model": _("Retention cohorts"),
            "run_at": computed.isoformat() if computed else "",
            "figure": {"period": table.period, "active": {str(age): curve[age] for age in ages}},
        },
    }


def _retention_basis(table: CohortTable, age: int) -> str:
    """What one age's share rests on: its Wilson 95 % interval and the cohorts and customers averaged (the later
    ages rest on the oldest cohorts only, so a reader sees how much a 12-month figure can be trusted)."""
    customers = table.average_customers[age] if age < len(table.average_customers) else 0
    if not customers:  # cohorts stored before the counts were kept
        return f"{_age(table.period, age)} {_number(table.average_active[age] * 100)} %"
    low, high = proportion_confint(round(table.average_active[age] * customers), customers, alpha=0.05, method="wilson")
    return _("%(age)s %(low)s–%(high)s %% (%(cohorts)s cohorts, %(customers)s customers)") % {
        "age": _age(table.period, age),
        "low": _number(low * 100),
        "high": _number(high * 100),
        "cohorts": _number(table.average_cohorts[age]),
        "customers": _number(customers),
    }


def _age(period: str, age: int) -> str:
    if period == "month":
        return ngettext("%(count)s month", "%(count)s months", age) % {"count": age}
    return ngettext("%(count)s week", "%(count)s weeks", age) % {"count": age}


@transaction.atomic
def retention_to_canvas(*, user: User, dataset: Dataset, canvas: Canvas) -> CanvasItem:
    """Put a dataset's retention on a canvas of the same venture (another venture's canvas: NotFound) as one note,
    updated in place when added again. Refused while the cohorts are computed (Conflict)."""
    if canvas.venture_id != dataset.venture_id:
        raise NotFound()
    if RETENTION_BLOCK not in canvas.blueprint.keys:
        raise InvalidInput(_("This canvas has no block for these items."), code="no_block")
    entry = retention_item(user=user, dataset=dataset)
    existing = {item.finding: item for item in canvas.items.filter(finding=entry["finding"])}
    [item] = _notes_put(user=user, canvas=canvas, block=RETENTION_BLOCK, entries=[entry], existing=existing)
    return item


def _legacy_notes(canvas: Canvas, analysis: Analysis, block: str, entries: list[dict]) -> dict[str, CanvasItem]:
    """Notes put on the canvas from this finding's runs before notes had a finding (their chart cites a run of the
    same dataset, kind and scope): each is taken as the note of the entry its words begin like (the segment's name,
    or the forecast), so adding again updates it instead of adding a twin. Of twins made then, the first is taken."""
    if not entries:
        return {}
    candidates = list(canvas.items.filter(block=block, finding="", evidence_figure__startswith="/api/v1/analyses/"))
    cited = {item.pk: int(match.group(1)) for item in candidates if (match := LEGACY_FIGURE.match(item.evidence_figure))}
    scope = _run_scope(analysis.kind, analysis.params)
    runs = {
        run.pk
        for run in Analysis.objects.filter(pk__in=set(cited.values()), dataset_id=analysis.dataset_id, kind=analysis.kind).only(
            "id", "params"
        )
        if _run_scope(run.kind, run.params) == scope
    }
    notes = [item for item in candidates if cited.get(item.pk) in runs]
    adopted: dict[str, CanvasItem] = {}
    for entry in entries:
        head = entry["text"].split(":", 1)[0] + ":" if analysis.kind == Analysis.Kind.SEGMENTATION else ""
        note = next((item for item in notes if item.text.startswith(head) and item not in adopted.values()), None)
        if note is not None:
            adopted[entry["finding"]] = note
    return adopted


# --- stale notes ------------------------------------------------------------------------------------------------


def _finding_scope(item: CanvasItem) -> tuple[int, str, str | None]:
    """(dataset, kind, run scope) of a note's finding."""
    source = item.source
    kind = source.get("kind", "")
    key = item.finding.split("/", 2)[2] if item.finding.count("/") >= 2 else ""
    return source.get("dataset", 0), kind, key if kind == Analysis.Kind.FORECAST else ""


def _newest_runs(dataset_ids: Iterable[int]) -> dict[tuple[int, str, str | None], Analysis]:
    """The newest successful run of each (dataset, kind, scope), with its result (two queries)."""
    newest: dict[tuple[int, str, str | None], int] = {}
    runs = Analysis.objects.filter(dataset_id__in=set(dataset_ids), status=Analysis.Status.SUCCEEDED).order_by("-finished_at", "-id")
    for run in runs.only("id", "dataset_id", "kind", "params", "finished_at"):
        newest.setdefault((run.dataset_id, run.kind, _run_scope(run.kind, run.params)), run.pk)
    loaded = Analysis.objects.in_bulk(newest.values())
    return {scope: loaded[pk] for scope, pk in newest.items()}


def _when(moment: datetime | None) -> str:
    return date_format(moment, "SHORT_DATE_FORMAT") if moment else "—"


def _contradiction(item: CanvasItem, run: Analysis) -> str:
    """Why the newest run contradicts the note ("" if it does not), by the rule of the module's docstring."""
    figure = item.source.get("figure") or {}
    if run.kind == Analysis.Kind.FORECAST:
        series = (run.result.get("series") or [{}])[0]
        point = next((point for point in series.get("forecast", []) if point["ds"] == figure.get("ds")), None)
        if point is None or not ("lo80" in figure and "hi80" in figure) or figure["lo80"] <= point["yhat"] <= figure["hi80"]:
            return ""
        return _("The newest run (%(date)s) forecasts %(value)s for %(period)s, outside this note's 80 %% interval.") % {
            "date": _when(run.finished_at),
            "value": _number(point["yhat"]),
            "period": point["ds"],
        }
    if run.kind == Analysis.Kind.LIFETIME_VALUE:
        average = (run.result.get("average_value") or {}).get("value")
        if average is None or run.result.get("horizon_days") != figure.get("horizon_days") or not ("low" in figure and "high" in figure):
            return ""  # over another horizon it states another figure: a newer run, no contradiction
        if figure["low"] <= average <= figure["high"]:
            return ""
        return _("The newest run (%(date)s) expects %(value)s per customer over %(days)s days, outside this note's 80 %% range.") % {
            "date": _when(run.finished_at),
            "value": _number(average, 2),
            "days": _number(figure["horizon_days"]),
        }
    name = item.finding.split("/", 2)[2] if item.finding.count("/") >= 2 else ""
    segment = next((segment for segment in run.result.get("segments", []) if segment["name"] == name), None)
    if segment is None:
        return _("The newest run (%(date)s) finds no such segment.") % {"date": _when(run.finished_at)}
    size, share = figure.get("size"), figure.get("revenue_share")
    if size is None or share is None:
        return ""
    if abs(segment["revenue_share"] - share) < SHARE_POINTS_MATERIAL and abs(segment["size"] - size) < SIZE_RATIO_MATERIAL * max(size, 1):
        return ""
    return _("The newest run (%(date)s) says %(size)s customers, %(share)s %% of revenue.") % {
        "date": _when(run.finished_at),
        "size": _number(segment["size"]),
        "share": _number(segment["revenue_share"] * 100),
    }


def cited_datasets(notes: list[CanvasItem]) -> tuple[dict[int, Dataset], list[Dataset]]:
    """The datasets these notes cite (by id, with their venture; a deleted one is missing), and the ready datasets of their ventures (to
    find newer uploads of the same source). Two queries."""
    dataset_ids = {item.source.get("dataset") for item in notes}
    datasets = Dataset.objects.select_related("venture").in_bulk([pk for pk in dataset_ids if isinstance(pk, int)])
    ready = list(
        Dataset.objects.filter(venture_id__in={dataset.venture_id for dataset in datasets.values()}, status=Dataset.Status.READY).only(
            "id", "venture_id", "name", "original_name", "created_at"
        )
    )
    return datasets, ready


def dataset_stale(dataset: Dataset | None, ready: list[Dataset]) -> list[Stale]:
    """Why a note citing this dataset no longer holds on the data's side: it was deleted, or newer data of the same
    source was uploaded. The part of the stale rule every kind of data note shares."""
    if dataset is None:
        return [Stale("deleted", _("The data behind this note was deleted."))]
    upload = _newer_upload(dataset, ready)
    if upload is None:
        return []
    return [
        Stale(
            "newer_data",
            _("Newer data: “%(dataset)s” was uploaded on %(date)s.") % {"dataset": upload.name, "date": _when(upload.created_at)},
        )
    ]


def _newer_upload(dataset: Dataset, ready: list[Dataset]) -> Dataset | None:
    """The latest ready dataset of the same source (same name or same file name) uploaded after this one."""
    later = [
        other
        for other in ready
        if other.venture_id == dataset.venture_id
        and other.created_at > dataset.created_at
        and (other.name == dataset.name or other.original_name == dataset.original_name)
    ]
    return max(later, key=lambda other: other.created_at, default=None)


def data_notes_stale(items: list[CanvasItem]) -> dict[int, list[Stale]]:
    """Which of these notes from data no longer hold, and why (the rule is the module's docstring). Four queries (five with retention notes)."""
    notes = [item for item in items if item.finding and item.source.get("kind") in (*Analysis.Kind.values, RETENTION)]
    if not notes:
        return {}
    datasets, ready = cited_datasets(notes)
    newest = _newest_runs(datasets)
    retention = {item.source.get("dataset") for item in notes if item.source.get("kind") == RETENTION}
    computed = dict(DatasetCohorts.objects.filter(dataset_id__in=retention).values_list("dataset_id", "finished_at")) if retention else {}
    found: dict[int, list[Stale]] = {}
    for item in notes:
        dataset = datasets.get(item.source.get("dataset"))
        reasons = found.setdefault(item.pk, dataset_stale(dataset, ready))
        if dataset is None:
            continue
        if item.source.get("kind") == RETENTION:
            reasons.extend(_retention_stale(item, computed.get(dataset.pk)))
            continue
        run = newest.get(_finding_scope(item))
        if run is None or run.pk == item.source.get("analysis"):
            continue
        if contradiction := _contradiction(item, run):
            reasons.append(Stale("contradicted", contradiction))
        else:  # the newest run of this finding is not the note's
            reasons.append(
                Stale(
                    "newer_run",
                    _("A newer run of %(date)s exists: add it to the canvas to update this note.") % {"date": _when(run.finished_at)},
                )
            )
    return {pk: reasons for pk, reasons in found.items() if reasons}


def _retention_stale(item: CanvasItem, computed: datetime | None) -> list[Stale]:
    """A retention note states the cohorts of one ingest: cohorts computed after the note's (the dataset ingested
    again) make it stale."""
    stated = parse_datetime(item.source.get("run_at") or "")
    if stated is None or computed is None or computed <= stated:
        return []
    return [
        Stale(
            "newer_run",
            _("The data was ingested again on %(date)s: add its retention to the canvas to update this note.") % {"date": _when(computed)},
        )
    ]
