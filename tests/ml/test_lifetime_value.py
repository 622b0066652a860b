"""The lifetime value models against `lifetimes` (the reference implementation) on CDNOW, against the truth on logs
drawn from the models themselves, and on the edges of real logs: short histories, nobody coming back."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value, load_dataset
from lifetimes.utils import summary_data_from_transaction_data
from scipy import optimize

from ml.customer_value import customer_value, widened
from ml.lifetime_value import (
    LifetimeValueError,
    Range,
    bgnbd_fit,
    bgnbd_log_likelihood,
    bgnbd_objective,
    expected_purchases,
    expected_spend,
    gamma_gamma_fit,
    gamma_gamma_log_likelihood,
    gamma_gamma_objective,
    histories,
    predict,
    probability_alive,
    purchases_draws,
)
from ml.purchases import purchase_days, summarise
from tests.ml.clv_simulation import START, Truth, simulated_log

PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # lifetimes' docs, CDNOW, weeks


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(scope="module")
def fits(cdnow):
    """Ours and lifetimes' fits on the same CDNOW summary."""
    data = histories(cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy())
    repeat = cdnow[cdnow["frequency"] > 0]
    return (
        data,
        bgnbd_fit(data),
        gamma_gamma_fit(cdnow["frequency"].to_numpy(), cdnow["monetary_value"].to_numpy()),
        BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"]),
    )


def test_the_bgnbd_log_likelihood_is_lifetimes_customer_by_customer(cdnow):
    x, t_x, T = (cdnow[name].to_numpy(dtype="float64") for name in ("frequency", "recency", "T"))
    for params in ([0.243, 4.414, 0.793, 2.426], [1.5, 0.7, 3.0, 0.4], [0.05, 30.0, 0.2, 9.0]):
        ours = bgnbd_log_likelihood(np.array(params), x, t_x, T)
        for customer in (0, 1, 17, 1000):  # lifetimes gives the mean: compare it one customer at a time
            theirs = -BetaGeoFitter._negative_log_likelihood(np.log(params), x[[customer]], t_x[[customer]], T[[customer]], np.ones(1), 0)
            assert ours[customer] == pytest.approx(theirs, rel=1e-10)
        assert -ours.mean() == pytest.approx(BetaGeoFitter._negative_log_likelihood(np.log(params), x, t_x, T, np.ones(len(x)), 0))


def test_the_gamma_gamma_log_likelihood_is_lifetimes(cdnow):
    repeat = cdnow[cdnow["frequency"] > 0]
    x, m = repeat["frequency"].to_numpy(dtype="float64"), repeat["monetary_value"].to_numpy(dtype="float64")
    for params in ([6.25, 3.74, 15.45], [1.0, 2.5, 40.0]):
        theirs = GammaGammaFitter._negative_log_likelihood(np.log(params), x, m, np.ones(len(x)), 0)
        assert -gamma_gamma_log_likelihood(np.array(params), x, m).mean() == pytest.approx(theirs, rel=1e-10)


def test_the_analytic_gradients_are_the_likelihoods_slopes(cdnow):
    data = histories(cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy())
    repeat = cdnow[cdnow["frequency"] > 0]
    objectives = (
        (bgnbd_objective(data), np.log([0.3, 5.0, 0.9, 2.0])),
        (
            gamma_gamma_objective(repeat["frequency"].to_numpy(dtype="float64"), repeat["monetary_value"].to_numpy()),
            np.log([5.0, 3.0, 12.0]),
        ),
    )
    for objective, point in objectives:
        numeric = optimize.approx_fprime(point, lambda log_params, objective=objective: objective(log_params)[0], 1e-7)
        assert objective(point)[1] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_the_fits_on_cdnow_are_lifetimes_and_its_published_estimates(fits):
    _data, bgnbd, spend, their_bgnbd, their_spend = fits

    for name, value in PUBLISHED_BGNBD.items():
        assert bgnbd.params[name] == pytest.approx(value, rel=2e-3)
        assert bgnbd.params[name] == pytest.approx(their_bgnbd.params_[name], rel=1e-3)
    for name in ("p", "q", "v"):
        assert spend.params[name] == pytest.approx(their_spend.params_[name], rel=1e-3)
    # Our Laplace standard errors are lifetimes' (from its Hessian).
    errors = np.sqrt(np.diag(bgnbd.log_covariance)) * np.array(list(bgnbd.params.values()))
    assert errors == pytest.approx(their_bgnbd.summary["se(coef)"].to_numpy(), rel=0.02)


