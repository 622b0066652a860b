"""Normalise cells to typed values, vectorised with pyarrow.compute. The common, unambiguous forms are parsed by Arrow
and numpy: ISO 8601 timestamps, dates written with numbers (12/1/2010 8:26, 28.10.2024, 2025年3月1日), plain decimal
numbers and amounts with symbols and separators (€ 1.234,50); every other value goes through the pandas parsers below,
which define the rules: both give the same answer for every value Arrow takes (tests/ingest/test_read.py).
Columns may come as a ChunkedArray (the reader's blocks, not copied into one array): the common forms are checked
piece by piece and cast as they are; the rare ones (the regex, pandas) take one array.
Pure: no Django, no files."""

import re
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.cells import Column, pieces, utf8_buffers, whole

TIMESTAMP = pa.timestamp("us", tz="UTC")
# str.strip()'s whitespace (every character whose isspace() is true), so that Arrow trims exactly what Python would.
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# What Arrow parses like pandas: ISO dates 1900-2099 (inside pandas' nanosecond range), valid fields, ≤ 6 decimals.
_DATE = r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
ISO_TIMESTAMP = rf"^{_DATE}(?:[T ]{_TIME}(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$"
ZONED_MIN_CHARS = len("2024-01-01T10:00+02:00")  # in shorter ISO stamps the 6th character from the end is no sign
# Plain numbers of at most 15 characters: with so few digits pandas' parser rounds as correctly as Arrow's does.
PLAIN_NUMBER = {".": r"^-?\d+(?:\.\d+)?$", ",": r"^-?\d+(?:,\d+)?$"}
PLAIN_NUMBER_CHARS = 15


def strip(values: Column) -> Column:
    """Without the characters str.strip() takes off either end. A column none of whose bytes can belong to such a
    character (each is below "!" or not ASCII) is handed back as it is: two passes over its bytes instead of a copy of
    every value."""
    if all(_untrimmed(piece) for piece in pieces(values)):
        return values
    return pc.utf8_trim(values, characters=WHITESPACE)


def _untrimmed(values: pa.Array) -> bool:
    offsets, data = utf8_buffers(values)
    return offsets is not None and data is not None and (not len(data) or (data.min() > ord(" ") and data.max() < 0x80))


def timestamps(values: Column, date_order: str) -> Column:
    """Stripped text → timestamp[us, UTC]; null where unparseable (see parse_timestamps for the forms)."""
    zoned_layout = _iso_layout(values)
    if zoned_layout is not None:  # the common case: one ISO layout throughout, cast as a whole
        try:
            return _cast_stamps(values, zoned_layout)
        except pa.ArrowInvalid:
            pass  # an impossible date such as 2024-02-30: found value by value below
    values = whole(values)
    iso, zoned = _iso_each(values)
    naive = pc.and_not(iso, zoned)
    result = pa.nulls(len(values), TIMESTAMP)
    slow = pc.invert(iso)
    for mask, is_zoned in ((naive, False), (zoned, True)):
        if not pc.any(mask).as_py():
            continue
        try:
            parsed = _cast_stamps(values.filter(mask), is_zoned)
        except pa.ArrowInvalid:  # an impossible date such as 2024-02-30: the whole group goes the slow way
            slow = pc.or_(slow, mask)
            continue
        result = pc.replace_with_mask(result, mask, parsed)
    slow = pc.and_(slow, pc.not_equal(values, ""))
    if pc.any(slow).as_py():
        subset = values.filter(slow)
        parsed = _numeric_dates(subset, date_order)
        # safe=False: pandas may answer in nanoseconds (a stamp with 7+ decimals); microseconds are what is stored.
        parsed = _rest_by_pandas(
            subset,
            parsed,
            pc.is_null(parsed),
            lambda text: pa.array(parse_timestamps(text, date_order), TIMESTAMP, from_pandas=True, safe=False),
        )
        result = pc.replace_with_mask(result, slow, parsed)
    return result


