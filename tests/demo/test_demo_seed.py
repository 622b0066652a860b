"""The run command's demo: a venture whose dataset is ingested and modelled, and whose canvas cites the models."""

import re

import pytest
from django.core.management import call_command

from accounts.models import User
from analysis.models import Analysis
from canvas.models import CanvasItem
from datasets.models import Dataset
from strategy.models import Insight
from ventures.models import Venture

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_ready_dataset_its_models_and_a_canvas_fed_by_them(capsys):
    call_command("demo_seed", password="demo-password-123")
    call_command("demo_seed", password="demo-password-123")  # idempotent

    dataset = Dataset.objects.get()
    assert dataset.status == "ready"
    assert sorted(Analysis.objects.values_list("kind", "status")) == [
        ("forecast", "succeeded"),
        ("lifetime_value", "succeeded"),
        ("segmentation", "succeeded"),
    ]
    fed = CanvasItem.objects.exclude(evidence_figure="")
    assert fed.filter(block="customer_segments").count() == Analysis.objects.get(kind="segmentation").result["k"]
    assert fed.filter(block="revenue_streams").count() == 2  # the revenue forecast; ARPU and lifetime value
    assert "Demo login" in capsys.readouterr().out


def test_the_demo_seeded_in_chinese_is_written_in_chinese_for_a_chinese_account():
    call_command("demo_seed", password="demo-password-123", language="zh-hans", stdout=open("/dev/null", "w"))  # noqa: SIM115

    user = User.objects.get(username="demo")
    venture = Venture.objects.get()
    items = CanvasItem.objects.filter(canvas__venture=venture)
    assert user.language == "zh-hans"
    assert (venture.team.name, venture.name) == ("演示团队", "账小智")
    assert Dataset.objects.get().name == "演示交易数据"
    assert items.exists()
    assert not [item.text for item in items if re.search(r"[A-Za-z]{3,}", item.text)]  # canvas notes from the models too
    assert not [text for text in Insight.objects.values_list("text", flat=True) if re.search(r"[A-Za-z]{3,}", text)]
