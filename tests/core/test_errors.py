import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_page_answers_an_html_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_crash_on_an_api_path_answers_json_500(world, monkeypatch):
    def crash(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ventures.api.venture_list_for_user", crash)
    client = Client(raise_request_exception=False)
    client.force_login(world.owner)

    response = client.get("/api/v1/ventures/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert response["X-Frame-Options"] == "DENY"


def test_api_docs_and_schema_are_served_from_the_sidecar(client):
    docs = client.get("/api/docs/")
    schema = client.get("/api/schema/")

    assert docs.status_code == 200
    assert "drf_spectacular_sidecar/swagger-ui-dist" in docs.content.decode()
    assert b"/api/v1/ventures/" in schema.content


def test_health_check(client):
    assert client.get("/healthz").content == b"ok"
