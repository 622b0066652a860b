"""Per-user behaviour features from a normalised events frame, for RFM scoring and clustering.

Every aggregate is an integer group-by: each row's user, event type and channel become small integer codes once, and
`np.bincount` (counts, sums, the per-user table of value counts) or `ufunc.at` (first and last event) reduce over the
codes, with no Python loop per user and no hashing per aggregate. A categorical column (pyarrow's `read_dictionary`,
as analysis.events reads the app's Parquet) already holds its codes; anything else is factorised once, which on tens
of millions of Python strings is the costliest step. `UserFeatures` defines the features. Users are numbered in the
order of their first row, however the ids are encoded, so a categorical and a string column give the same frame.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.parallel import THREADS

NAT = np.iinfo("int64").min  # NaT as int64, in every unit
TOP_VALUES = 8
OTHER = "__other__"  # a name no real event or channel is likely to have
# Heavy-tailed counts, amounts and durations: compressed with log1p before scaling.
LOG_FEATURES = ("recency", "frequency", "monetary", "tenure", "average_order_value")
# A column whose interquartile range is tiny (a rare event type, a handful of whales) would otherwise reach values in
# the hundreds after robust scaling and dominate the Euclidean distances k-means works with.
SCALED_CLIP = 5.0
CHUNK_ROWS = 1 << 20  # events at a time for a temporary that would otherwise be as long as the whole log
BLOCK_ROWS = 1 << 14  # users at a time when writing the scaled matrix: 16,384 × 20 float64 is 2.6 MB, in cache
# The scaled matrix is written on THREADS threads (ml.parallel), THREAD_ROWS users at a time: on two shared cores,
# 0.10 s to 0.06 s on 1,000,000 users (and 0.06 s to 0.03 s for the quartiles, a column per thread).
THREAD_ROWS = 4 * BLOCK_ROWS
# Users whose values give the scaling statistics (median and quartiles) when there are more: a fixed-seed random
# sample, as a quantile of 200,000 draws has a standard error of about 0.002 interquartile ranges (for the median of a
# normal column: 1.25 sd / sqrt(n), against an IQR of 1.35 sd) — nothing against the spread the scaling divides by,
# at a quarter of the partial sorts' cost on 1,000,000 users. Up to this many users, every user counts and the
# statistics are exact. A quartile at the edge of a gap (many users at one value, such as those who spent nothing)
# can land elsewhere in the sample; what that did on bench/segment.py's log is in bench/README.md.
SCALING_SAMPLE = 200_000
SCALING_SEED = 0


@dataclass(frozen=True)
class UserFeatures:
    """Raw features (one row per user, index `user_id`) and the matrix the clustering sees.

    `raw`, by column (all durations in days, measured against `end` = the dataset's last timestamp + 1 day):

    - `recency`: end - the user's last event of any kind (so never below 1 day).
    - `tenure`: end - the user's first event.
    - `frequency`: number of orders. When the dataset has any amount, an order is a row with a positive amount (a refund
      or a row without an amount is not an order); when no row has an amount, every event counts.
    - `monetary`: sum of the user's amounts, refunds (negative amounts) included, floored at 0 — a user who got back
      more than they paid is worth nothing, not less than nothing, to the model.
    - `average_order_value`: gross amount of the user's orders / number of orders (0 without orders); refunds are left
      out so one refund does not turn a big spender into a small one.
    - `event_share__<value>`, `channel_share__<value>`: the share of the user's rows with that value, over rows where the
      column is known, for the most common values (up to `TOP_VALUES`, ties by value) plus `__other__`. Absent when the
      column is empty.

    `scaled` (C-contiguous, as scikit-learn's KMeans wants it) has one column per name in `columns`: the raw columns
    that vary across users (a constant column cannot separate anyone), log1p-transformed where heavy-tailed,
    robust-scaled (median and interquartile range, as scikit-learn's RobustScaler), clipped to ±SCALED_CLIP, and each
    group of share columns weighted by 1/sqrt(group size) so that, say, nine event-type shares together weigh about as
    much as one behavioural feature instead of drowning recency, frequency and monetary value. `scaling` puts another
    frame of raw features (another window of the log) into the same space.
    """

    raw: pd.DataFrame
    scaled: np.ndarray
    columns: list[str]
    has_amounts: bool
    end: pd.Timestamp
    scaling: "Scaling"


def user_features(events: pd.DataFrame) -> UserFeatures:
    """Compute the per-user features of a normalised events frame (rows without a user or timestamp are ignored).

    Pass `user_id`, `event` and `channel` as categoricals for speed (see the module docstring). Every array as long as
    the events is costly to create (on two shared cores, page faults of fresh memory took as long as the arithmetic),
    so there are few: the user codes, a scratch buffer per value column, the rows with an amount."""
    codes, users = user_codes(events["user_id"])
    timestamps, ticks_per_day, unit = _ticks(events["timestamp"])
    if len(codes) and (codes.min() < 0 or timestamps.min() == NAT):
        return user_features(events[(codes >= 0) & (timestamps != NAT)])  # copied only when some rows are unusable
    n_users = len(users)
    end = int(timestamps.max()) + ticks_per_day if n_users else 0

    columns: dict[str, np.ndarray] = {}
    last = np.full(n_users, np.iinfo("int64").min)
    np.maximum.at(last, codes, timestamps)
    first = np.full(n_users, np.iinfo("int64").max)
    np.minimum.at(first, codes, timestamps)
    columns["recency"] = (end - last) / ticks_per_day
    columns["tenure"] = (end - first) / ticks_per_day

    amounts = events["amount"].to_numpy(dtype="float64", na_value=np.nan) if "amount" in events else np.full(len(events), np.nan)

    def shares(column: str) -> tuple[list[str], np.ndarray]:
        scratch = np.empty(len(codes), dtype=np.intp)
        return value_counts(events[column], codes, n_users, prefix=f"{column}_share__", scratch=scratch)

    # The amounts and each value column on threads of their own (numpy's group-bys release the GIL): on two shared
    # cores 0.23 s to 0.15–0.2 s on 1,000,000 customers, for a scratch buffer as long as the log per value column.
    with ThreadPoolExecutor(THREADS) as pool:
        money_future = pool.submit(amount_features, amounts, codes, n_users)
        tables = list(pool.map(shares, [column for column in ("event", "channel") if column in events]))
        money, has_amounts = money_future.result()
    columns |= money
    share_tables = [(names, table) for names, table in tables if names]
    raw = _raw_frame(users, columns, share_tables)
    fitted = scaling(raw, [names for names, _table in share_tables])
    return UserFeatures(
        raw=raw,
        scaled=_write_matrix(raw, fitted),
        columns=fitted.columns,
        has_amounts=has_amounts,
        end=pd.Timestamp(end, unit=unit, tz="UTC"),
        scaling=fitted,
    )


def amount_features(amounts: np.ndarray, codes: np.ndarray, n_users: int) -> tuple[dict[str, np.ndarray], bool]:
    """frequency, monetary and average_order_value per user (see UserFeatures), and whether any row has an
    amount. Only the rows with an amount are summed: the same sums as over every row with 0 for a missing amount,
    without a copy of every row."""
    with_amount = np.isfinite(amounts)
    if not with_amount.any():
        frequency = np.bincount(codes, minlength=n_users).astype("float64")
        return {"frequency": frequency, "monetary": np.zeros(n_users), "average_order_value": np.zeros(n_users)}, False
    if not with_amount.all():
        codes, amounts = codes[with_amount], amounts[with_amount]
    monetary = np.maximum(np.bincount(codes, weights=amounts, minlength=n_users), 0.0)
    orders = amounts > 0
    order_codes = codes[orders]
    frequency = np.bincount(order_codes, minlength=n_users).astype("float64")
    gross = np.bincount(order_codes, weights=amounts[orders], minlength=n_users)
    average_order_value = np.divide(gross, frequency, out=np.zeros(n_users), where=frequency > 0)
    return {"frequency": frequency, "monetary": monetary, "average_order_value": average_order_value}, True


def user_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's value as an integer 0..n-1 (-1 where missing), numbered in order of first appearance, and the n
    values. A categorical's codes are renumbered (its unused categories dropped) instead of hashing every value."""
    codes, labels = _value_codes(values)
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return codes.astype(np.intp, copy=False), labels  # pd.factorize numbers by first appearance
    first_row = np.full(len(labels) + 1, len(codes))  # the extra slot, at index -1, gathers the missing
    for start in range(0, len(codes), CHUNK_ROWS):  # row numbers a chunk at a time: no array of all of them
        chunk = codes[start : start + CHUNK_ROWS]
        np.minimum.at(first_row, chunk, np.arange(start, start + len(chunk)))
    used = np.flatnonzero(first_row[:-1] < len(codes))
    used = used[np.argsort(first_row[used], kind="stable")]
    number = np.full(len(labels) + 1, -1, dtype=np.intp)
    number[used] = np.arange(len(used))
    return number[codes], labels[used]


def value_counts(values: pd.Series, codes: np.ndarray, n_users: int, *, prefix: str, scratch: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Column names and a (bucket, user) table of row counts for the shares of one column (see UserFeatures):
    a bucket for each of the TOP_VALUES most common values, one for all the others; rows without a value are left out.
    No names and an empty table when the column holds no value.

    `scratch`, an intp array as long as `codes`, is rewritten in place: each row's value code, then its bucket, then
    its (bucket, user) cell for one bincount. Bucket-major cells give each bucket's per-user counts contiguous, as the
    raw frame stores its columns."""
    value_codes, labels = _value_codes(values)
    cells = scratch
    cells[:] = value_codes
    cells += 1  # 0: no value
    counts = np.bincount(cells, minlength=len(labels) + 1)[1:]
    present = np.flatnonzero(counts)
    if not len(present):
        return [], np.empty((0, n_users), dtype=np.int64)
    by_label = present[np.argsort(labels[present].astype(str), kind="stable")]
    ranked = by_label[np.argsort(-counts[by_label], kind="stable")]  # most common first, ties by value
    top = ranked[:TOP_VALUES]
    has_other = len(ranked) > len(top)
    buckets = len(top) + has_other
    bucket_of_cell = np.full(len(labels) + 1, len(top), dtype=np.intp)  # outside the top: "other"
    bucket_of_cell[top + 1] = np.arange(len(top))
    bucket_of_cell[0] = buckets  # no value: a bucket of its own, dropped below
    np.take(bucket_of_cell, cells, out=cells, mode="clip")  # in place: each element reads its index, then is written
    cells *= n_users
    cells += codes
    table = np.bincount(cells, minlength=(buckets + 1) * n_users).reshape(buckets + 1, n_users)[:buckets]
    names = [f"{prefix}{labels[index]}" for index in top] + ([f"{prefix}{OTHER}"] if has_other else [])
    return names, table


@dataclass(frozen=True)
class Scaling:
    """How `scale` turned raw columns into the clustering matrix, to put another frame (the same customers' features
    over another window, say) into the same space: the columns kept, which are log1p'd, and each one's centre, spread
    and group weight."""

    columns: list[str]
    logged: np.ndarray
    centre: np.ndarray
    spread: np.ndarray
    weight: np.ndarray

    def apply(self, raw: pd.DataFrame) -> np.ndarray:
        """The matrix of `raw` in this scaling's space; a column `raw` lacks (a share value absent there) counts as 0."""
        return _write_matrix(raw.reindex(columns=self.columns, fill_value=0.0), self)


def scale(raw: pd.DataFrame, share_groups: list[list[str]], *, sample_size: int = SCALING_SAMPLE) -> tuple[np.ndarray, list[str]]:
    """The clustering matrix of `raw` and its columns: see UserFeatures and `scaling` (columns that do not vary are
    left out)."""
    fitted = scaling(raw, share_groups, sample_size=sample_size)
    return _write_matrix(raw, fitted), fitted.columns


def scaling(raw: pd.DataFrame, share_groups: list[list[str]], *, sample_size: int = SCALING_SAMPLE) -> Scaling:
    """The scaling of `raw`'s varying columns.

    Each column's median and quartiles (of its log1p where heavy-tailed), from one partial sort of the values of
    at most `sample_size` users (a fixed random sample when there are more; see SCALING_SAMPLE): scikit-learn's RobustScaler
    took 0.4–0.7 s on 1,000,000 × 20 for its column-by-column nanmedian and nanpercentile of every user. Whether a
    column varies is decided on all users: a rare value left out of the sample still separates someone. The
    statistics run on THREADS threads (numpy's partial sort releases the GIL)."""
    varies = [name for name in raw.columns if len(raw) and np.ptp(raw[name].to_numpy()) > 0]
    logged = np.array([position for position, name in enumerate(varies) if name in LOG_FEATURES], dtype=np.intp)
    centre, spread = np.zeros(len(varies)), np.ones(len(varies))
    rows = scaling_rows(len(raw), sample_size)

    def column_quartiles(name: str) -> tuple[float, float, float]:
        values = raw[name].to_numpy(dtype="float64")
        return quartiles(values if rows is None else values[rows], np.log1p if name in LOG_FEATURES else None)

    with ThreadPoolExecutor(THREADS) as pool:
        statistics = list(pool.map(column_quartiles, varies))
    for position, (low, centre[position], high) in enumerate(statistics):
        if high - low >= 10 * np.finfo("float64").eps:  # as RobustScaler: no spread, no scaling
            spread[position] = high - low
    group_size = {name: sum(member in varies for member in group) for group in share_groups for name in group}
    weight = np.sqrt([group_size.get(name, 1) for name in varies])
    return Scaling(columns=varies, logged=logged, centre=centre, spread=spread, weight=weight)


def _write_matrix(raw: pd.DataFrame, fitted: Scaling) -> np.ndarray:
    """The matrix a block of rows at a time, so that turning the frame's columns into the rows KMeans wants happens
    in cache, with no full-size intermediate, on THREADS threads (numpy's gathers and arithmetic release the GIL;
    each element is computed as on one thread, so the result is the same)."""
    values = raw.to_numpy(dtype="float64")
    positions = np.array([raw.columns.get_loc(name) for name in fitted.columns], dtype=np.intp)
    matrix = np.empty((len(raw), len(fitted.columns)))

    def write(start: int) -> None:
        """Rows start.. of the matrix, a block at a time, up to THREAD_ROWS of them."""
        for offset in range(start, min(start + THREAD_ROWS, len(raw)), BLOCK_ROWS):
            block = matrix[offset : offset + BLOCK_ROWS]
            np.take(values[offset : offset + BLOCK_ROWS], positions, axis=1, out=block, mode="clip")
            block[:, fitted.logged] = np.log1p(block[:, fitted.logged])
            block -= fitted.centre
            block /= fitted.spread
            np.clip(block, -SCALED_CLIP, SCALED_CLIP, out=block)
            block /= fitted.weight

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(0, len(raw), THREAD_ROWS)))
    return matrix


def scaling_rows(users: int, sample_size: int = SCALING_SAMPLE) -> np.ndarray | None:
    """The rows (sorted, for a gather in memory order) of the users whose values give the scaling statistics, or None
    for all of them when there are at most `sample_size`."""
    if users <= sample_size:
        return None
    return np.sort(np.random.default_rng(SCALING_SEED).choice(users, size=sample_size, replace=False))


def quartiles(values: np.ndarray, transform: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[float, float, float]:
    """The 25th percentile, median and 75th percentile of `values`, or of `transform(values)` for a non-decreasing
    transform such as log1p, equal to numpy's (`np.percentile`'s linear interpolation, `np.median`'s mean of the
    middle two). One partial sort finds the six neighbours they interpolate between; a non-decreasing transform keeps
    the order, so only those six are transformed, not every value."""
    last = len(values) - 1
    positions = np.array([0.25, 0.5, 0.75]) * last
    below = np.floor(positions).astype(np.intp)
    above = np.minimum(below + 1, last)
    ordered = np.partition(values, np.unique(np.r_[below, above]))
    low, high = ordered[below], ordered[above]
    if transform is not None:
        low, high = transform(low), transform(high)
    fraction = positions - below
    difference = high - low
    # numpy's _lerp: from the lower neighbour below the midpoint, from the upper one from it on (fewer rounding errors)
    interpolated = np.where(fraction >= 0.5, high - difference * (1 - fraction), low + difference * fraction)
    median = interpolated[1] if last % 2 == 0 else (low[1] + high[1]) / 2
    return float(interpolated[0]), float(median), float(interpolated[2])


def _raw_frame(users: np.ndarray, columns: dict[str, np.ndarray], share_tables: list[tuple[list[str], np.ndarray]]) -> pd.DataFrame:
    """The raw features frame: `columns`, then the shares of each (names, (value, user) table of counts), written
    column by column into one Fortran-ordered matrix, which the frame holds as its block without a copy."""
    names = list(columns) + [name for group, _table in share_tables for name in group]
    matrix = np.empty((len(users), len(names)), order="F")
    for position, values in enumerate(columns.values()):
        matrix[:, position] = values
    position = len(columns)
    for group, table in share_tables:
        # Counts divided by each user's total straight into the share columns, whose transpose is C-contiguous like
        # the table. A user without any known value has 0 / 1 = 0 everywhere.
        np.divide(table, np.maximum(table.sum(axis=0), 1), out=matrix[:, position : position + len(group)].T)
        position += len(group)
    return pd.DataFrame(matrix, index=pd.Index(users, name="user_id", dtype=object), columns=names, copy=False)


def _value_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's integer codes (-1 where missing) and the values they stand for: a categorical's own, at no cost,
    or pd.factorize's."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def _ticks(timestamps: pd.Series) -> tuple[np.ndarray, int, str]:
    """The timestamps as int64 ticks of their own unit (NaT: the int64 minimum), the ticks in a day and the unit: no
    conversion of millions of values to nanoseconds."""
    index = pd.DatetimeIndex(timestamps)
    ticks = index.asi8  # type: ignore[attr-defined]  # pandas-stubs lacks DatetimeIndex.asi8, a public attribute
    return ticks, pd.Timedelta(days=1) // pd.Timedelta(1, unit=index.unit), index.unit
