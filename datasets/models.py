import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import TextChoices
from core.jobs import Job, JobMessages
from core.scoping import team_scoped
from ventures.models import Venture


def upload_path(dataset: "Dataset", filename: str) -> str:
    """Uploads are stored under a random name: the user's file name is kept in `original_name` only."""
    return f"datasets/{dataset.venture_id}/{uuid.uuid4().hex}.upload"


class Dataset(Job):
    """An uploaded file and, once ingested (the job), its normalised events in Parquet."""

    class Status(TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    done_status = Status.READY
    messages = JobMessages(
        time_limit=_("The ingest took longer than the time limit."),
        unexpected=_("The ingest failed unexpectedly (%(error)s)."),
        worker_lost=_("The worker stopped while ingesting and the job was not picked up again. Start the ingest again."),
    )
    task_path = "datasets.tasks.dataset_ingest_task"
    output_file_field = "parquet"

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(_("name"), max_length=120)
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_processed = models.PositiveBigIntegerField(default=0)
    detected = models.JSONField(default=dict, blank=True, help_text="What the sniff found (ingest.sniffing.Sniffed, less the mapping).")
    mapping = models.JSONField(default=dict, blank=True)
    keep_extra_columns = models.BooleanField(
        default=False, help_text="Keep the columns no role uses as properties of each event (else drop them)."
    )
    report = models.JSONField(default=dict, blank=True)
    parquet = models.CharField(max_length=255, blank=True, help_text="Storage name of the ready Parquet file.")

    objects = team_scoped("venture__team")

    class Meta:
        db_table = "analysis_dataset"  # the table it was created in, kept when the model moved here
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="analysis_da_status_615c49_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("datasets:dataset_detail", args=[self.pk])


class DatasetCohorts(Job):
    """A dataset's retention cohorts (ingest/cohorts.py) for one version of its Parquet: one row per dataset, a JSON
    file in storage. The ingest writes it ready for the Parquet it makes; for a Parquet without it (ingested before
    cohorts existed) reading the cohorts queues this row's job, which computes them on the worker."""

    class Status(TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    done_status = Status.READY
    messages = JobMessages(
        time_limit=_("Computing the cohorts took longer than the time limit."),
        unexpected=_("Computing the cohorts failed unexpectedly (%(error)s)."),
        worker_lost=_("The worker stopped while computing the cohorts. Ingest the dataset again."),
    )
    task_path = "datasets.tasks.dataset_cohorts_task"
    output_file_field = "file"

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="cohorts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    parquet = models.CharField(max_length=255, help_text="Storage name of the Parquet they are (being) computed from.")
    file = models.CharField(max_length=255, blank=True, help_text="Storage name of the cohorts (JSON).")

    objects = team_scoped("dataset__venture__team")

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        verbose_name_plural = "dataset cohorts"

    def __str__(self) -> str:
        return f"Cohorts of {self.dataset_id}"
