"""Domain errors raised by services and selectors. The API maps each to one HTTP status in one place
(`core.api.exception_handler`); browser views turn them into messages or status pages."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class: a rule of the product was broken. `code` is stable and machine-readable."""

    status_code = 400
    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message: str | None = None, *, code: str | None = None, data: dict | None = None) -> None:
        self.message = message or str(self.default_message)
        if code:
            self.code = code
        self.data = data or {}  # extra fields for the API response, e.g. the current item of a stale edit
        super().__init__(self.message)


class NotFound(DomainError):
    """The object does not exist or belongs to a team the user is not in (the two are indistinguishable)."""

    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class AccessDenied(DomainError):
    """The user can see the object but their role does not allow this action."""

    status_code = 403
    code = "permission_denied"
    default_message = _("Your role in this team does not allow this action.")


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid"


class Conflict(DomainError):
    """The change is based on stale data or would break an invariant held by other rows."""

    status_code = 409
    code = "conflict"
    default_message = _("The change conflicts with the current state.")


class StaleVersion(Conflict):
    """The change was based on an older version: `current` is the object as it is now (with its `version`), which the
    API answers under `current` (core.api.versioning.VersionedApiView) and pages show beside the user's change."""

    code = "stale"
    default_message = _("A teammate changed this since you loaded it.")

    def __init__(self, current: Any, message: str | None = None) -> None:
        super().__init__(message)
        self.current = current


class PreconditionRequired(DomainError):
    """A change to a versioned object came without the version it was based on."""

    status_code = 428
    code = "version_required"
    default_message = _("Say which version you edited (an If-Match header or “version” in the body).")
