"""Customer lifetime value: BG/NBD for repeat purchases (Fader, Hardie & Lee 2005, "Counting your customers the easy
way") and Gamma-Gamma for the amount per purchase (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie's note
"The Gamma-Gamma model of monetary value"), fitted by maximum likelihood on the per-customer summary (ml.purchases).

Why hand-written (closed-form log-likelihoods, `scipy.special`, L-BFGS-B on the log-parameters) rather than a
library: pymc-marketing's last release for Python 3.11 is 0.19.2 (1.x needs 3.12); it adds about 800 MB and 39 s
of install, its MAP fit of BG/NBD on CDNOW takes 20 s cold (pytensor compiles C) and 4 s warm, it gives no
parameter uncertainty (MCMC is far slower on our two-core workers), and its priors move the estimates away from the
maximum likelihood. `lifetimes` (the reference implementation) has had no release since 2020. The tests hold these
likelihoods and predictions to lifetimes' on the same data (tests/ml/test_lifetime_value.py).

The fit sees each distinct (frequency, recency, T) once with its count, so a million customers cost what their few
hundred thousand distinct histories cost. Uncertainty: the 80 % ranges of totals combine the parameters' uncertainty
(Laplace: the inverse Hessian of the log-likelihood in log-parameters, carried to the totals by the delta method)
with the purchases' own randomness given the parameters (each history's predictive variance, simulated from the
model's posterior: alive or not, purchase rate, dropout probability), as a normal range; how often they cover the
truth is tested on simulated customers. Values are undiscounted and in the data's own units.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

Z80 = 1.2815515655446004  # the standard normal's 90th percentile: an 80 % two-sided range
LOG_BOUND = 12.0  # log-parameters stay within e^±12: an unidentified parameter drifts there instead of to overflow
# Simulated futures for the predictive variance: SIMULATION_BUDGET draws in all, spread over the distinct histories
# (between SIMULATION_DRAWS_MIN and SIMULATION_DRAWS_MAX each), SIMULATION_CHUNK histories at a time. Only the sum
# of the variances over customers enters a range, so a few draws per history suffice when there are many histories.
SIMULATION_BUDGET = 4_000_000
SIMULATION_DRAWS_MIN, SIMULATION_DRAWS_MAX = 8, 256
SIMULATION_CHUNK = 100_000
SIMULATION_SEED = 0


class LifetimeValueError(ValueError):
    """The data cannot support the model; `code` says why (the app words it)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Fit:
    """Maximum-likelihood parameters (named), the covariance of their logarithms, and the log-likelihood."""

    params: dict[str, float]
    log_covariance: np.ndarray
    log_likelihood: float

    @property
    def log_params(self) -> np.ndarray:
        return np.asarray(np.log(np.array(list(self.params.values()), dtype="float64")))


@dataclass(frozen=True)
class Histories:
    """Distinct (frequency, recency, T) with how many customers share each; `inverse` maps customers to them."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    count: np.ndarray
    inverse: np.ndarray


def histories(frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> Histories:
    """The distinct histories in lexicographic order, as np.unique(axis=0) gives them, by a lexsort of the three
    columns: about five times faster than np.unique's row comparison at a million customers."""
    stacked = np.column_stack([frequency, recency, T]).astype("float64")
    order = np.lexsort((stacked[:, 2], stacked[:, 1], stacked[:, 0]))
    ordered = stacked[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    starts = np.flatnonzero(new)
    inverse = np.empty(len(order), dtype="int64")
    inverse[order] = np.cumsum(new) - 1
    count = np.diff(np.append(starts, len(ordered))).astype("float64")
    unique = ordered[starts]
    return Histories(unique[:, 0], unique[:, 1], unique[:, 2], count, inverse)


# --- BG/NBD ---------------------------------------------------------------------------------------------------------


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD with params (r, alpha, a, b): equation (6) of Fader, Hardie & Lee
    (2005), as lifetimes writes it, with the sum of its two terms taken in log space."""
    r, alpha, a, b = params
    common = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    still_alive = -(r + x) * np.log(alpha + T)
    dropped = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return np.asarray(common + np.logaddexp(still_alive, dropped))


def probability_alive(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(still a customer at T | history): equation (13) of Fader, Hardie & Lee (2005)."""
    r, alpha, a, b = params
    log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, special.expit(-log_ratio), 1.0)


