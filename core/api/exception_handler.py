"""One mapping from errors to API responses: `{"detail": ..., "code": ...}` or DRF's field errors."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from core.errors import DomainError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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
