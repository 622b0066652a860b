"""Optimistic concurrency on the API: which version of an object the client edited."""

from rest_framework.request import Request

from core.errors import InvalidInput


def expected_version(request: Request, body_version: object = None) -> int | None:
    """The version the client based its change on: the If-Match header ("3" or W/"3"), else `version` in the body
    (given, or read from the request body), else None."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit():
            raise InvalidInput('If-Match must be a version number such as "3".', code="invalid_if_match")
        return int(value)
    if body_version is None and hasattr(request.data, "get"):
        body_version = request.data.get("version")
    if body_version is None or body_version == "":
        return None
    if isinstance(body_version, int) or str(body_version).isdigit():
        return int(body_version)
    raise InvalidInput("version must be a whole number.", code="invalid_version")
