from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from strategy import labels

register = template.Library()


@register.simple_tag
def row_value(row: object, field: str) -> object:
    """A row's field for a table cell: coded values by their name in the current language."""
    value = labels.display_value(row, field, translation.get_language())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.simple_tag
def resource_title(key: str) -> str:
    titles = {
        "swot": _("SWOT items"),
        "insights": _("All insights"),
        "tows": _("TOWS strategies"),
        "competitors": _("Competitors"),
        "five_forces": _("Drivers of the five forces"),
        "value_chain": _("Value chain activities"),
        "risks": _("Risk register"),
    }
    return titles.get(key, key)
