import numpy as np
import pandas as pd
import pytest

from ml.features import OTHER, SCALED_CLIP, TOP_VALUES, user_features


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
