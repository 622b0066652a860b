"""Notes that come from data: where each one's figures come from, and whether they still hold.

A note made from an analysis (by `evidence`, an app above this one) keeps its provenance as plain data in
`CanvasItem.source` (dataset, period, model, date of the run, and the figure it states) and its identity in
`CanvasItem.finding` (dataset, kind of analysis and finding key; unique on a canvas). The canvas shows, exports and
snapshots these without knowing what made them. Whether a note still holds needs data the canvas must not read
(datasets' analyses), so the app that makes such notes registers a checker here from its AppConfig.ready(), as apps
register file finders in core/files.py; `sources_check` asks it about the notes a page or an API answer shows."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from canvas.models import CanvasItem

# What `CanvasItem.source` may hold: ids (dataset, analysis), words for the face (dataset_name, model), ISO dates
# (period_start, period_end, run_at), the kind of analysis, and `figure`: the numbers the note states, which the
# checker compares with the newest run's.
SOURCE_TEXT_KEYS = ("dataset_name", "kind", "model", "period_start", "period_end", "run_at")
SOURCE_KEYS = frozenset({*SOURCE_TEXT_KEYS, "dataset", "analysis", "figure"})


def validate_source(value: object) -> None:
    if not isinstance(value, dict) or set(value) - SOURCE_KEYS:
        raise ValidationError(gettext_lazy("A note's data source has unknown fields."), code="source")
    if any(not isinstance(value.get(key, ""), str) or len(value.get(key, "")) > 200 for key in SOURCE_TEXT_KEYS):
        raise ValidationError(gettext_lazy("A note's data source has unknown fields."), code="source")


@dataclass(frozen=True)
class Provenance:
    """A note's source as its face shows it."""

    dataset_name: str
    period_start: date | None
    period_end: date | None
    model: str
    run_at: datetime | None


def provenance_of(source: dict) -> Provenance | None:
    if not source:
        return None
    return Provenance(
        dataset_name=source.get("dataset_name", ""),
        period_start=parse_date(source.get("period_start") or ""),
        period_end=parse_date(source.get("period_end") or ""),
        model=source.get("model", ""),
        run_at=parse_datetime(source.get("run_at") or ""),
    )


def provenance_text(source: dict) -> str:
    """The provenance in one sentence, in the active language ("" for a note someone wrote): what an import keeps of
    a note from another team's data, whose dataset and analysis it cannot link to."""
    provenance = provenance_of(source)
    if provenance is None:
        return ""
    period = (
        f"{date_format(provenance.period_start)} – {date_format(provenance.period_end)}"
        if provenance.period_start and provenance.period_end
        else "—"
    )
    return _("From data: %(dataset)s, %(period)s, %(model)s, run on %(date)s.") % {
        "dataset": provenance.dataset_name or "—",
        "period": period,
        "model": provenance.model or "—",
        "date": date_format(provenance.run_at) if provenance.run_at else "—",
    }


@dataclass(frozen=True)
class Stale:
    """Why a note from data no longer holds: a stable `code` and the reason in the reader's language."""

    code: str
    reason: str


StaleChecker = Callable[[list["CanvasItem"]], dict[int, list[Stale]]]

_checkers: dict[str, StaleChecker] = {}


def stale_checker_register(name: str, checker: StaleChecker) -> None:
    """Declare how to tell whether notes from data still hold: `checker(items)` (items with a source) maps the ids
    of the stale ones to their reasons. Called from an AppConfig.ready(); registering twice is harmless."""
    _checkers[name] = checker


def sources_check(items: Iterable["CanvasItem"]) -> None:
    """Set `stale` on each item: the reasons its figures no longer hold ([] when they do, or it is no note from
    data). A few queries for all the items, whatever their number."""
    items = list(items)
    sourced = [item for item in items if item.source]
    found: dict[int, list[Stale]] = {}
    if sourced:
        for checker in _checkers.values():
            for item_id, reasons in checker(sourced).items():
                found.setdefault(item_id, []).extend(reasons)
    for item in items:
        item.stale = found.get(item.pk, [])
