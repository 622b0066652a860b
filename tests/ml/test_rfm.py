import numpy as np
import pandas as pd
import pytest

from ml.rfm import GRID, RFM_SEGMENT_BY_CODE, RFM_SEGMENTS, quintile_scores, rfm_scores, segment_codes


def test_quintiles_of_ten_distinct_values_are_two_per_score() -> None:
    values = np.array([7.0, 1.0, 9.0, 3.0, 5.0, 2.0, 10.0, 4.0, 8.0, 6.0])

    scores = quintile_scores(values)

    assert scores.tolist() == [4, 1, 5, 2, 3, 1, 5, 2, 4, 3]


@pytest.mark.parametrize("users", [5, 6, 12, 13, 997, 1000])
def test_quintiles_match_qcut_of_first_ranks(users: int) -> None:
    values = np.random.default_rng(3).normal(size=users)

    expected = pd.qcut(pd.Series(values).rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)

    assert quintile_scores(values).tolist() == expected.tolist()


def test_ties_still_give_five_bins_broken_by_the_tie_breaker_then_position() -> None:
    values = np.ones(10)
    tie_breaker = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])

    scores = quintile_scores(values, tie_breaker)

    assert sorted(set(scores.tolist())) == [1, 2, 3, 4, 5]
    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_rfm_scores_of_a_known_table() -> None:
    raw = pd.DataFrame(
        {
            "recency": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            "frequency": [10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1],
            "monetary": [5.0, 5, 50, 50, 500, 500, 5000, 5000, 50000, 50000],
        },
        index=pd.Index([f"u{i}" for i in range(10)], name="user_id"),
    )

    scores = rfm_scores(raw, has_amounts=True)

    assert scores["r"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]  # recent = 5
    assert scores["f"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["m"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # equal monetary: more frequent first
    assert scores["rfm_segment"].tolist() == ["champions"] * 2 + ["loyal"] * 2 + ["at_risk"] * 2 + ["hibernating"] * 2 + ["lost"] * 2


def test_without_amounts_the_monetary_score_is_missing() -> None:
    raw = pd.DataFrame({"recency": np.arange(10.0), "frequency": np.arange(10.0), "monetary": np.zeros(10)})

    scores = rfm_scores(raw, has_amounts=False)

    assert scores["m"].isna().all()
    assert scores["r"].notna().all()


@pytest.mark.parametrize(
    ("r", "f", "code"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 2, "potential_loyalists"),
        (4, 3, "potential_loyalists"),
        (5, 1, "new"),
        (4, 1, "new"),
        (3, 3, "at_risk"),
        (1, 4, "at_risk"),
        (2, 5, "cant_lose"),
        (1, 5, "cant_lose"),
        (3, 1, "hibernating"),
        (2, 2, "hibernating"),
        (1, 1, "lost"),
        (1, 2, "lost"),
    ],
)
def test_segment_grid(r: int, f: int, code: str) -> None:
    assert segment_codes(np.array([r]), np.array([f])).tolist() == [code]


def test_every_score_pair_has_a_segment_and_every_segment_a_cell() -> None:
    cells = GRID[1:, 1:]

    assert (cells >= 0).all()
    assert set(np.unique(cells).tolist()) == set(range(len(RFM_SEGMENTS)))


def test_segment_table_has_stable_codes_and_names_in_both_languages() -> None:
    assert list(RFM_SEGMENT_BY_CODE) == ["champions", "loyal", "potential_loyalists", "new", "at_risk", "cant_lose", "hibernating", "lost"]
    assert RFM_SEGMENT_BY_CODE["cant_lose"].name == "Can't lose"
    assert RFM_SEGMENT_BY_CODE["cant_lose"].name_zh == "不能失去的客户"
    assert all(segment.name and segment.name_zh for segment in RFM_SEGMENTS)


@pytest.mark.parametrize("seed", range(6))
def test_quintiles_equal_a_full_sort_by_value_tie_breaker_and_position(seed: int) -> None:
    rng = np.random.default_rng(seed)
    users = int(rng.integers(5, 3_000))
    values = rng.integers(0, int(rng.integers(1, 8)), users).astype("float64")  # few distinct values: many ties
    tie_breaker = rng.integers(0, 3, users).astype("float64")

    order = np.lexsort((np.arange(users), tie_breaker, values))
    ranks = np.empty(users, dtype="int64")
    ranks[order] = np.arange(users)
    expected = pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype(int)

    assert quintile_scores(values, tie_breaker).tolist() == list(expected)
