from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import TextChoices
from core.jobs import Job, JobMessages
from core.scoping import team_scoped
from datasets.models import Dataset


class Analysis(Job):
    """One run of a model on a ready dataset: a demand forecast, a customer segmentation or customer lifetime value.
    Runs are kept (re-run with other parameters makes a new row), so results can be compared and cited as evidence on
    a canvas."""

    class Kind(TextChoices):
        FORECAST = "forecast", _("Demand forecast")
        SEGMENTATION = "segmentation", _("Customer segmentation")
        LIFETIME_VALUE = "lifetime_value", _("Customer lifetime value")

    class Status(TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    done_status = Status.SUCCEEDED
    messages = JobMessages(
        time_limit=_("The model took longer than the time limit."),
        unexpected=_("The model failed unexpectedly (%(error)s)."),
        worker_lost=_("The worker stopped while running the model and the job was not picked up again. Run it again."),
    )
    task_path = "analysis.tasks.analysis_run_task"
    output_file_field = "members"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="analyses")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(default=dict, blank=True)
    members = models.CharField(
        max_length=255, blank=True, help_text="Storage name of the per-user table (Parquet): segments, or predicted value."
    )

    objects = team_scoped("dataset__venture__team")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"]), models.Index(fields=["dataset", "kind", "-created_at"])]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("analysis:analysis_detail", args=[self.pk])
