from decimal import Decimal

from django import template

from core.money import currency_label, money_format

register = template.Library()


@register.simple_tag
def money(amount: float | Decimal | None, currency: str, digits: int | None = None) -> str:
    """`{% money amount venture.currency 0 %}`: the amount with the currency's symbol (core.money)."""
    return money_format(amount, currency, digits=digits)


@register.filter
def currency_unit(currency: str) -> str:
    """`{{ venture.currency|currency_unit }}`: the code, or "no currency set"."""
    return currency_label(currency)