def _rest_by_pandas(values: pa.Array, parsed: pa.Array, rest: pa.Array, parse: Callable[[pd.Series], pa.Array]) -> pa.Array:
    """`parsed`, its values at `rest` (those the vectorised forms left) parsed by the pandas rules instead."""
    if not pc.any(rest).as_py():
        return parsed
    return pc.replace_with_mask(parsed, rest, parse(pd.Series(values.filter(rest).to_pylist(), dtype="string")))


# Dates written with numbers in another order than ISO's, as spreadsheets and shop back offices export them:
# 12/1/2010 8:26, 28.10.2024 00:00, 2025/3/1 10:00:05, 2025年3月1日 10:00. Day and month may have one digit, the
# year has four.
NUMERIC_DATE = (
    r"^(?P<first>\d{4}|\d{1,2})(?P<sep1>[/.-]|年)(?P<second>\d{1,2})(?P<sep2>[/.-]|月)(?P<third>\d{4}|\d{1,2})(?P<day>日?)"
    r"(?: (?P<hour>\d{1,2}):(?P<minute>\d\d)(?::(?P<second_>\d\d))?)?$"
)
_DAYS_BEFORE_MONTH = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], np.int64)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _numeric_dates(values: pa.Array, date_order: str) -> pa.Array:
    """Stamps of the NUMERIC_DATE forms, as pandas' parser reads them (dateutil's: a four-digit year first is followed
    by month and day; else day and month come in the file's order, month first when it is not known), null for every
    value it would read otherwise or not at all: another form, separators that differ, years outside 1900-2099, a
    day, month, hour, minute or second out of range (pandas may read some of those in the other order). Those are left
    to pandas, whose parser, value by value, made a file of such dates many times slower than an ISO one."""
    parts = pc.extract_regex(values, NUMERIC_DATE)
    if not len(parts) or parts.null_count == len(parts):
        return pa.nulls(len(values), TIMESTAMP)
    field = {name: parts.field(name).fill_null("") for name in ("first", "second", "third", "hour", "minute", "second_")}
    number = {name: np.asarray(pc.cast(pc.if_else(pc.equal(text, ""), "0", text), pa.int64())) for name, text in field.items()}
    year_first = np.asarray(pc.equal(pc.utf8_length(field["first"]), 4))
    sep1, sep2, day_mark = (parts.field(name).fill_null("") for name in ("sep1", "sep2", "day"))
    latin = np.asarray(pc.and_(pc.equal(sep1, sep2), pc.equal(day_mark, "")))
    chinese = year_first & np.asarray(pc.and_(pc.equal(sep1, "年"), pc.equal(sep2, "月")))
    day_first = date_order == "day_first"
    year = np.where(year_first, number["first"], number["third"])
    month = np.where(year_first, number["second"], number["second"] if day_first else number["first"])
    day = np.where(year_first, number["third"], number["first"] if day_first else number["second"])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_known = (month >= 1) & (month <= 12)
    days_in_month = np.where(month_known, _DAYS_IN_MONTH[np.where(month_known, month, 0)], 0) + (leap & (month == 2))
    taken = (
        np.asarray(pc.is_valid(parts))
        & (latin | chinese)
        & (year_first | np.asarray(pc.equal(pc.utf8_length(field["third"]), 4)))
        & (year >= 1900)
        & (year <= 2099)
        & month_known
        & (day >= 1)
        & (day <= days_in_month)
        & (number["hour"] < 24)
        & (number["minute"] < 60)
        & (number["second_"] < 60)
    )
    days = (
        (year - 1970) * 365
        + ((year - 1) // 4 - (year - 1) // 100 + (year - 1) // 400 - 477)  # leap days from 1970 to the year's start
        + _DAYS_BEFORE_MONTH[np.where(month_known, month, 0)]
        + (leap & (month > 2))
        + day
        - 1
    )
    seconds = days * 86_400 + number["hour"] * 3600 + number["minute"] * 60 + number["second_"]
    return pa.array(seconds * 1_000_000, TIMESTAMP, mask=~taken)


def _cast_stamps(values: Column, zoned: bool) -> Column:
    """ISO stamps (all with a zone, or all without: then read as UTC) → timestamp[us, UTC]."""
    return pc.cast(values, TIMESTAMP) if zoned else pc.cast(pc.cast(values, pa.timestamp("us")), TIMESTAMP)


def _iso_each(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which values are ISO stamps the fast path takes, and which of those have a zone."""
    iso = pc.match_substring_regex(values, ISO_TIMESTAMP)
    sign = pc.is_in(pc.utf8_slice_codeunits(values, -6, -5), pa.array(["+", "-"]))
    zoned = pc.and_(iso, pc.or_(pc.ends_with(values, "Z"), pc.and_(sign, pc.greater_equal(pc.binary_length(values), ZONED_MIN_CHARS))))
    return iso, zoned


_LAYOUT = re.compile(r"\d{4}-\d\d-\d\d(?:([T ])\d\d:\d\d(:\d\d(?:\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?)?", re.ASCII)


def _iso_layout(values: Column) -> bool | None:
    """The common case without a regex: every value as long as the first and laid out like it (an ISO stamp the
    regex would take), checked column by column on the bytes; then whether they have a zone; None when that is not so
    (then value by value)."""
    arrays = pieces(values)
    match = _LAYOUT.fullmatch(arrays[0][0].as_py() or "") if arrays and not arrays[0].null_count else None
    if not match or not all(_laid_out_like(piece, match) for piece in arrays):
        return None
    return match.group(3) is not None


def _laid_out_like(values: pa.Array, match: re.Match[str]) -> bool:
    offsets, data = utf8_buffers(values)
    width = len(match.group(0))
    if offsets is None or data is None or len(data) != width * len(values) or not np.all(np.diff(offsets) == width):
        return False
    text = data.reshape(len(values), width)
    return _shaped_like(text, match) and _century_in_range(text)


def _shaped_like(text: np.ndarray, match: re.Match[str]) -> bool:
    """Digits where the template has digits, its separators elsewhere ("T" or " " between date and time, "+" or "-"
    before an offset)."""
    template = np.frombuffer(match.group(0).encode(), np.uint8)
    either = {10: b"T ", match.start(3): b"+-"} if match.group(3) not in (None, "Z") else {10: b"T "}
    either = {position: allowed for position, allowed in either.items() if position < len(template)}
    digit = (template >= ord("0")) & (template <= ord("9"))
    low = np.where(digit, ord("0"), template).astype(np.uint8)
    span = np.where(digit, 9, 0).astype(np.uint8)  # highest - lowest
    for position, allowed in either.items():
        low[position], span[position] = min(allowed), max(allowed) - min(allowed)
    return _within(text, low, span) and all(
        ((text[:, position] == allowed[0]) | (text[:, position] == allowed[1])).all() for position, allowed in either.items()
    )


def _within(text: np.ndarray, low: np.ndarray, span: np.ndarray) -> bool:
    """Whether every row's byte at each position lies in [low, low + span] (uint8 arithmetic: a byte below low wraps
    round to above span). Many rows to a line and a few lines at a time: numpy is slow on short lines, and on large
    temporaries."""
    rows, width = text.shape
    many = max(1, 8192 // width)
    whole = rows // many * many
    lines = text[:whole].reshape(-1, many * width)
    low_line, span_line = np.tile(low, many), np.tile(span, many)
    for start in range(0, len(lines), 8):
        if not ((lines[start : start + 8] - low_line) <= span_line).all():
            return False
    return bool(((text[whole:] - low) <= span).all())


def _century_in_range(text: np.ndarray) -> bool:
    """Years 1900-2099, as the regex says (inside pandas' range). The regex also bounds month, day, hour, minute,
    second and offset, but there Arrow's cast refuses what the regex does (month 13, hour 24, second 60, offset +24:00;
    tests/ingest/test_read.py), and a refused chunk goes value by value. Years it takes from 0001 to 9999.
    The two bytes are read as one big-endian number: between digits (_shaped_like has checked them) their order is
    that of the values."""
    century = text[:, 0:2].view(">u2")
    return bool(century.min() >= _two_digits(19) and century.max() <= _two_digits(20))


def _two_digits(number: int) -> int:
    return int.from_bytes(f"{number:02d}".encode(), "big")


def numbers(values: Column, decimal: str) -> Column:
    """Stripped text → float64; null where empty or unparseable (see parse_numbers for the forms)."""
    plain = _plain_or_empty(values, decimal)
    if plain is not None:  # the common case: no value needs the regex
        try:
            return _cast_plain(values, pa.array(plain), decimal)
        except pa.ArrowInvalid:  # two decimal marks in a value ("1.2.3"): the regex finds which
            pass
    values = whole(values)
    plain = pc.and_(pc.match_substring_regex(values, PLAIN_NUMBER[decimal]), pc.less_equal(pc.binary_length(values), PLAIN_NUMBER_CHARS))
    result = _cast_plain(values, plain, decimal)
    slow = pc.and_(pc.invert(plain), pc.not_equal(values, ""))
    if pc.any(slow).as_py():
        subset = values.filter(slow)
        parsed, rest = _written_numbers(subset, decimal)
        parsed = _rest_by_pandas(
            subset, parsed, rest, lambda text: pa.array(parse_numbers(text, decimal).to_numpy(), pa.float64(), from_pandas=True)
        )
        result = pc.replace_with_mask(result, slow, parsed)
    return result


def _written_numbers(values: pa.Array, decimal: str) -> tuple[pa.Array, pa.Array]:
    """parse_numbers' steps in Arrow (€ 1.234,50, ¥1,299.00, (12.50), 12,5 %): what is left once the symbols and
    separators are gone is cast where it is a plain number of at most PLAIN_NUMBER_CHARS characters; the mask of the
    others, left to pandas. pandas' string methods, value by value, took most of a file with currency symbols' time.
    \\p{Nd} is what Python's \\d matches: every decimal digit, not only ASCII's (those then fail the plain test)."""
    negative = pc.match_substring_regex(values, r"^\(.*\)$")
    cleaned = pc.replace_substring_regex(values, r"[^\p{Nd},.\-]", "")
    if decimal == ",":
        cleaned = pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", ".")
    else:
        cleaned = pc.replace_substring(cleaned, ",", "")
    plain = pc.and_(pc.match_substring_regex(cleaned, PLAIN_NUMBER["."]), pc.less_equal(pc.binary_length(cleaned), PLAIN_NUMBER_CHARS))
    parsed = _cast_plain(cleaned, plain, ".")
    return pc.if_else(negative, pc.negate(pc.abs(parsed)), parsed), pc.invert(plain)


def _cast_plain(values: Column, plain: pa.Array, decimal: str) -> Column:
    """The `plain` values as numbers, the others null; no copies when all are plain."""
    every = pc.all(plain).as_py()
    if not every and not pc.any(plain).as_py():
        return pa.nulls(len(values), pa.float64())
    text = values if every else values.filter(plain)
    parsed = pc.cast(pc.replace_substring(text, ",", ".") if decimal == "," else text, pa.float64())
    return parsed if every else pc.replace_with_mask(pa.nulls(len(values), pa.float64()), plain, whole(parsed))


def _plain_or_empty(values: Column, decimal: str) -> np.ndarray | None:
    """Which values are not empty, when each of those may be plain (see _plain_or_empty_piece); else None."""
    arrays = pieces(values)
    masks = [mask for mask in map(_plain_or_empty_piece, arrays) if mask is not None]
    if not arrays or len(masks) != len(arrays):
        return None
    if decimal == "," and pc.any(pc.match_substring(values, ".")).as_py():
        return None  # a thousands separator: the cast would read it as the decimal mark
    return np.concatenate(masks)


def _plain_or_empty_piece(values: pa.Array) -> np.ndarray | None:
    """Which values are not empty, when each of those may be plain (PLAIN_NUMBER, at most PLAIN_NUMBER_CHARS
    characters); else None (then the regex says which are). Checked on the bytes, far cheaper than the regex: only
    digits, "-", ".", "/" and ","; a digit last; a digit or "-" first, and after a "-" a digit. Of such values Arrow's
    cast to a number takes exactly the plain ones (it refuses "1/2", "1-2", "1.2.3"): the caller casts them."""
    offsets, data = utf8_buffers(values)
    if offsets is None or data is None or not len(data):
        return None
    lengths = np.diff(offsets)
    if lengths.max() > PLAIN_NUMBER_CHARS or data.min() < ord(",") or data.max() > ord("9"):
        return None
    starts = offsets[:-1] - offsets[0]  # an empty value's first byte is the next value's, its last the previous one's
    first, last = data[np.minimum(starts, len(data) - 1)], data[starts + lengths - 1]
    signed = starts[first == ord("-")]
    digit = ord("0"), ord("9")
    if not (_all_within(last, *digit) and _all_within(first[first != ord("-")], *digit) and _all_within(data[signed + 1], *digit)):
        return None
    return lengths > 0


def _all_within(values: np.ndarray, lowest: int, highest: int) -> bool:
    return not len(values) or bool(values.min() >= lowest and values.max() <= highest)


def properties(columns: dict[str, pa.Array], rows: int) -> pa.Array:
    """One map per row of the given columns' non-empty (stripped) cells, in column order; null when none is kept."""
    kind = pa.map_(pa.string(), pa.string())
    if not columns:
        return pa.nulls(rows, kind)
    names = list(columns)
    values = pa.concat_arrays([strip(columns[name]) for name in names])
    present = np.asarray(pc.not_equal(values, "")).reshape(len(names), rows)  # column by column, as concatenated
    row, column = np.nonzero(present.T)  # row by row, columns in file order
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=0))]).astype(np.int32)
    keys = pc.take(pa.array(names, pa.string()), pa.array(column))
    return pa.MapArray.from_arrays(pa.array(offsets), keys, pc.take(values, pa.array(column * rows + row)), type=kind)