def test_the_predictions_on_cdnow_are_lifetimes(cdnow, fits):
    data, bgnbd, spend, their_bgnbd, their_spend = fits
    x, t_x, T = (cdnow[name].to_numpy(dtype="float64") for name in ("frequency", "recency", "T"))
    params = np.array(list(bgnbd.params.values()))
    their_purchases = their_bgnbd.conditional_expected_number_of_purchases_up_to_time(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    their_alive = their_bgnbd.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    their_spend_each = their_spend.conditional_expected_average_profit(cdnow["frequency"], cdnow["monetary_value"])

    assert expected_purchases(params, x, t_x, T, 39.0) == pytest.approx(their_purchases.to_numpy(), rel=2e-3, abs=1e-4)
    assert probability_alive(params, x, t_x, T) == pytest.approx(np.asarray(their_alive), rel=2e-3, abs=1e-4)
    ours = expected_spend(np.array(list(spend.params.values())), x, cdnow["monetary_value"].to_numpy())
    assert ours == pytest.approx(their_spend_each.to_numpy(), rel=2e-3)
    prediction = predict(bgnbd, spend, data, cdnow["monetary_value"].to_numpy(), 39.0)
    assert prediction.total_purchases.value == pytest.approx(their_purchases.sum(), rel=2e-3)
    assert prediction.total_purchases.low < prediction.total_purchases.value < prediction.total_purchases.high


def test_the_simulated_futures_average_to_the_closed_form(fits):
    """The simulation behind the ranges draws from the posterior the closed form averages over: on a few histories,
    the mean of 20,000 draws lies within four standard errors of equation (10)."""
    data, bgnbd, *_ = fits
    params = np.array(list(bgnbd.params.values()))
    chosen = np.array([0, 5, 50, len(data.T) // 2, len(data.T) - 1])
    few = histories(data.frequency[chosen], data.recency[chosen], data.T[chosen])

    draws = purchases_draws(params, few, 39.0, draws=20_000)

    exact = expected_purchases(params, few.frequency, few.recency, few.T, 39.0)
    assert np.all(np.abs(draws.mean(axis=0) - exact) <= 4 * draws.std(axis=0) / np.sqrt(20_000) + 1e-9)


def test_the_customer_summary_is_lifetimes_on_the_cdnow_transaction_log():
    raw = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+", names=["customer", "id", "date", "quantity", "amount"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str))
    bought = raw[raw["amount"] > 0]
    theirs = summary_data_from_transaction_data(
        bought, "customer", "date", monetary_value_col="amount", observation_period_end="1997-09-30", freq="D"
    ).sort_index()
    events = pd.DataFrame({"user_id": raw["customer"].astype(str), "timestamp": raw["date"].dt.tz_localize("UTC"), "amount": raw["amount"]})
    days = purchase_days(events)
    summary = summarise(days, calibration_end=(date(1997, 9, 30) - date(1970, 1, 1)).days)
    ours = pd.DataFrame(
        {"frequency": summary.frequency, "recency": summary.recency, "T": summary.T, "monetary_value": summary.monetary},
        index=pd.Index(days.users[summary.customer].astype(int), name="customer"),
    ).sort_index()

    assert list(ours.index) == list(theirs.index)
    pd.testing.assert_frame_equal(ours, theirs[["frequency", "recency", "T", "monetary_value"]], check_dtype=False, rtol=1e-9)


def test_purchases_are_positive_amounts_one_per_customer_and_day_first_channel_kept():
    events = pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "a", "b", "b", None],
            "timestamp": pd.to_datetime(
                [
                    "2025-01-01 09:00",
                    "2025-01-01 18:00",
                    "2025-01-03 10:00",
                    "2025-01-04 10:00",
                    "2025-01-02 10:00",
                    "2025-01-01 10:00",
                    "2025-01-01 10:00",
                ],
                utc=True,
            ),
            "amount": [10.0, 5.0, -15.0, None, 7.0, 3.0, 99.0],
            "channel": ["web", "app", "web", "web", "app", "shop", "web"],
        }
    )
    days = purchase_days(events)

    assert [days.users[user] for user in days.user] == ["a", "b", "b"]
    assert list(days.amount) == [15.0, 3.0, 7.0]  # a's two rows on one day are one purchase; refunds and blanks none
    assert dict(zip(days.users, days.channel, strict=True)) == {"a": "web", "b": "shop"}  # b's first purchase came by shop


