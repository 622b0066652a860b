"""One mapping from errors to API responses: `{"detail": ..., "code": ...}` or DRF's field errors."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from core.errors import DomainError


def request_too_big_body() -> dict[str, str]:
    """What an API request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE receives (with status 413)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {"detail": _("The request body is too large: at most %(limit)d bytes.") % {"limit": limit}, "code": "request_too_large"}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # Django's SuspiciousOperation: DRF would pass it on to an HTML 400 page
        return Response(request_too_big_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, **exc.data}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes()
        response.data = {"detail": response.data["detail"], "code": codes if isinstance(codes, str) else "error"}
    elif isinstance(response.data, list):
        # A list of non-field errors: give it the same envelope as single errors.
        response.data = {"detail": " ".join(str(item) for item in response.data), "code": "invalid"}
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
