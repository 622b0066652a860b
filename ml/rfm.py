"""Classic RFM scoring: recency, frequency and monetary quintile scores 1–5 and the named segment of each user.

Scores: users are ranked on each measure and the ranks cut into five equal-count bins, exactly the bins of
`pd.qcut(values.rank(method="first"), 5)` computed with integers, so there are always five non-empty bins when there
are at least five users, however many ties. Ties are broken by a second measure, then by position, so the result is
deterministic: recency by frequency, frequency by monetary value, monetary by frequency. Recency is reversed: the
most recent fifth scores 5. Segments: a user's segment depends on R and F only, by the 5×5 grid `_ROWS` below.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.parallel import THREADS


@dataclass(frozen=True)
class RfmSegment:
    code: str
    name: str
    name_zh: str


RFM_SEGMENTS: tuple[RfmSegment, ...] = (
    RfmSegment("champions", "Champions", "冠军客户"),
    RfmSegment("loyal", "Loyal", "忠诚客户"),
    RfmSegment("potential_loyalists", "Potential loyalists", "潜力客户"),
    RfmSegment("new", "New", "新客户"),
    RfmSegment("at_risk", "At risk", "流失风险客户"),
    RfmSegment("cant_lose", "Can't lose", "不能失去的客户"),
    RfmSegment("hibernating", "Hibernating", "沉睡客户"),
    RfmSegment("lost", "Lost", "已流失客户"),
)
RFM_SEGMENT_BY_CODE: dict[str, RfmSegment] = {segment.code: segment for segment in RFM_SEGMENTS}
SEGMENT_CODES: tuple[str, ...] = tuple(segment.code for segment in RFM_SEGMENTS)

# The R×F segment map popularised by public RFM tutorials (the ten-segment `seg_map` of regular expressions such as
# `[1-2][1-2]` → hibernating, `5[4-5]` → champions), folded into our eight segments: "about to sleep" (R 3, F 1–2)
# joins hibernating, "need attention" (R 3, F 3) joins at risk, "promising" (R 4, F 1) joins new, and R 1, F 1–2 —
# the oldest and rarest buyers, hibernating in the ten-segment map — are lost. _ROWS[r] holds the segments of F 1..5;
# GRID[r][f] for scores 1..5 (row and column 0 unused) holds the segment's index in SEGMENT_CODES.
_ROWS = {
    5: ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("new", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
    3: ("hibernating", "hibernating", "at_risk", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
}
GRID = np.full((6, 6), -1, dtype="int8")
for _r, _row in _ROWS.items():
    GRID[_r, 1:] = [SEGMENT_CODES.index(code) for code in _row]


def quintile_scores(values: np.ndarray, tie_breaker: np.ndarray | None = None) -> np.ndarray:
    """Scores 1–5 by equal-count bins of the rank of `values` (higher value, higher score).

    Ties go by `tie_breaker` (higher first gets the higher rank), then by position. A rank r (0-based) of n scores
    ceil(5 r / (n - 1)), at least 1 — pd.qcut(ranks, 5)'s bins — so only the four ranks where the score steps up
    matter: the values there come from one partial sort, a value above a step's value passes the step, and of the
    users tied with a step's value, those last by tie-breaker and position (another partial sort): 0.02–0.03 s per
    measure on a million users, against 0.14–0.19 s to sort them all by value, tie-breaker and position (np.lexsort)."""
    scores = np.ones(len(values), dtype="int8")
    steps = [rank for rank in ((score - 1) * max(len(values) - 1, 1) // 5 + 1 for score in range(2, 6)) if rank < len(values)]
    if not steps:
        return scores
    ties: dict[float, tuple[np.ndarray, int]] = {}  # a step's value: the users tied at it, the users below it
    for step, value in zip(steps, np.partition(values, steps)[steps], strict=True):
        scores += values > value
        if value not in ties:
            ties[value] = (np.flatnonzero(values == value), int(np.count_nonzero(values < value)))
        tied, below = ties[value]
        scores[_last(tied, tie_breaker, len(tied) - (step - below))] += 1  # the tied users of rank `step` and up
    return scores


def _last(positions: np.ndarray, tie_breaker: np.ndarray | None, count: int) -> np.ndarray:
    """The `count` of `positions` (ascending) that come last in (tie-breaker, position) order."""
    if tie_breaker is None:
        return positions[len(positions) - count :]
    keys = tie_breaker[positions]
    threshold = np.partition(keys, len(positions) - count)[len(positions) - count]
    above, at = positions[keys > threshold], positions[keys == threshold]
    return np.concatenate([above, at[len(at) - (count - len(above)) :]])


def segment_codes(r: np.ndarray, f: np.ndarray) -> pd.Categorical:
    """The RFM segment code of each (R, F) score pair, as a categorical over SEGMENT_CODES."""
    return pd.Categorical.from_codes(GRID[np.asarray(r, dtype="int64"), np.asarray(f, dtype="int64")], categories=pd.Index(SEGMENT_CODES))


def rfm_scores(raw: pd.DataFrame, *, has_amounts: bool) -> pd.DataFrame:
    """R, F and M scores (Int8) and the segment code of every user of a features frame (see ml.features).

    Without amounts there is no monetary value to score: M is missing (NA) and frequency counts events."""
    recency = raw["recency"].to_numpy(dtype="float64")
    frequency = raw["frequency"].to_numpy(dtype="float64")
    monetary = raw["monetary"].to_numpy(dtype="float64")
    # The three scores side by side on threads (ml.parallel: their partial sorts release the GIL), each as on its own.
    with ThreadPoolExecutor(THREADS) as pool:
        r, f, m = pool.map(
            lambda values_and_tie_breaker: quintile_scores(values_and_tie_breaker[0], tie_breaker=values_and_tie_breaker[1]),
            [(-recency, frequency), (frequency, monetary), (monetary, frequency)],
        )
    return pd.DataFrame(
        {
            "r": pd.array(r, dtype="Int8"),
            "f": pd.array(f, dtype="Int8"),
            "m": pd.array(m, dtype="Int8") if has_amounts else pd.array([pd.NA] * len(raw), dtype="Int8"),
            "rfm_segment": segment_codes(r, f),
        },
        index=raw.index,
    )
