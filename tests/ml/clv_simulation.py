"""Purchase logs drawn from the lifetime value models themselves (BG/NBD purchases, Gamma-Gamma amounts), so a
fit has a truth to recover and a prediction a truth to cover. Vectorised: bench/clv_cdnow.py draws a million
customers with it."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-01", tz="UTC")


@dataclass(frozen=True)
class Truth:
    """BG/NBD (r, alpha per day, a, b) and Gamma-Gamma (p, q, v) parameters."""

    r: float = 0.5
    alpha: float = 20.0
    a: float = 0.8
    b: float = 3.0
    p: float = 6.0
    q: float = 4.0
    v: float = 15.0


def simulated_log(customers: int, *, days: int, joins_within: int, truth: Truth = Truth(), seed: int = 0) -> pd.DataFrame:
    """Events (user_id, timestamp, amount) of `customers` who first buy on a uniform day in [0, joins_within) and
    then follow the models until `days` after START: each with a purchase rate λ ~ Gamma(r, α), a dropout
    probability p ~ Beta(a, b) after each repeat purchase, and amounts ~ Gamma(p, ν) with ν ~ Gamma(q, v)."""
    rng = np.random.default_rng(seed)
    joined = rng.integers(0, joins_within, customers) + rng.random(customers)
    rate = rng.gamma(truth.r, 1 / truth.alpha, customers)
    dropout = rng.beta(truth.a, truth.b, customers)
    spend_rate = rng.gamma(truth.q, 1 / truth.v, customers)
    lifetime_purchases = rng.geometric(dropout)  # repeat purchases until the one after which they leave
    possible = rng.poisson(rate * (days - joined))  # repeat purchases in the window had they never left
    repeats = np.minimum(possible, lifetime_purchases)
    # Times of the `possible` purchases are uniform in the window; a customer makes the first `repeats` of them.
    owner = np.repeat(np.arange(customers), possible)
    moment = joined[owner] + rng.random(len(owner)) * (days - joined)[owner]
    order = np.lexsort((moment, owner))
    owner, moment = owner[order], moment[order]
    starts = np.concatenate([[0], np.cumsum(possible)[:-1]])
    rank = np.arange(len(owner)) - starts[owner]
    kept = rank < repeats[owner]
    owner = np.concatenate([np.arange(customers), owner[kept]])
    moment = np.concatenate([joined, moment[kept]])
    amount = rng.gamma(truth.p, 1 / spend_rate[owner])
    ids = pd.Categorical.from_codes(owner, categories=[f"c{number}" for number in range(customers)])
    return pd.DataFrame({"user_id": ids, "timestamp": START + pd.to_timedelta(moment, unit="D"), "amount": amount})
