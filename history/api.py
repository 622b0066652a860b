"""What the API shows of a version, for every versioned artefact (canvases, strategy views)."""

from rest_framework import serializers


class VersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    action = serializers.CharField()
    summary = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField()
