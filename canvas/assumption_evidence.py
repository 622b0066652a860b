"""What the data says of an assumption: the verdict of its latest test, for the note's face and the assumption map.

The canvas does not know how assumptions are tested (test cards are an app above this one), so that app registers a
provider here from its AppConfig.ready(), as `canvas.sources` takes stale checkers; `data_evidence_for` asks it about
the assumptions a page shows."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DataEvidence:
    """The latest evaluated test of one assumption: its verdict ("supported", "refuted" or "inconclusive"), the
    confidence of its interval (0.95), one sentence in the reader's language with the value, interval and sample
    size, where the test card is, and when it was evaluated. `stale` is a reason in the reader's language when the
    data changed since (or is gone), else ""."""

    verdict: str
    confidence: float
    summary: str
    url: str
    evaluated_at: datetime
    stale: str = ""


EvidenceProvider = Callable[[list[int]], dict[int, DataEvidence]]

_providers: dict[str, EvidenceProvider] = {}


def evidence_provider_register(name: str, provider: EvidenceProvider) -> None:
    """Declare where verdicts come from: `provider(item_ids)` maps the ids of the tested assumptions among them to
    their latest evidence. Called from an AppConfig.ready(); registering twice is harmless."""
    _providers[name] = provider


def data_evidence_for(item_ids: Iterable[int]) -> dict[int, DataEvidence]:
    """The latest data evidence of each of `item_ids` that has any (a few queries for all of them); when two
    providers know an item, the more recent evaluation wins."""
    ids = list(item_ids)
    found: dict[int, DataEvidence] = {}
    if not ids:
        return found
    for provider in _providers.values():
        for item_id, evidence in provider(ids).items():
            if item_id not in found or found[item_id].evaluated_at < evidence.evaluated_at:
                found[item_id] = evidence
    return found
