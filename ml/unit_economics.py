"""Unit economics from a team's own figures: what a customer costs to acquire (CAC), what they are worth against it
(LTV:CAC) and how many months of margin pay it back. Pure: plain inputs (spend rows, month cohorts, the lifetime
value run's averages), a frozen dataclass out.

- CAC of a channel in a month: its spend ÷ the customers whose first event came by that channel in that month. A
  channel's CAC over all months divides its spend by its new customers in the months it has spend; the paid CAC
  divides all spend by the paid channels' new customers counted the same way; the blended CAC divides all spend by
  all new customers (every channel, organic too) in the months with any spend, which flatters it. A channel with no
  spend at all is organic (no CAC); spend with no new customer has no CAC either (it is not a number).
- A month of spend the data does not cover entirely (it starts after the month's first day or ends before its last)
  has a partial cohort or none: its spend would inflate CAC, so it is left out of every figure and listed.
- LTV:CAC of a channel: gross margin × the lifetime value run's average value of a customer of that channel ÷ the
  channel's CAC; overall: margin × the run's average value of a customer of the paid channels ÷ the paid CAC
  (organic customers cost nothing to acquire: their value would flatter it; without channels, every customer's).
- Payback: the cumulative margin per original customer by age, margin × the month cohorts' revenue per original
  customer summed up to each age, averaged across the cohorts old enough for that age weighted by their size; the
  months to pay back are the first age (counted in months, the first month being 1) at which it reaches the paid
  CAC, None while it has not.
"""

from calendar import monthrange
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

ORGANIC = "organic"  # what a channel without spend is


@dataclass(frozen=True)
class SpendRow:
    month: date  # the first day of the month
    channel: str
    spend: float


@dataclass(frozen=True)
class MonthCohort:
    """The customers first seen in one month: how many, how many by the channel of their first event (None: without
    one), and their revenue per original customer in each complete month of age (age 0: the month itself)."""

    start: date
    size: int
    size_by_channel: Mapping[str | None, int]
    revenue_per_customer: Sequence[float]


@dataclass(frozen=True)
class LeftOutMonth:
    """A month of spend the data does not cover entirely, left out of CAC."""

    month: date
    spend: float
    days_covered: int  # of the month's days, 0 when the data does not reach it at all


@dataclass(frozen=True)
class ChannelValue:
    """The lifetime value run's figure for one acquisition channel."""

    channel: str
    customers: int
    average_value: float


@dataclass(frozen=True)
class MonthCac:
    month: date
    channel: str
    spend: float
    new_customers: int
    cac: float | None


@dataclass(frozen=True)
class ChannelEconomics:
    channel: str
    kind: str  # "paid" or ORGANIC
    spend: float
    new_customers: int  # over all months
    new_customers_in_spend_months: int  # the CAC's divisor: its new customers in the months it has spend
    share_of_new: float  # of all new customers, 0–1
    cac: float | None
    average_value: float | None  # from the lifetime value run
    ltv_to_cac: float | None
    seen_in_data: bool  # False: spend for a channel no customer came by


@dataclass(frozen=True)
class Payback:
    cumulative_margin: tuple[float, ...]  # per original customer, at the end of month 1, 2, … of age
    cohorts: tuple[int, ...]  # how many cohorts each point averages
    months: int | None  # to pay back the paid CAC; None: not yet, or nothing to pay back


@dataclass(frozen=True)
class UnitEconomics:
    by_month: tuple[MonthCac, ...]
    channels: tuple[ChannelEconomics, ...]
    spend: float
    new_customers_in_spend_months: int  # every channel, organic too
    paid_new_customers: int  # of the paid channels, each in the months it has spend
    paid_cac: float | None  # what LTV:CAC and payback use
    blended_cac: float | None  # with organic customers
    ltv_to_cac: float | None
    payback: Payback | None  # None without a margin or without revenue
    left_out: tuple[LeftOutMonth, ...] = ()


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def unit_economics(
    *,
    spend: Sequence[SpendRow],
    cohorts: Sequence[MonthCohort],
    margin: float | None,
    average_value: float | None = None,
    channel_values: Sequence[ChannelValue] = (),
    covered: tuple[date, date] | None = None,
) -> UnitEconomics:
    """CAC, LTV:CAC and payback by the rules of the module's docstring. `margin` is a fraction (0.6 for 60 %), None
    when the venture has none; `average_value` and `channel_values` come from a lifetime value run (None and ():
    no run), their values being revenue, which the margin turns into margin; `covered`: the first and last day of
    the data (None: every month of spend counts)."""
    spend, left_out = _covered_spend(spend, covered)
    new = {(cohort.start, channel): count for cohort in cohorts for channel, count in cohort.size_by_channel.items() if channel is not None}
    cohort_sizes = {cohort.start: cohort.size for cohort in cohorts}
    spent: dict[tuple[date, str], float] = defaultdict(float)
    for row in spend:
        spent[(row.month, row.channel)] += row.spend
    by_month = tuple(
        MonthCac(month, channel, amount, new.get((month, channel), 0), _ratio(amount, new.get((month, channel), 0)))
        for (month, channel), amount in sorted(spent.items())
    )
    spend_months = {month for month, _channel in spent}
    total_spend = sum(spent.values())
    new_in_spend_months = sum(cohort_sizes.get(month, 0) for month in spend_months)
    paid_new = sum(row.new_customers for row in by_month)
    cac = _ratio(total_spend, paid_new)
    values = {value.channel: value.average_value for value in channel_values}
    channels = _channels(by_month, new, cohorts, margin, values)
    paid_value = _paid_value(channel_values, {row.channel for row in by_month}, average_value)
    ltv_to_cac = margin * paid_value / cac if margin is not None and paid_value is not None and cac else None
    payback = _payback(cohorts, margin, cac) if margin is not None and cohorts else None
    return UnitEconomics(
        by_month,
        channels,
        total_spend,
        new_in_spend_months,
        paid_new,
        cac,
        _ratio(total_spend, new_in_spend_months),
        ltv_to_cac,
        payback,
        left_out,
    )


