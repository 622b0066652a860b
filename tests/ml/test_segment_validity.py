import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import ml.segment_validity
import ml.segmentation
from ml.segment_common import Notes
from ml.segment_validity import auc_placements, paired_auc_difference, split_log, validate
from ml.segmentation import NOTES, segment
from tests.ml.segment_events import FREQUENT, LAPSED, START, Behaviour, grouped_events, irrelevant_mix, shifting_buyers


@pytest.fixture(scope="module")
def rfm_wins() -> ml.segmentation.Segmentation:
    return segment(irrelevant_mix(1_000), seed=0)


@pytest.fixture(scope="module")
def clusters_win() -> ml.segmentation.Segmentation:
    return segment(shifting_buyers(600), seed=0)


def test_the_later_part_is_the_last_quarter_of_the_span_in_whole_days_from_a_midnight() -> None:
    stamps = pd.Series(START + pd.to_timedelta([0.3, 40.0, 99.6], unit="D"))  # days 0..99: 100 days

    split = split_log(stamps)

    assert split is not None
    assert split.days == 25
    assert split.split_at == START + pd.Timedelta(days=75)
    assert split.calibration_at == START + pd.Timedelta(days=50)
    assert split_log(pd.Series(START + pd.to_timedelta([0.0, 26.5], unit="D"))) is None  # 27 days: 6 days later


def test_a_log_too_short_to_split_gives_rfm_segments_untested_and_says_so() -> None:
    events, _truth = grouped_events({Behaviour((1, 4), (0, 20), (5, 50), "web"): 60})

    result, members = segment(events, seed=0)

    assert result.method == "rfm"
    assert result.validation is None
    assert result.note_codes == ("too_short_to_validate",)
    assert result.silhouette is None
    assert result.stability_ari is None
    assert result.silhouette_by_k == {}
    assert result.inertia_by_k == {}
    assert result.k == members["rfm_segment"].nunique() == len(result.segments)
    assert {segment.code for segment in result.segments} == set(members["rfm_segment"])
    json.dumps(dataclasses.asdict(result), allow_nan=False)


def test_a_log_too_short_to_split_with_a_given_k_gives_k_means_untested() -> None:
    events, _truth = grouped_events({Behaviour((1, 4), (0, 20), (5, 50), "web"): 60})

    result, _members = segment(events, k=3, seed=0)

    assert (result.method, result.k, result.validation) == ("kmeans", 3, None)
    assert result.note_codes == ("too_short_to_validate", "k_given")


def test_without_customers_who_buy_again_nothing_is_tested() -> None:
    events, _truth = grouped_events({LAPSED: 40, Behaviour((1, 2), (300, 364), (5, 15), "web"): 40})

    result, _members = segment(events, seed=0)

    assert result.validation is None
    assert "too_short_to_validate" in result.note_codes


def test_rfm_segments_are_shown_when_clusters_split_on_what_does_not_predict_buying(rfm_wins: ml.segmentation.Segmentation) -> None:
    result, members = rfm_wins
    validation = result.validation

    assert validation is not None
    assert result.method == validation["chosen"] == "rfm"
    assert validation["auc"]["rfm"] > validation["auc"]["kmeans"] + 0.05
    assert validation["margin"] == pytest.approx(validation["auc"]["rfm"] - validation["auc"]["kmeans"])
    assert result.k == members["rfm_segment"].nunique() == len({segment.name for segment in result.segments})
    assert [segment.id for segment in result.segments] == list(range(result.k))
    assert [segment.size for segment in result.segments] == sorted((segment.size for segment in result.segments), reverse=True)
    assert all((members["segment_id"] == segment.id).sum() == segment.size for segment in result.segments)
    assert all(set(members.loc[members["segment_id"] == segment.id, "rfm_segment"]) == {segment.code} for segment in result.segments)
    assert "rfm_won" in result.note_codes
    assert result.silhouette is None
    assert result.stability_ari is None
    assert set(result.silhouette_by_k) == set(range(2, 11))  # the contender's search


def test_future_revenue_shares_cover_the_earlier_customers_and_the_later_revenue(rfm_wins: ml.segmentation.Segmentation) -> None:
    validation = rfm_wins.result.validation
    assert validation is not None

    for method in ("rfm", "kmeans"):
        shares = validation["future_revenue_share"][method]
        assert sum(row["share_of_customers"] for row in shares) == pytest.approx(1.0)
        assert sum(row["share_of_future_revenue"] for row in shares) == pytest.approx(1.0)
        assert all(row["name"] and row["name_zh"] for row in shares)
    champions = next(row for row in validation["future_revenue_share"]["rfm"] if row["name"] == "Champions")
    assert champions["share_of_future_revenue"] > 2 * champions["share_of_customers"]


