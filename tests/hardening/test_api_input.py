"""Issue 19, finding 9: what the API accepts as a chart path, and what it answers to a body over the size limit."""

import json

import pytest
from django.test import Client

from tests.canvas.factories import CanvasFactory
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "figure",
    ["/api/%2e%2e/admin/", "/api/v1/analyses/1/figures/%2e%2e%2f%2e%2e/", "/api/v1/analyses/1/figures/..\\..\\x/", "//evil.example/"],
)
def test_an_item_cannot_cite_a_chart_outside_the_analysis_figures(world, figure):
    canvas = CanvasFactory(venture=world.venture)

    response = api_as(world.editor).post(
        f"/api/v1/canvases/{canvas.pk}/items/", {"block": "channels", "text": "x", "evidence_figure": figure}, format="json"
    )

    assert response.status_code == 400
    assert "evidence_figure" in response.json()


def test_an_api_body_over_the_size_limit_gets_the_json_error_envelope(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    canvas = CanvasFactory(venture=world.venture)
    client = Client(raise_request_exception=False)
    client.force_login(world.editor)

    response = client.post(
        f"/api/v1/canvases/{canvas.pk}/items/", json.dumps({"block": "channels", "text": "x" * 5000}), content_type="application/json"
    )

    assert response.status_code == 413
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "request_too_large"
