# Dataset moved here from the analysis app. Its table and rows stay as they are (analysis_dataset): this migration
# only tells Django's state that the model now lives here, and renames its content type so that permissions and
# admin history follow it. analysis 0004 removes it from the analysis app's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import datasets.models


def content_type_move(apps, schema_editor, source="analysis", target="datasets"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="dataset").exists():
        ContentType.objects.filter(app_label=source, model="dataset").update(app_label=target)


def content_type_move_back(apps, schema_editor):
    content_type_move(apps, schema_editor, source="datasets", target="analysis")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("analysis", "0003_analysis"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("ventures", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Dataset",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("error", models.TextField(blank=True)),
                        ("error_code", models.CharField(blank=True, max_length=40)),
                        ("attempt", models.PositiveIntegerField(default=0)),
                        ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("file", models.FileField(upload_to=datasets.models.upload_path)),
                        ("original_name", models.CharField(max_length=255)),
                        ("size_bytes", models.PositiveBigIntegerField(default=0)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("uploaded", "Uploaded"),
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("ready", "Ready"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="uploaded",
                                max_length=10,
                            ),
                        ),
                        ("rows_processed", models.PositiveBigIntegerField(default=0)),
                        (
                            "detected",
                            models.JSONField(
                                blank=True, default=dict, help_text="What the sniff found (ingest.sniffing.Sniffed, less the mapping)."
                            ),
                        ),
                        ("mapping", models.JSONField(blank=True, default=dict)),
                        (
                            "keep_extra_columns",
                            models.BooleanField(
                                default=False, help_text="Keep the columns no role uses as properties of each event (else drop them)."
                            ),
                        ),
                        ("report", models.JSONField(blank=True, default=dict)),
                        ("parquet", models.CharField(blank=True, help_text="Storage name of the ready Parquet file.", max_length=255)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "venture",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="datasets", to="ventures.venture"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "analysis_dataset",
                        "ordering": ["-created_at", "id"],
                        "indexes": [models.Index(fields=["status", "heartbeat_at"], name="analysis_da_status_615c49_idx")],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(content_type_move, content_type_move_back)],
        ),
    ]
