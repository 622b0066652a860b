import json

from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/teams/{team_id}/members/" in target.read_text()


def test_version_lists_document_their_filters(tmp_path):
    target = tmp_path / "schema.json"

    call_command("spectacular", "--format", "openapi-json", "--file", str(target))

    paths = json.loads(target.read_text())["paths"]
    for path in ("/api/v1/canvases/{canvas_id}/versions/", "/api/v1/ventures/{venture_id}/views/{kind}/versions/"):
        parameters = {parameter["name"]: parameter for parameter in paths[path]["get"]["parameters"]}
        assert parameters["author"]["in"] == "query"
        assert "restore" in parameters["change"]["schema"]["enum"]
