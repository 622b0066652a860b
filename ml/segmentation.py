"""Customer segmentation: RFM segments, or k-means clusters when they predict repeat buying better.

The log is split in time (`split_log`): both methods segment the customers of the earlier part, each segment is scored
by its repeat rate one window earlier (`validate`), and the AUC of those scores for "buys again in the later part"
decides: k-means only when it beats RFM by AUC_MARGIN and by 1.645 paired standard errors (DeLong). The final
segments come from the whole log. k-means: k searched on a seeded sample by silhouette (the elbow among those within
SILHOUETTE_MARGIN), Lloyd iterations on all users from the sample's centres, a bootstrap for stability. Clusters are
named after the RFM cell of their revenue-weighted mean R and F scores, with a descriptive word when two share it. Figures:
bench/README.md. Degenerate input raises SegmentationError.
"""

import math
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, pairwise_distances_argmin
from threadpoolctl import threadpool_limits

from ml.features import OTHER, UserFeatures, user_codes, user_features
from ml.parallel import THREADS
from ml.rfm import GRID, RFM_SEGMENT_BY_CODE, SEGMENT_CODES, rfm_scores
from ml.silhouette import silhouette_scores

MIN_USERS = 10
USERS_PER_SEGMENT = 10  # automatic k: at least this many customers per segment on average
K_CANDIDATES = range(2, 11)
SILHOUETTE_MARGIN = 0.02
SEARCH_N_INIT = 4  # k-means++ restarts per fit on the sample; cheap there, and it steadies the silhouettes
# Users in the sample for the k search, the silhouettes and the stability bootstrap. Per-user silhouettes spread by
# 0.09–0.18 (sd) on CDNOW and on the synthetic log of bench/segment.py, so the mean of 5,000 has a standard error of
# 0.001–0.003, far inside SILHOUETTE_MARGIN; over ten seeds both chose the same k from 3,000, 4,000, 5,000 or 10,000
# users, the leading silhouettes within ±0.006. The O(n²) silhouettes cost a quarter of those of 10,000 users.
SAMPLE_SIZE = 5_000
BOOTSTRAP_ROUNDS = 8
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

Method = Literal["rfm", "kmeans"]

# The English sentence of each note code; `segment` fills the braces.
NOTES: dict[str, str] = {
    "no_amounts": "No amounts in the data: frequency counts events, and monetary value is neither used nor scored.",
    "sampled": "The choice of k, silhouettes and stability use a random sample of {sample:,} of {users:,} users.",
    "k_given": "k = {k} was given, not searched for.",
    "elbow_chosen": "Silhouettes within {margin} of the best: k = {k} was chosen as nearest the elbow of inertia.",
    "too_short_to_validate": (
        "The log is too short, or too few of its customers buy again (or too few do not), to test the segments on "
        "later purchases: RFM segments are shown unless k was given."
    ),
    "no_kmeans_contender": "k-means could not run on the earlier part of the log: only RFM segments were tested.",
    "rfm_won": (
        "On who bought again in the last {days} days, RFM segments ranked customers at least as well as k-means clusters "
        "(AUC {rfm:.3f} against {kmeans:.3f}): RFM segments are the default."
    ),
    "kmeans_won": (
        "On who bought again in the last {days} days, k-means clusters ranked customers better than RFM segments "
        "(AUC {kmeans:.3f} against {rfm:.3f}): k-means segments are the default."
    ),
}


