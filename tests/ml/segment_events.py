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


def _frame(rows: list[tuple[str, float, str, float, str]]) -> pd.DataFrame:
    events = pd.DataFrame(rows, columns=["user_id", "day", "event", "amount", "channel"])
    events["timestamp"] = START + pd.to_timedelta(events.pop("day"), unit="D")
    return events.assign(quantity=1.0, product="p1")


def shifting_buyers(customers: int, *, seed: int = 0) -> pd.DataFrame:
    """A year in four quarters where what predicts buying is the event mix and channel, which RFM does not see.

    Half the customers add to cart in the app and buy in the last two quarters (70 % each), rarely before (10 %); the
    other half view on the web and bought in the first two quarters (40 %), rarely after (10 %). Everyone browses on
    the first and the last day, so recency says nothing, and the two halves' order counts before the last quarter
    are alike; before the third quarter they point the wrong way."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(customers):
        carts = user % 2 == 0
        event, channel = ("add_to_cart", "app") if carts else ("view", "web")
        for day in np.r_[0.5, rng.uniform(0, 360, 6), 359.5]:
            rows.append((f"u{user}", float(day), event, np.nan, channel))
        for quarter, chance in enumerate((0.1, 0.1, 0.7, 0.7) if carts else (0.4, 0.4, 0.1, 0.1)):
            if rng.random() < chance:
                rows.append((f"u{user}", quarter * 90 + rng.uniform(0, 90), "purchase", rng.uniform(20, 40), channel))
    return _frame(rows)


def irrelevant_mix(customers: int, *, seed: int = 0) -> pd.DataFrame:
    """Customers who buy at their own rate from a start until they stop (recency and frequency predict the next
    order), each on a channel and with an event mix drawn at random: clear clusters that say nothing about buying."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(customers):
        channel = "app" if rng.random() < 0.5 else "web"
        event = "view" if rng.random() < 0.5 else "search"
        rate = rng.lognormal(np.log(1 / 30), 0.8)
        start = rng.uniform(0, 200)
        stop = min(max(start + 1, rng.uniform(0, 500)), 360)
        days = start + np.cumsum(rng.exponential(1 / rate, 40))
        for day in np.r_[start, days[days < stop]]:
            rows.append((f"u{user}", float(day), "purchase", rng.uniform(20, 40), channel))
            rows.append((f"u{user}", float(day), event, np.nan, channel))
    return _frame(rows)
