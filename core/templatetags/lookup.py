from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """mapping[key] in a template (e.g. a field's label by its name)."""
    return mapping.get(key)
