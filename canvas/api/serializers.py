"""The shapes canvas endpoints share: an item, a canvas with its blocks, and the exported document that imports read
(the browser's import too)."""

from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from canvas import exports
from canvas.blueprints import PALETTE
from canvas.models import NOTE_MAX, TEXT_MAX, AssumptionStatus, Canvas, CanvasItem, CanvasKind
from canvas.selectors import canvas_blocks
from canvas.sources import sources_check

MAX_IMPORT_ITEMS = 2000


def request_language() -> str:
    return translation.get_language() or "en"


class SourceOutputSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(required=False)
    dataset_name = serializers.CharField(required=False)
    kind = serializers.CharField(required=False)
    analysis = serializers.IntegerField(required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    model = serializers.CharField(required=False)
    run_at = serializers.DateTimeField(required=False)

    def to_representation(self, source: dict) -> dict | None:  # type: ignore[override]
        return {key: source[key] for key in self.fields if key in source} if source else None


class StaleOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="newer_data, newer_run or contradicted")
    reason = serializers.CharField()


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
    source = SourceOutputSerializer(allow_null=True, help_text="Where a note from data got its figures; null for a note someone wrote.")
    stale = serializers.SerializerMethodField(help_text="Why a note from data no longer holds; empty while it does.")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(StaleOutputSerializer(many=True))
    def get_stale(self, item: CanvasItem) -> list[dict]:
        if not hasattr(item, "stale"):  # not shown through canvas_blocks: checked on its own
            sources_check([item])
        return [{"code": stale.code, "reason": stale.reason} for stale in item.stale]


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
    source = serializers.DictField(
        required=False, default=dict, help_text="Where a note from data came from: kept as a sentence in the note, never as a link."
    )


class CanvasDocumentSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[exports.DOCUMENT_FORMAT], required=False)
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField(max_length=120)
    items = ImportItemSerializer(many=True, max_length=MAX_IMPORT_ITEMS)
