import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score

import ml.kmeans_search
import ml.segmentation
from ml.features import user_features
from ml.kmeans_search import choose_k, elbow_k
from ml.rfm import rfm_scores, segment_codes
from ml.segmentation import SegmentationError, profile_segments, scatter_sample, segment
from ml.silhouette import silhouette_scores
from tests.ml.segment_events import FREQUENT, LAPSED, NEWCOMER, Behaviour, grouped_events

THREE_GROUPS = {FREQUENT: 40, LAPSED: 40, NEWCOMER: 40}


@pytest.fixture(scope="module")
def three_groups() -> tuple[pd.DataFrame, pd.Series]:
    return grouped_events(THREE_GROUPS)


@pytest.fixture(scope="module")
def three_groups_segmented(three_groups: tuple[pd.DataFrame, pd.Series]) -> ml.segmentation.Segmentation:
    events, _truth = three_groups
    return segment(events, method="kmeans", seed=0)


@pytest.mark.parametrize(
    ("groups", "expected_k"),
    [({FREQUENT: 40, LAPSED: 40}, 2), (THREE_GROUPS, 3)],
)
def test_well_separated_groups_are_recovered_with_the_right_k(groups: dict, expected_k: int) -> None:
    events, truth = grouped_events(groups, seed=1)

    result, members = segment(events, method="kmeans", seed=0)

    assert result.k == expected_k
    assert adjusted_rand_score(truth[members["user_id"]].to_numpy(), members["segment_id"]) == pytest.approx(1.0)


def test_clusters_of_real_groups_are_stable_under_resampling(three_groups_segmented: ml.segmentation.Segmentation) -> None:
    assert three_groups_segmented.result.stability_ari > 0.95
    assert three_groups_segmented.result.silhouette > 0.5


def test_clusters_are_profiled_and_named_after_their_rfm_profile(three_groups_segmented: ml.segmentation.Segmentation) -> None:
    result, members = three_groups_segmented
    by_revenue = max(result.segments, key=lambda segment: segment.revenue_share)

    assert [segment.id for segment in result.segments] == list(range(result.k))
    assert sum(segment.size for segment in result.segments) == result.users == len(members) == 120
    assert sum(segment.share for segment in result.segments) == pytest.approx(1.0)
    assert sum(segment.revenue_share for segment in result.segments) == pytest.approx(1.0)
    assert by_revenue.code in {"champions", "loyal"}  # the frequent big spenders
    assert by_revenue.profile["frequency"] > 20
    assert len({segment.name for segment in result.segments}) == result.k
    majority = members[members["segment_id"] == by_revenue.id]["rfm_segment"].value_counts().idxmax()
    assert by_revenue.code == majority  # a pure cluster: its profile and its majority agree


def test_members_have_one_row_per_user_with_scores(three_groups_segmented: ml.segmentation.Segmentation) -> None:
    members = three_groups_segmented.members

    assert list(members.columns) == ["user_id", "segment_id", "rfm_segment", "recency", "frequency", "monetary", "r", "f", "m"]
    assert members["user_id"].is_unique
    assert members[["r", "f", "m"]].isin([1, 2, 3, 4, 5]).all().all()


def test_result_is_json_serialisable_without_nan(three_groups_segmented: ml.segmentation.Segmentation) -> None:
    text = json.dumps(dataclasses.asdict(three_groups_segmented.result), allow_nan=False, ensure_ascii=False)

    assert '"silhouette_by_k"' in text
    assert set(three_groups_segmented.result.silhouette_by_k) == set(range(2, 11))


def test_same_seed_same_result(three_groups: tuple[pd.DataFrame, pd.Series], three_groups_segmented: ml.segmentation.Segmentation) -> None:
    events, _truth = three_groups

    again = segment(events, method="kmeans", seed=0)

    assert dataclasses.asdict(again.result) == dataclasses.asdict(three_groups_segmented.result)
    pd.testing.assert_frame_equal(again.members, three_groups_segmented.members)


def test_silhouette_and_search_use_a_sample_not_every_user(
    monkeypatch: pytest.MonkeyPatch, three_groups: tuple[pd.DataFrame, pd.Series]
) -> None:
    events, _truth = three_groups
    points_seen = []

    def spy(matrix: np.ndarray, labellings: dict) -> dict[int, float]:
        points_seen.append(len(matrix))
        return silhouette_scores(matrix, labellings)

    monkeypatch.setattr(ml.kmeans_search, "silhouette_scores", spy)

    result, members = segment(events, method="kmeans", seed=0, sample_size=60)

    assert points_seen == [60, 60]  # the contender on the 80 users of the earlier part, then all 120
    assert len(members) == 120  # every user still gets a segment
    assert any("sample of 60 of 120 users" in note for note in result.notes)