class SegmentationError(Exception):
    """Input that cannot be segmented; `code` says why: "no_users" (no row with a user and a timestamp),
    "too_few_users" (fewer than MIN_USERS), "no_variation" (every user has the same features: nothing to separate),
    "invalid_k" (a given k outside 2..the number of distinct sampled users)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Segment:
    id: int  # by size, 0 the largest
    code: str  # the RFM segment (for a cluster: the one holding most of its revenue; two clusters can share it)
    name: str  # unique: a cluster sharing its code with another gets a descriptive word ("At risk — high value")
    name_zh: str
    size: int
    share: float
    revenue_share: float
    profile: dict[str, float]  # mean of each raw feature (ml.features) over the members


@dataclass(frozen=True)
class SegmentationResult:
    k: int  # segments shown
    silhouette: float | None  # k-means: of the chosen k's fit on the sample; RFM: None
    stability_ari: float | None  # k-means: bootstrap ARI; RFM: None
    segments: list[Segment]
    users: int
    notes: list[str]
    silhouette_by_k: dict[int, float]  # of each k tried, on the sample; RFM: the k-means contender's ({} without one)
    inertia_by_k: dict[int, float]  # within-cluster sum of squares on the sample; likewise
    method: str = "rfm"  # "rfm" or "kmeans": what the segments are
    validation: dict[str, object] | None = None  # see `validate`; None when the log could not be split
    note_codes: tuple[str, ...] = ()  # a stable code per note, in the same order (NOTES)


class Segmentation(NamedTuple):
    result: SegmentationResult
    # user_id, segment_id, rfm_segment (code), recency, frequency, monetary, r, f, m: one row per user
    members: pd.DataFrame


class _Notes:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.sentences: list[str] = []

    def add(self, code: str, **values: object) -> None:
        if code not in self.codes:
            self.codes.append(code)
            self.sentences.append(NOTES[code].format(**values))


class _KMeansFit(NamedTuple):
    labels: np.ndarray  # 0 the largest cluster
    k: int
    centres: np.ndarray  # in the order of the labels, in the features' scaled space
    silhouette: float
    stability: float | None
    silhouette_by_k: dict[int, float]
    inertia_by_k: dict[int, float]
    sampled: int  # users in the sample


def segment(
    events: pd.DataFrame,
    *,
    k: int | None = None,
    method: Method | None = None,
    seed: int = 0,
    sample_size: int = SAMPLE_SIZE,
    progress: Callable[[float], None] | None = None,
) -> Segmentation:
    """Segment the users of a normalised events frame; `progress` gets increasing fractions in [0, 1].

    1. Features (ml.features) and RFM scores (ml.rfm) for every user. Pass `user_id`, `event` and `channel` as
       categoricals (pyarrow's `read_dictionary`, as analysis.events reads the Parquet): from Python strings the
       feature step is much slower.
    2. The test (`split_log`, `validate`): RFM segments against k-means clusters of the customers of the earlier part
       of the log, on who buys again in the later part. When the log cannot be split, nothing is tested.
    3. The method: `method` when given, k-means when `k` is given, else the winner of the test (RFM without a test).
    4. RFM: each non-empty RFM segment is a segment. k-means (`kmeans_segments`): k as given, as tested when the test
       chose k-means (`silhouette_by_k` and `inertia_by_k` are then the test's search), else searched on a seeded
       sample of at most `sample_size` users; Lloyd iterations on all users from the sample's centres, bootstrap
       stability of the sample (near 1: real structure; near 0: another draw of customers gives other clusters).
    5. Each segment's profile (size, share of users and of revenue, mean raw features) and unique names
       (`profile_segments`). Segment ids run by size, largest first.

    `result` is a frozen, JSON-serialisable summary (`dataclasses.asdict`); `members` is one row per user, for the
    app to store or offer as a download, kept apart because it can be millions of rows. Without any amount the
    segmentation runs on the other features and says so in `notes`.
    """
    if sample_size < MIN_USERS:
        raise ValueError(f"sample_size must be at least {MIN_USERS}")
    if method not in (None, "rfm", "kmeans"):
        raise ValueError("method must be None, 'rfm' or 'kmeans'")
    report = _Progress(progress)
    report(0.0)
    events = _usable_rows(events)
    features = user_features(events)
    _check_usable(features)
    scores = rfm_scores(features.raw, has_amounts=features.has_amounts)
    notes = _Notes()
    if not features.has_amounts:
        notes.add("no_amounts")
    report(0.2)

    test, contender = validate(events, k=k, seed=seed, sample_size=sample_size, notes=notes, report=_scaled(report, 0.2, 0.6))
    chosen: Method = method or ("kmeans" if k is not None else test.winner if test else "rfm")
    validation = test.as_dict(chosen) if test else None
    report(0.6)
    users = len(features.raw)
    if chosen == "rfm":
        labels, codes = rfm_labels(scores)
        segments = profile_segments(features, scores, labels, len(codes), codes=codes)
        silhouette_by_k = contender.silhouette_by_k if contender else {}
        inertia_by_k = contender.inertia_by_k if contender else {}
        result = SegmentationResult(
            k=len(codes),
            silhouette=None,
            stability_ari=None,
            segments=segments,
            users=users,
            notes=notes.sentences,
            silhouette_by_k=silhouette_by_k,
            inertia_by_k=inertia_by_k,
            method="rfm",
            validation=validation,
            note_codes=tuple(notes.codes),
        )
    else:
        # Chosen by the test: the k that was tested, its search (on the earlier part) reported. Asked for: as given.
        tested = contender if k is None and method is None and contender is not None else None
        fit = kmeans_segments(
            features,
            tested.k if tested else k,
            seed=seed,
            sample_size=sample_size,
            notes=notes,
            report=_scaled(report, 0.6, 0.95),
            given=tested is None,
        )
        if tested:
            fit = fit._replace(silhouette_by_k=tested.silhouette_by_k, inertia_by_k=tested.inertia_by_k)
        labels = fit.labels
        segments = profile_segments(features, scores, labels, fit.k)
        result = SegmentationResult(
            k=fit.k,
            silhouette=fit.silhouette,
            stability_ari=fit.stability,
            segments=segments,
            users=users,
            notes=notes.sentences,
            silhouette_by_k=fit.silhouette_by_k,
            inertia_by_k=fit.inertia_by_k,
            method="kmeans",
            validation=validation,
            note_codes=tuple(notes.codes),
        )
    members = _members(features, scores, labels)
    report(1.0)
    return Segmentation(result=result, members=members)


def rfm_labels(scores: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each user's segment id when the non-empty RFM segments are the segments (0 the largest; ties in the order of
    RFM_SEGMENTS), and the RFM code of each id."""
    codes = scores["rfm_segment"].cat.codes.to_numpy(dtype="int64")
    sizes = np.bincount(codes, minlength=len(SEGMENT_CODES))
    order = [int(code) for code in np.argsort(-sizes, kind="stable") if sizes[code] > 0]
    renumbered = np.full(len(SEGMENT_CODES), -1, dtype="int64")
    renumbered[order] = np.arange(len(order))
    labels: np.ndarray = renumbered[codes]
    return labels, [SEGMENT_CODES[code] for code in order]


def kmeans_segments(
    features: UserFeatures,
    k: int | None,
    *,
    seed: int,
    sample_size: int,
    notes: _Notes,
    report: Callable[[float], None],
    stability: bool = True,
    given: bool = True,
) -> _KMeansFit:
    """k-means of all users: k searched on a seeded sample (unless given, capped by the number of distinct points and
    USERS_PER_SEGMENT, chosen by `choose_k`), then Lloyd iterations on all users from the sample's centres, and the
    bootstrap stability of the sample (skipped when `stability` is False). `given`: whether a `k` came from the analyst
    (and gets a note) rather than from the test."""
    users = len(features.raw)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(users, size=min(users, sample_size), replace=False))
    sample_matrix = features.scaled[sample]
    candidates = _candidate_ks(sample_matrix, k)
    if len(sample) < users:
        notes.add("sampled", sample=len(sample), users=users)
    report(0.05)
    search, silhouette_by_k, inertia_by_k = _search(sample_matrix, candidates, seed=seed, report=_scaled(report, 0.05, 0.6))
    chosen = choose_k(silhouette_by_k, inertia_by_k)
    if k is not None and given:
        notes.add("k_given", k=k)
    elif silhouette_by_k[chosen] < max(silhouette_by_k.values()):
        notes.add("elbow_chosen", margin=SILHOUETTE_MARGIN, k=chosen)

    # copy_x=False: KMeans centres the matrix in place and restores it, to within rounding, instead of copying all of
    # it; nothing reads it afterwards (the sample matrix is a copy). The same algorithm as the default otherwise.
    final = KMeans(n_clusters=chosen, init=search[chosen].cluster_centers_, n_init=1, random_state=seed, copy_x=False).fit(features.scaled)
    labels, order = _relabel_by_size(final.labels_, chosen)
    report(0.8)
    agreement = None
    if stability:
        with threadpool_limits(limits=1):
            agreement = bootstrap_stability(sample_matrix, labels[sample], chosen, seed=seed)
    report(1.0)
    return _KMeansFit(
        labels=labels,
        k=chosen,
        centres=final.cluster_centers_[order],
        silhouette=silhouette_by_k[chosen],
        stability=agreement,
        silhouette_by_k=silhouette_by_k,
        inertia_by_k=inertia_by_k,
        sampled=len(sample),
    )


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
    notes: _Notes,
    report: Callable[[float], None],
) -> tuple[Validation | None, _KMeansFit | None]:
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

    None (and a note) when the log cannot be split or either window lacks MIN_EACH_OUTCOME customers of each outcome.
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
    later_orders, later_revenue = _window_totals(codes, amounts, has_amounts, ~before_split, n_users)
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

    contender: _KMeansFit | None = None
    try:
        contender = kmeans_segments(
            earlier, k, seed=seed, sample_size=sample_size, notes=_Notes(), report=_scaled(report, 0.2, 0.9), stability=False
        )
    except SegmentationError:
        notes.add("no_kmeans_contender")
    rfm_auc, rfm_placements = auc_placements(rfm_score, buys_again)
    rfm_segments_earlier = profile_segments(earlier, earlier_scores, rfm_earlier, len(rfm_codes), codes=rfm_codes)
    test = Validation(
        split_at=split.split_at.strftime("%Y-%m-%d"),
        later_days=split.days,
        customers=len(earlier_users),
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


def choose_k(silhouette_by_k: dict[int, float], inertia_by_k: dict[int, float], margin: float = SILHOUETTE_MARGIN) -> int:
    """The k with the best silhouette; among those within `margin` of it, the one nearest the inertia elbow."""
    best = max(silhouette_by_k.values())
    contenders = sorted(candidate for candidate, value in silhouette_by_k.items() if value >= best - margin)
    if len(contenders) == 1:
        return contenders[0]
    elbow = elbow_k(inertia_by_k)
    return min(contenders, key=lambda candidate: (abs(candidate - elbow), candidate))


def elbow_k(inertia_by_k: dict[int, float]) -> int:
    """The k furthest below the chord joining the first and last points of the normalised inertia curve."""
    ks = np.array(sorted(inertia_by_k), dtype="float64")
    inertia = np.array([inertia_by_k[int(candidate)] for candidate in ks])
    if len(ks) < 3 or inertia[0] == inertia[-1]:
        return int(ks[0])
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertia - inertia[-1]) / (inertia[0] - inertia[-1])
    return int(ks[np.argmax((1 - x) - y)])


