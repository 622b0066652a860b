"""Pure arithmetic of the views: force scores, industry attractiveness, value-chain margin. Plain data in and out."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Driver:
    force: str
    text: str
    score: int
    weight: int
    derived_from: str = ""  # "competitor" when a competitor produced it (read-only in the views)


def force_scores(drivers: list[Driver], forces: tuple[str, ...]) -> dict[str, float | None]:
    """Each force's score: the weighted mean of its drivers' scores; None for a force without drivers."""
    scores: dict[str, float | None] = {}
    for force in forces:
        own = [driver for driver in drivers if driver.force == force]
        total_weight = sum(driver.weight for driver in own)
        scores[force] = round(sum(driver.score * driver.weight for driver in own) / total_weight, 2) if total_weight else None
    return scores


@dataclass(frozen=True)
class Attractiveness:
    mean_force: float | None  # 1 (weak forces) … 5 (strong forces)
    level: str  # "high" | "medium" | "low" | "unknown"


def industry_attractiveness(scores: dict[str, float | None]) -> Attractiveness:
    """Strong forces make an industry unattractive: mean force ≤ 2.5 → high, ≥ 3.5 → low, else medium."""
    known = [score for score in scores.values() if score is not None]
    if not known:
        return Attractiveness(mean_force=None, level="unknown")
    mean = round(sum(known) / len(known), 2)
    level = "high" if mean <= 2.5 else "low" if mean >= 3.5 else "medium"
    return Attractiveness(mean_force=mean, level=level)


def value_chain_margin(cost_shares: list[Decimal]) -> Decimal:
    """What is left for margin when the activities' cost shares (in % of revenue) are paid."""
    return Decimal(100) - sum(cost_shares, Decimal(0))
