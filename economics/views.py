import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canvas.models import Canvas
from core.money import currency_label
from core.web import allowed_or_403, get_or_404, service_run
from economics.figures import build_payback_figure
from economics.forms import MarginForm, SpendForm, SpendUploadForm
from economics.models import MarketingSpend
from economics.selectors import economics_datasets, spend_get_for_user, venture_economics_for_user
from economics.services import SpendImport, spend_create, spend_delete, spend_edit_require, spend_import, spend_update
from teams.access import can_edit
from ventures.models import Venture
from ventures.selectors import venture_get_for_user
from ventures.services import venture_update

REJECTS_SHOWN = 50


def _page_url(venture: Venture, request: HttpRequest) -> str:
    dataset = request.POST.get("dataset") or request.GET.get("dataset")
    url = reverse("economics:page", args=[venture.pk])
    return f"{url}?dataset={dataset}" if dataset and dataset.isdigit() else url


@login_required
def economics_page(request: HttpRequest, venture_id: int, upload: SpendImport | None = None) -> HttpResponse:
    """The venture's unit economics: what is missing, CAC and LTV:CAC by channel, payback, and the spend table."""
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    datasets = list(economics_datasets(venture=venture))
    chosen = request.GET.get("dataset") or request.POST.get("dataset")
    dataset = next((d for d in datasets if str(d.pk) == chosen), None) if chosen else (datasets[0] if datasets else None)
    if chosen and dataset is None:
        raise Http404
    economics = venture_economics_for_user(user=request.user, venture=venture, dataset=dataset)
    figures = economics.figures
    payback_figure = None
    if figures is not None and figures.payback is not None and figures.payback.cumulative_margin:
        unit = currency_label(venture.currency)
        payback_figure = build_payback_figure(
            figures.payback.cumulative_margin,
            figures.paid_cac,
            {
                "title": _("Payback"),
                "margin": _("Cumulative margin per customer"),
                "cac": _("Paid acquisition cost (paid CAC)"),
                "months": _("Months since the first purchase"),
                "unit": unit,
            },
        )
    editing = can_edit(user=request.user, team=venture.team)
    context = {
        "venture": venture,
        "datasets": datasets,
        "dataset": dataset,
        "economics": economics,
        "figures": figures,
        "rows": list(venture.marketing_spend.all()),
        "can_edit": editing,
        "spend_form": SpendForm(),
        "upload_form": SpendUploadForm(),
        "margin_form": MarginForm(initial={"gross_margin": venture.gross_margin}),
        "canvases": list(Canvas.objects.filter(venture=venture)) if editing else [],
        "payback_figure": json.loads(payback_figure.to_json()) if payback_figure is not None else None,
        "upload": upload,
        "upload_rejects": upload.rejected[:REJECTS_SHOWN] if upload else [],
    }
    return render(request, "economics/economics.html", context)


def _venture_for_editing(request: HttpRequest, venture_id: int) -> Venture:
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    allowed_or_403(spend_edit_require, user=request.user, venture=venture)
    return venture


def _row_for_editing(request: HttpRequest, venture_id: int, spend_id: int) -> MarketingSpend:
    row = get_or_404(spend_get_for_user, user=request.user, spend_id=spend_id)
    if row.venture_id != venture_id:
        raise Http404
    allowed_or_403(spend_edit_require, user=request.user, venture=row.venture)
    return row


def _form_errors(request: HttpRequest, form: SpendForm) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
def spend_add(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = _venture_for_editing(request, venture_id)
    form = SpendForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif service_run(request, spend_create, user=request.user, venture=venture, **form.cleaned_data):
        messages.success(request, _("Spend added."))
    return redirect(f"{_page_url(venture, request)}#spend")


@login_required
@require_POST
def spend_edit(request: HttpRequest, venture_id: int, spend_id: int) -> HttpResponse:
    row = _row_for_editing(request, venture_id, spend_id)
    form = SpendForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif service_run(request, spend_update, user=request.user, row=row, **form.cleaned_data):
        messages.success(request, _("Spend saved."))
    return redirect(f"{_page_url(row.venture, request)}#spend")


@login_required
@require_POST
def spend_remove(request: HttpRequest, venture_id: int, spend_id: int) -> HttpResponse:
    row = _row_for_editing(request, venture_id, spend_id)
    if service_run(request, spend_delete, user=request.user, row=row):
        messages.success(request, _("Spend deleted."))
    return redirect(f"{_page_url(row.venture, request)}#spend")


@login_required
@require_POST
def spend_upload(request: HttpRequest, venture_id: int) -> HttpResponse:
    """Import a CSV and show the page with what was kept and every line that was not (with its number)."""
    venture = _venture_for_editing(request, venture_id)
    form = SpendUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file to upload."))
        return redirect(f"{_page_url(venture, request)}#spend")
    result = service_run(request, spend_import, user=request.user, venture=venture, content=form.cleaned_data["file"].read(2_000_000))
    if not result:
        return redirect(f"{_page_url(venture, request)}#spend")
    return economics_page(request, venture_id, upload=result)


@login_required
@require_POST
def margin_save(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = _venture_for_editing(request, venture_id)
    form = MarginForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif service_run(request, venture_update, user=request.user, venture=venture, gross_margin=form.cleaned_data["gross_margin"]):
        messages.success(request, _("Gross margin saved."))
    return redirect(_page_url(venture, request))