def bootstrap_stability(matrix: np.ndarray, reference: np.ndarray, k: int, *, seed: int, rounds: int = BOOTSTRAP_ROUNDS) -> float:
    """Mean adjusted Rand index between `reference` labels and k-means refitted on bootstrap resamples of `matrix`,
    each compared on the distinct points it drew."""
    rng = np.random.default_rng(seed + 1)
    agreement = []
    for round_ in range(rounds):
        drawn = rng.integers(0, len(matrix), size=len(matrix))
        with warnings.catch_warnings():
            # A resample can hold fewer distinct points than k on tiny inputs; the refit is still comparable.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = _kmeans(k, seed=seed + 1 + round_, n_init=1).fit(matrix[drawn])
        common = np.unique(drawn)
        agreement.append(adjusted_rand_score(reference[common], model.predict(matrix[common])))
    return float(np.mean(agreement))


def profile_segments(
    features: UserFeatures, scores: pd.DataFrame, labels: np.ndarray, k: int, *, codes: Sequence[str] | None = None
) -> list[Segment]:
    """One Segment per label 0..k-1: size, shares, mean raw features and a unique name.

    `codes`: each label's RFM segment when the labels are RFM segments; else the labels are clusters, named by
    `cluster_codes`, and clusters sharing a name get the words that tell them apart (`_qualifiers`: "At risk — high
    value", "At risk — low value")."""
    raw = features.raw
    users = len(raw)
    sizes = np.bincount(labels, minlength=k)
    monetary = raw["monetary"].to_numpy(dtype="float64")
    revenue = np.bincount(labels, weights=monetary, minlength=k)
    total_revenue = revenue.sum()
    with ThreadPoolExecutor(THREADS) as pool:  # a million-long bincount per feature: side by side (ml.parallel)
        sums = np.column_stack(
            list(pool.map(lambda column: np.bincount(labels, weights=raw[column].to_numpy(dtype="float64"), minlength=k), raw.columns))
        )
    means = sums / np.maximum(sizes, 1)[:, None]  # an empty cluster's profile is all 0
    if codes is None:
        codes = cluster_codes(scores, labels, k, monetary)
    words = _qualifiers(features, labels, k, list(codes), means)
    segments = []
    for label in range(k):
        rfm = RFM_SEGMENT_BY_CODE[codes[label]]
        english, chinese = words.get(label, ([], []))
        segments.append(
            Segment(
                id=label,
                code=rfm.code,
                name=rfm.name + (" — " + ", ".join(english) if english else ""),
                name_zh=rfm.name_zh + ("（" + "，".join(chinese) + "）" if chinese else ""),
                size=int(sizes[label]),
                share=float(sizes[label] / users),
                revenue_share=float(revenue[label] / total_revenue) if total_revenue > 0 else 0.0,
                profile={column: float(value) for column, value in zip(raw.columns, means[label], strict=True)},
            )
        )
    return segments


