import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format

from core.money import currency_choices, currency_label, money_format, validate_currency


@pytest.mark.parametrize(
    ("language", "amount", "currency", "digits", "shown"),
    [
        ("en", 1234.5, "EUR", None, "€1,234.50"),
        ("en", 0.1 + 0.2, "EUR", None, "€0.30"),  # no floating noise
        ("en", 1234.5, "USD", 0, "$1,234"),
        ("zh-hans", 1234.5, "USD", 0, "US$1,234"),  # the symbol as a Chinese reader knows it, digits grouped by three
        ("zh-hans", 32500, "EUR", None, "€32,500.00"),
        ("zh-hans", 12.5, "CNY", None, "¥12.50"),
        ("en", 1000, "JPY", None, "¥1,000"),  # the currency's own precision
        ("en", -5, "CHF", None, "-5.00\u00a0CHF"),  # a currency whose symbol is its code
        ("en", 1234.567, "", None, "1,234.57"),  # no currency set: the bare number
        ("en", None, "EUR", None, "—"),
    ],
)
def test_money_is_the_amount_with_the_currency_in_the_readers_language(language, amount, currency, digits, shown):
    with translation.override(language):
        assert money_format(amount, currency, digits=digits) == shown


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_counts_group_thousands_in_both_languages(language):
    """Django's own zh_Hans formats group by four without a separator ("12207"); core/formats groups by three."""
    with translation.override(language):
        assert number_format(12207, use_l10n=True, force_grouping=True) == "12,207"
        assert number_format(1234567.5, decimal_pos=1, use_l10n=True, force_grouping=True) == "1,234,567.5"


def test_currency_codes_are_checked_against_iso_4217():
    validate_currency("EUR")
    validate_currency("")  # no currency set
    with pytest.raises(ValidationError):
        validate_currency("EURO")
    with pytest.raises(ValidationError):
        validate_currency("ABC")
    with pytest.raises(ValidationError):
        validate_currency("DEM")  # the Deutsche Mark: ISO 4217 once, tender nowhere today


def test_a_missing_currency_is_said_in_words_and_offered_first():
    with translation.override("en"):
        assert currency_label("") == "no currency set"
        assert currency_label("EUR") == "EUR"
        choices = currency_choices()
    assert choices[0] == ("", "No currency set")
    assert ("EUR", "EUR · Euro") in choices
    with translation.override("zh-hans"):
        assert ("EUR", "EUR · 欧元") in currency_choices()