def test_progress_rises_from_zero_to_one(three_groups: tuple[pd.DataFrame, pd.Series]) -> None:
    events, _truth = three_groups
    fractions: list[float] = []

    segment(events, seed=0, progress=fractions.append)

    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert fractions == sorted(set(fractions))  # strictly increasing


def test_a_given_k_is_used(three_groups: tuple[pd.DataFrame, pd.Series]) -> None:
    events, _truth = three_groups

    result, members = segment(events, k=5, seed=0)

    assert result.k == 5
    assert members["segment_id"].nunique() == 5
    assert list(result.silhouette_by_k) == [5]


def test_refunds_reduce_revenue_and_never_make_it_negative() -> None:
    events, _truth = grouped_events(THREE_GROUPS, seed=2)
    refunds = events[events["user_id"].str.startswith("g1-")].assign(amount=lambda frame: -10 * frame["amount"], event="refund")

    result, members = segment(pd.concat([events, refunds], ignore_index=True), seed=0)

    lapsed = members[members["user_id"].str.startswith("g1-")]
    assert (lapsed["monetary"] == 0).all()
    assert all(0.0 <= segment.revenue_share <= 1.0 for segment in result.segments)
    assert sum(segment.revenue_share for segment in result.segments) == pytest.approx(1.0)


def test_without_amounts_segments_on_behaviour_and_says_so() -> None:
    events, _truth = grouped_events(THREE_GROUPS)
    events["amount"] = np.nan

    result, members = segment(events, seed=0)

    assert result.k >= 2
    assert members["m"].isna().all()
    assert all(segment.revenue_share == 0.0 for segment in result.segments)
    assert any("No amounts" in note for note in result.notes)


@pytest.mark.parametrize(
    ("events", "code"),
    [
        (grouped_events({FREQUENT: 0})[0], "no_users"),
        (grouped_events({FREQUENT: 1})[0], "too_few_users"),
        (grouped_events({FREQUENT: 3, LAPSED: 3})[0], "too_few_users"),
    ],
)
def test_too_little_input_is_refused_with_a_code(events: pd.DataFrame, code: str) -> None:
    with pytest.raises(SegmentationError) as raised:
        segment(events)

    assert raised.value.code == code


def test_users_who_all_behave_the_same_are_refused() -> None:
    identical = pd.DataFrame(
        {
            "user_id": [f"u{index}" for index in range(20)],
            "timestamp": pd.Timestamp("2024-03-01", tz="UTC"),
            "event": "purchase",
            "amount": 10.0,
            "quantity": 1.0,
            "product": "p",
            "channel": "web",
        }
    )

    with pytest.raises(SegmentationError) as raised:
        segment(identical)

    assert raised.value.code == "no_variation"


def test_a_k_beyond_the_distinct_users_is_refused() -> None:
    events, _truth = grouped_events({FREQUENT: 6, LAPSED: 6})

    with pytest.raises(SegmentationError) as raised:
        segment(events, k=50)

    assert raised.value.code == "invalid_k"


def test_clusters_sharing_a_name_are_told_apart_by_what_differs_most_in_english_and_chinese() -> None:
    cheap = Behaviour(orders=(3, 4), days=(0, 360), amount=(5, 6), channel="web")
    dear = Behaviour(orders=(3, 4), days=(0, 360), amount=(200, 220), channel="web")
    events, truth = grouped_events({cheap: 10, dear: 10})
    features = user_features(events)
    scores = rfm_scores(features.raw, has_amounts=True).assign(r=4, f=5)  # every customer in one cell: loyal
    labels = truth[features.raw.index].to_numpy()

    segments = profile_segments(features, scores, labels, 2)

    assert [(segment.code, segment.name, segment.name_zh) for segment in segments] == [
        ("loyal", "Loyal — low value", "忠诚客户（低价值）"),
        ("loyal", "Loyal — high value", "忠诚客户（高价值）"),
    ]


def test_clusters_sharing_a_name_that_differ_by_channel_are_named_after_it() -> None:
    events, truth = grouped_events({Behaviour((3, 4), (0, 360), (20, 22), channel): 10 for channel in ("app", "web", "store")})
    features = user_features(events)
    scores = rfm_scores(features.raw, has_amounts=True).assign(r=2, f=3)  # at risk
    labels = truth[features.raw.index].to_numpy()

    names = [segment.name for segment in profile_segments(features, scores, labels, 3)]

    assert names == ["At risk — mostly via app", "At risk — mostly via web", "At risk — mostly via store"]


