"""Writes of marketing spend: one row at a time (the page's table, the API) or a CSV `month, channel, spend`, whose
every line is either kept or reported with its number and reason, in one transaction (nothing half-written). A
month and channel already entered take the file's figure."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, InvalidInput
from economics.models import MarketingSpend
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture

MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")
AMOUNT = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
HEADER = ("month", "channel", "spend")
MAX_CSV_BYTES = 1_000_000
MAX_CSV_LINES = 10_000
MAX_SPEND = Decimal("999999999999.99")


def spend_edit_require(*, user: User | AnonymousUser, venture: Venture) -> None:
    """Who may enter marketing spend (editors and owners): the one check every write here makes."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)


def month_parse(text: str) -> date:
    """ "2025-03" or "2025-03-17" → 2025-03-01; InvalidInput otherwise."""
    match = MONTH.match(text or "")
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12:
        raise InvalidInput(_("The month is not a year and month like 2025-03."), code="month")
    return date(int(match.group(1)), month, 1)


def spend_parse(text: str) -> Decimal:
    """A non-negative amount: "1200", "1200.50" or "1,200.50"; InvalidInput otherwise."""
    cleaned = (text or "").strip()
    if cleaned.startswith("-"):
        raise InvalidInput(_("The spend is negative."), code="spend_negative")
    if not AMOUNT.match(cleaned):
        raise InvalidInput(_("The spend is not a number."), code="spend")
    try:
        amount = Decimal(cleaned.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise InvalidInput(_("The spend is not a number."), code="spend") from exc
    if amount > MAX_SPEND:
        raise InvalidInput(_("The spend is too large."), code="spend_too_large")
    return amount


def _channel_clean(channel: str) -> str:
    cleaned = (channel or "").strip()
    if not cleaned:
        raise InvalidInput(_("The channel is empty."), code="channel")
    if len(cleaned) > 100:
        raise InvalidInput(_("The channel is longer than 100 characters."), code="channel_too_long")
    return cleaned


def _save(row: MarketingSpend) -> MarketingSpend:
    """Validate and save; a second row for the same month and channel is a Conflict."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="spend_row") from exc
    duplicate = MarketingSpend.objects.filter(venture=row.venture, month=row.month, channel=row.channel).exclude(pk=row.pk)
    if duplicate.exists():
        raise Conflict(
            _("Spend for %(channel)s in %(month)s is already entered: change that row.")
            % {"channel": row.channel, "month": f"{row.month:%Y-%m}"},
            code="spend_duplicate",
        )
    row.save()
    return row


@transaction.atomic
def spend_create(*, user: User, venture: Venture, month: str | date, channel: str, spend: str | Decimal) -> MarketingSpend:
    spend_edit_require(user=user, venture=venture)
    row = MarketingSpend(
        venture=venture,
        month=month_parse(month) if isinstance(month, str) else month.replace(day=1),
        channel=_channel_clean(channel),
        spend=spend_parse(str(spend)),
        created_by=user,
    )
    return _save(row)


@transaction.atomic
def spend_update(
    *, user: User, row: MarketingSpend, month: str | date | None = None, channel: str | None = None, spend: str | Decimal | None = None
) -> MarketingSpend:
    spend_edit_require(user=user, venture=row.venture)
    if month is not None:
        row.month = month_parse(month) if isinstance(month, str) else month.replace(day=1)
    if channel is not None:
        row.channel = _channel_clean(channel)
    if spend is not None:
        row.spend = spend_parse(str(spend))
    return _save(row)


@transaction.atomic
def spend_delete(*, user: User, row: MarketingSpend) -> None:
    spend_edit_require(user=user, venture=row.venture)
    row.delete()


@dataclass
class SpendImport:
    """What a CSV did: rows added, updated and already so, and each line not kept with its number and reason."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _csv_lines(content: bytes) -> list[tuple[int, list[str]]]:
    """The file's lines as cells, with their line numbers (1-based; blank lines left out)."""
    if len(content) > MAX_CSV_BYTES:
        raise InvalidInput(_("The file is larger than 1 MB."), code="csv_too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The file is not UTF-8 text."), code="csv_encoding") from exc
    first = text.split("\n", 1)[0]
    delimiter = max((";", "\t", ","), key=first.count) if any(mark in first for mark in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if len(lines) >= MAX_CSV_LINES:
                raise InvalidInput(_("The file has more than 10,000 lines."), code="csv_too_long")
            if any(cell.strip() for cell in cells):
                lines.append((reader.line_num, cells))
    except csv.Error as exc:
        raise InvalidInput(_("Line %(line)s is not valid CSV.") % {"line": reader.line_num}, code="csv") from exc
    if lines and tuple(cell.strip().lower() for cell in lines[0][1]) == HEADER:
        lines = lines[1:]
    if not lines:
        raise InvalidInput(_("The file has no rows: write one line per month and channel, “month, channel, spend”."), code="csv_empty")
    return lines


@transaction.atomic
def spend_import(*, user: User, venture: Venture, content: bytes) -> SpendImport:
    """Keep every good line of a CSV `month, channel, spend` (a header line is optional) and report every other one;
    a month and channel already entered take the file's figure; a month and channel twice in the file: the second
    is reported."""
    spend_edit_require(user=user, venture=venture)
    result = SpendImport()
    parsed: dict[tuple[date, str], tuple[int, Decimal]] = {}
    for line, cells in _csv_lines(content):
        if len(cells) != 3:
            result.rejected.append((line, _("expected 3 columns (month, channel, spend), found %(count)s") % {"count": len(cells)}))
            continue
        try:
            key = (month_parse(cells[0]), _channel_clean(cells[1]))
            amount = spend_parse(cells[2])
        except InvalidInput as exc:
            result.rejected.append((line, exc.message))
            continue
        if key in parsed:
            result.rejected.append((line, _("the same month and channel as line %(line)s") % {"line": parsed[key][0]}))
            continue
        parsed[key] = (line, amount)
    existing = {(row.month, row.channel): row for row in MarketingSpend.objects.select_for_update().filter(venture=venture)}
    for (month, channel), (_line, amount) in parsed.items():
        row = existing.get((month, channel))
        if row is None:
            _save(MarketingSpend(venture=venture, month=month, channel=channel, spend=amount, created_by=user))
            result.added += 1
        elif row.spend != amount:
            row.spend = amount
            _save(row)
            result.updated += 1
        else:
            result.unchanged += 1
    result.rejected.sort()
    return result
