"""What the forecast page, the dashboard panel and the canvas note say is generated from the backtest's numbers: the
choice (a single model, a combination, or naive because nothing beat it) and its error against the better naive
forecast, in English and Chinese, never a sentence the numbers beside it contradict."""

import pytest
from django.utils import translation

from analysis.models import Analysis
from analysis.services import analysis_create, analysis_run
from analysis.wording import candidate_rows, forecast_verdict
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db

BACKTEST = {"AutoETS": 0.50, "AutoTheta": 0.55, "Combination": 0.45, "SeasonalNaive": 0.70, "Naive": 0.90}


def series(model: str, reason: str, members: list[str], accuracy: dict | None, backtest: dict = BACKTEST) -> dict:
    return {
        "key": "total",
        "model": model,
        "reason": reason,
        "members": members,
        "horizon": 2,
        "history": [["2025-01-06", 100.0], ["2025-01-13", 120.0], ["2025-01-20", 110.0]],
        "forecast": [
            {"ds": "2025-01-27", "yhat": 115.0, "lo80": 100.0, "hi80": 130.0, "lo95": 90.0, "hi95": 140.0},
            {"ds": "2025-02-03", "yhat": 116.0, "lo80": 99.0, "hi80": 133.0, "lo95": 88.0, "hi95": 144.0},
        ],
        "backtest": {name: {"mase": mase, "smape": 10.0} for name, mase in backtest.items()},
        "notes": [],
        **({"accuracy": accuracy} if accuracy is not None else {}),
    }


SINGLE = series(
    "AutoETS",
    "single_best",
    ["AutoETS"],
    {"error_share": 0.09, "baseline": "SeasonalNaive", "vs_baseline": 0.2857, "interval": "conformal"},
)
COMBINED = series(
    "Combination", "combination_best", ["AutoETS", "AutoTheta"], {"error_share": 0.08, "baseline": "SeasonalNaive", "vs_baseline": 0.357}
)
NAIVE = series(
    "SeasonalNaive",
    "naive_best",
    ["SeasonalNaive"],
    {"error_share": 0.12, "baseline": "SeasonalNaive", "vs_baseline": 0.0},
    backtest={"AutoETS": 0.80, "AutoTheta": 0.85, "SeasonalNaive": 0.70, "Naive": 0.90},
)


@pytest.mark.parametrize(
    ("found", "sentence"),
    [
        (
            SINGLE,
            "AutoETS had the lowest error in the backtest. Typical error ±9 % of the revenue per week in the backtest; "
            "29 % lower error than repeating last year.",
        ),
        (
            COMBINED,
            "The mean of AutoETS, AutoTheta had the lowest error in the backtest, lower than any of them alone. Typical "
            "error ±8 % of the revenue per week in the backtest; 36 % lower error than repeating last year.",
        ),
        (
            NAIVE,
            "No model beat repeating last year in the backtest, so the forecast is repeating last year. Typical error "
            "±12 % of the revenue per week in the backtest.",
        ),
    ],
)
def test_the_verdict_says_what_was_chosen_and_by_how_much_in_english(found, sentence):
    with translation.override("en"):
        assert forecast_verdict(found, frequency="W", metric="revenue") == sentence


def test_the_verdict_speaks_chinese():
    with translation.override("zh-hans"):
        single = forecast_verdict(SINGLE, frequency="W", metric="revenue")
        naive = forecast_verdict(NAIVE, frequency="M", metric="orders")

    assert single.startswith("AutoETS ")
    assert "误差比重复去年低 29 %" in single
    assert naive.startswith("回测中没有模型")
    assert "每月订单" in naive


def test_a_model_worse_than_the_baseline_is_said_to_be_worse_never_negatively_better():
    worse = series("AutoCES", "lowest_backtest_mase", ["AutoCES"], None, backtest={"AutoCES": 1.03, "SeasonalNaive": 0.70})

    with translation.override("en"):
        verdict = forecast_verdict(worse, frequency="W", metric="revenue")
        rows = candidate_rows(worse, frequency="W")

    assert "47 % higher error than repeating last year" in verdict
    assert "-" not in verdict.split("backtest")[-1]
    assert rows[1] == {
        "model": "AutoCES",
        "mase": 1.03,
        "smape": 10.0,
        "versus": "47 % higher error than repeating last year",
        "chosen": True,
    }


