"""A team's data as a zip a user can take elsewhere: plain JSON and CSV (and the normalised events as Parquet when
asked for), laid out by venture. Written entry by entry into a stream, so memory stays bounded however many
canvases or however large the datasets; every name in the zip is made from ids and slugs, never from a title as
typed (no path traversal, no clash). Reads go through each app's own selectors and exports, scoped to one team."""

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from analysis.models import Analysis
from canvas.exports import canvas_csv, canvas_document
from canvas.models import Canvas
from core.spreadsheet import spreadsheet_safe
from datasets.models import Dataset
from strategy import labels
from strategy.resources import resources_of_view
from strategy.selectors import row_snapshot, rows_for_venture, view_version
from teams.models import Team
from ventures.models import Venture

FORMAT = "bizcanvas.team-export"
FORMAT_VERSION = 1
CHUNK_BYTES = 1024 * 1024

README = """bizcanvas team export
=====================

Team: {team}
Exported at: {exported_at} (UTC)
Format: {format} version {version}

Everything is plain JSON (UTF-8) or CSV (UTF-8, comma-separated, one header row; cells that a spreadsheet would run
as a formula start with an apostrophe). File and folder names are made of ids and a simplified title; the exact titles
are inside the files.

team.json                      the team's name and this export's format
ventures.json                  every venture: id, name, pitch, industry, stage, and its folder in this zip
ventures/<id>-<name>/
  canvases/<id>-<title>.json   a canvas as a bizcanvas canvas document: import it again with
                               POST /api/v1/canvases/import/ {{"venture": <id>, "document": <this file>}}
  canvases/<id>-<title>.csv    the same canvas as a table (block, position, text, colour, note, assumption, evidence)
  strategy/<view>.json         each strategy view (SWOT, five forces, value chain, risks, competitors): its version
                               and its rows, grouped by kind of row
  strategy/<kind>.csv          each kind of strategy row as a table
  datasets/<id>-<name>.json    a dataset's metadata: original file name, size, status, detected format, column
                               mapping and ingest report (not the uploaded rows)
  datasets/<id>-<name>.parquet the dataset's normalised events (only in exports made with --with-data)
  analyses/<id>-<kind>.json    a model run: its kind, dataset, parameters, status and results

Not included: members and their e-mail addresses, passwords, API tokens, share links, comments, version history,
the uploaded files as uploaded, and per-customer segment tables.
"""


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default).encode()


def _json_default(value: object) -> object:
    """`json.dumps`'s fallback: dates as ISO 8601, Decimals as strings (exact)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def safe_name(pk: int, title: str) -> str:
    """`<id>-<slug>`: letters (any script), digits, '-' and '_' only, at most 60 characters; never empty, never '.'
    or '..', never a separator, so a hostile title cannot climb out of its folder or clash with another entry."""
    slug = slugify(title or "", allow_unicode=True)[:60].strip("-_")
    return f"{pk}-{slug}" if slug else str(pk)


def _csv(header: list[str], rows: Iterable[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(_csv_value(cell)) for cell in row])
    return buffer.getvalue().encode()


def _csv_value(value: object) -> object:
    """A cell as CSV writes it: dates as ISO 8601, everything else as Python prints it."""
    return value.isoformat() if isinstance(value, datetime | date) else value


@dataclass(frozen=True)
class Entry:
    """One file of the zip: its path and either its bytes or a storage name to copy in chunks."""

    name: str
    data: bytes = b""
    storage_name: str = ""


def team_export_entries(*, team: Team, with_data: bool = False, language: str = "en") -> Iterator[Entry]:
    """The zip's files, one at a time (each built only when the previous one has been written)."""
    exported_at = timezone.now()
    yield Entry(
        "README.txt",
        README.format(team=team.name, exported_at=f"{exported_at:%Y-%m-%d %H:%M}", format=FORMAT, version=FORMAT_VERSION).encode(),
    )
    yield Entry(
        "team.json",
        _json({"format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": exported_at, "team": {"id": team.pk, "name": team.name}}),
    )
    ventures = list(Venture.objects.filter(team=team).order_by("pk"))
    folders = {venture.pk: f"ventures/{safe_name(venture.pk, venture.name)}" for venture in ventures}
    yield Entry(
        "ventures.json",
        _json(
            [
                {
                    "id": venture.pk,
                    "name": venture.name,
                    "pitch": venture.pitch,
                    "industry": venture.industry,
                    "stage": venture.stage,
                    "created_at": venture.created_at,
                    "folder": folders[venture.pk],
                }
                for venture in ventures
            ]
        ),
    )
    for venture in ventures:
        yield from _venture_entries(venture, folders[venture.pk], with_data=with_data, language=language)