def cluster_codes(scores: pd.DataFrame, labels: np.ndarray, k: int, monetary: np.ndarray) -> list[str]:
    """Each cluster's RFM segment: the cell of the RFM grid at its members' mean R and F scores weighted by what they
    spent (unweighted when the cluster spent nothing), rounded half up. So a cluster of many sleepers whose revenue
    comes from recent, frequent buyers is not "Hibernating", and one of a few big spenders among many sleepers is not
    "Loyal" either: on CDNOW, k = 2 gave a cluster of 75 % of customers, a third of them hibernating, with 41 % of its
    revenue from loyal and 31 % from at-risk customers; plain means (2.4, 2.4) say hibernating, by members' majority
    too, by revenue's majority loyal; weighted means (2.8, 3.3) say at risk."""
    sizes = np.bincount(labels, minlength=k).astype("float64")
    spent = np.bincount(labels, weights=monetary, minlength=k)
    weights = np.where(spent[labels] > 0, monetary, 1.0)
    totals = np.bincount(labels, weights=weights, minlength=k)
    cells = []
    for column in ("r", "f"):
        values = scores[column].to_numpy(dtype="float64")
        mean = np.bincount(labels, weights=values * weights, minlength=k) / np.maximum(totals, 1e-300)
        mean = np.where(sizes > 0, mean, 1.0)
        cells.append(np.clip(np.floor(mean + 0.5), 1, 5).astype("int64"))
    return [SEGMENT_CODES[int(GRID[r, f])] for r, f in zip(*cells, strict=True)]


