from django import template

from teams.models import Role

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """The translated name of a role value, for annotations that have no get_FOO_display()."""
    return Role(role).label if role in Role.values else role
