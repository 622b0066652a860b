"""The OpenAPI schema tells the truth about errors too: every operation documents the error answers our one exception
handler (`core.api.exception_handler`) can give it, with their bodies, next to what the view declares itself."""

from typing import Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

ERROR = {
    "type": "object",
    "description": "An error: a human-readable message and a stable machine-readable code; some errors add fields "
    "(e.g. `current`, the item as it is now, on a stale edit).",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Invalid input: for each field, what is wrong with it (`non_field_errors` for the whole).",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": True}]},
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `{detail, code}` or the errors of each field.",
    "401": "Not authenticated: no or a wrong token or session.",
    "403": "Your role in the team does not allow this (or a missing CSRF token with a session).",
    "404": "No such object among your teams' objects (another team's id answers the same), in the path or the input.",
    "409": "The change conflicts with the current state (e.g. a stale version).",
    "413": "The upload is too large.",
    "428": "The change came without the version it was based on.",
    "429": "Too many requests; try again later.",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
VERSIONED = ("{item_id}", "{row_id}")  # changes to these say which version they edited (If-Match or `version`)


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses to every operation, unless the view documents that status itself."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            responses.setdefault(status, self._error_response(status))
        return responses

    def _error_statuses(self) -> list[str]:
        public = any(permission is AllowAny for permission in self.view.permission_classes)
        statuses = ["400"]
        if not public:
            statuses += ["401", "403"]
        if "{" in self.path or not public:  # a path's id, or an id in the body or the query (`venture`, `dataset`)
            statuses.append("404")
        if self.method in UNSAFE and not public:
            statuses.append("409")
        if self.method in UNSAFE and any(name in self.path for name in VERSIONED):
            statuses.append("428")
        if getattr(self.view, "throttle_classes", None) or getattr(self.view, "throttle_scope", None):
            statuses.append("429")
        return statuses

    def _error_response(self, status: str) -> dict:
        error = self._component("Error", ERROR)
        schema = {"anyOf": [error, self._component("FieldErrors", FIELD_ERRORS)]} if status == "400" else error
        return {"description": ERROR_DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component.ref
