import numpy as np
import pandas as pd
import pytest

from ml.features import LOG_FEATURES, OTHER, SCALED_CLIP, TOP_VALUES, quartiles, scale, scaling_rows, user_features
from tests.ml.segment_events import FREQUENT, LAPSED, grouped_events


def events_of(rows: list[tuple]) -> pd.DataFrame:
    """Events from (user, ISO day, event, amount, channel) tuples, with the rest of the normalised schema."""
    frame = pd.DataFrame(rows, columns=["user_id", "timestamp", "event", "amount", "channel"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["amount"] = frame["amount"].astype("float64")
    frame["quantity"] = np.nan
    frame["product"] = pd.NA
    return frame


@pytest.fixture
def shop() -> pd.DataFrame:
    return events_of(
        [
            ("ann", "2024-01-01", "purchase", 100.0, "web"),
            ("ann", "2024-01-05", "purchase", 50.0, "app"),
            ("ann", "2024-01-06", "refund", -30.0, "app"),
            ("ann", "2024-01-08", "view", np.nan, "app"),
            ("bob", "2024-01-03", "view", np.nan, "web"),
            ("bob", "2024-01-04", "view", np.nan, None),
            ("cy", "2024-01-02", "purchase", 20.0, "web"),
            ("cy", "2024-01-09", "refund", -45.0, "web"),
        ]
    )


def test_recency_and_tenure_count_days_to_the_day_after_the_last_event(shop: pd.DataFrame) -> None:
    raw = user_features(shop).raw  # the data ends 2024-01-09, so `end` is 2024-01-10

    assert raw.loc["ann", "recency"] == 2.0
    assert raw.loc["ann", "tenure"] == 9.0
    assert raw.loc["bob", "recency"] == 6.0
    assert raw.loc["cy", "recency"] == 1.0


def test_orders_are_rows_with_a_positive_amount_and_refunds_reduce_monetary(shop: pd.DataFrame) -> None:
    features = user_features(shop)
    raw = features.raw

    assert features.has_amounts
    assert raw["frequency"].to_dict() == {"ann": 2.0, "bob": 0.0, "cy": 1.0}
    assert raw.loc["ann", "monetary"] == 120.0  # 100 + 50 - 30
    assert raw.loc["cy", "monetary"] == 0.0  # refunded more than paid: floored at 0
    assert raw.loc["ann", "average_order_value"] == 75.0  # gross orders / orders, refunds left out
    assert raw.loc["bob", "average_order_value"] == 0.0


def test_shares_of_event_types_and_channels_over_known_values(shop: pd.DataFrame) -> None:
    raw = user_features(shop).raw

    assert raw.loc["ann", "event_share__purchase"] == 0.5
    assert raw.loc["ann", "event_share__refund"] == 0.25
    assert raw.loc["ann", "channel_share__app"] == 0.75
    assert raw.loc["bob", "channel_share__web"] == 1.0  # the row without a channel is not counted


def test_without_amounts_every_event_is_counted(shop: pd.DataFrame) -> None:
    shop["amount"] = np.nan

    features = user_features(shop)

    assert not features.has_amounts
    assert features.raw["frequency"].to_dict() == {"ann": 4.0, "bob": 2.0, "cy": 2.0}
    assert (features.raw["monetary"] == 0).all()
    assert "monetary" not in features.columns  # constant: left out of the clustering matrix


def test_only_the_most_common_values_get_their_own_share() -> None:
    rows = [(f"u{user}", "2024-01-01", f"e{event:02d}", 1.0, "web") for user in range(5) for event in range(TOP_VALUES + 4)]

    raw = user_features(events_of(rows)).raw

    shares = [column for column in raw.columns if column.startswith("event_share__")]
    assert len(shares) == TOP_VALUES + 1
    assert f"event_share__{OTHER}" in shares
    assert raw[shares].sum(axis=1).round(12).eq(1.0).all()


def test_rows_without_user_or_timestamp_are_ignored(shop: pd.DataFrame) -> None:
    broken = pd.concat([shop, events_of([(None, "2024-02-01", "purchase", 9.0, "web")])], ignore_index=True)
    broken.loc[0, "timestamp"] = pd.NaT

    raw = user_features(broken).raw

    assert list(raw.index) == ["ann", "bob", "cy"]
    assert raw.loc["ann", "frequency"] == 1.0


def test_nullable_and_categorical_columns_give_the_same_features(shop: pd.DataFrame) -> None:
    typed = shop.astype({"user_id": "category", "event": "string", "channel": "category", "amount": "Float64"})

    assert user_features(typed).raw.equals(user_features(shop).raw)


def test_scaled_matrix_is_robust_scaled_clipped_and_names_its_columns() -> None:
    rng = np.random.default_rng(0)
    rows = [(f"u{user}", f"2024-01-{rng.integers(1, 28):02d}", "purchase", float(rng.lognormal(3, 2)), "web") for user in range(200)]

    features = user_features(events_of(rows))

    assert features.scaled.shape == (200, len(features.columns))
    assert "channel_share__web" not in features.columns  # every user is on the web: nothing to separate
    assert np.abs(features.scaled).max() <= SCALED_CLIP
    monetary = features.scaled[:, features.columns.index("monetary")]
    assert abs(np.median(monetary)) < 1e-9


def random_events(seed: int, rows: int = 400) -> pd.DataFrame:
    """A shuffled log of 40 users: some never buy, some get refunds, some rows lack a channel, an event or an amount."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "user_id": rng.choice([f"u{index}" for index in range(40)], size=rows),
            "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 300 * 86_400, rows), unit="s"),
            "event": rng.choice(["view", "purchase", "refund", "search", None], size=rows, p=[0.4, 0.3, 0.1, 0.15, 0.05]),
            "channel": rng.choice(["web", "app", "store", None], size=rows, p=[0.5, 0.3, 0.1, 0.1]),
        }
    )
    amount = np.round(rng.lognormal(3, 1, rows), 2)
    frame["amount"] = np.where(frame["event"] == "purchase", amount, np.where(frame["event"] == "refund", -amount, np.nan))
    never_buy = frame["user_id"].isin(["u0", "u1", "u2"])
    frame.loc[never_buy, "event"] = "view"
    frame.loc[never_buy, "amount"] = np.nan
    frame.loc[frame["user_id"] == "u3", "channel"] = None  # a user without any channel
    return frame


def pandas_features(events: pd.DataFrame) -> pd.DataFrame:
    """The features' definitions (UserFeatures' docstring in ml.features) as plain pandas group-bys over the user id strings."""
    end = events["timestamp"].max() + pd.Timedelta(days=1)
    users = events.groupby("user_id", sort=False)
    orders = events[events["amount"] > 0].groupby("user_id")
    expected = pd.DataFrame(
        {
            "recency": (end - users["timestamp"].max()) / pd.Timedelta(days=1),
            "tenure": (end - users["timestamp"].min()) / pd.Timedelta(days=1),
            "frequency": orders.size().reindex(users.size().index, fill_value=0).astype("float64"),
            "monetary": users["amount"].sum().clip(lower=0.0),
            "average_order_value": (orders["amount"].sum() / orders.size()).reindex(users.size().index, fill_value=0.0),
        }
    )
    for column in ("event", "channel"):
        counts = pd.crosstab(events["user_id"], events[column]).reindex(expected.index, fill_value=0)
        shares = counts.div(counts.sum(axis=1), axis=0).fillna(0.0)
        expected = expected.join(shares.add_prefix(f"{column}_share__"))
    return expected


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("categorical", [False, True])
def test_group_by_codes_equals_plain_pandas(seed: int, categorical: bool) -> None:
    events = random_events(seed)
    if categorical:
        events = events.astype({"user_id": "category", "event": "category", "channel": "category"})

    raw = user_features(events).raw
    expected = pandas_features(random_events(seed))

    assert list(raw.index) == list(expected.index)  # users in order of their first row, however encoded
    assert (raw.loc[["u0", "u1", "u2"], "frequency"] == 0).all()
    assert (raw.loc["u3", [column for column in raw.columns if column.startswith("channel_share__")]] == 0).all()
    pd.testing.assert_frame_equal(raw, expected[raw.columns], check_names=False, rtol=1e-12)


def test_unused_categories_and_rows_without_a_user_are_left_out(shop: pd.DataFrame) -> None:
    with_anonymous = pd.concat([shop, events_of([(None, "2024-02-01", "purchase", 5.0, "web")])], ignore_index=True)
    typed = with_anonymous.astype(
        {"user_id": pd.CategoricalDtype(["zed", "cy", "bob", "ann"]), "event": pd.CategoricalDtype(["login", "purchase", "refund", "view"])}
    )

    raw = user_features(typed).raw

    pd.testing.assert_frame_equal(raw, user_features(shop).raw)
    assert "event_share__login" not in raw.columns


def test_scaled_matrix_equals_log_then_scikit_learns_robust_scaler() -> None:
    from sklearn.preprocessing import RobustScaler

    features = user_features(random_events(4, rows=2_001))
    matrix = features.raw[features.columns].to_numpy(copy=True)
    logged = [position for position, name in enumerate(features.columns) if name in LOG_FEATURES]
    matrix[:, logged] = np.log1p(matrix[:, logged])
    expected = np.clip(RobustScaler().fit_transform(matrix), -SCALED_CLIP, SCALED_CLIP)
    for prefix in ("event_share__", "channel_share__"):
        group = [position for position, name in enumerate(features.columns) if name.startswith(prefix)]
        expected[:, group] /= np.sqrt(len(group))

    assert features.scaled.flags.c_contiguous
    np.testing.assert_array_equal(features.scaled, expected)


def test_scaling_from_a_sample_of_users_is_close_to_scaling_from_all_and_exact_up_to_its_size() -> None:
    rng = np.random.default_rng(0)
    users = 50_000
    shares = rng.dirichlet([4.0, 2.0, 1.0], size=users)
    raw = pd.DataFrame(
        {"monetary": rng.lognormal(4, 1.5, users), "recency": rng.exponential(90, users), "noise": rng.normal(0, 3, users)}
        | {f"event_share__{value}": shares[:, position] for position, value in enumerate("abc")}
    )
    groups = [["event_share__a", "event_share__b", "event_share__c"]]
    exact, columns = scale(raw, groups, sample_size=users)
    sampled, sampled_columns = scale(raw, groups, sample_size=10_000)

    assert scaling_rows(users, users) is None
    assert sampled_columns == columns
    # a quantile of 10,000 draws is off by about 0.01 interquartile ranges: scaled values move by a few hundredths
    assert np.abs(sampled - exact).max() < 0.1
    assert np.abs(sampled - exact).mean() < 0.02
    assert not np.array_equal(sampled, exact)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 10, 101, 1_000, 1_003])
def test_quartiles_equal_numpys(size: int) -> None:
    rng = np.random.default_rng(size)
    for values in (rng.normal(size=size), rng.integers(0, 3, size).astype("float64")):
        low, median, high = quartiles(values.copy())

        assert (low, high) == tuple(np.percentile(values, [25, 75]))
        assert median == np.median(values)


def test_quartiles_of_a_non_decreasing_transform_are_those_of_the_transformed_values() -> None:
    values = np.random.default_rng(0).lognormal(3, 2, size=1_000)

    assert quartiles(values.copy(), np.log1p) == quartiles(np.log1p(values))


def test_a_scaling_puts_another_frame_in_the_same_space_and_a_missing_share_column_counts_as_zero() -> None:
    events, _truth = grouped_events({FREQUENT: 20, LAPSED: 20})
    features = user_features(events)

    again = features.scaling.apply(features.raw)
    without_app = features.scaling.apply(features.raw.drop(columns="channel_share__app"))

    np.testing.assert_array_equal(again, features.scaled)
    expected = features.raw.assign(channel_share__app=0.0)
    np.testing.assert_array_equal(without_app, features.scaling.apply(expected))
