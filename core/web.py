"""How browser views call selectors and services: NotFound becomes a 404 page, a refused permission check the 403
page; other domain errors and validation errors become messages shown on the next page."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from core.errors import AccessDenied, DomainError, NotFound

T = TypeVar("T")


def get_or_404(selector: Callable[..., T], **kwargs: Any) -> T:
    try:
        return selector(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def allowed_or_403(check: Callable[..., object], **kwargs: Any) -> None:
    """Ask a service's own permission check before a page shows or reads a form: AccessDenied becomes the 403 page,
    so the rule stays in the service and the view does not restate it."""
    try:
        check(**kwargs)
    except NotFound as exc:
        raise Http404 from exc
    except AccessDenied as exc:
        raise PermissionDenied from exc


def service_run(request: HttpRequest, service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a service. On a domain error show its message and return None; otherwise return the service's result
    (True for services that return nothing), so views can write `if service_run(...):`."""
    try:
        result = service(**kwargs)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    except ValidationError as exc:  # a model's full_clean() refused the input
        for message in exc.messages:
            messages.error(request, message)
        return None
    return True if result is None else result
