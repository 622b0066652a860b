"""What the segmentation modules share: the error, the notes, a segment's profile, RFM segments as labels.

ml.kmeans_search, ml.segment_validity and ml.segmentation all raise SegmentationError, add notes or profile segments;
these live here, below all three, so that none of them imports another in a circle. ml.segmentation re-exports the
public names.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ml.features import UserFeatures
from ml.parallel import THREADS
from ml.rfm import RFM_SEGMENT_BY_CODE, SEGMENT_CODES
from ml.segment_names import cluster_codes, qualifiers

MIN_USERS = 10

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


class Notes:
    """The notes of a result: a code and its sentence (NOTES), each once, in the order added."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.sentences: list[str] = []

    def add(self, code: str, **values: object) -> None:
        if code not in self.codes:
            self.codes.append(code)
            self.sentences.append(NOTES[code].format(**values))


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


def profile_segments(
    features: UserFeatures, scores: pd.DataFrame, labels: np.ndarray, k: int, *, codes: Sequence[str] | None = None
) -> list[Segment]:
    """One Segment per label 0..k-1: size, shares, mean raw features and a unique name.

    `codes`: each label's RFM segment when the labels are RFM segments; else the labels are clusters, named by
    `cluster_codes`, and clusters sharing a name get the words that tell them apart (`qualifiers`: "At risk — high
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
    words = qualifiers(features, labels, k, list(codes), means)
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


def scaled_progress(report: Callable[[float], None], start: float, stop: float) -> Callable[[float], None]:
    """A progress callback for a step that runs from `start` to `stop` of the whole."""
    return lambda fraction: report(start + (stop - start) * fraction)
