"""Event logs with known customer groups, for the segmentation tests."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-01", tz="UTC")


@dataclass(frozen=True)
class Behaviour:
    """How one group of users buys: orders per user, the days (from START) they buy on, amount per order, channel."""

    orders: tuple[int, int]
    days: tuple[float, float]
    amount: tuple[float, float]
    channel: str


FREQUENT = Behaviour(orders=(20, 30), days=(0, 360), amount=(80, 120), channel="app")
LAPSED = Behaviour(orders=(1, 2), days=(0, 40), amount=(5, 15), channel="web")
NEWCOMER = Behaviour(orders=(1, 3), days=(330, 364), amount=(30, 50), channel="store")


def grouped_events(groups: dict[Behaviour, int], *, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """The events of `count` users behaving like each Behaviour, in shuffled order, and each user's true group."""
    rng = np.random.default_rng(seed)
    frames, truth = [], {}
    for group, (behaviour, count) in enumerate(groups.items()):
        users = np.array([f"g{group}-u{index}" for index in range(count)], dtype=object)
        orders = rng.integers(behaviour.orders[0], behaviour.orders[1] + 1, size=count)
        user_of_row = np.repeat(users, orders)
        days = rng.uniform(*behaviour.days, size=len(user_of_row))
        frames.append(
            pd.DataFrame(
                {
                    "user_id": user_of_row,
                    "timestamp": START + pd.to_timedelta(days, unit="D"),
                    "event": "purchase",
                    "amount": rng.uniform(*behaviour.amount, size=len(user_of_row)),
                    "quantity": 1.0,
                    "product": "p1",
                    "channel": behaviour.channel,
                }
            )
        )
        truth.update(dict.fromkeys(users, group))
    events = pd.concat(frames, ignore_index=True)
    events = events.iloc[rng.permutation(len(events))].reset_index(drop=True)
    return events, pd.Series(truth, name="group")
