import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ventures.models import Venture


def upload_path(dataset: "Dataset", filename: str) -> str:
    """Uploads are stored under a random name: the user's file name is kept in `original_name` only."""
    return f"datasets/{dataset.venture_id}/{uuid.uuid4().hex}.upload"


class Job(models.Model):
    """What every background job row has: the row is the job's truth (status, progress, heartbeat, error), not a
    Celery result backend. `attempt` goes up each time the job is (re)started, so a late or duplicate delivery of an
    older message finds no row to claim. Lifecycle in analysis/jobs.py."""

    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Dataset(Job):
    """An uploaded file and, once ingested, its normalised events in Parquet."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(_("name"), max_length=120)
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_processed = models.PositiveBigIntegerField(default=0)
    detected = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    keep_extra_columns = models.BooleanField(
        default=False, help_text="Keep the columns no role uses as properties of each event (else drop them)."
    )
    report = models.JSONField(default=dict, blank=True)
    parquet = models.CharField(max_length=255, blank=True, help_text="Storage name of the ready Parquet file.")

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("analysis:dataset_detail", args=[self.pk])


class Analysis(Job):
    """One run of a model on a ready dataset: a demand forecast or a customer segmentation. Runs are kept (re-run
    with other parameters makes a new row), so results can be compared and cited as evidence on a canvas."""

    class Kind(models.TextChoices):
        FORECAST = "forecast", _("Demand forecast")
        SEGMENTATION = "segmentation", _("Customer segmentation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="analyses")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(default=dict, blank=True)
    members = models.CharField(max_length=255, blank=True, help_text="Storage name of the per-user segment table (Parquet).")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"]), models.Index(fields=["dataset", "kind", "-created_at"])]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("analysis:analysis_detail", args=[self.pk])
