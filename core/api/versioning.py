"""Optimistic concurrency on the API: which version of an object the client edited."""

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput, StaleVersion


def with_etag(response: Response, versioned: Any) -> Response:
    """The response, with the version it shows as its ETag (what the client sends back as If-Match)."""
    response["ETag"] = f'"{versioned.version}"'
    return response


class VersionedApiView(APIView):
    """An endpoint that changes a versioned object: a stale change (StaleVersion) answers 409 with the object as it
    is now under `current`, in the shape of this endpoint's responses (`current_data`), and its ETag."""

    def current_data(self, current: Any) -> dict:
        raise TypeError(f"{type(self).__name__} must say how it shows the current object")

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, StaleVersion):
            body = {"detail": exc.message, "code": exc.code, "current": self.current_data(exc.current)}
            return with_etag(Response(body, status=status.HTTP_409_CONFLICT), exc.current)
        return super().handle_exception(exc)


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
    if isinstance(body_version, int):
        return int(body_version)
    if str(body_version).isdigit():
        return int(str(body_version))
    raise InvalidInput("version must be a whole number.", code="invalid_version")
