"""CSV cells a spreadsheet will not run: every CSV the app writes from user data goes through `spreadsheet_safe`."""

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Neutralise a cell a spreadsheet would run as a formula, by making it start with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
