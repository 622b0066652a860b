import json

import pytest
from django.test import Client
from django.utils import translation

from core.views import server_error

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


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/api/v1/auth/token/", "application/json", '{"username": "%s"}' % ("x" * 5000)),
        ("/api/v1/auth/register/", "application/x-www-form-urlencoded", "username=" + "x" * 5000),
    ],
)
def test_an_api_body_over_the_size_limit_answers_the_json_413(settings, debug, path, content_type, body):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DEBUG = debug  # with DEBUG on, Django would answer its HTML debug page
    client = Client(raise_request_exception=False)

    response = client.post(path, body, content_type=content_type)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large: at most 1000 bytes.", "code": "request_too_large"}


def test_a_page_body_over_the_size_limit_keeps_the_html_error_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(raise_request_exception=False)

    response = client.post("/accounts/signup/", "username=" + "x" * 5000, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_body_too_big_read_outside_an_api_view_still_answers_json_on_api_paths(rf, settings):
    from django.core.exceptions import RequestDataTooBig

    from core.views import bad_request

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    api = bad_request(rf.post("/api/v1/ventures/"), RequestDataTooBig())
    page = bad_request(rf.post("/ventures/"), RequestDataTooBig())

    assert api.status_code == 413
    assert json.loads(api.content)["code"] == "request_too_large"
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_the_server_error_page_speaks_the_active_language(rf):
    with translation.override("zh-hans"):
        chinese = server_error(rf.get("/")).content.decode()
    english = server_error(rf.get("/")).content.decode()

    assert '<html lang="zh-hans">' in chinese
    assert "出错了" in chinese
    assert "Something went wrong" in english
