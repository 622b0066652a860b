"""Reads of marketing spend, and the venture's unit economics: its spend, the month cohorts of one of its datasets and
that dataset's newest lifetime value run, fed to ml.unit_economics, with what is missing said rather than guessed."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from accounts.models import User
from analysis.models import Analysis
from core.errors import NotFound
from datasets.models import Dataset, DatasetCohorts
from datasets.selectors import CohortsPending, dataset_cohorts
from economics.models import MarketingSpend
from ingest.cohorts import CohortTable, cohort_tables_from_json
from ml.unit_economics import ChannelValue, MonthCohort, SpendRow, UnitEconomics, unit_economics
from ventures.models import Venture

# What can be missing, in the order the page asks for it.
NO_DATASET, COHORTS_PENDING, NO_SPEND, NO_MARGIN, NO_LTV = "dataset", "cohorts", "spend", "margin", "lifetime_value"
NO_AMOUNTS = "amounts"  # instead of NO_LTV: the dataset cannot have a lifetime value run
# LTV:CAC compares the value of a customer over this many days, whatever horizon the newest run happened to use: a
# 90-day run would otherwise quietly shrink the ratio.
LTV_BASIS_DAYS = 365


def spend_list_for_user(*, user: User | AnonymousUser, venture_id: int) -> QuerySet[MarketingSpend]:
    return MarketingSpend.objects.for_user(user).filter(venture_id=venture_id).select_related("venture__team")


def spend_get_for_user(*, user: User | AnonymousUser, spend_id: int) -> MarketingSpend:
    row = MarketingSpend.objects.for_user(user).select_related("venture__team").filter(pk=spend_id).first()
    if row is None:
        raise NotFound()
    return row


def economics_datasets(*, venture: Venture) -> QuerySet[Dataset]:
    """The venture's ready datasets, newest first: the first is the one the page shows unless another is chosen."""
    return venture.datasets.filter(status=Dataset.Status.READY).order_by("-created_at", "-id")


def lifetime_value_latest(*, dataset: Dataset) -> Analysis | None:
    """The dataset's newest successful lifetime value run over LTV_BASIS_DAYS (the one LTV:CAC uses)."""
    runs = Analysis.objects.filter(
        dataset=dataset, kind=Analysis.Kind.LIFETIME_VALUE, status=Analysis.Status.SUCCEEDED, result__horizon_days=LTV_BASIS_DAYS
    )
    return runs.order_by("-finished_at", "-id").first()


@dataclass(frozen=True)
class VentureEconomics:
    """What the page, the panel and the canvas notes show: the figures (None without a dataset's cohorts), the run
    behind LTV, what is missing (NO_… codes) and the channels spend was entered for that no customer came by."""

    dataset: Dataset | None
    lifetime_value: Analysis | None
    figures: UnitEconomics | None
    missing: tuple[str, ...]
    unseen_channels: frozenset[str] = field(default_factory=frozenset)
    spend_rows: int = 0
    cohorts_error: str = ""  # why the cohorts could not be computed, if they failed


def _complete_months(cohorts: Sequence, last_day: date | None) -> list[MonthCohort]:
    """The cohort table's months as ml.unit_economics takes them, without the last month of age when the data ends
    before that month does (a part month would understate its revenue)."""
    partial = last_day is not None and (last_day + timedelta(days=1)).day != 1
    months = []
    for cohort in cohorts:
        revenue = tuple(cohort.revenue or ())
        months.append(
            MonthCohort(
                start=cohort.start,
                size=cohort.size,
                size_by_channel=dict(cohort.size_by_channel or {}),
                revenue_per_customer=revenue[:-1] if partial else revenue,
            )
        )
    return months


def _covered(dataset: Dataset) -> tuple[date, date] | None:
    """The first and last day of the dataset's events."""
    days = ((dataset.report or {}).get("summary") or {}).get("daily", {}).get("day") or []
    return (date.fromisoformat(days[0]), date.fromisoformat(days[-1])) if days else None


