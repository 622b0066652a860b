from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanvasConfig(AppConfig):
    name = "canvas"
    verbose_name = _("Canvases")
