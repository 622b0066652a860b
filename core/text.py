"""Text the database can store and the product accepts: PostgreSQL refuses U+0000 in text and JSON, and a name or a
parameter with control characters in it is a mistake (or an attack), never what a user meant."""

import unicodedata

from django.utils.translation import gettext as _

from core.errors import InvalidInput


def control_character(text: str) -> str | None:
    """The first control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) in `text`, if any."""
    return next((char for char in text if unicodedata.category(char) == "Cc"), None)


def control_characters_refuse(value: object, *, field: str, code: str = "control_character") -> None:
    """Raise InvalidInput (400) naming `field` and the character when a string anywhere in `value` (a string, or
    the keys and values of dicts and lists) holds a control character."""
    if isinstance(value, str):
        char = control_character(value)
        if char is not None:
            raise InvalidInput(
                _("%(field)s holds a control character (U+%(code)04X), which is not allowed.") % {"field": field, "code": ord(char)},
                code=code,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            control_characters_refuse(key, field=field, code=code)
            control_characters_refuse(item, field=f"{field}.{key}" if isinstance(key, str) else field, code=code)
    elif isinstance(value, list | tuple):
        for item in value:
            control_characters_refuse(item, field=field, code=code)


def nul_replaced(value: object) -> object:
    """`value` with every U+0000 in its strings (dict keys too) replaced by U+FFFD, so the database can store it:
    data read from a user's file may hold one."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {nul_replaced(key): nul_replaced(item) for key, item in value.items()}
    if isinstance(value, list):
        return [nul_replaced(item) for item in value]
    if isinstance(value, tuple):
        return tuple(nul_replaced(item) for item in value)
    return value
