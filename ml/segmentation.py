"""Customer segmentation: RFM segments, or k-means clusters when they predict repeat buying better.

`segment` computes the features and RFM scores, runs the test in time (ml.segment_validity) that picks the method,
then builds the segments from the whole log: the non-empty RFM segments, or k-means clusters (ml.kmeans_search) named
after the RFM cell they stand for (ml.segment_names). The public names of those modules that callers of `segment` need
(the result's types, the error, the notes' sentences) are importable from here. Degenerate input raises
SegmentationError.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from ml.features import UserFeatures, user_features
from ml.kmeans_search import SAMPLE_SIZE, kmeans_segments
from ml.rfm import rfm_scores
from ml.segment_common import MIN_USERS, NOTES, Method, Notes, Segment, SegmentationError, profile_segments, rfm_labels, scaled_progress
from ml.segment_validity import validate

__all__ = [
    "NOTES",
    "Method",
    "Segment",
    "Segmentation",
    "SegmentationError",
    "SegmentationResult",
    "profile_segments",
    "scatter_sample",
    "segment",
]


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
    notes = Notes()
    if not features.has_amounts:
        notes.add("no_amounts")
    report(0.2)

    test, contender = validate(events, k=k, seed=seed, sample_size=sample_size, notes=notes, report=scaled_progress(report, 0.2, 0.6))
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
            report=scaled_progress(report, 0.6, 0.95),
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


def _usable_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The rows with a user and a timestamp (the frame itself when all have them)."""
    usable = events["user_id"].notna().to_numpy() & events["timestamp"].notna().to_numpy()
    return events if usable.all() else events[usable]


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