def expected_purchases(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, t: float) -> np.ndarray:
    """E[purchases in (T, T + t] | history]: equation (10) of Fader, Hardie & Lee (2005)."""
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = 1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyper
    return np.asarray((a + b + x - 1) / (a - 1) * numerator * probability_alive(params, x, t_x, T))


Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]  # log-parameters → (negative mean LL, its gradient)


def _fit(objective: Objective, start: np.ndarray, names: tuple[str, ...]) -> Fit:
    """Minimise a negative log-likelihood over log-parameters with its analytic gradient (L-BFGS-B), from `start`
    and, only if that fails, from two other points; Laplace covariance from the gradient's finite differences."""
    best = None
    for offset in (0.0, -1.0, 1.0):
        found = optimize.minimize(objective, start + offset, jac=True, method="L-BFGS-B", bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start))
        if np.isfinite(found.fun) and (best is None or found.fun < best.fun):
            best = found
        if best is not None and best.success:
            break
    if best is None:
        raise LifetimeValueError("no_fit", "the likelihood could not be maximised")
    hessian = _hessian(objective, best.x)
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        covariance = np.linalg.pinv(hessian)
    covariance = (covariance + covariance.T) / 2
    if not np.all(np.isfinite(covariance)) or np.any(np.diag(covariance) < 0):
        covariance = np.zeros_like(hessian)
    return Fit(dict(zip(names, np.exp(best.x).tolist(), strict=True)), covariance, -float(best.fun))


