"""A canvas as a file: JSON (round-trips through canvas_import), CSV (safe to open in a spreadsheet), PDF and PNG
(the blocks laid out as on screen, with fonts for Chinese as well as Latin text)."""

import csv
import io
import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from canvas.models import ITEM_CONTENT_FIELDS, Canvas
from canvas.selectors import canvas_blocks
from core.spreadsheet import spreadsheet_safe

DOCUMENT_FORMAT = "bizcanvas.canvas"
DOCUMENT_VERSION = 1
ITEM_KEYS = ("block", "position", *ITEM_CONTENT_FIELDS)
PAGE_SIZES = ("A4", "A3")


def canvas_document(canvas: Canvas) -> dict:
    return {
        "format": DOCUMENT_FORMAT,
        "format_version": DOCUMENT_VERSION,
        "kind": canvas.kind,
        "title": canvas.title,
        "exported_at": timezone.now().isoformat(),
        "items": [{key: getattr(item, key) for key in ITEM_KEYS} for item in canvas.items.order_by("block", "position", "id")],
    }


def canvas_csv(canvas: Canvas, *, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["block", "block_name", "position", "text", "color", "note", "is_assumption", "assumption_status", "evidence"])
    for block in canvas_blocks(canvas=canvas, language=language):
        for item in block["items"]:
            row = [
                block["key"],
                block["name"],
                item.position,
                item.text,
                item.color,
                item.note,
                item.is_assumption,
                item.assumption_status,
                item.evidence,
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def canvas_pdf(canvas: Canvas, *, language: str, page_size: str = "A4") -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    with translation.override(language):
        html = render_to_string(
            "canvas/export_pdf.html",
            {"canvas": canvas, "blocks": canvas_blocks(canvas=canvas, language=language), "page_size": page_size, "language": language},
        )
    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict:
    """The PDF needs no file or URL; refuse any, so no text can make the renderer read one."""
    raise ValueError(f"canvas PDFs load no resources ({url[:40]})")


def canvas_png(canvas: Canvas, *, language: str, scale: float = 2.0) -> bytes:
    """The A4 PDF's page as a PNG image (rendered by PDFium), so both look the same."""
    import pypdfium2

    document = pypdfium2.PdfDocument(canvas_pdf(canvas, language=language, page_size="A4"))
    try:
        image = document[0].render(scale=scale).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


EXPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "png": "image/png",
}


def canvas_export_response(canvas: Canvas, *, export_format: str, page_size: str, language: str) -> HttpResponse:
    """The download for one export format (the API and the editor's export menu both answer with this)."""
    if export_format == "json":
        content: bytes | str = json.dumps(canvas_document(canvas), ensure_ascii=False, indent=2)
    elif export_format == "csv":
        content = "\ufeff" + canvas_csv(canvas, language=language)  # BOM: Excel then reads UTF-8
    elif export_format == "pdf":
        content = canvas_pdf(canvas, language=language, page_size=page_size)
    else:
        content = canvas_png(canvas, language=language)
    response = HttpResponse(content, content_type=EXPORT_TYPES[export_format])
    filename = f"{slugify(canvas.title, allow_unicode=True) or 'canvas'}.{export_format}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
