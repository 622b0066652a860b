"""The shapes canvas endpoints share: an item, a canvas with its blocks, and the exported document that imports read
(the browser's import too)."""

from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from canvas import exports
from canvas.blueprints import PALETTE
from canvas.models import NOTE_MAX, TEXT_MAX, AssumptionStatus, Canvas, CanvasKind
from canvas.selectors import canvas_blocks

MAX_IMPORT_ITEMS = 2000


def request_language() -> str:
    return translation.get_language() or "en"


class ItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    canvas = serializers.IntegerField(source="canvas_id")
    block = serializers.CharField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    color = serializers.CharField()
    note = serializers.CharField()
    is_assumption = serializers.BooleanField()
    assumption_status = serializers.ChoiceField(choices=AssumptionStatus.choices)
    evidence = serializers.CharField()
    evidence_figure = serializers.CharField(help_text="Same-site API path of the chart behind the item (from an analysis).")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CanvasOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    venture = serializers.IntegerField(source="venture_id")
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField()
    version = serializers.IntegerField()
    archived = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_archived(self, canvas: Canvas) -> bool:
        return canvas.archived_at is not None


class BlockOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    questions = serializers.CharField()
    untested_assumptions = serializers.IntegerField(source="untested")
    items = ItemOutputSerializer(many=True)


class CanvasDetailOutputSerializer(CanvasOutputSerializer):
    blocks = serializers.SerializerMethodField()

    @extend_schema_field(BlockOutputSerializer(many=True))
    def get_blocks(self, canvas: Canvas) -> list[dict]:
        return BlockOutputSerializer(canvas_blocks(canvas=canvas, language=request_language()), many=True).data


class ImportItemSerializer(serializers.Serializer):
    block = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    text = serializers.CharField(max_length=TEXT_MAX)
    color = serializers.ChoiceField(choices=list(PALETTE), required=False, default="yellow")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    is_assumption = serializers.BooleanField(required=False, default=False)
    assumption_status = serializers.ChoiceField(choices=AssumptionStatus.choices, required=False, default=AssumptionStatus.UNTESTED)
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    evidence_figure = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CanvasDocumentSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[exports.DOCUMENT_FORMAT], required=False)
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField(max_length=120)
    items = ImportItemSerializer(many=True, max_length=MAX_IMPORT_ITEMS)
