"""Names for k-means clusters: the RFM segment each stands for, and words that tell apart clusters sharing one.

A cluster is named after the RFM cell of its revenue-weighted mean R and F scores (`cluster_codes`); clusters that
land in the same cell get a rank on the feature their centres differ on most ("high value", "low value") or, for a
group of shares, their most common value ("mostly via app") (`qualifiers`). Kept apart from the clustering so the
wording can change without touching the fit.
"""

import numpy as np
import pandas as pd

from ml.features import OTHER, UserFeatures
from ml.rfm import GRID, SEGMENT_CODES


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


def qualifiers(
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
    """The state of `qualifiers`: the clusters' centres and the words given so far."""

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
