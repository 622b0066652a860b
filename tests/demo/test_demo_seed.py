"""The run command's demo: a venture whose dataset is ingested and modelled, and whose canvas cites the models."""

import pytest
from django.core.management import call_command

from analysis.models import Analysis
from canvas.models import CanvasItem
from datasets.models import Dataset

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_ready_dataset_a_forecast_a_segmentation_and_a_canvas_fed_by_them(capsys):
    call_command("demo_seed", password="demo-password-123")
    call_command("demo_seed", password="demo-password-123")  # idempotent

    dataset = Dataset.objects.get()
    assert dataset.status == "ready"
    assert sorted(Analysis.objects.values_list("kind", "status")) == [("forecast", "succeeded"), ("segmentation", "succeeded")]
    fed = CanvasItem.objects.exclude(evidence_figure="")
    assert fed.filter(block="customer_segments").count() == Analysis.objects.get(kind="segmentation").result["k"]
    assert fed.filter(block="revenue_streams").count() == 1
    assert "Demo login" in capsys.readouterr().out
