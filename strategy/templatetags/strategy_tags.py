from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from strategy import labels
from strategy.resources import TITLES

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
    return str(TITLES.get(key, key))


@register.filter
def snapshot_label(item: dict) -> str:
    """What a row of a history snapshot is called: its text, name, title or activity."""
    for key in ("text", "name", "title", "description", "activity"):
        if item.get(key):
            return str(item[key])
    return str(item.get("id", ""))
