from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakeoutConfig(AppConfig):
    name = "takeout"
    verbose_name = _("Team export")
