"""The files of the issue about lost and unsaved rows, through the dataset path (`dataset_upload` →
`dataset_ingest_run`, in-process, on PostgreSQL): every line of the file is accounted for in the report, and what
the report and the summary hold can be saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.models import Dataset
from datasets.services import dataset_ingest_run, dataset_upload

pytestmark = pytest.mark.django_db


def ingested(world, content: bytes) -> Dataset:
    dataset = dataset_upload(
        user=world.editor, venture=world.venture, name="log", upload=SimpleUploadedFile("log.csv", content), auto_ingest=True
    )
    dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
    dataset.refresh_from_db()
    return dataset


def event_rows(count: int) -> list[str]:
    return [f"u{i},2024-01-{1 + i % 28:02d},{('view', 'buy')[i % 2]},web\n" for i in range(count)]


def test_a_nul_past_the_sniffed_start_is_a_counted_reject_and_the_dataset_is_ready(world, settings, tmp_path):
    """It used to reach the summary's top events, which PostgreSQL's JSON refuses: the job failed long after."""
    settings.MEDIA_ROOT = tmp_path
    rows = event_rows(2_000)
    rows[1_500] = "u1500,2024-01-01,vi\x00ew,web\n"  # line 1,502, some 40 KB into the file

    dataset = ingested(world, ("user_id,timestamp,event,channel\n" + "".join(rows)).encode())

    assert dataset.status == Dataset.Status.READY, dataset.error
    assert dataset.report["rejects_by_reason"] == {"control_character": 1}
    assert dataset.report["sample_rejected_lines"] == {"control_character": [1_502]}
    assert dataset.report["rows_accepted"] == 1_999


def the_issues_file() -> bytes:
    """2,102 lines: a header, 2,100 rows (a stray quote on line 102, 49 unreadable times after it) and a blank line."""
    rows = event_rows(2_100)
    rows[100] = 'u100,2024-01-01,"view,web\n'  # line 102: the quote is never closed
    for index in range(1_000, 1_049):
        rows[index] = f"u{index},someday,view,web\n"
    return ("user_id,timestamp,event,channel\n" + "".join(rows) + "\n").encode()


def test_a_stray_quote_costs_one_row_and_the_page_accounts_for_every_line(world, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    dataset = ingested(world, the_issues_file())
    client.force_login(world.editor)

    english = client.get(f"/datasets/{dataset.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/datasets/{dataset.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()

    assert dataset.status == Dataset.Status.READY, dataset.error
    report = dataset.report
    assert (report["rows_accepted"], report["rows_rejected"], report["rows_read"]) == (2_050, 50, 2_100)
    assert report["rejects_by_reason"] == {"unclosed_quote": 1, "unparseable_timestamp": 49}
    assert (report["lines_total"], report["header_lines"], report["blank_lines"], report["lines_in_cells"]) == (2_102, 1, 1, 0)
    assert "2,102 lines: 2,050 rows, 50 rejected (first at line 102: unclosed quote), 1 header, 1 blank" in english
    # numbers as Django writes them in Chinese: without a thousands separator
    assert "共 2,102 行：2,050 行数据，50 行被拒（首个在第 102 行：引号未闭合），1 行表头，1 行空行" in chinese


def test_a_report_from_before_the_line_accounting_shows_no_accounting_line(world, client):
    dataset = Dataset.objects.create(
        venture=world.venture,
        name="old",
        created_by=world.editor,
        status=Dataset.Status.READY,
        report={"rows_read": 3, "rows_accepted": 3, "rows_rejected": 0, "rejects_by_reason": {}, "sample_rejected_lines": {}},
    )
    client.force_login(world.editor)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()

    assert "Ingest report" in page
    assert "dataset-line-accounting" not in page