def venture_economics(*, venture: Venture, dataset: Dataset | None, cohorts: Sequence | None, run: Analysis | None) -> VentureEconomics:
    """The venture's unit economics from `dataset`'s month cohorts (`cohorts`: the Cohort rows of its month table;
    None while they are computed) and a lifetime value run of it (`run`: None for none; a run over another horizon
    than LTV_BASIS_DAYS counts as none, so the ratio keeps one basis)."""
    if run is not None and (run.result or {}).get("horizon_days") != LTV_BASIS_DAYS:
        run = None
    spend = list(venture.marketing_spend.all())
    missing = []
    if not spend:
        missing.append(NO_SPEND)
    if venture.gross_margin is None:
        missing.append(NO_MARGIN)
    if dataset is None:
        return VentureEconomics(None, None, None, (NO_DATASET, *missing), spend_rows=len(spend))
    if run is None:
        missing.append(NO_LTV if "amount" in dataset.mapping else NO_AMOUNTS)
    if cohorts is None:
        return VentureEconomics(dataset, run, None, (COHORTS_PENDING, *missing), spend_rows=len(spend))
    result = run.result if run is not None else {}
    covered = _covered(dataset)
    figures = unit_economics(
        spend=[SpendRow(row.month, row.channel, float(row.spend)) for row in spend],
        cohorts=_complete_months(cohorts, covered[1] if covered else None),
        margin=float(venture.gross_margin) / 100 if venture.gross_margin is not None else None,
        average_value=(result.get("average_value") or {}).get("value"),
        channel_values=[
            ChannelValue(str(row["channel"]), int(row["customers"]), float(row["average_value"]))
            for row in result.get("by_channel") or []
            if row.get("channel") is not None and row.get("average_value") is not None
        ],
        covered=covered,
    )
    # Without a channel column no spend channel can be seen in the data: the page says that once instead.
    unseen = frozenset(row.channel for row in figures.channels if not row.seen_in_data) if "channel" in dataset.mapping else frozenset()
    return VentureEconomics(dataset, run, figures, tuple(missing), unseen, len(spend))


def venture_economics_for_user(*, user: User | AnonymousUser, venture: Venture, dataset: Dataset | None) -> VentureEconomics:
    """`venture_economics` with `dataset`'s newest lifetime value run and its month cohorts read as the user (their first read may queue their
    computation on the worker: datasets.selectors.dataset_cohorts)."""
    if dataset is None:
        return venture_economics(venture=venture, dataset=None, cohorts=None, run=None)

    table = dataset_cohorts(user=user, dataset=dataset, period="month")
    cohorts = table.cohorts if isinstance(table, CohortTable) else None
    economics = venture_economics(venture=venture, dataset=dataset, cohorts=cohorts, run=lifetime_value_latest(dataset=dataset))
    return replace(economics, cohorts_error=table.error) if isinstance(table, CohortsPending) else economics


def month_cohorts_ready(*, dataset: Dataset) -> Sequence | None:
    """The dataset's month cohorts if they are computed for its current Parquet, else None. Never queues their
    computation: what the dashboard (shared pages too, without a user) may read."""
    stored = DatasetCohorts.objects.filter(dataset=dataset, parquet=dataset.parquet, status=DatasetCohorts.Status.READY).first()
    if stored is None:
        return None
    with default_storage.open(stored.file, "rb") as handle:
        return cohort_tables_from_json(json.load(handle))["month"].cohorts


def venture_economics_shown(*, venture: Venture, run: Analysis) -> VentureEconomics:
    """The unit economics a dashboard panel bound to a lifetime value run shows: that run, its dataset's month
    cohorts if they are computed (see month_cohorts_ready)."""
    return venture_economics(venture=venture, dataset=run.dataset, cohorts=month_cohorts_ready(dataset=run.dataset), run=run)