def _venture_entries(venture: Venture, folder: str, *, with_data: bool, language: str) -> Iterator[Entry]:
    for canvas in Canvas.objects.filter(venture=venture).order_by("pk").iterator():
        name = f"{folder}/canvases/{safe_name(canvas.pk, canvas.title)}"
        yield Entry(f"{name}.json", _json(canvas_document(canvas)))
        yield Entry(f"{name}.csv", canvas_csv(canvas, language=language).encode())
    yield from _strategy_entries(venture, f"{folder}/strategy")
    for dataset in Dataset.objects.filter(venture=venture).order_by("pk").iterator():
        name = f"{folder}/datasets/{safe_name(dataset.pk, dataset.name)}"
        yield Entry(f"{name}.json", _json(_dataset_metadata(dataset)))
        if with_data and dataset.parquet and dataset.status == Dataset.Status.READY:
            yield Entry(f"{name}.parquet", storage_name=dataset.parquet)
    for analysis in Analysis.objects.filter(dataset__venture=venture).order_by("pk").iterator():
        yield Entry(f"{folder}/analyses/{safe_name(analysis.pk, analysis.kind)}.json", _json(_analysis_document(analysis)))


def _strategy_entries(venture: Venture, folder: str) -> Iterator[Entry]:
    for view in labels.VIEWS:
        resources = resources_of_view(view.key)
        document: dict[str, Any] = {"view": view.key, "title": view.en, "version": view_version(venture=venture, kind=view.key), "rows": {}}
        for resource in resources:
            rows = [row_snapshot(row, resource) for row in rows_for_venture(venture=venture, resource=resource).order_by("pk")]
            document["rows"][resource.key] = rows
            header = ["id", "version", *resource.fields]
            yield Entry(f"{folder}/{resource.key}.csv", _csv(header, ([row[key] for key in header] for row in rows)))
        yield Entry(f"{folder}/{view.key}.json", _json(document))


def _dataset_metadata(dataset: Dataset) -> dict:
    return {
        "id": dataset.pk,
        "name": dataset.name,
        "original_name": dataset.original_name,
        "size_bytes": dataset.size_bytes,
        "status": dataset.status,
        "error": dataset.error,
        "rows_processed": dataset.rows_processed,
        "detected": dataset.detected,
        "mapping": dataset.mapping,
        "keep_extra_columns": dataset.keep_extra_columns,
        "report": dataset.report,
        "created_at": dataset.created_at,
        "finished_at": dataset.finished_at,
    }


def _analysis_document(analysis: Analysis) -> dict:
    return {
        "id": analysis.pk,
        "kind": analysis.kind,
        "dataset": analysis.dataset_id,
        "status": analysis.status,
        "error": analysis.error,
        "params": analysis.params,
        "result": analysis.result,
        "created_at": analysis.created_at,
        "finished_at": analysis.finished_at,
    }


class _Pipe(io.RawIOBase):
    """A write-only, non-seekable sink whose bytes are taken out as they come: zipfile then writes each entry with a
    data descriptor, and the caller hands the bytes on (to a file, or to an HTTP response) entry by entry."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # zipfile hands it bytes
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def team_export_stream(*, team: Team, with_data: bool = False, language: str = "en") -> Iterator[bytes]:
    """The team's zip as a stream of byte chunks (at most about one entry, or one Parquet chunk, held at a time)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in team_export_entries(team=team, with_data=with_data, language=language):
            if entry.storage_name:
                with default_storage.open(entry.storage_name, "rb") as source, archive.open(entry.name, "w", force_zip64=True) as target:
                    while chunk := source.read(CHUNK_BYTES):
                        target.write(chunk)
                        yield pipe.take()
            else:
                archive.writestr(entry.name, entry.data)
            yield pipe.take()
    yield pipe.take()
