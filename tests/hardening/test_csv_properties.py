"""Property tests of the dataset path (`dataset_upload` → `dataset_ingest_run`, in-process) with generated CSVs: any
encoding, delimiter and quoting, ragged rows, junk bytes, blank lines, huge fields, any header names.

Whatever the file: the upload refuses it with a code and a message (and stores nothing) or stores it; the ingest ends
`ready` or `failed` with a reason and its code; a failure leaves no Parquet behind, a success a Parquet with exactly
the accepted rows; rejected rows are reported with their line numbers."""

import csv
import gzip
import io
import os
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput
from datasets.models import Dataset
from datasets.services import dataset_ingest_run, dataset_upload

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252")
DELIMITERS = (",", ";", "\t", "|")
QUOTING = (csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE)
MAX_LINE_CHARS = 2_000  # the suite's limit, so that a "huge" field stays cheap to generate

known_headers = st.sampled_from(["user_id", "customer", "timestamp", "time", "date", "event", "amount", "channel", "product", "qty"])
any_headers = st.text(min_size=0, max_size=12)
cells = st.one_of(
    st.sampled_from(["u1", "u2", "c007", "", " ", "NULL", "purchase", "refund", "web", "app"]),
    st.sampled_from(["2025-01-06", "2025-01-06 12:30", "06/01/2025", "1/13/2025", "2025-13-45", "1736164800", "yesterday"]),
    st.sampled_from(["12.50", "12,50", "-3", "1e3", "1.234,56", "NaN", "€9"]),
    # any text: delimiters, quotes, newlines, CJK, emoji (control characters come as junk bytes, below)
    st.text(alphabet=st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(",;\t|\"'\n\r")), max_size=20),
)
huge = st.integers(min_value=MAX_LINE_CHARS - 10, max_value=MAX_LINE_CHARS * 2).map(lambda size: "x" * size)


TYPICAL = {
    "user_id": st.sampled_from(["u1", "u2", "c007", "42"]),
    "timestamp": st.sampled_from(["2025-01-06", "2025-01-06 12:30", "2025-02-11T08:00:00Z", "2025-03-01 23:59:59"]),
    "amount": st.sampled_from(["12.50", "3", "-4.20", "0"]),
}


def _row(draw: st.DrawFn, columns: list[str]) -> list[str]:
    """Mostly plausible values, now and then anything, rarely a huge field; one row in twelve a cell short or long."""
    row = [draw(TYPICAL[name] if name in TYPICAL and draw(st.integers(0, 12)) else cells) for name in columns]
    if draw(st.integers(0, 60)) == 0:
        row[draw(st.integers(0, len(row) - 1))] = draw(huge)
    ragged = draw(st.integers(0, 24))
    if ragged == 0:
        return row[:-1]
    if ragged == 1:
        return [*row, draw(cells)]
    return row


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    columns = draw(st.lists(st.one_of(known_headers, known_headers, any_headers), min_size=0, max_size=4))
    if draw(st.integers(0, 3)):  # mostly a file a user could mean: the two required columns are there
        columns = ["user_id", "timestamp", *columns]
    columns = columns or ["only"]
    rows = [_row(draw, columns) for _ in range(draw(st.integers(0, 25)))]
    delimiter, quoting = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(QUOTING))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, escapechar="\\", lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    for row in [columns, *rows]:
        try:
            writer.writerow(row)
        except csv.Error:  # what the csv module refuses to write, a sloppy exporter writes anyway
            out.write(delimiter.join(row) + "\n")
        if draw(st.integers(0, 9)) == 0:
            out.write("\n")  # a blank line
    encoding = draw(st.sampled_from(ENCODINGS))
    data = out.getvalue().encode(encoding, errors="replace")
    for _ in range(max(draw(st.integers(-3, 2)), 0)):  # junk bytes anywhere (in a third of the files)
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = gzip.compress(data)
    return data, f"{encoding} {delimiter!r} quoting={quoting}"


def _files(root: Path, venture_id: int) -> set[str]:
    folder = root / "datasets" / str(venture_id)
    return {f"datasets/{venture_id}/{path.name}" for path in folder.iterdir()} if folder.exists() else set()


@pytest.mark.django_db
def test_any_csv_is_stored_and_ingested_or_refused_with_a_reason_and_never_half_done(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DATASET_MAX_LINE_CHARS = MAX_LINE_CHARS
    venture = world.venture

    @settings_for_suite
    @given(generated=csv_files(), auto_ingest=st.booleans())
    def check(generated: tuple[bytes, str], auto_ingest: bool) -> None:
        content, _description = generated
        before = _files(tmp_path, venture.pk)
        rows_before = Dataset.objects.filter(venture=venture).count()
        # When the file is uploaded (and ingested at once, or after the mapping the sniffer proposed)
        try:
            dataset = dataset_upload(
                user=world.editor, venture=venture, name="fuzz", upload=SimpleUploadedFile("f.csv", content), auto_ingest=auto_ingest
            )
        except InvalidInput as refused:  # a property: refusing is one of the two right answers, not the expected one
            outcomes["refused"] += 1
            outcomes[f"refused: {refused.code}"] += 1
            # Then a refusal says why and stores nothing: no row, no file
            assert refused.code not in ("", "invalid")  # noqa: PT017
            assert refused.message  # noqa: PT017
            assert Dataset.objects.filter(venture=venture).count() == rows_before
            assert _files(tmp_path, venture.pk) == before
            return
        if dataset.status != Dataset.Status.QUEUED:
            if not {"user_id", "timestamp"} <= set(dataset.mapping):
                outcomes["stored unmapped"] += 1
                return  # stored for the user to map by hand: nothing to ingest yet
            from datasets.services import dataset_ingest_start

            dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=dataset.mapping)
        status = dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
        dataset.refresh_from_db()
        outcomes[dataset.status] += 1

        # Then it ended ready or failed, never half done
        assert status == dataset.status
        assert dataset.status in (Dataset.Status.READY, Dataset.Status.FAILED)
        files = _files(tmp_path, venture.pk) - before
        if dataset.status == Dataset.Status.FAILED:
            assert dataset.error
            assert dataset.error_code not in ("", "internal"), dataset.error
            if dataset.error_code in ("too_many_rejects", "unparseable_timestamp", "missing_user", "line_too_long", "malformed"):
                assert re.search(r"[Ll]ines? \d+", dataset.error), dataset.error  # row-level: which lines
            assert dataset.parquet == ""
            assert files == {dataset.file.name}
        else:
            assert files == {dataset.file.name, dataset.parquet, dataset.cohorts.file}
            report = dataset.report
            assert pq.ParquetFile(tmp_path / dataset.parquet).metadata.num_rows == report["rows_accepted"]
            assert report["rows_accepted"] + report["rows_rejected"] == report["rows_read"]
            for reason, count in report["rejects_by_reason"].items():
                lines = report["sample_rejected_lines"][reason]
                assert 0 < len(lines) <= count
                assert all(line >= 2 for line in lines)  # line numbers of the file, the header being line 1

    outcomes: Counter = Counter()
    check()
    print(dict(outcomes))
    # the generator reaches every ending
    assert outcomes["ready"]
    assert outcomes["failed"]
    assert outcomes["refused"]


settings_for_suite = settings(
    max_examples=int(os.environ.get("CSV_FUZZ_EXAMPLES", "150")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
