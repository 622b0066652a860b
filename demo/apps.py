from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo a newcomer logs into. Sits above every app, so each can contribute its part."""

    name = "demo"