def test_many_clusters_sharing_a_name_all_get_distinct_descriptive_names() -> None:
    behaviours = {Behaviour((2 + group, 2 + group), (0, 360), (10.0 * 2**group, 10.0 * 2**group + 1), "web"): 5 for group in range(7)}
    events, truth = grouped_events(behaviours)
    features = user_features(events)
    scores = rfm_scores(features.raw, has_amounts=True).assign(r=1, f=1)  # lost
    labels = truth[features.raw.index].to_numpy()

    segments = profile_segments(features, scores, labels, 7)

    assert len({segment.name for segment in segments}) == len({segment.name_zh for segment in segments}) == 7
    assert all(segment.name.startswith("Lost — ") and "(" not in segment.name for segment in segments)


def test_a_cluster_is_named_after_the_rfm_cell_of_its_revenue_weighted_scores() -> None:
    events, _truth = grouped_events(THREE_GROUPS, seed=3)
    features = user_features(events)
    scores = rfm_scores(features.raw, has_amounts=True)
    # One cluster of every lapsed customer (hibernating or lost) and the five biggest spenders among the frequent:
    # most of its members sleep, most of its revenue comes from recent frequent buyers.
    monetary = features.raw["monetary"]
    big = monetary[features.raw.index.str.startswith("g0-")].nlargest(5).index
    mixed = features.raw.index.str.startswith("g1-") | features.raw.index.isin(big)
    labels = np.where(mixed, 0, 1)

    segments = profile_segments(features, scores, labels, 2)

    members = scores[mixed]
    weights = monetary[mixed]
    r, f = (int(np.floor((members[column].astype(float) * weights).sum() / weights.sum() + 0.5)) for column in ("r", "f"))
    assert segments[0].code == segment_codes(np.array([r]), np.array([f]))[0]
    assert members["rfm_segment"].value_counts().idxmax() in {"hibernating", "lost"}
    assert segments[0].code not in {"hibernating", "lost"}


def test_k_is_the_best_silhouette_unless_others_are_close_then_the_elbow_decides() -> None:
    inertia = {2: 100.0, 3: 40.0, 4: 30.0, 5: 25.0, 6: 22.0}

    assert elbow_k(inertia) == 3
    assert choose_k({2: 0.6, 3: 0.5, 4: 0.4, 5: 0.3, 6: 0.2}, inertia) == 2
    assert choose_k({2: 0.51, 3: 0.50, 4: 0.4, 5: 0.3, 6: 0.2}, inertia) == 3  # within the margin: nearest the elbow
    assert choose_k({2: 0.2, 3: 0.3, 4: 0.5, 5: 0.51, 6: 0.2}, inertia) == 4


def test_one_pass_silhouettes_equal_scikit_learns() -> None:
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 4))
    labellings = {k: rng.integers(0, k, size=300) for k in (2, 3, 7)}
    labellings[9] = np.r_[np.arange(9), rng.integers(0, 3, size=291)]  # clusters of one point score 0

    ours = silhouette_scores(points, labellings)

    for k, labels in labellings.items():
        assert ours[k] == pytest.approx(silhouette_score(points, labels), abs=1e-5)


def test_scatter_sample_is_capped_and_repeatable(three_groups_segmented: ml.segmentation.Segmentation) -> None:
    members = three_groups_segmented.members

    sample = scatter_sample(members, max_points=50, seed=3)

    assert len(sample) == 50
    assert list(sample.columns) == ["user_id", "segment_id", "rfm_segment", "recency", "frequency", "monetary"]
    pd.testing.assert_frame_equal(sample, scatter_sample(members, max_points=50, seed=3))
    assert len(scatter_sample(members)) == len(members)


def test_automatic_k_keeps_segments_big_enough_to_act_on():
    rng = np.random.default_rng(5)
    events = pd.DataFrame(
        {
            "user_id": [f"u{n}" for n in range(40) for _ in range(3)],
            "timestamp": pd.to_datetime("2025-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 200, 120), unit="D"),
            "amount": rng.gamma(2.0, 30.0, 120),
        }
    )

    result, _members = segment(events, method="kmeans")

    assert result.k <= 4  # 40 customers: at most 4 segments of 10 on average


def test_profiles_are_the_mean_raw_features_of_each_cluster_and_zero_for_an_empty_one() -> None:
    events, _truth = grouped_events(THREE_GROUPS, seed=3)
    features = user_features(events)
    scores = rfm_scores(features.raw, has_amounts=True)
    labels = np.random.default_rng(0).integers(0, 3, len(features.raw))  # cluster 3 is empty

    segments = profile_segments(features, scores, labels, 4)

    expected = features.raw.groupby(labels).mean()
    for label in range(3):
        assert segments[label].profile == pytest.approx(expected.loc[label].to_dict(), rel=1e-12)
    assert segments[3].size == 0
    assert set(segments[3].profile.values()) == {0.0}