def test_parameters_are_recovered_from_a_log_drawn_from_the_models():
    truth = Truth()
    events = simulated_log(20_000, days=365, joins_within=180, truth=truth, seed=4)
    days = purchase_days(events)
    summary = summarise(days, calibration_end=int(days.day.max()))
    bgnbd = bgnbd_fit(histories(summary.frequency, summary.recency, summary.T))
    spend = gamma_gamma_fit(summary.frequency, summary.monetary)

    errors = np.sqrt(np.diag(bgnbd.log_covariance))
    for (name, value), error in zip(bgnbd.params.items(), errors, strict=True):
        assert abs(np.log(value / getattr(truth, name))) < 4 * error + 0.05, name
    # Days are whole here and continuous in the truth: the rate's parameters carry a little of that rounding.
    assert spend.params["p"] == pytest.approx(truth.p, rel=0.2)
    assert spend.params["p"] * spend.params["v"] / (spend.params["q"] - 1) == pytest.approx(truth.p * truth.v / (truth.q - 1), rel=0.1)


def test_the_80_percent_range_of_the_holdout_total_covers_the_truth_about_as_often():
    """On 30 logs drawn from the models, the 80 % range of next period's repeat purchases covers what happened in
    between 60 % and 95 % of them (a binomial 30 at 0.8 falls outside that once in a few hundred), the model's own
    range and the one widened by the inner backtest alike: where the model is right, the widening stays small."""
    covered, covered_by_model, shares = [], [], []
    for seed in range(30):
        events = simulated_log(1500, days=540, joins_within=90, seed=100 + seed)
        result = customer_value(events, calibration_end=(START + timedelta(days=269)).date(), horizon_days=270)
        holdout = result.holdout
        covered.append(holdout["covered"])
        covered_by_model.append(holdout["model_low"] <= holdout["actual_total"] <= holdout["model_high"])
        shares.append(result.model_error["error_share"])
        assert holdout["mae"] < holdout["naive_mae"]

    assert 0.6 <= np.mean(covered_by_model) <= 0.95
    assert 0.6 <= np.mean(covered) <= 0.95
    assert np.median(shares) < 0.05


def cdnow_events() -> pd.DataFrame:
    raw = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+", names=["customer", "id", "date", "quantity", "amount"])
    return pd.DataFrame(
        {"user_id": raw["customer"].astype(str), "timestamp": pd.to_datetime(raw["date"].astype(str), utc=True), "amount": raw["amount"]}
    )


def test_on_cdnow_at_39_weeks_the_range_widened_by_the_inner_backtest_covers_what_the_models_own_missed():
    """Issue 21's cut: BG/NBD predicts 12 % fewer repeat purchase days than happened, beyond its own range (the fit's
    uncertainty and the purchases' chance); refitted at four inner cuts, its errors inside the calibration period
    widen the range enough to hold the actual. The level is not corrected: the total is the model's."""
    result = customer_value(cdnow_events(), calibration_end=date(1997, 9, 30), horizon_days=273)
    holdout, model_error = result.holdout, result.model_error

    assert [cut["cut"] for cut in model_error["cuts"]] == ["1997-05-17", "1997-06-20", "1997-07-24", "1997-08-27"]
    assert all(cut["days"] >= 28 and cut["actual"] > 0 for cut in model_error["cuts"])
    assert not holdout["model_low"] <= holdout["actual_total"] <= holdout["model_high"]
    assert holdout["covered"]
    assert holdout["predicted_low"] <= holdout["actual_total"] <= holdout["predicted_high"]
    assert 0.05 < model_error["error_share"] < 0.3
    assert holdout["predicted_total"] == pytest.approx(1653.3, abs=0.5)  # lifetimes' total: the level is the model's
    assert model_error["level"] > 1  # the inner backtest under-predicted too; reported, not applied
    totals = result.totals["purchases"]
    assert totals["high"] - totals["value"] > holdout["model_high"] - holdout["predicted_total"]


