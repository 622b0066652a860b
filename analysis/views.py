"""Pages of the model runs: start one from a dataset's page, follow it, read its result with charts."""

import json
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis.figures import analysis_figure, segment_labels
from analysis.forms import ForecastForm, LifetimeValueForm, SegmentationForm
from analysis.models import Analysis
from analysis.selectors import FIGURE_NAMES, analysis_get_for_user, analysis_segments, analysis_series
from analysis.services import analysis_cancel, analysis_create, analysis_delete, analysis_edit_require, frequency_proposed
from analysis.wording import (
    arpu_words,
    candidate_rows,
    concentration_words,
    forecast_verdict,
    holdout_words,
    interval_words,
    model_words,
    note_texts,
    segment_future_rows,
    segmentation_notes,
    segmentation_verdict,
    value_method_words,
    value_notes,
    value_totals_words,
)
from core.errors import NotFound
from core.web import allowed_or_403, get_or_404, service_run
from datasets.models import Dataset
from datasets.selectors import dataset_get_for_user
from teams.access import can_edit


def analysis_forms(dataset: Dataset, data: dict | None = None, kind: str = "", initial: dict | None = None) -> dict[str, forms.Form]:
    """The "run a model" forms of a ready dataset's page (bound to `data` for the one that was posted; filled
    with an earlier run's parameters to run it again with changes)."""
    frequency = frequency_proposed(dataset)
    forecast_initial = initial if kind == "forecast" else None
    segmentation_initial = initial if kind == "segmentation" else None
    return {
        "forecast_form": ForecastForm(
            data if kind == "forecast" else None, dataset=dataset, proposed_frequency=frequency, prefix="forecast", initial=forecast_initial
        ),
        "segmentation_form": SegmentationForm(
            data if kind == "segmentation" else None, prefix="segmentation", initial=segmentation_initial
        ),
        **(
            {
                "lifetime_value_form": LifetimeValueForm(
                    data if kind == "lifetime_value" else None,
                    prefix="lifetime_value",
                    initial=initial if kind == "lifetime_value" else None,
                )
            }
            if {"amount", "user_id"} <= set(dataset.mapping)
            else {}
        ),
    }


@login_required
@require_POST
def analysis_start_view(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = get_or_404(dataset_get_for_user, user=request.user, dataset_id=dataset_id)
    kind = request.POST.get("kind", "")
    if kind not in Analysis.Kind.values:
        raise Http404
    form = analysis_forms(dataset, request.POST, kind).get(f"{kind}_form")
    if form is None:
        raise Http404
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{dataset.get_absolute_url()}#models")
    params = {key: str(value) if isinstance(value, date) else value for key, value in form.cleaned_data.items() if value not in ("", None)}
    analysis = service_run(request, analysis_create, user=request.user, dataset=dataset, kind=kind, params=params)
    return redirect(analysis) if analysis else redirect(f"{dataset.get_absolute_url()}#models")


@login_required
def analysis_detail(request: HttpRequest, analysis_id: int) -> HttpResponse:
    """Progress while it runs; then the result: charts, the model chosen and why, the candidates' errors."""
    analysis = get_or_404(analysis_get_for_user, user=request.user, analysis_id=analysis_id)
    language = get_language() or "en"
    context: dict[str, object] = {
        "analysis": analysis,
        "dataset": analysis.dataset,
        "can_edit": can_edit(user=request.user, team=analysis.dataset.venture.team),
        "running": analysis.status in (Analysis.Status.QUEUED, Analysis.Status.RUNNING),
        "runs": analysis.dataset.analyses.filter(kind=analysis.kind).exclude(pk=analysis.pk)[:20],
    }
    if analysis.status == Analysis.Status.SUCCEEDED:
        if analysis.kind == Analysis.Kind.FORECAST:
            frequency = analysis.result.get("frequency", "")
            try:
                series = analysis_series(analysis, request.GET.get("series"))
            except NotFound as exc:
                raise Http404 from exc
            context.update(
                series=series,
                candidates=candidate_rows(series, frequency=frequency),
                keys=[item["key"] for item in analysis.result["series"]],
                notes=note_texts([*analysis.result.get("notes", []), *series.get("notes", [])]),
                model_name=model_words(series.get("model", ""), frequency),
                verdict=forecast_verdict(series, frequency=frequency, metric=analysis.result.get("metric", "")),
                intervals=interval_words(series),
                currency=analysis.dataset.venture.currency if analysis.result.get("metric") == "revenue" else "",
            )
            figures = [("forecast", analysis_figure(analysis, "forecast", series_key=series["key"], language=language))]
        elif analysis.kind == Analysis.Kind.LIFETIME_VALUE:
            result, currency = analysis.result, analysis.dataset.venture.currency
            context.update(
                totals_words=value_totals_words(result, currency=currency),
                arpu_words=arpu_words(result, currency=currency),
                concentration_words=concentration_words(result, currency=currency),
                currency=currency,
                holdout_words=holdout_words(result),
                notes=value_notes(result),
                method_words=value_method_words(),
                value_segments=segment_labels(result["by_segment"], language=language),
            )
            figures = [(name, analysis_figure(analysis, name, language=language)) for name in FIGURE_NAMES[analysis.kind]]
        else:
            context["segments"] = analysis_segments(analysis, language=language)
            context["segmentation_verdict"] = segmentation_verdict(analysis.result)
            context["future_rows"] = segment_future_rows(analysis.result, language=language)
            context["notes"] = segmentation_notes(analysis.result)
            figures = [(name, analysis_figure(analysis, name, language=language)) for name in FIGURE_NAMES[analysis.kind]]
        context["figures"] = [(f"figure-{name}", json.loads(figure.to_json())) for name, figure in figures]
        context.update(analysis_forms(analysis.dataset, kind=analysis.kind, initial=analysis.params))
    elif analysis.status in (Analysis.Status.FAILED, Analysis.Status.CANCELLED):
        context.update(analysis_forms(analysis.dataset, kind=analysis.kind, initial=analysis.params))
    return render(request, "analysis/analysis_detail.html", context)


@login_required
@require_POST
def analysis_cancel_view(request: HttpRequest, analysis_id: int) -> HttpResponse:
    analysis = get_or_404(analysis_get_for_user, user=request.user, analysis_id=analysis_id)
    service_run(request, analysis_cancel, user=request.user, analysis=analysis)
    return redirect(analysis)


@login_required
@require_POST
def analysis_delete_view(request: HttpRequest, analysis_id: int) -> HttpResponse:
    analysis = get_or_404(analysis_get_for_user, user=request.user, analysis_id=analysis_id)
    allowed_or_403(analysis_edit_require, user=request.user, dataset=analysis.dataset)
    if service_run(request, analysis_delete, user=request.user, analysis=analysis):
        messages.success(request, _("Analysis deleted."))
    return redirect(f"{analysis.dataset.get_absolute_url()}#models")
