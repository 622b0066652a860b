"""Money as the reader sees it: an amount with the venture's currency (ISO 4217), in the active language.

The codes are those babel (CLDR) lists as legal tender in some territory today, the symbols and names per language
are babel's too, so nothing here is typed by hand. A venture
without a currency ("") shows bare numbers, and wherever a unit is named it says so (`currency_label`)."""

from decimal import Decimal

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision, get_currency_symbol, get_territory_currencies
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy, to_locale
from django.utils.translation import gettext as _

CURRENCIES = frozenset(
    code for territory in get_global("territory_currencies") for code in get_territory_currencies(territory, tender=True)
)


def validate_currency(value: str) -> None:
    """An ISO 4217 code in use today ("" is allowed: no currency set)."""
    if value and value not in CURRENCIES:
        raise ValidationError(gettext_lazy("“%(code)s” is not an ISO 4217 currency code."), code="currency", params={"code": value})


def currency_choices() -> list[tuple[str, str]]:
    """For a form's select, in the reader's language: no currency, then every code with its name."""
    locale = _locale()
    return [("", _("No currency set")), *((code, f"{code} · {get_currency_name(code, locale=locale)}") for code in sorted(CURRENCIES))]


def _locale() -> str:
    return to_locale(get_language() or "en")


def currency_symbol(currency: str) -> str:
    """The currency's symbol in the reader's language (€, US$, ¥…; the code where there is none)."""
    return get_currency_symbol(currency, locale=_locale()) if currency else ""


def currency_label(currency: str) -> str:
    """The unit of a money figure in words: the code, or that the venture has none."""
    return currency or _("no currency set")


def money_format(amount: float | Decimal | None, currency: str, *, digits: int | None = None) -> str:
    """The amount rounded to `digits` (by default the currency's own: 2 for EUR, 0 for JPY), grouped as the active
    language groups numbers, with the currency's symbol: "€1,234.50", "1,234.50 CHF"; a bare number without a
    currency; "—" for no amount."""
    if amount is None:
        return "—"
    places = digits if digits is not None else (get_currency_precision(currency) if currency else 2)
    number = number_format(round(Decimal(str(amount)), places), decimal_pos=places, use_l10n=True, force_grouping=True)
    symbol = currency_symbol(currency)
    if not symbol:
        return number
    if number.startswith("-"):
        number, sign = number[1:], "-"
    else:
        sign = ""
    return f"{sign}{symbol}{number}" if symbol != currency else f"{sign}{number}\u00a0{currency}"