def test_widening_adds_the_error_share_in_quadrature_and_never_narrows():
    own = Range(value=100.0, low=90.0, high=110.0)

    assert widened(own, 0.0) == own
    assert widened(own, 0.1 * np.sqrt(3)) == Range(value=100.0, low=pytest.approx(80.0), high=pytest.approx(120.0))
    assert widened(Range(value=10.0, low=9.0, high=11.0), 2.0).low == 0.0


def test_a_calibration_period_too_short_for_the_inner_backtest_keeps_the_models_range_with_a_note():
    events = simulated_log(2000, days=120, joins_within=30, seed=8)
    result = customer_value(events, calibration_end=(START + timedelta(days=59)).date(), horizon_days=60)

    assert result.model_error["skipped"] == "too_short"
    assert "no_inner_backtest" in result.notes
    assert (result.holdout["predicted_low"], result.holdout["predicted_high"]) == (
        result.holdout["model_low"],
        result.holdout["model_high"],
    )


def test_short_histories_still_fit_and_predict_finite_values():
    """A log of three weeks, customers who arrived on its last day among them (T = 0)."""
    events = simulated_log(3000, days=21, joins_within=21, truth=Truth(r=2.0, alpha=10.0), seed=5)
    result = customer_value(events, calibration_end=None, horizon_days=30)
    table = result.customers_table

    assert result.holdout == {"skipped": "no_data_after"}
    assert np.isfinite(table[["predicted_purchases", "probability_active", "predicted_value"]].to_numpy()).all()
    assert (table["probability_active"].between(0, 1)).all()
    assert result.totals["value"]["low"] <= result.totals["value"]["value"] <= result.totals["value"]["high"]


def test_a_short_holdout_is_skipped_with_the_reason():
    events = simulated_log(2000, days=200, joins_within=60, seed=6)
    result = customer_value(events, calibration_end=(START + timedelta(days=185)).date(), horizon_days=365)

    assert result.holdout == {"skipped": "too_little", "period_days": 14}


def test_nobody_coming_back_is_refused_with_a_code():
    events = pd.DataFrame(
        {"user_id": [f"c{n}" for n in range(50)], "timestamp": START + pd.to_timedelta(np.arange(50), unit="D"), "amount": 10.0}
    )
    with pytest.raises(LifetimeValueError) as refused:
        customer_value(events, calibration_end=None, horizon_days=365)

    assert refused.value.code == "no_repeaters"


def test_a_log_without_purchases_is_refused_with_a_code():
    events = pd.DataFrame({"user_id": ["a", "b"], "timestamp": [START, START], "amount": [-5.0, 0.0]})
    with pytest.raises(LifetimeValueError) as refused:
        customer_value(events, calibration_end=None, horizon_days=365)

    assert refused.value.code == "no_purchases"


def test_histories_are_the_distinct_rows_with_counts_and_the_way_back_to_customers():
    rng = np.random.default_rng(3)
    frequency, recency = rng.integers(0, 4, 5000).astype(float), rng.integers(0, 30, 5000).astype(float)
    T = recency + rng.integers(0, 3, 5000)

    data = histories(frequency, recency, T)

    unique, inverse, count = np.unique(np.column_stack([frequency, recency, T]), axis=0, return_inverse=True, return_counts=True)
    assert np.array_equal(np.column_stack([data.frequency, data.recency, data.T]), unique)
    assert np.array_equal(data.count, count)
    assert np.array_equal(data.inverse, inverse.reshape(-1))