# Words for a cluster's rank among those sharing a name, on one feature, best first (English, Chinese); `higher`:
# whether a higher mean ranks first. RANKS picks the words for 2..5 clusters.
RANK_WORDS: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    "monetary": (
        True,
        ("highest value", "high value", "mid value", "low value", "lowest value"),
        ("最高价值", "高价值", "中等价值", "低价值", "最低价值"),
    ),
    "frequency": (
        True,
        ("most frequent", "frequent", "mid frequency", "infrequent", "least frequent"),
        ("最高频", "高频", "中频", "低频", "最低频"),
    ),
    "recency": (
        False,
        ("most recent", "recent", "mid recency", "less recent", "least recent"),
        ("最近购买", "近期购买", "中期购买", "较早购买", "最早购买"),
    ),
    "tenure": (
        True,
        ("longest-standing", "long-standing", "mid tenure", "newer", "newest"),
        ("最资深", "资深", "中等资历", "较新", "最新"),
    ),
    "average_order_value": (
        True,
        ("largest orders", "large orders", "mid-size orders", "small orders", "smallest orders"),
        ("客单价最高", "客单价高", "客单价中等", "客单价低", "客单价最低"),
    ),
}
RANKS = {2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}
# A share group's words: the value most of the cluster's rows have.
SHARE_WORDS = {"channel_share__": ("mostly via {}", "主要通过{}"), "event_share__": ("mostly {} events", "以{}事件为主")}
OTHER_WORDS = {
    "channel_share__": ("mostly via other channels", "主要通过其他渠道"),
    "event_share__": ("mostly other events", "以其他事件为主"),
}


def _qualifiers(
    features: UserFeatures, labels: np.ndarray, k: int, codes: list[str], means: np.ndarray
) -> dict[int, tuple[list[str], list[str]]]:
    """Words that tell apart the clusters sharing an RFM code: the feature on which their centres (in the scaled space
    k-means works in, share groups unweighted) differ most, as a rank ("high value", "low value") or, for a group of
    shares, each cluster's most common value ("mostly via app") when those differ. More than five clusters sharing a
    code are split into five ranks and each rank told apart again on the next feature."""
    groups: dict[str, list[int]] = {}
    for label, code in enumerate(codes):
        groups.setdefault(code, []).append(label)
    if all(len(group) == 1 for group in groups.values()):
        return {}
    namer = _Namer(features, labels, k, means)
    for group in groups.values():
        if len(group) > 1:
            namer.tell_apart(group, frozenset())
    return namer.words