def _paid_value(channel_values: Sequence[ChannelValue], paid: set[str], average_value: float | None) -> float | None:
    """The run's average value of a customer who came by a paid channel (weighted by their customers): what the paid
    CAC bought. Organic customers are left out, or their value would flatter it. Without channels: every customer's."""
    values = [value for value in channel_values if value.channel in paid and value.customers > 0]
    if not values:
        return average_value if not channel_values else None
    return sum(value.average_value * value.customers for value in values) / sum(value.customers for value in values)


def _covered_spend(spend: Sequence[SpendRow], covered: tuple[date, date] | None) -> tuple[list[SpendRow], tuple[LeftOutMonth, ...]]:
    """The rows of the months `covered` spans entirely, and the other months with their spend and days covered."""
    if covered is None:
        return list(spend), ()
    first, last = covered
    kept: list[SpendRow] = []
    left: dict[date, float] = defaultdict(float)
    for row in spend:
        if _days_covered(row.month, first, last) == monthrange(row.month.year, row.month.month)[1]:
            kept.append(row)
        else:
            left[row.month] += row.spend
    return kept, tuple(LeftOutMonth(month, amount, _days_covered(month, first, last)) for month, amount in sorted(left.items()))


def _days_covered(month: date, first: date, last: date) -> int:
    end = month.replace(day=monthrange(month.year, month.month)[1])
    return max(0, (min(last, end) - max(first, month)).days + 1)


def _channels(
    by_month: Sequence[MonthCac],
    new: Mapping[tuple[date, str], int],
    cohorts: Sequence[MonthCohort],
    margin: float | None,
    values: Mapping[str, float],
) -> tuple[ChannelEconomics, ...]:
    """Each channel that has customers or spend: its CAC and share of new customers, paid ones first by spend."""
    all_new = sum(cohort.size for cohort in cohorts)
    new_by_channel: dict[str, int] = defaultdict(int)
    for (_month, channel), count in new.items():
        new_by_channel[channel] += count
    paid_spend: dict[str, float] = defaultdict(float)
    paid_new: dict[str, int] = defaultdict(int)
    for row in by_month:
        paid_spend[row.channel] += row.spend
        paid_new[row.channel] += row.new_customers
    rows = []
    for channel in sorted(set(new_by_channel) | set(paid_spend), key=lambda name: (-paid_spend.get(name, 0.0), name)):
        paid = channel in paid_spend
        cac = _ratio(paid_spend[channel], paid_new[channel]) if paid else None
        value = values.get(channel)
        rows.append(
            ChannelEconomics(
                channel=channel,
                kind="paid" if paid else ORGANIC,
                spend=paid_spend.get(channel, 0.0),
                new_customers=new_by_channel.get(channel, 0),
                new_customers_in_spend_months=paid_new.get(channel, 0),
                share_of_new=new_by_channel.get(channel, 0) / all_new if all_new else 0.0,
                cac=cac,
                average_value=value,
                ltv_to_cac=margin * value / cac if margin is not None and value is not None and cac else None,
                seen_in_data=channel in new_by_channel,
            )
        )
    return tuple(rows)


def _payback(cohorts: Sequence[MonthCohort], margin: float, cac: float | None) -> Payback:
    ages = max((len(cohort.revenue_per_customer) for cohort in cohorts), default=0)
    curve, counts = [], []
    for age in range(ages):
        old_enough = [cohort for cohort in cohorts if len(cohort.revenue_per_customer) > age and cohort.size > 0]
        weight = sum(cohort.size for cohort in old_enough)
        if not weight:
            break
        cumulative = sum(cohort.size * sum(cohort.revenue_per_customer[: age + 1]) for cohort in old_enough) / weight
        curve.append(margin * cumulative)
        counts.append(len(old_enough))
    months = next((age + 1 for age, value in enumerate(curve) if value >= cac), None) if cac else None
    return Payback(tuple(curve), tuple(counts), months)