STAMP: Final = "datetime64[us, UTC]"  # the Parquet schema's unit: pandas 2 parses to ns, assigned into us it warns


def parse_timestamps(raw: pd.Series, date_order: str) -> pd.Series:
    """ISO 8601 (with or without zone; stored as UTC), epoch seconds or milliseconds, dates like 12/1/2010 8:26 in
    the given order, Chinese dates (2025年3月1日). Unparseable → NaT."""
    values = raw.str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    epoch = values.str.fullmatch(r"\d{9,13}(\.\d+)?").fillna(False).astype(bool)
    if epoch.any():
        parsed_numbers = pd.to_numeric(values[epoch])
        millis = (parsed_numbers > 1e11).reindex(values.index, fill_value=False)
        result[epoch & millis] = pd.to_datetime(parsed_numbers[millis[epoch]], unit="ms", utc=True).astype(STAMP)
        result[epoch & ~millis] = pd.to_datetime(parsed_numbers[~millis[epoch]], unit="s", utc=True).astype(STAMP)
    rest = ~epoch & (values != "").fillna(False).astype(bool)
    if rest.any():
        text = values[rest]
        chinese = text.str.contains("年", regex=False).fillna(False).astype(bool)
        if chinese.any():  # the regex runs row by row in Python: only on the rows that need it. 日's spaces are its
            # own: "2025年3月1 10:00" keeps the space before its time
            text = text.where(
                ~chinese, text[chinese].str.replace(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?:\s*日)?", r"\1-\2-\3", regex=True)
            )
        # Zoned and naive stamps parsed apart: in one call pandas 2 reads a naive stamp in the zone of the first one.
        zoned = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False).astype(bool)
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
        for part in (zoned, ~zoned):
            if part.any():
                parsed[part] = pd.to_datetime(text[part], format="ISO8601", utc=True, errors="coerce").astype(STAMP)
        retry = parsed.isna()
        if retry.any():
            parsed[retry] = pd.to_datetime(
                text[retry], format="mixed", dayfirst=date_order == "day_first", utc=True, errors="coerce"
            ).astype(STAMP)
        result[rest] = parsed
    return result


def parse_numbers(raw: pd.Series, decimal: str) -> pd.Series:
    """Amounts as people write them: currency symbols, spaces, thousands separators, 1.234,50 with a decimal
    comma, (12.50) or -12.50 for refunds. Unparseable → NaN."""
    values = raw.str.strip()
    negative = values.str.match(r"^\(.*\)$").fillna(False).astype(bool)
    cleaned = values.str.replace(r"[^\d,.\-]", "", regex=True)
    if decimal == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce").astype("float64")
    return parsed.where(~negative, -parsed.abs())