class _Namer:
    """The state of `_qualifiers`: the clusters' centres and the words given so far."""

    def __init__(self, features: UserFeatures, labels: np.ndarray, k: int, means: np.ndarray) -> None:
        scaled = features.scaled
        sizes = np.maximum(np.bincount(labels, minlength=k), 1)
        sums = [np.bincount(labels, weights=scaled[:, column], minlength=k) for column in range(scaled.shape[1])]
        self.centres = np.column_stack(sums) / sizes[:, None] * features.scaling.weight  # share columns unweighted
        self.position = {name: index for index, name in enumerate(features.columns)}
        self.raw_columns = list(features.raw.columns)
        self.means = means
        self.words: dict[int, tuple[list[str], list[str]]] = {}

    def tell_apart(self, group: list[int], used: frozenset[str]) -> None:
        for _spread, name in self._dimensions(group, used):
            if name in SHARE_WORDS:
                if self._by_dominant_value(group, name):
                    return
                continue
            self._by_rank(group, name, used)
            return
        for number, label in enumerate(group, start=1):  # identical centres: nothing else tells them apart
            self._add(label, f"group {number}", f"第{number}组")

    def _dimensions(self, group: list[int], used: frozenset[str]) -> list[tuple[float, str]]:
        """The features (and share groups) not yet used on which the group's centres differ, most first."""
        dimensions = [(float(np.ptp(self.centres[group, self.position[name]])), name) for name in RANK_WORDS if name in self.position]
        for prefix in SHARE_WORDS:
            columns = [index for name, index in self.position.items() if name.startswith(prefix)]
            if columns:
                dimensions.append((float(np.ptp(self.centres[np.ix_(group, columns)], axis=0).max()), prefix))
        return sorted(((spread, name) for spread, name in dimensions if spread > 0 and name not in used), key=lambda item: -item[0])

    def _by_dominant_value(self, group: list[int], prefix: str) -> bool:
        shares = [position for position, name in enumerate(self.raw_columns) if name.startswith(prefix)]
        dominant = [self.raw_columns[shares[int(np.argmax(self.means[label, shares]))]].removeprefix(prefix) for label in group]
        if len(set(dominant)) < len(group):
            return False
        english, chinese = SHARE_WORDS[prefix]
        for label, value in zip(group, dominant, strict=True):
            self._add(label, *(OTHER_WORDS[prefix] if value == OTHER else (english.format(value), chinese.format(value))))
        return True

    def _by_rank(self, group: list[int], name: str, used: frozenset[str]) -> None:
        higher, english, chinese = RANK_WORDS[name]
        values = self.centres[group, self.position[name]]
        buckets: dict[int, list[int]] = {}
        for rank, index in enumerate(np.argsort(-values if higher else values, kind="stable")):
            bucket = RANKS[len(group)][rank] if len(group) <= len(english) else rank * len(english) // len(group)
            buckets.setdefault(bucket, []).append(group[int(index)])
            self._add(group[int(index)], english[bucket], chinese[bucket])
        for members in buckets.values():
            if len(members) > 1:
                self.tell_apart(members, used | {name})

    def _add(self, label: int, english: str, chinese: str) -> None:
        words = self.words.setdefault(label, ([], []))
        words[0].append(english)
        words[1].append(chinese)


def scatter_sample(members: pd.DataFrame, max_points: int = 100_000, seed: int = 0) -> pd.DataFrame:
    """At most `max_points` members, drawn uniformly (seeded) in their original order, for a recency-vs-frequency
    scatter sized by monetary value: columns user_id, segment_id, rfm_segment, recency, frequency, monetary."""
    columns = ["user_id", "segment_id", "rfm_segment", "recency", "frequency", "monetary"]
    if len(members) <= max_points:
        return members[columns].reset_index(drop=True)
    picked = np.sort(np.random.default_rng(seed).choice(len(members), size=max_points, replace=False))
    return members[columns].iloc[picked].reset_index(drop=True)


