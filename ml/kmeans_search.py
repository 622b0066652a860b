"""k-means of the users: k searched on a seeded sample, the fit on all users, the stability of the clusters.

The candidates k are fitted on a sample and scored by silhouette; among those within SILHOUETTE_MARGIN of the best,
the one nearest the elbow of inertia wins (`choose_k`). Lloyd iterations on every user then start from the sample's
centres, and a bootstrap of the sample measures how far another draw of customers would give the same clusters.
"""

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from ml.features import UserFeatures
from ml.parallel import THREADS
from ml.segment_common import Notes, SegmentationError, scaled_progress
from ml.silhouette import silhouette_scores

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


class KMeansFit(NamedTuple):
    labels: np.ndarray  # 0 the largest cluster
    k: int
    centres: np.ndarray  # in the order of the labels, in the features' scaled space
    silhouette: float
    stability: float | None
    silhouette_by_k: dict[int, float]
    inertia_by_k: dict[int, float]
    sampled: int  # users in the sample


def kmeans_segments(
    features: UserFeatures,
    k: int | None,
    *,
    seed: int,
    sample_size: int,
    notes: Notes,
    report: Callable[[float], None],
    stability: bool = True,
    given: bool = True,
) -> KMeansFit:
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
    search, silhouette_by_k, inertia_by_k = _search(sample_matrix, candidates, seed=seed, report=scaled_progress(report, 0.05, 0.6))
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
    return KMeansFit(
        labels=labels,
        k=chosen,
        centres=final.cluster_centers_[order],
        silhouette=silhouette_by_k[chosen],
        stability=agreement,
        silhouette_by_k=silhouette_by_k,
        inertia_by_k=inertia_by_k,
        sampled=len(sample),
    )


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
