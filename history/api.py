"""What the API shows of a version, and how a list of them is filtered, for every versioned artefact (canvases,
strategy views)."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request


class VersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The artefact's version after the latest change this version holds.")
    name = serializers.CharField()
    action = serializers.CharField(help_text="The kind of the latest change.")
    kinds = serializers.ListField(child=serializers.CharField(), source="kind_list", help_text="Every kind of change it holds.")
    edits = serializers.IntegerField(help_text="How many changes it holds: one person's edits within a few minutes are one version.")
    summary = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField(help_text="When its first change was made.")
    changed_at = serializers.DateTimeField(help_text="When its latest change was made: the time of the snapshot.")


def version_filter_parameters(kinds: list[str]) -> list[OpenApiParameter]:
    """The query parameters of a version list, documented with the artefact's kinds of change."""
    return [
        OpenApiParameter("author", str, description="Only the versions made by this username."),
        OpenApiParameter("change", str, enum=kinds, description="Only the versions holding a change of this kind."),
    ]


def version_filters(request: Request) -> dict[str, str]:
    """The `author` and `change` (kind of change) of a version list request, as version_list takes them."""
    return {"author": request.query_params.get("author", ""), "kind": request.query_params.get("change", "")}