def _check_usable(features: UserFeatures) -> None:
    users = len(features.raw)
    if users == 0:
        raise SegmentationError("no_users", "No event has both a user and a timestamp.")
    if users < MIN_USERS:
        raise SegmentationError("too_few_users", f"{users} users; segmentation needs at least {MIN_USERS}.")
    if not features.columns:
        raise SegmentationError("no_variation", "Every user behaves the same: there is nothing to tell segments apart by.")


def _candidate_ks(sample_matrix: np.ndarray, k: int | None) -> list[int]:
    distinct = len(np.unique(sample_matrix, axis=0))
    if distinct < 2:
        raise SegmentationError("no_variation", "Every sampled user behaves the same: there is nothing to tell segments apart by.")
    if k is not None:
        if not 2 <= k <= min(distinct, len(sample_matrix) - 1):
            raise SegmentationError("invalid_k", f"k must be between 2 and {min(distinct, len(sample_matrix) - 1)}.")
        return [k]
    # Automatic k gives segments of USERS_PER_SEGMENT customers on average at least: on small data the silhouette
    # keeps rising with k, and a "segment" of three customers is nothing to act on.
    largest = min(distinct, len(sample_matrix) - 1, max(2, len(sample_matrix) // USERS_PER_SEGMENT))
    return [candidate for candidate in K_CANDIDATES if candidate <= largest]


def _search(
    sample_matrix: np.ndarray, candidates: list[int], *, seed: int, report: Callable[[float], None]
) -> tuple[dict[int, KMeans], dict[int, float], dict[int, float]]:
    """k-means of the sample for each candidate k, with its silhouette and inertia on the sample."""
    # Work on the sample runs on one thread: it gains little from more, and on shared cores OpenMP and BLAS threads
    # waiting on each other made it up to 20 times slower (0.05 s against 1–2.7 s per KMeans fit of 10,000 points).
    # The candidates are fitted side by side on THREADS Python threads instead (ml.parallel; scikit-learn's Lloyd
    # iterations release the GIL), each with its own seeded model, so the same fits: 0.14 s to 0.11 s on two cores.
    with threadpool_limits(limits=1), ThreadPoolExecutor(THREADS) as pool:
        search: dict[int, KMeans] = {}
        fits = pool.map(lambda candidate: _kmeans(candidate, seed=seed, n_init=SEARCH_N_INIT).fit(sample_matrix), candidates)
        for position, (candidate, model) in enumerate(zip(candidates, fits, strict=True)):
            search[candidate] = model
            report(0.8 * (position + 1) / len(candidates))
        silhouette_by_k = silhouette_scores(sample_matrix, {candidate: model.labels_ for candidate, model in search.items()})
    return search, silhouette_by_k, {candidate: float(model.inertia_) for candidate, model in search.items()}


def _kmeans(k: int, *, seed: int, n_init: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def _relabel_by_size(labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels renumbered so that 0 is the largest cluster (ties: the lower original label first), and the original
    label of each new one."""
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    renumbered = np.empty(k, dtype="int64")
    renumbered[order] = np.arange(k)
    relabelled: np.ndarray = renumbered[labels]
    return relabelled, order


def _usable_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The rows with a user and a timestamp (the frame itself when all have them)."""
    usable = events["user_id"].notna().to_numpy() & events["timestamp"].notna().to_numpy()
    return events if usable.all() else events[usable]


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


def _scaled(report: Callable[[float], None], start: float, stop: float) -> Callable[[float], None]:
    """A progress callback for a step that runs from `start` to `stop` of the whole."""
    return lambda fraction: report(start + (stop - start) * fraction)


def _members(features: UserFeatures, scores: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    raw = features.raw
    return pd.DataFrame(
        {
            "user_id": raw.index.to_numpy(),
            "segment_id": labels.astype("int16"),
            "rfm_segment": scores["rfm_segment"].array,
            "recency": raw["recency"].to_numpy(),
            "frequency": raw["frequency"].to_numpy(),
            "monetary": raw["monetary"].to_numpy(),
            "r": scores["r"].array,
            "f": scores["f"].array,
            "m": scores["m"].array,
        }
    )


class _Progress:
    """Calls the caller's callback with strictly increasing fractions in [0, 1], and never when there is none."""

    def __init__(self, callback: Callable[[float], None] | None) -> None:
        self.callback = callback
        self.last = -1.0

    def __call__(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if self.callback is not None and fraction > self.last:
            self.last = fraction
            self.callback(fraction)
