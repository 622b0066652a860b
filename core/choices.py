"""Django's TextChoices, typed for mypy. Django is untyped here (no django-stubs), so mypy would see
models.TextChoices as Any and each member (`OWNER = "owner", _("Owner")`) as a tuple; under TYPE_CHECKING it sees an
enum of strings instead, as Django makes it at run time. At run time this is models.TextChoices itself."""

import enum
from typing import TYPE_CHECKING, ClassVar

from django.db import models

if TYPE_CHECKING:

    class TextChoices(enum.StrEnum):
        choices: ClassVar[list[tuple[str, str]]]
        labels: ClassVar[list[str]]
        values: ClassVar[list[str]]

        @property
        def label(self) -> str: ...

        @property
        def value(self) -> str: ...  # Django's TextChoices: the first of each member's pair

else:
    TextChoices = models.TextChoices

__all__ = ["TextChoices"]
