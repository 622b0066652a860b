from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"

    def ready(self) -> None:
        """Tell the canvas how to know whether a note from data still holds (canvas.sources)."""
        from canvas.sources import stale_checker_register
        from evidence.services import data_notes_stale
        from evidence.unit_economics import economics_notes_stale

        stale_checker_register("evidence", data_notes_stale)
        stale_checker_register("unit_economics", economics_notes_stale)
