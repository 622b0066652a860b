import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.errors import InvalidInput
from core.money import currency_label
from core.web import allowed_or_403, get_or_404, service_run
from datasets.figures import (
    build_activity_figure,
    build_cohorts_average_figure,
    build_cohorts_heatmap,
    build_counts_figure,
    build_new_returning_figure,
)
from datasets.forms import DatasetUploadForm, MappingForm
from datasets.models import Dataset
from datasets.selectors import CohortsPending, dataset_cohorts, dataset_get_for_user
from datasets.services import (
    dataset_cancel,
    dataset_delete,
    dataset_edit_require,
    dataset_ingest_start,
    dataset_sniff,
    dataset_upload,
)
from datasets.uploads import SizeLimitedUploadHandler
from ingest.cohorts import CohortTable
from teams.access import can_edit
from ventures.selectors import venture_get_for_user


@login_required
def dataset_detail(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """What was detected, the encoding and column mapping (correctable), progress while it runs, and the ingest
    report. Another encoding chosen reads the file again: the columns offered are those read in it."""
    dataset = get_or_404(dataset_get_for_user, user=request.user, dataset_id=dataset_id)
    editable = can_edit(user=request.user, team=dataset.venture.team)
    encoding = dataset.detected.get("encoding", "")
    encodings = dataset.detected.get("encodings") or [encoding]
    initial = {
        **dataset.mapping,
        "encoding": encoding,
        "date_order": dataset.detected.get("date_order", ""),
        "keep_extra_columns": dataset.keep_extra_columns,
    }
    columns = dataset.detected.get("columns", [])
    chosen = request.POST.get("encoding") if request.method == "POST" else None
    if chosen and chosen != encoding and chosen in encodings:
        try:
            columns = dataset_sniff(dataset=dataset, encoding=chosen).columns
        except InvalidInput as exc:
            messages.error(request, exc.message)
    form = MappingForm(request.POST or None, columns=columns, encodings=encodings, initial=initial)
    if request.method == "POST":
        allowed_or_403(dataset_edit_require, user=request.user, venture=dataset.venture)
        if form.is_valid() and service_run(
            request,
            dataset_ingest_start,
            user=request.user,
            dataset=dataset,
            mapping=form.mapping(),
            encoding=form.cleaned_data["encoding"] or None,
            date_order=form.cleaned_data["date_order"],
            keep_extra_columns=form.cleaned_data["keep_extra_columns"],
        ):
            return redirect(dataset)
    running = dataset.status in (dataset.Status.QUEUED, dataset.Status.RUNNING)
    context = {
        "dataset": dataset,
        "form": form,
        "can_edit": editable,
        "running": running,
        "figures": _summary_figures(dataset),
        "accounting": _line_accounting(dataset.report),
        "retention": _retention(request, dataset) if dataset.status == Dataset.Status.READY and dataset.parquet else None,
    }
    return render(request, "datasets/dataset_detail.html", context)


REJECT_REASONS = {
    "unclosed_quote": gettext_lazy("unclosed quote"),
    "control_character": gettext_lazy("control character"),
    "wrong_column_count": gettext_lazy("wrong number of cells"),
    "missing_user": gettext_lazy("no user"),
    "unparseable_timestamp": gettext_lazy("unreadable time"),
    "non_numeric_amount": gettext_lazy("amount not a number"),
    "non_numeric_quantity": gettext_lazy("quantity not a number"),
}


def _line_accounting(report: dict) -> str:
    """Where every line of the file went, as one line: "2,102 lines: 2,050 rows, 50 rejected (first at line 102:
    unclosed quote), 1 header, 1 blank". Empty for a report from before the ingest counted lines."""
    if "lines_total" not in report:
        return ""

    def number(value: int) -> str:
        return number_format(value, use_l10n=True, force_grouping=True)

    accepted, rejected = report["rows_accepted"], report["rows_rejected"]
    parts = [ngettext("%(count)s row", "%(count)s rows", accepted) % {"count": number(accepted)}]
    firsts = [(lines[0], reason) for reason, lines in report["sample_rejected_lines"].items() if lines]
    if rejected and firsts:
        line, reason = min(firsts)
        parts.append(
            ngettext(
                "%(count)s rejected (first at line %(line)s: %(reason)s)",
                "%(count)s rejected (first at line %(line)s: %(reason)s)",
                rejected,
            )
            % {"count": number(rejected), "line": number(line), "reason": REJECT_REASONS.get(reason, reason)}
        )
    counts = [
        (report["header_lines"], ngettext("%(count)s header", "%(count)s header lines", report["header_lines"])),
        (report["blank_lines"], ngettext("%(count)s blank", "%(count)s blank", report["blank_lines"])),
        (report["lines_in_cells"], ngettext("%(count)s inside quoted cells", "%(count)s inside quoted cells", report["lines_in_cells"])),
    ]
    parts += [text % {"count": number(count)} for count, text in counts if count]
    total = report["lines_total"]
    return ngettext("%(count)s line: %(parts)s", "%(count)s lines: %(parts)s", total) % {
        "count": number(total),
        "parts": pgettext("between the parts of a list", ", ").join(parts),
    }


def _summary_figures(dataset: Dataset) -> list[tuple[str, dict]]:
    """The summary charts of a ready dataset, as Plotly JSON for the page (built from the stored aggregates)."""
    summary = dataset.report.get("summary") if dataset.status == Dataset.Status.READY else None
    if not summary:
        return []
    figures = [
        (
            "activity",
            build_activity_figure(
                summary["daily"],
                {
                    "events": _("Events"),
                    "revenue": _("Revenue (%(currency)s)") % {"currency": currency_label(dataset.venture.currency)},
                    "title": _("Events and revenue per day") if any(summary["daily"].get("revenue") or []) else _("Events per day"),
                },
            ),
        ),
        (
            "new-returning",
            build_new_returning_figure(
                summary["weekly_users"], {"new": _("New"), "returning": _("Returning"), "title": _("New and returning users per week")}
            ),
        ),
    ]
    if summary["top_events"]["name"]:
        figures.append(("top-events", build_counts_figure(summary["top_events"], _("Top events"))))
    if summary["channels"]["name"]:
        figures.append(("channels", build_counts_figure(summary["channels"], _("Channels"))))
    return [(name, json.loads(figure.to_json())) for name, figure in figures]


COHORTS_SHOWN = 12  # rows of the heat map: the latest cohorts (more would not be readable on a phone)
AGES_SHOWN = 13  # its columns: ages 0 to 12 (a year of months); the average curve has every age


def _retention(request: HttpRequest, dataset: Dataset) -> dict:
    """The "Retention" section: the period and measure chosen (`?period=week|month&measure=active|revenue`), and the
    heat map of the latest cohorts with the average curve; or how their computation goes; or why there is nothing
    to show."""
    has_amounts = "amount" in dataset.mapping
    period = request.GET.get("period") if request.GET.get("period") in ("week", "month") else "month"
    measure = "revenue" if request.GET.get("measure") == "revenue" and has_amounts else "active"
    choices = {
        "periods": [("week", _("By week")), ("month", _("By month"))],
        "measures": [("active", _("Active customers")), *([("revenue", _("Revenue per customer"))] if has_amounts else [])],
    }
    table = dataset_cohorts(user=request.user, dataset=dataset, period=period)
    section = {"period": period, "measure": measure, **choices}
    if isinstance(table, CohortsPending):
        return {**section, "pending": table}
    if sum(len(cohort.active) > 1 for cohort in table.cohorts) == 0:
        empty = _("No customers yet.") if not table.cohorts else _("The data spans a single period: retention needs at least two.")
        return {**section, "empty": empty}
    return {**section, **_retention_figures(table, measure)}


AVERAGE_MIN_CUSTOMERS = 30  # an average point resting on fewer customers (or on one cohort) is too noisy to show


def _retention_figures(table: CohortTable, measure: str) -> dict:
    shown = list(table.cohorts[-COHORTS_SHOWN:])
    age = _("Weeks since first event") if table.period == "week" else _("Months since first event")
    titles = {
        "active": (_("Share of each cohort still active"), _("Average share still active")),
        "revenue": (_("Revenue per original customer"), _("Average revenue per original customer")),
    }[measure]
    heatmap = build_cohorts_heatmap(
        shown,
        measure,
        {"title": titles[0], "age": age, "row": _("%(start)s · %(size)s"), "partial": _("partial period")},
        ages=AGES_SHOWN,
        partial_last=table.partial_last,
    )
    average = list((table.average_active if measure == "active" else table.average_revenue) or [])
    kept = sum(
        customers >= AVERAGE_MIN_CUSTOMERS and cohorts > 1
        for customers, cohorts in zip(table.average_customers, table.average_cohorts, strict=True)
    )  # both fall with age: the kept points are the first ones
    rests_on = _("%(customers)s customers in %(cohorts)s cohorts") % {"customers": "%{customdata[0]:,}", "cohorts": "%{customdata[1]}"}
    curve = build_cohorts_average_figure(
        average[:kept],
        list(table.average_customers[:kept]),
        list(table.average_cohorts[:kept]),
        measure,
        {"title": titles[1], "age": age, "rests_on": rests_on},
    )
    total, notes = len(table.cohorts), []  # each a sentence of its own
    if total > len(shown):
        notes.append(
            (
                ngettext("The latest %(shown)s of %(total)s weekly cohorts.", "The latest %(shown)s of %(total)s weekly cohorts.", total)
                if table.period == "week"
                else ngettext(
                    "The latest %(shown)s of %(total)s monthly cohorts.", "The latest %(shown)s of %(total)s monthly cohorts.", total
                )
            )
            % {"shown": len(shown), "total": total}
        )
    if any(len(cohort.active) > AGES_SHOWN for cohort in shown):
        ages_note = _("Ages up to %(age)s; the average curve has them all.") if kept > AGES_SHOWN else _("Ages up to %(age)s.")
        notes.append(ages_note % {"age": AGES_SHOWN - 1})
    if table.partial_last and table.last_day is not None:
        partial = (
            _("The last week is partial: up to %(day)s.") if table.period == "week" else _("The last month is partial: up to %(day)s.")
        )
        notes.append(partial % {"day": date_format(table.last_day)})
        notes.append(_("Its cells, the last of each row, are grey and left out of the average."))
    notes.append(_("The average covers every cohort old enough for each age, weighted by its size."))
    if kept < len(average):
        notes.append(
            (
                _("The average curve leaves out the ages resting on fewer than %(customers)s customers or on a single cohort.")
                if kept > 1
                else _("No average curve: it would rest on fewer than %(customers)s customers or on a single cohort.")
            )
            % {"customers": AVERAGE_MIN_CUSTOMERS}
        )
    figures = [("cohorts-heatmap", json.loads(heatmap.to_json()))]
    if kept > 1:  # a lone point would be age 0, the same for every cohort
        figures.append(("cohorts-average", json.loads(curve.to_json())))
    return {"figures": figures, "notes": notes}


@login_required
@csrf_exempt  # checked by _dataset_upload, once the upload handlers are in place (the CSRF check reads the body)
def dataset_upload_view(request: HttpRequest, venture_id: int) -> HttpResponse:
    request.upload_handlers = [SizeLimitedUploadHandler(request)]
    return _dataset_upload(request, venture_id)


@csrf_protect
@require_POST
def _dataset_upload(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    form = DatasetUploadForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        messages.error(request, _("The file is larger than the upload limit."))
        return redirect(venture)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file to upload."))
        return redirect(venture)
    dataset = service_run(
        request, dataset_upload, user=request.user, venture=venture, name=form.cleaned_data["name"], upload=form.cleaned_data["file"]
    )
    return redirect(dataset) if dataset else redirect(venture)


@login_required
@require_POST
def dataset_cancel_view(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = get_or_404(dataset_get_for_user, user=request.user, dataset_id=dataset_id)
    service_run(request, dataset_cancel, user=request.user, dataset=dataset)
    return redirect(dataset)


@login_required
@require_POST
def dataset_delete_view(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = get_or_404(dataset_get_for_user, user=request.user, dataset_id=dataset_id)
    if service_run(request, dataset_delete, user=request.user, dataset=dataset):
        messages.success(request, _("Dataset “%(name)s” deleted with its files.") % {"name": dataset.name})
    return redirect(dataset.venture)