def test_a_run_stored_under_the_old_combination_rule_is_not_praised():
    old = series("Combination", "combination_preferred", [], None)

    with translation.override("en"):
        assert forecast_verdict(old, frequency="W", metric="revenue").startswith(
            "This earlier run kept the mean of several models although one of them did better in the backtest"
        )


def test_the_candidates_name_the_baselines_by_what_they_do_and_compare_with_the_better_one():
    with translation.override("en"):
        rows = candidate_rows(SINGLE, frequency="D")

    assert [row["model"] for row in rows] == [
        "mean of the best models",
        "AutoETS",
        "AutoTheta",
        "repeating last week",
        "repeating the last day",
    ]
    assert rows[1]["versus"] == "29 % lower error than repeating last week"
    assert rows[3]["versus"] == ""  # the baseline itself


@pytest.mark.parametrize(("language", "expected"), [("en", "lower error than repeating last year"), ("zh-hans", "误差比重复去年低")])
@pytest.mark.parametrize("found", [SINGLE, COMBINED, NAIVE])
def test_the_page_and_the_panel_say_the_verdict_in_the_readers_language(client, world, found, language, expected):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    result = {"metric": "revenue", "frequency": "W", "horizon": 2, "notes": [], "series": [found]}
    analysis = Analysis.objects.create(dataset=dataset, kind="forecast", status="succeeded", params={}, result=result, attempt=1)
    client.force_login(world.viewer)

    page = client.get(f"/analyses/{analysis.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        verdict = forecast_verdict(found, frequency="W", metric="revenue")

    assert verdict in page
    assert (expected in page) == (found is not NAIVE)


def segmentation_result(chosen: str | None, rfm: float = 0.79, kmeans: float | None = 0.72) -> dict:
    rows = [
        {"name": "Champions", "name_zh": "冠军客户", "share_of_customers": 0.2, "share_of_future_revenue": 0.6},
        {"name": "Hibernating", "name_zh": "休眠客户", "share_of_customers": 0.8, "share_of_future_revenue": 0.4},
    ]
    validation = (
        {
            "split_at": "2025-06-01",
            "customers": 500,
            "auc": {"rfm": rfm, "kmeans": kmeans},
            "chosen": chosen,
            "margin": abs(rfm - (kmeans or rfm)),
            "future_revenue_share": {"rfm": rows, "kmeans": rows if kmeans is not None else None},
        }
        if chosen
        else None
    )
    segment = {
        "id": 0,
        "code": "champions",
        "name": "Champions",
        "name_zh": "冠军客户",
        "size": 100,
        "share": 1.0,
        "revenue_share": 1.0,
        "profile": {},
    }
    return {
        "k": 1,
        "silhouette": None,
        "stability_ari": None,
        "segments": [segment],
        "users": 100,
        "notes": ["The log is too short."] if not chosen else [],
        "note_codes": ["too_short_to_validate"] if not chosen else [],
        "method": chosen or "rfm",
        "validation": validation,
        "silhouette_by_k": {},
        "inertia_by_k": {},
    }


@pytest.mark.parametrize(
    ("result", "english", "chinese"),
    [
        (segmentation_result("rfm"), "RFM segments were kept", "AUC 0.79"),
        (segmentation_result("kmeans", rfm=0.70, kmeans=0.81), "Clusters were chosen", "AUC 0.81"),
        (segmentation_result(None), "too short to test", "太短"),
    ],
)
def test_the_segmentation_page_says_which_segments_won_on_later_purchases(client, world, result, english, chinese):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    analysis = analysis_create(user=world.editor, dataset=dataset, kind="segmentation")
    analysis_run(analysis_id=analysis.pk, attempt=analysis.attempt)  # a real run: its member table backs the charts
    real = Analysis.objects.get(pk=analysis.pk).result
    Analysis.objects.filter(pk=analysis.pk).update(result={**result, "segments": real["segments"], "k": real["k"]})
    client.force_login(world.viewer)

    page = client.get(f"/analyses/{analysis.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page_zh = client.get(f"/analyses/{analysis.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert english in page
    assert chinese in page_zh
    assert ('id="future"' in page) == (result["validation"] is not None)
    if result["validation"]:
        assert "休眠客户" in page_zh  # the later period's table in the reader's language
        assert "60 %" in page
