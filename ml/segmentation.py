"""Customer segmentation: k-means on per-user behaviour features, clusters named after RFM segments.

k is searched on a seeded sample of users, never on all of them, because the silhouette costs O(n²): the k with the
best silhouette wins; when others are within SILHOUETTE_MARGIN of it, the one nearest the elbow of the inertia curve
(the smaller on a tie). The final model is fitted on all users from the sample's centres, so the full data only
refines centres that are already nearly right; a bootstrap of the sample says how stable the clusters are. `segment`
gives the steps; its cost against a bare KMeans fit (bench/segment.py) is in bench/README.md. Degenerate input never
crashes: it raises SegmentationError.
"""

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from ml.features import UserFeatures, user_features
from ml.parallel import THREADS
from ml.rfm import RFM_SEGMENTS, rfm_scores
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


class SegmentationError(Exception):
    """Input that cannot be segmented; `code` says why: "no_users" (no row with a user and a timestamp),
    "too_few_users" (fewer than MIN_USERS), "no_variation" (every user has the same features: nothing to separate),
    "invalid_k" (a given k outside 2..the number of distinct sampled users)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Segment:
    id: int
    code: str  # the RFM segment code most members fall into; two clusters can share it, `id` and `name` are unique
    name: str
    name_zh: str
    size: int
    share: float
    revenue_share: float
    profile: dict[str, float]  # mean of each raw feature (ml.features) over the members


@dataclass(frozen=True)
class SegmentationResult:
    k: int
    silhouette: float  # of the chosen k's fit on the sample, whose centres the final model starts from
    stability_ari: float
    segments: list[Segment]
    users: int
    notes: list[str]
    silhouette_by_k: dict[int, float]  # of each k tried, on the sample
    inertia_by_k: dict[int, float]  # within-cluster sum of squares on the sample


class Segmentation(NamedTuple):
    result: SegmentationResult
    # user_id, segment_id, rfm_segment (code), recency, frequency, monetary, r, f, m: one row per user
    members: pd.DataFrame


def segment(
    events: pd.DataFrame,
    *,
    k: int | None = None,
    seed: int = 0,
    sample_size: int = SAMPLE_SIZE,
    progress: Callable[[float], None] | None = None,
) -> Segmentation:
    """Segment the users of a normalised events frame; `progress` gets increasing fractions in [0, 1].

    1. Features (ml.features) and RFM scores (ml.rfm) for every user. Pass `user_id`, `event` and `channel` as
       categoricals (pyarrow's `read_dictionary`, as analysis.events reads the Parquet): from Python strings the
       feature step is much slower.
    2. A random sample of at most `sample_size` users (seeded). Unless `k` is given, k-means is fitted on the sample
       for each k in K_CANDIDATES (capped by the number of distinct points and USERS_PER_SEGMENT) and k chosen by
       `choose_k` from the silhouettes and inertias on the sample.
    3. The final model: Lloyd iterations on all users started from the sample's centres of the chosen k.
    4. Stability: BOOTSTRAP_ROUNDS bootstrap resamples of the sample, each refitted; the mean adjusted Rand index
       between the refits' labels and the final labels on the resampled points. Near 1: the clusters are real
       structure; near 0: another draw of customers would give other clusters.
    5. Each cluster's profile (size, share of users and of revenue, mean raw features) and name: the RFM segment most
       of its members are in; a name used twice gets a number ("Loyal (2)"). Segment ids run by size, largest first.

    `result` is a frozen, JSON-serialisable summary (`dataclasses.asdict`); `members` is one row per user, for the
    app to store or offer as a download, kept apart because it can be millions of rows. Without any amount the
    segmentation runs on the other features and says so in `notes`.
    """
    if sample_size < MIN_USERS:
        raise ValueError(f"sample_size must be at least {MIN_USERS}")
    report = _Progress(progress)
    report(0.0)
    features = user_features(events)
    _check_usable(features)
    report(0.3)
    scores = rfm_scores(features.raw, has_amounts=features.has_amounts)
    notes = (
        [] if features.has_amounts else ["No amounts in the data: frequency counts events, and monetary value is neither used nor scored."]
    )

    users = len(features.raw)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(users, size=min(users, sample_size), replace=False))
    sample_matrix = features.scaled[sample]
    if len(sample) < users:
        notes.append(f"The choice of k, silhouettes and stability use a random sample of {len(sample):,} of {users:,} users.")
    candidates = _candidate_ks(sample_matrix, k)
    report(0.35)

    search, silhouette_by_k, inertia_by_k = _search(sample_matrix, candidates, seed=seed, report=report)
    report(0.7)
    chosen = choose_k(silhouette_by_k, inertia_by_k)
    if k is not None:
        notes.append(f"k = {k} was given, not searched for.")
    elif silhouette_by_k[chosen] < max(silhouette_by_k.values()):
        notes.append(f"Silhouettes within {SILHOUETTE_MARGIN} of the best: k = {chosen} was chosen as nearest the elbow of inertia.")

    # copy_x=False: KMeans centres the matrix in place and restores it, to within rounding, instead of copying all of
    # it; nothing reads it afterwards (the sample matrix is a copy). The same algorithm as the default otherwise.
    final = KMeans(n_clusters=chosen, init=search[chosen].cluster_centers_, n_init=1, random_state=seed, copy_x=False).fit(features.scaled)
    labels = _relabel_by_size(final.labels_, chosen)
    report(0.8)
    with threadpool_limits(limits=1):
        stability = bootstrap_stability(sample_matrix, labels[sample], chosen, seed=seed)
    report(0.95)

    segments = profile_segments(features, scores, labels, chosen)
    result = SegmentationResult(
        k=chosen,
        silhouette=silhouette_by_k[chosen],
        stability_ari=stability,
        segments=segments,
        users=users,
        notes=notes,
        silhouette_by_k=silhouette_by_k,
        inertia_by_k=inertia_by_k,
    )
    members = _members(features, scores, labels)
    report(1.0)
    return Segmentation(result=result, members=members)


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


def profile_segments(features: UserFeatures, scores: pd.DataFrame, labels: np.ndarray, k: int) -> list[Segment]:
    """One Segment per cluster label 0..k-1: size, shares, mean raw features and the RFM name of the majority."""
    raw = features.raw
    users = len(raw)
    sizes = np.bincount(labels, minlength=k)
    revenue = np.bincount(labels, weights=raw["monetary"].to_numpy(dtype="float64"), minlength=k)
    total_revenue = revenue.sum()
    with ThreadPoolExecutor(THREADS) as pool:  # a million-long bincount per feature: side by side (ml.parallel)
        sums = np.column_stack(
            list(pool.map(lambda column: np.bincount(labels, weights=raw[column].to_numpy(dtype="float64"), minlength=k), raw.columns))
        )
    means = sums / np.maximum(sizes, 1)[:, None]  # an empty cluster's profile is all 0
    rfm_codes = scores["rfm_segment"].cat.codes.to_numpy(dtype="int64")
    crosstab = np.bincount(labels * len(RFM_SEGMENTS) + rfm_codes, minlength=k * len(RFM_SEGMENTS)).reshape(k, len(RFM_SEGMENTS))
    used: dict[str, int] = {}
    segments = []
    for label in range(k):
        rfm = RFM_SEGMENTS[int(np.argmax(crosstab[label]))]
        used[rfm.code] = used.get(rfm.code, 0) + 1
        suffix = f" ({used[rfm.code]})" if used[rfm.code] > 1 else ""
        segments.append(
            Segment(
                id=label,
                code=rfm.code,
                name=rfm.name + suffix,
                name_zh=rfm.name_zh + suffix,
                size=int(sizes[label]),
                share=float(sizes[label] / users),
                revenue_share=float(revenue[label] / total_revenue) if total_revenue > 0 else 0.0,
                profile={column: float(value) for column, value in zip(raw.columns, means[label], strict=True)},
            )
        )
    return segments


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
            report(0.35 + 0.25 * (position + 1) / len(candidates))
        silhouette_by_k = silhouette_scores(sample_matrix, {candidate: model.labels_ for candidate, model in search.items()})
    return search, silhouette_by_k, {candidate: float(model.inertia_) for candidate, model in search.items()}


def _kmeans(k: int, *, seed: int, n_init: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def _relabel_by_size(labels: np.ndarray, k: int) -> np.ndarray:
    """Labels renumbered so that 0 is the largest cluster (ties: the lower original label first)."""
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    renumbered = np.empty(k, dtype="int64")
    renumbered[order] = np.arange(k)
    relabelled: np.ndarray = renumbered[labels]
    return relabelled


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
