"""Purchases per customer and day, from a normalised events frame: what the lifetime value models count.

A purchase is a row with a positive amount: a refund (negative) or a row without an amount is no purchase, and
several purchases of one customer on one day are one purchase (their amounts summed), as `lifetimes`'
`summary_data_from_transaction_data` counts them with `freq="D"`; the BG/NBD model (ml.lifetime_value) describes
repeat buying occasions, and a basket split over several rows is one occasion. Days are UTC calendar days.

Every step is an integer group-by over numpy arrays (user codes from the categorical, days since the epoch), with no
Python loop per customer: the memory is a few arrays as long as the log, and the result is as long as the number of
distinct (customer, day) pairs.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class PurchaseDays:
    """One row per customer and purchase day, ordered by customer then day. `user` indexes `users` (the ids as
    text); `channel` is each customer's channel of first purchase ("" unknown), or None without a channel column."""

    users: np.ndarray
    user: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    channel: np.ndarray | None


@dataclass(frozen=True)
class Summary:
    """Per customer with a purchase up to the calibration end (`customer` indexes PurchaseDays.users), in days:
    `frequency` repeat purchase days, `recency` from the first to the last purchase day, `T` from the first purchase
    day to the calibration end, `monetary` the mean amount of the repeat purchase days (0 without one), `spend` the
    amount of all purchase days; `later` purchase days in the holdout window after the calibration end."""

    customer: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    spend: np.ndarray
    later: np.ndarray


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1 missing) and the values they stand for, as text."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype="int64"), column.cat.categories.astype(str).to_numpy(dtype=object)
    codes, uniques = pd.factorize(column)
    return codes.astype("int64"), pd.Index(uniques).astype(str).to_numpy(dtype=object)


def purchase_days(events: pd.DataFrame) -> PurchaseDays:
    """The purchase days of an events frame with `user_id`, `timestamp`, `amount` and optionally `channel`."""
    user, users = _codes(events["user_id"])
    stamps = pd.to_datetime(events["timestamp"], utc=True).to_numpy(dtype="datetime64[ns]").astype("int64")
    amount = pd.to_numeric(events["amount"], errors="coerce").to_numpy(dtype="float64")
    keep = (user >= 0) & (stamps != np.iinfo("int64").min) & (amount > 0)
    user, stamps, amount = user[keep], stamps[keep], amount[keep]
    day = stamps // NS_PER_DAY
    order = np.lexsort((stamps, user))  # by customer, then time: each customer's first row comes first
    user, day, amount, stamps = user[order], day[order], amount[order], stamps[order]
    channel = None
    if "channel" in events.columns:
        codes, names = _codes(events["channel"])
        first = np.ones(len(user), dtype=bool)
        first[1:] = user[1:] != user[:-1]
        first_codes = codes[keep][order][first]
        labels = np.append(names, "")  # −1 (unknown) reads the last entry
        channel = np.full(len(users), "", dtype=object)
        channel[user[first]] = labels[first_codes]
    new_pair = np.ones(len(user), dtype=bool)
    new_pair[1:] = (user[1:] != user[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_pair)
    return PurchaseDays(
        users=users, user=user[starts], day=day[starts], amount=np.add.reduceat(amount, starts) if len(starts) else amount, channel=channel
    )


def summarise(days: PurchaseDays, *, calibration_end: int, holdout_days: int = 0) -> Summary:
    """The per-customer summary of the purchase days up to `calibration_end` (a day number, included), and each such
    customer's purchase days in the `holdout_days` after it."""
    calibration = days.day <= calibration_end
    user, day, amount = days.user[calibration], days.day[calibration], days.amount[calibration]
    customer, first_index, count = np.unique(user, return_index=True, return_counts=True)
    last_index = first_index + count - 1
    first_day, first_amount = day[first_index], amount[first_index]
    spend = np.add.reduceat(amount, first_index) if len(first_index) else np.zeros(0)
    frequency = (count - 1).astype("float64")
    monetary = np.divide(spend - first_amount, frequency, out=np.zeros_like(spend), where=frequency > 0)
    later_rows = (days.day > calibration_end) & (days.day <= calibration_end + holdout_days)
    later_by_user = np.bincount(days.user[later_rows], minlength=len(days.users))
    return Summary(
        customer=customer,
        frequency=frequency,
        recency=(day[last_index] - first_day).astype("float64"),
        T=(calibration_end - first_day).astype("float64"),
        monetary=monetary,
        spend=spend,
        later=later_by_user[customer].astype("float64"),
    )


def revenue_per_active_month(days: PurchaseDays, *, calibration_end: int) -> float:
    """ARPU: the calibration period's purchase amounts over its customer-months with a purchase (a customer buying
    in three months counts three times), so a quiet month's customers do not dilute it and a month lies between the
    calendar's."""
    calibration = days.day <= calibration_end
    months = days.day[calibration].astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    users = days.user[calibration]
    if not len(users):
        return 0.0
    pairs = np.unique(users.astype("int64") * (1 << 20) + (months - months.min()))
    return float(days.amount[calibration].sum() / len(pairs))
