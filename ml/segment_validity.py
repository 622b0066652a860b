"""The test in time that decides between RFM segments and k-means clusters.

The log is split (`split_log`): the customers of the earlier part are segmented both ways, each segment is scored by
its repeat rate one window earlier, and the AUC of those scores for "buys again in the later part" decides (`validate`):
k-means only when it beats RFM by AUC_MARGIN and by Z_ONE_SIDED paired standard errors (DeLong). Each segment's share
of the later part's revenue is reported alongside.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import pairwise_distances_argmin

from ml.features import user_codes, user_features
from ml.kmeans_search import KMeansFit, kmeans_segments
from ml.rfm import SEGMENT_CODES, rfm_scores
from ml.segment_common import MIN_USERS, Method, Notes, Segment, SegmentationError, profile_segments, rfm_labels, scaled_progress

# The time split (split_log): the later part is the last quarter of the log's span in whole days, and the window
# before it, as long, calibrates each segment's score. Below MIN_LATER_DAYS, or without MIN_EACH_OUTCOME customers who
# buy again and MIN_EACH_OUTCOME who do not in each window, the segments are not tested and RFM is shown.
LATER_SHARE = 0.25
MIN_LATER_DAYS = 7
MIN_EACH_OUTCOME = 5
# A segment's repeat rate is shrunk towards the overall rate by this many customers' worth: a segment of three
# customers who all came back is not a sure thing.
RATE_PRIOR = 10
# k-means replaces RFM only when its AUC is higher by AUC_MARGIN and by Z_ONE_SIDED paired standard errors: clusters
# are harder to explain than RFM segments, so a tie, a hundredth or noise goes to RFM.
AUC_MARGIN = 0.01
Z_ONE_SIDED = 1.645
# Customers of the earlier part the test scores when there are more: a seeded sample, drawn before any feature is
# computed, so the two feature passes and the contender's fit see only its rows. The AUC and the paired difference of
# 200,000 customers have a standard error near 0.001, a tenth of AUC_MARGIN; the result reports the sample's.
VALIDATION_SAMPLE = 200_000


class LogSplit(NamedTuple):
    calibration_at: pd.Timestamp  # the earlier window [calibration_at, split_at) calibrates the segments' scores
    split_at: pd.Timestamp  # the later part [split_at, end) tests them
    days: int  # the length of each window


def split_log(timestamps: pd.Series) -> LogSplit | None:
    """The time split: the later part is the last LATER_SHARE of the log's span in whole days, starting at a midnight
    (UTC, or the timestamps' zone), the calibration window the as many days before it. None below MIN_LATER_DAYS."""
    index = pd.DatetimeIndex(timestamps)
    end = index.max().floor("D") + pd.Timedelta(days=1)
    span_days = (end - index.min().floor("D")) / pd.Timedelta(days=1)
    days = int(span_days * LATER_SHARE)
    if days < MIN_LATER_DAYS:
        return None
    split_at = end - pd.Timedelta(days=days)
    return LogSplit(calibration_at=split_at - pd.Timedelta(days=days), split_at=split_at, days=days)


class Validation(NamedTuple):
    """The test's figures (see `validate`); `as_dict` is the result's `validation`."""

    split_at: str
    later_days: int
    customers: int
    rfm_auc: float
    rfm_shares: list[dict[str, object]]
    kmeans_auc: float | None = None
    kmeans_k: int | None = None
    kmeans_shares: list[dict[str, object]] | None = None
    winner: Method = "rfm"
    difference_error: float | None = None  # standard error of the paired AUC difference

    def as_dict(self, shown: Method) -> dict[str, object]:
        """`chosen` is the method shown (the winner unless k or the method was given); `margin` its AUC minus the
        other's: negative when k-means was asked for and lost, 0 without a contender."""
        margin = 0.0
        if self.kmeans_auc is not None:
            margin = self.kmeans_auc - self.rfm_auc if shown == "kmeans" else self.rfm_auc - self.kmeans_auc
        return {
            "split_at": self.split_at,
            "later_days": self.later_days,
            "customers": self.customers,
            "auc": {"rfm": self.rfm_auc, "kmeans": self.kmeans_auc},
            "chosen": shown,
            "margin": margin,
            "margin_standard_error": self.difference_error,
            "kmeans_k": self.kmeans_k,
            "future_revenue_share": {"rfm": self.rfm_shares, "kmeans": self.kmeans_shares},
        }


def validate(
    events: pd.DataFrame,
    *,
    k: int | None,
    seed: int,
    sample_size: int,
    notes: Notes,
    report: Callable[[float], None],
    sample_customers: int = VALIDATION_SAMPLE,
) -> tuple[Validation | None, KMeansFit | None]:
    """The test of RFM segments against k-means clusters on later purchases, and the k-means contender.

    The customers of the earlier part (before `split_at`) are segmented both ways, as `segment` would segment a log
    that ended there. Each segment's score is its repeat rate one window earlier: its customers are assigned the same
    way (RFM quintiles of the log up to `calibration_at`; the contender's centres on those features in the same
    scaled space) and the share of them who bought in [calibration_at, split_at), shrunk towards the overall share by
    RATE_PRIOR customers, is their segment's score. Nothing from the later part goes into a score. Each method's AUC is
    how well those scores rank the earlier part's customers on "buys again in the later part" (an order: a positive
    amount; without amounts, any event); `future_revenue_share` gives each segment's share of customers and of the
    later part's revenue. k-means is chosen only when its AUC beats RFM's by AUC_MARGIN and by Z_ONE_SIDED standard
    errors of the paired difference (DeLong's placements).

    With more than `sample_customers` customers in the earlier part, all of this runs on a seeded sample of that many
    of them (their rows only; `customers` in the result still counts them all). None (and a note) when the log
    cannot be split or either window lacks MIN_EACH_OUTCOME customers (of those scored) of each outcome.
    """
    split = split_log(events["timestamp"])
    if split is None:
        notes.add("too_short_to_validate")
        return None, None
    codes, _labels = user_codes(events["user_id"])
    n_users = int(codes.max()) + 1
    timestamps = pd.DatetimeIndex(events["timestamp"])
    amounts = events["amount"].to_numpy(dtype="float64", na_value=np.nan) if "amount" in events else np.full(len(events), np.nan)
    has_amounts = bool(np.isfinite(amounts).any())
    before_split = np.asarray(timestamps < split.split_at)
    before_calibration = np.asarray(timestamps < split.calibration_at)
    after_split = ~before_split
    earlier_customers = np.flatnonzero(np.bincount(codes[before_split], minlength=n_users))
    if len(earlier_customers) > sample_customers:
        kept = _sampled_rows(codes, earlier_customers, n_users, sample_customers, seed=seed)
        before_split &= kept
        before_calibration &= kept
        after_split &= kept
    later_orders, later_revenue = _window_totals(codes, amounts, has_amounts, after_split, n_users)
    calibration_orders, _revenue = _window_totals(codes, amounts, has_amounts, before_split & ~before_calibration, n_users)

    earlier_users = _first_appearance(codes[before_split])
    calibration_users = _first_appearance(codes[before_calibration])
    buys_again = later_orders[earlier_users] > 0
    bought_in_calibration = calibration_orders[calibration_users] > 0
    if min(len(earlier_users), len(calibration_users)) < MIN_USERS or not all(
        MIN_EACH_OUTCOME <= outcome.sum() <= len(outcome) - MIN_EACH_OUTCOME for outcome in (buys_again, bought_in_calibration)
    ):
        notes.add("too_short_to_validate")
        return None, None

    earlier = user_features(events[before_split])
    calibration = user_features(events[before_calibration])
    earlier_scores = rfm_scores(earlier.raw, has_amounts=earlier.has_amounts)
    calibration_scores = rfm_scores(calibration.raw, has_amounts=calibration.has_amounts)
    report(0.15)
    rfm_earlier, rfm_codes = rfm_labels(earlier_scores)
    rfm_calibration = np.full(len(calibration_users), -1, dtype="int64")
    position = {code: label for label, code in enumerate(rfm_codes)}
    calibration_codes = calibration_scores["rfm_segment"].cat.codes.to_numpy(dtype="int64")
    for code_index, code in enumerate(SEGMENT_CODES):
        if code in position:
            rfm_calibration[calibration_codes == code_index] = position[code]
    rfm_score = _segment_rates(rfm_calibration, bought_in_calibration, len(rfm_codes))[rfm_earlier]

    contender: KMeansFit | None = None
    try:
        contender = kmeans_segments(
            earlier, k, seed=seed, sample_size=sample_size, notes=Notes(), report=scaled_progress(report, 0.2, 0.9), stability=False
        )
    except SegmentationError:
        notes.add("no_kmeans_contender")
    rfm_auc, rfm_placements = auc_placements(rfm_score, buys_again)
    rfm_segments_earlier = profile_segments(earlier, earlier_scores, rfm_earlier, len(rfm_codes), codes=rfm_codes)
    test = Validation(
        split_at=split.split_at.strftime("%Y-%m-%d"),
        later_days=split.days,
        customers=len(earlier_customers),
        rfm_auc=rfm_auc,
        rfm_shares=_future_shares(rfm_segments_earlier, rfm_earlier, later_revenue[earlier_users]),
    )
    if contender is not None:
        assigned = pairwise_distances_argmin(earlier.scaling.apply(calibration.raw), contender.centres)
        kmeans_score = _segment_rates(assigned, bought_in_calibration, contender.k)[contender.labels]
        kmeans_auc, kmeans_placements = auc_placements(kmeans_score, buys_again)
        difference, error = paired_auc_difference(kmeans_placements, rfm_placements)
        kmeans_segments_earlier = profile_segments(earlier, earlier_scores, contender.labels, contender.k)
        test = test._replace(
            kmeans_auc=kmeans_auc,
            kmeans_k=contender.k,
            kmeans_shares=_future_shares(kmeans_segments_earlier, contender.labels, later_revenue[earlier_users]),
            winner="kmeans" if difference > max(AUC_MARGIN, Z_ONE_SIDED * error) else "rfm",
            difference_error=error,
        )
        notes.add(f"{test.winner}_won", days=split.days, rfm=rfm_auc, kmeans=kmeans_auc)
    report(1.0)
    return test, contender


def auc_placements(scores: np.ndarray, outcome: np.ndarray) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
    """The AUC of `scores` for the boolean `outcome` (ties count half) and DeLong's placements: for each positive, the
    share of negatives it outranks; for each negative, the share of positives that outrank it."""
    positives, negatives = scores[outcome], scores[~outcome]
    sorted_negatives, sorted_positives = np.sort(negatives), np.sort(positives)
    below = np.searchsorted(sorted_negatives, positives, "left") + np.searchsorted(sorted_negatives, positives, "right")
    above = (
        2 * len(positives) - np.searchsorted(sorted_positives, negatives, "left") - np.searchsorted(sorted_positives, negatives, "right")
    )
    positive_placements = below / (2 * len(negatives))
    negative_placements = above / (2 * len(positives))
    return float(positive_placements.mean()), (positive_placements, negative_placements)


def paired_auc_difference(first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
    """AUC(first) − AUC(second) of two scores of the same customers, and its standard error (DeLong et al. 1988)."""
    positive_difference = first[0] - second[0]
    negative_difference = first[1] - second[1]
    variance = positive_difference.var(ddof=1) / len(positive_difference) + negative_difference.var(ddof=1) / len(negative_difference)
    return float(positive_difference.mean()), math.sqrt(max(float(variance), 0.0))


def _sampled_rows(codes: np.ndarray, customers: np.ndarray, n_users: int, size: int, *, seed: int) -> np.ndarray:
    """The rows, over the whole log, of a seeded sample of `size` of the users `customers`."""
    drawn = np.zeros(n_users, dtype=bool)
    drawn[np.random.default_rng(seed).choice(customers, size=size, replace=False)] = True
    rows: np.ndarray = drawn[codes]
    return rows


def _first_appearance(codes: np.ndarray) -> np.ndarray:
    """The distinct codes in order of first appearance: how user_features numbers the users of those rows."""
    _positions, uniques = pd.factorize(codes)
    return np.asarray(uniques, dtype=np.intp)


def _window_totals(
    codes: np.ndarray, amounts: np.ndarray, has_amounts: bool, rows: np.ndarray, n_users: int
) -> tuple[np.ndarray, np.ndarray]:
    """Orders (rows with a positive amount; without amounts, rows) and revenue (amounts, refunds included, floored at
    0) of each user over the selected rows."""
    codes = codes[rows]
    if not has_amounts:
        return np.bincount(codes, minlength=n_users), np.zeros(n_users)
    amounts = amounts[rows]
    known = np.isfinite(amounts)
    orders = np.bincount(codes[amounts > 0], minlength=n_users)
    revenue = np.maximum(np.bincount(codes[known], weights=amounts[known], minlength=n_users), 0.0)
    return orders, revenue


def _segment_rates(labels: np.ndarray, outcome: np.ndarray, k: int) -> np.ndarray:
    """Each segment's share of customers with the outcome, shrunk towards the overall share by RATE_PRIOR customers
    (a label of -1, no segment, counts only in the overall share)."""
    overall = float(outcome.mean())
    assigned = labels >= 0
    counts = np.bincount(labels[assigned], minlength=k)
    hits = np.bincount(labels[assigned], weights=outcome[assigned].astype("float64"), minlength=k)
    rates: np.ndarray = (hits + RATE_PRIOR * overall) / (counts + RATE_PRIOR)
    return rates


def _future_shares(segments: list[Segment], labels: np.ndarray, later_revenue: np.ndarray) -> list[dict[str, object]]:
    """Each segment's name, share of customers and share of the later part's revenue."""
    revenue = np.bincount(labels, weights=later_revenue, minlength=len(segments))
    total = revenue.sum()
    return [
        {
            "name": segment.name,
            "name_zh": segment.name_zh,
            "share_of_customers": segment.share,
            "share_of_future_revenue": float(revenue[segment.id] / total) if total > 0 else 0.0,
        }
        for segment in segments
    ]