def _hessian(objective: Objective, point: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Second derivatives by central differences of the analytic gradient, made symmetric."""
    columns = []
    for i in range(len(point)):
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        columns.append((objective(up)[1] - objective(down)[1]) / (2 * step))
    hessian = np.array(columns)
    return np.asarray((hessian + hessian.T) / 2)


def _checked(value: float, gradient: np.ndarray) -> tuple[float, np.ndarray]:
    """A value the optimiser can use: a non-finite likelihood (parameters at the edge of what floats hold) becomes
    a large one with no slope, so the line search steps back."""
    if np.isfinite(value) and np.all(np.isfinite(gradient)):
        return float(value), gradient
    return 1e12, np.zeros_like(gradient)


def bgnbd_objective(data: Histories) -> Objective:
    """The negative mean log-likelihood of the histories (weighted by their counts) and its gradient in
    log-parameters: the derivatives of equation (6), the gamma functions' terms evaluated once per distinct
    frequency."""
    total = data.count.sum()
    xs, at = np.unique(data.frequency, return_inverse=True)
    weights = data.count / total
    repeat = data.frequency > 0

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params = np.exp(log_params)
        gammas = special.gammaln(r + xs) - special.gammaln(r) + special.gammaln(a + b) + special.gammaln(b + xs) - special.gammaln(b)
        gammas -= special.gammaln(a + b + xs)
        log_t, log_tx = np.log(alpha + data.T), np.log(alpha + data.recency)
        still_alive = -(r + data.frequency) * log_t
        dropped = np.where(repeat, np.log(a) - np.log(np.maximum(b + data.frequency - 1, 1e-300)) - (r + data.frequency) * log_tx, -np.inf)
        both = np.logaddexp(still_alive, dropped)
        value = -np.sum(weights * (gammas[at] + r * np.log(alpha) + both))
        share = np.exp(dropped - both)  # the weight of the "dropped after the last purchase" term
        digamma_r_x, digamma_b_x, digamma_abx = special.digamma(r + xs)[at], special.digamma(b + xs)[at], special.digamma(a + b + xs)[at]
        d_r = digamma_r_x - special.digamma(r) + np.log(alpha) - (1 - share) * log_t - share * log_tx
        d_alpha = r / alpha - (r + data.frequency) * ((1 - share) / (alpha + data.T) + share / (alpha + data.recency))
        d_a = special.digamma(a + b) - digamma_abx + share / a
        d_b = special.digamma(a + b) + digamma_b_x - special.digamma(b) - digamma_abx - share / np.maximum(b + data.frequency - 1, 1e-300)
        gradient = -np.array([np.sum(weights * d) for d in (d_r, d_alpha, d_a, d_b)]) * params
        return _checked(float(value), gradient)

    return objective


def bgnbd_fit(data: Histories) -> Fit:
    """BG/NBD by maximum likelihood on the distinct histories weighted by their counts."""
    if not np.any(data.frequency > 0):
        raise LifetimeValueError("no_repeaters", "no customer bought on a second day, so repeat buying cannot be modelled")
    total = data.count.sum()
    fit = _fit(bgnbd_objective(data), np.zeros(4), ("r", "alpha", "a", "b"))
    return Fit(fit.params, fit.log_covariance / total, fit.log_likelihood * total)


# --- Gamma-Gamma ----------------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Each repeat customer's log-likelihood of their mean repeat amount `m` over `x` repeat purchases under
    Gamma-Gamma with params (p, q, v), as lifetimes writes it."""
    p, q, v = params
    return np.asarray(
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def gamma_gamma_objective(x: np.ndarray, m: np.ndarray) -> Objective:
    """The negative mean Gamma-Gamma log-likelihood of repeat customers and its gradient in log-parameters."""
    constant = np.log(m) + np.log(x)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = params = np.exp(log_params)
        log_rate = np.log(x * m + v)
        value = -np.mean(gamma_gamma_log_likelihood(params, x, m))
        digamma_shape = special.digamma(p * x + q)
        d_p = x * (digamma_shape - special.digamma(p * x) + constant - log_rate)
        d_q = digamma_shape - special.digamma(q) + np.log(v) - log_rate
        d_v = q / v - (p * x + q) / (x * m + v)
        gradient = -np.array([np.mean(d_p), np.mean(d_q), np.mean(d_v)]) * params
        return _checked(float(value), gradient)

    return objective


def gamma_gamma_fit(x: np.ndarray, m: np.ndarray) -> Fit:
    """Gamma-Gamma by maximum likelihood on the repeat customers (x > 0), in amounts scaled by their median (the
    optimiser then starts near the answer, whatever the currency)."""
    repeat = x > 0
    x, m = x[repeat], m[repeat]
    if len(x) < 2 or np.ptp(m) == 0:
        raise LifetimeValueError("too_few_repeaters", "too few repeat customers with different amounts to model spend per purchase")
    scale = float(np.median(m))
    fit = _fit(gamma_gamma_objective(x, m / scale), np.zeros(3), ("p", "q", "v"))
    params = {**fit.params, "v": fit.params["v"] * scale}
    return Fit(params, fit.log_covariance / len(x), (fit.log_likelihood - np.log(scale)) * len(x))


def expected_spend(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[amount per purchase | x repeat purchases averaging m]: the population mean p v / (q − 1) for x = 0."""
    p, q, v = params
    return np.asarray(p * (v + x * m) / (p * x + q - 1))


def spend_variance(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Var[amount of one future purchase | history] (the rate's posterior included); where it is infinite (the
    posterior shape p x + q ≤ 2), the squared mean stands in."""
    p, q, v = params
    shape, rate = p * x + q, v + x * m
    mean = p * rate / (shape - 1)
    second = np.divide(p * (p + 1) * rate**2, (shape - 1) * (shape - 2), out=np.full_like(mean, np.inf), where=shape > 2)
    return np.asarray(np.where(np.isfinite(second), second - mean**2, mean**2))


# --- predictive variance --------------------------------------------------------------------------------------------


def purchases_draws(params: np.ndarray, data: Histories, t: float, *, draws: int, seed: int = SIMULATION_SEED) -> np.ndarray:
    """Simulated purchases in (T, T + t] (draws × distinct histories), from the posterior given each history: alive
    with P(alive); then rate λ ~ Gamma(r + x, α + T), dropout p ~ Beta(a, b + x), and the purchases are the
    Poisson(λ t) count cut at the purchase after which the customer leaves (Geometric(p))."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    size = (draws, len(data.T))
    alive = rng.random(size) < probability_alive(params, data.frequency, data.recency, data.T)
    rate = rng.gamma(r + data.frequency, 1 / (alpha + data.T), size=size)
    dropout = rng.beta(a, b + data.frequency, size=size)
    purchases = np.minimum(rng.poisson(rate * t), rng.geometric(np.clip(dropout, 1e-12, 1)))
    return np.asarray(purchases * alive)


def purchases_variance(params: np.ndarray, data: Histories, t: float) -> np.ndarray:
    """Var[purchases in (T, T + t] | history] per distinct history, from simulated futures (SIMULATION_BUDGET)."""
    draws = int(np.clip(SIMULATION_BUDGET // max(len(data.T), 1), SIMULATION_DRAWS_MIN, SIMULATION_DRAWS_MAX))
    variance = np.empty(len(data.T))
    for start in range(0, len(data.T), SIMULATION_CHUNK):
        part = slice(start, start + SIMULATION_CHUNK)
        chunk = Histories(data.frequency[part], data.recency[part], data.T[part], data.count[part], data.inverse[:0])
        variance[part] = purchases_draws(params, chunk, t, draws=draws, seed=SIMULATION_SEED + start).var(axis=0, ddof=1)
    return variance


@dataclass(frozen=True)
class Range:
    value: float
    low: float
    high: float


def normal_range(value: float, variance: float) -> Range:
    spread = Z80 * float(np.sqrt(max(variance, 0.0)))
    return Range(value=float(value), low=max(0.0, float(value) - spread), high=float(value) + spread)


def delta_variance(function: Callable[[np.ndarray], float], log_params: np.ndarray, covariance: np.ndarray, step: float = 1e-4) -> float:
    """Var[function(θ)] for log-parameters θ ~ N(log_params, covariance), to first order."""
    gradient = np.zeros(len(log_params))
    for i in range(len(log_params)):
        up, down = log_params.copy(), log_params.copy()
        up[i] += step
        down[i] -= step
        gradient[i] = (function(up) - function(down)) / (2 * step)
    return float(gradient @ covariance @ gradient)


@dataclass(frozen=True)
class Prediction:
    """Per customer (in the summary's order) and in total over a horizon of `days`, with 80 % ranges of the totals."""

    days: float
    purchases: np.ndarray
    probability_alive: np.ndarray
    value: np.ndarray
    total_purchases: Range
    total_value: Range


def purchases_total(purchases_fit: Fit, data: Histories, days: float, variance: np.ndarray | None = None) -> Range:
    """The customers' total expected purchases over the next `days`, with its 80 % range (the parameters'
    uncertainty and the purchases' chance); `variance`: each history's predictive variance, when already drawn."""
    bg = purchases_fit.log_params

    def total(log_params: np.ndarray) -> float:
        return float(np.sum(data.count * expected_purchases(np.exp(log_params), data.frequency, data.recency, data.T, days)))

    chance = purchases_variance(np.exp(bg), data, days) if variance is None else variance
    return normal_range(total(bg), delta_variance(total, bg, purchases_fit.log_covariance) + float(np.sum(data.count * chance)))


def predict(purchases_fit: Fit, spend_fit: Fit, data: Histories, monetary: np.ndarray, days: float) -> Prediction:
    """Expected purchases and value of each customer over the next `days`, and the totals with 80 % ranges."""
    bg, gg = purchases_fit.log_params, spend_fit.log_params
    x = data.frequency[data.inverse]
    # Per history: the count of customers and the sum of their expected spend per purchase (linear in v, x m).
    spend_sum = np.bincount(data.inverse, weights=expected_spend(np.exp(gg), x, monetary), minlength=len(data.T))

    def history_purchases(log_params: np.ndarray) -> np.ndarray:
        return expected_purchases(np.exp(log_params), data.frequency, data.recency, data.T, days)

    def total_value_by_spend(log_params: np.ndarray) -> float:
        spend = np.bincount(data.inverse, weights=expected_spend(np.exp(log_params), x, monetary), minlength=len(data.T))
        return float(np.sum(spend * expected))

    expected = history_purchases(bg)
    variance = purchases_variance(np.exp(bg), data, days)
    spend_mean = expected_spend(np.exp(gg), x, monetary)
    value_noise = spend_mean**2 * variance[data.inverse] + expected[data.inverse] * spend_variance(np.exp(gg), x, monetary)
    value_total = float(np.sum(spend_sum * expected))
    value_parameters = delta_variance(
        lambda log_params: float(np.sum(spend_sum * history_purchases(log_params))), bg, purchases_fit.log_covariance
    ) + delta_variance(total_value_by_spend, gg, spend_fit.log_covariance)
    return Prediction(
        days=days,
        purchases=expected[data.inverse],
        probability_alive=probability_alive(np.exp(bg), data.frequency, data.recency, data.T)[data.inverse],
        value=expected[data.inverse] * spend_mean,
        total_purchases=purchases_total(purchases_fit, data, days, variance),
        total_value=normal_range(value_total, value_parameters + float(np.sum(value_noise))),
    )