def test_k_means_clusters_are_shown_when_they_see_what_predicts_buying_and_rfm_does_not(
    clusters_win: ml.segmentation.Segmentation,
) -> None:
    result, members = clusters_win
    validation = result.validation

    assert validation is not None
    assert result.method == validation["chosen"] == "kmeans"
    assert validation["auc"]["kmeans"] > validation["auc"]["rfm"] + 0.2
    assert validation["margin"] == pytest.approx(validation["auc"]["kmeans"] - validation["auc"]["rfm"])
    assert validation["split_at"] == "2024-09-27"  # a quarter of the 360 days before the end
    assert validation["customers"] == 600
    assert "kmeans_won" in result.note_codes
    assert result.silhouette is not None
    assert result.stability_ari is not None
    carts = members["user_id"].str[1:].astype(int) % 2 == 0
    assert pd.crosstab(members["segment_id"], carts).max(axis=1).sum() >= 0.9 * len(members)  # clusters of one kind
    assert len({segment.name for segment in result.segments}) == len({segment.name_zh for segment in result.segments}) == result.k


def test_a_given_k_is_shown_with_both_aucs_and_a_negative_margin_when_it_loses() -> None:
    result, members = segment(irrelevant_mix(1_000), k=4, seed=0)

    assert (result.method, result.k, members["segment_id"].nunique()) == ("kmeans", 4, 4)
    assert result.validation is not None
    assert result.validation["chosen"] == "kmeans"
    assert result.validation["kmeans_k"] == 4
    assert result.validation["margin"] == pytest.approx(result.validation["auc"]["kmeans"] - result.validation["auc"]["rfm"])
    assert result.validation["margin"] < 0
    assert result.note_codes == ("rfm_won", "k_given")


def test_scores_come_from_the_earlier_part_only() -> None:
    events = irrelevant_mix(400, seed=1)
    later = events["timestamp"] >= pd.Timestamp("2024-09-27", tz="UTC")
    # The later part's orders ten times dearer and its other events gone: the same customers buy again, so the
    # ranking, scored from the earlier part, is the same; the revenue shares follow the amounts.
    changed = events.assign(amount=events["amount"].where(~later, events["amount"] * 10))
    changed = changed[~later | (changed["event"] == "purchase")]

    original, _members = segment(events, seed=0)
    again, _members = segment(changed, seed=0)

    assert original.validation is not None
    assert again.validation is not None
    assert again.validation["split_at"] == original.validation["split_at"]
    assert again.validation["auc"] == original.validation["auc"]


@pytest.mark.parametrize("events", [irrelevant_mix(1_000), shifting_buyers(600)], ids=["rfm_wins", "clusters_win"])
def test_a_sample_of_customers_gives_the_same_method_and_aucs(events: pd.DataFrame) -> None:
    def run(sample_customers: int) -> ml.segment_validity.Validation:
        test, _contender = validate(
            events, k=None, seed=0, sample_size=5_000, notes=Notes(), report=lambda _fraction: None, sample_customers=sample_customers
        )
        assert test is not None
        return test

    everyone = run(10_000)
    half = run(everyone.customers // 2)

    # At or above the number of customers nothing is sampled; half of 600–1,000 customers gives AUCs with a standard
    # error of 0.015–0.03, and 0.05 is two or more of them: the sample estimates what the whole log measures.
    assert run(everyone.customers) == everyone
    assert half.customers == everyone.customers
    assert half.winner == everyone.winner
    assert half.rfm_auc == pytest.approx(everyone.rfm_auc, abs=0.05)
    assert half.kmeans_auc == pytest.approx(everyone.kmeans_auc, abs=0.05)


def test_every_note_has_a_stable_code() -> None:
    events, _truth = grouped_events({FREQUENT: 30, LAPSED: 30})
    events["amount"] = np.nan

    result, _members = segment(events, k=2, seed=0, sample_size=40)

    assert len(result.notes) == len(result.note_codes)
    assert set(result.note_codes) <= set(NOTES)
    assert result.note_codes[0] == "no_amounts"
    assert {"k_given", "sampled"} <= set(result.note_codes)
    json.dumps(dataclasses.asdict(result), allow_nan=False, ensure_ascii=False)


def test_auc_and_its_paired_standard_error() -> None:
    rng = np.random.default_rng(0)
    outcome = rng.random(2_000) < 0.3
    good = np.round(outcome + rng.normal(0, 0.8, 2_000), 1)  # rounded: many ties
    poor = np.round(outcome + rng.normal(0, 2.0, 2_000), 1)

    auc, placements = auc_placements(good, outcome)
    other, other_placements = auc_placements(poor, outcome)
    difference, error = paired_auc_difference(placements, other_placements)

    assert auc == pytest.approx(roc_auc_score(outcome, good), abs=1e-12)
    assert other == pytest.approx(roc_auc_score(outcome, poor), abs=1e-12)
    assert difference == pytest.approx(auc - other)
    assert 0.005 < error < 0.05
    assert paired_auc_difference(placements, placements) == (0.0, 0.0)
