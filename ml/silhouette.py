"""Mean silhouette of several labellings of the same points, with the pairwise distances computed once for all.

`sklearn.metrics.silhouette_score` recomputes all n² distances for every labelling and reduces them row by row in
Python, which made the k search slow. Here each block of distances is computed once and multiplied by the one-hot
matrix of every labelling side by side, turning the per-cluster sums of distances into one matrix product, in
float32 on centred points. Silhouettes agree with scikit-learn's to 1e-5 (tests/ml check it); the timings are in
bench/README.md.
"""

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ml.parallel import THREADS

BLOCK_ROWS = 256  # rows of distances at a time: 256 × 5,000 float32 (the default sample) is 5 MB, small enough to stay in cache


def silhouette_scores(matrix: np.ndarray, labellings: Mapping[int, np.ndarray]) -> dict[int, float]:
    """Mean Euclidean silhouette of each labelling (key → labels 0..k-1 of the rows of `matrix`).

    As in scikit-learn, a point alone in its cluster scores 0; a labelling must have from 2 to n - 1 clusters."""
    n = len(matrix)
    offsets, onehot_columns = {}, 0
    for key, labels in labellings.items():
        clusters = int(labels.max()) + 1
        if not 2 <= len(np.unique(labels)) <= n - 1:
            raise ValueError(f"labelling {key} has {len(np.unique(labels))} clusters for {n} points")
        offsets[key] = (onehot_columns, clusters)
        onehot_columns += clusters
    onehot = np.zeros((n, onehot_columns))
    for key, labels in labellings.items():
        onehot[np.arange(n), offsets[key][0] + labels] = 1.0
    sizes = onehot.sum(axis=0)

    totals = dict.fromkeys(labellings, 0.0)
    for start, sums in _distance_sums_by_cluster(matrix, onehot.astype("float32")):
        rows = np.arange(start, start + len(sums))
        for key, (offset, clusters) in offsets.items():
            totals[key] += _silhouette_sum(sums[:, offset : offset + clusters], sizes[offset : offset + clusters], labellings[key][rows])
    return {key: total / n for key, total in totals.items()}


def _distance_sums_by_cluster(matrix: np.ndarray, onehot: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """For each block of rows, in order: (first row, each row's summed Euclidean distance to the points of every
    one-hot column). Blocks are computed on THREADS threads (ml.parallel: BLAS and numpy release the GIL), each as on
    one thread, and come back in order, so the sums — and the silhouettes — are the same."""
    points = (matrix - matrix.mean(axis=0)).astype("float32")  # centred: smaller norms, less cancellation below
    squared_norms = np.einsum("ij,ij->i", points, points)

    def block_sums(start: int) -> tuple[int, np.ndarray]:
        block = points[start : start + BLOCK_ROWS]
        distances = block @ points.T
        distances *= -2
        distances += squared_norms[start : start + len(block), None]
        distances += squared_norms[None, :]
        np.maximum(distances, 0, out=distances)
        np.sqrt(distances, out=distances)
        distances[np.arange(len(block)), np.arange(start, start + len(block))] = 0  # exactly, whatever the rounding
        return start, (distances @ onehot).astype("float64")

    with ThreadPoolExecutor(THREADS) as pool:
        yield from pool.map(block_sums, range(0, len(points), BLOCK_ROWS))


def _silhouette_sum(distance_sums: np.ndarray, sizes: np.ndarray, own: np.ndarray) -> float:
    """Sum of the silhouettes of some points, given each point's summed distance to every cluster."""
    positions = np.arange(len(own))
    own_size = sizes[own]
    within = distance_sums[positions, own] / np.maximum(own_size - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_to_other = distance_sums / sizes
    mean_to_other[positions, own] = np.inf
    mean_to_other[:, sizes == 0] = np.inf
    nearest_other = mean_to_other.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = (nearest_other - within) / np.maximum(within, nearest_other)
    scores[own_size <= 1] = 0.0
    return float(np.nan_to_num(scores, nan=0.0).sum())
