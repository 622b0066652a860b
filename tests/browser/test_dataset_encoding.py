"""An analyst whose file was decoded wrongly picks another encoding and sees the preview and columns follow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from datasets.models import Dataset
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_another_encoding_redraws_the_preview_and_the_columns(page: Page, live_server, client):
    team = TeamFactory()
    analyst = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team)
    text = "客戶,日期\n" + "".join(f"王{i % 3},2024-01-{i % 28 + 1:02d}\n" for i in range(30))
    client.force_login(analyst)
    client.post(f"/datasets/upload/{venture.pk}/", {"name": "Orders", "file": SimpleUploadedFile("o.csv", text.encode("big5"))})
    dataset = Dataset.objects.get()
    dataset.detected = {**dataset.detected, "encoding": "latin-1", "encodings": ["latin-1", "big5"]}
    dataset.save()
    log_in(page, live_server.url, analyst.username, PASSWORD)

    page.goto(f"{live_server.url}/datasets/{dataset.pk}/")
    page.get_by_label("Encoding").select_option("big5")

    expect(page.locator("#dataset-preview thead")).to_contain_text("客戶")
    expect(page.locator("#dataset-preview tbody tr").first).to_contain_text("王0")
    expect(page.get_by_label("User / customer")).to_have_value("客戶")
    expect(page.locator("#dataset-preview-status")).to_have_text("Decoded as big5.")
