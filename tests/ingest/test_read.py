"""The fast path (Arrow's CSV reader, vectorised normalisation) gives exactly what the csv module path gives: the same
Parquet rows, the same report, the same refusals, on every kind of file the ingest accepts, also when the file is cut
into many small blocks so that both readers take turns."""

import codecs
import io
import itertools
import random
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest import blocks as ingest_blocks
from ingest import normalise as ingest_normalise
from ingest import read as ingest_read
from ingest.cells import whole
from ingest.errors import RejectedFile
from ingest.normalise import WHITESPACE, numbers, parse_numbers, parse_timestamps, strip, timestamps
from ingest.pipeline import IngestCancelled, IngestOptions, ingest_csv
from tests.ingest.ingesting import sniffed_options

CASES = {
    "timestamps in every form": (
        "user,time\na,2024-05-01T10:00:00+02:00\nb,2024-05-01 08:00:00\nc,1714550400\nd,1714550400000\ne,2025年3月1日\n",
        "utf-8",
        {},
    ),
    "decimal comma, currency, refunds": (
        "customer;date;amount\nk1;2024-01-01;1.234,50 €\nk2;2024-01-02;-12,00\nk3;2024-01-03;(5,25)\nk4;2024-01-04;7,5\n",
        "utf-8",
        {},
    ),
    "rejects of every reason": (
        "user,time,amount\nu1,2024-01-01,1\n,2024-01-01,1\nu3,not a date,1\nu4,2024-01-01,abc\nu5,2024-01-01\nu6,2024-01-02,2\n",
        "utf-8",
        {},
    ),
    "hostile values": (
        'user,time,event\nu1,2024-01-01,"=HYPERLINK(""http://evil"")"\nu2,2024-01-01,+cmd\nu3,2024-01-01,<script>\n',
        "utf-8",
        {},
    ),
    "quoted newlines, CRLF": (
        'user,time,event\r\n"u1","2024-01-01","said ""hi, there""\r\nand left"\r\nu2,2024-01-02,buy\r\nu3,2024-01-03\r\nu4,2024-01-04,x\r\n',
        "utf-8",
        {},
    ),
    "blank and space-only lines": ("\n\nuser,time\n\nu1,2024-01-01\n   \n\nu2,2024-01-02\n,\nu3,2024-01-03\n\n", "utf-8", {}),
    "CRLF with blank lines": ("user,time\r\n\r\nu1,2024-01-01\r\n\r\n\r\nu2,bad\r\nu3,2024-01-03,extra\r\nu4,2024-01-04", "utf-8", {}),
    "day first dates": (
        "user,InvoiceDate,amount\nu1,13/1/2010 8:26,1\nu2,12/1/2010 8:26,2\nu3,1/2/2010 10:00,3\n",
        "utf-8",
        {"date_order": "day_first"},
    ),
    "month first dates": ("user,InvoiceDate,amount\nu1,12/1/2010 8:26,1\nu2,12/13/2010 8:26,2\n", "utf-8", {"date_order": "month_first"}),
    "messy headers, extra columns kept": (
        " User ID ,Time, ,Coupon,Coupon\na,2024-05-01,x,SPRING, \nb,2024-05-02,,,=cmd\nc,2024-05-03, y ,,\n",
        "utf-8",
        {"keep_extra": True},
    ),
    "extra columns dropped": ("user,time,Coupon\na,2024-05-01,SPRING\n", "utf-8", {}),
    "BOM": ("user,time,amount\nu1,2024-01-01T10:00:00Z,12.50\nu2,2024-01-02T11:00:00Z,3.00\n", "utf-8-sig", {}),
    "UTF-16": ("user,time,amount\nu1,2024-01-01T10:00:00Z,12.50\nu2,2024-01-02T11:00:00Z,3.00\n", "utf-16", {}),
    "GB18030": (
        "会员,下单时间,实付金额,商品\n" + "".join(f"张{i},2025年3月{i % 28 + 1}日,{i}.50,苹果手机壳\n" for i in range(60)),
        "gb18030",
        {},
    ),
    "cp1252": ("Client;Date;Montant;Produit\n" + "".join(f"Zoë {i};01/02/2024;{i},50 €;crème brûlée\n" for i in range(60)), "cp1252", {}),
    "tabs": ("user\ttime\tamount\nu1\t2024-01-01\t1.5\nu2\t2024-01-02\t \n", "utf-8", {}),
    "pipes and quotes in odd places": (
        'user|time|event\nu1|2024-01-01|a"b\n"u2"x|2024-01-02|c\nu3| "2024-01-03"|d\nu4|2024-01-04|""\n',
        "utf-8",
        {},
    ),
    "unicode spaces and numbers": (
        "user,time,amount,qty\n\u3000u1\xa0,\u20032024-01-01 ,\u00a012.5,１２\nu2,2024-01-02,1e5,3\n",
        "utf-8",
        {},
    ),
    "odd ISO stamps": (
        "user,time\nu1,2024-02-30\nu2,2024-01-01T24:00:00\nu3,1899-12-31\nu4,2024-01-01T10:00:00.1234567Z\nu5,2024-01-01T10:00:00.5\n"
        "u6,2024-01-01T10:00+0530\nu7,2024-1-5\nu8,2024-06-30T23:59:59-11:00\n",
        "utf-8",
        {},
    ),
    # Odd values, one at a time, in the middle of columns of plain numbers and alike stamps: forms Arrow's own CSV
    # conversion would take differently (exponents, NaN, inf, signs, spaces, 7+ decimals, offsets, years out of range).
    "odd values among plain ones": (
        "user,time,amount\n"
        + "".join(
            f"u{i},2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00{stamp},{amount}\n"
            for i, (stamp, amount) in enumerate(
                [("Z", f"{i}.50") for i in range(20)]
                + [
                    ("Z", " 12.5 "),
                    ("Z", "+5"),
                    ("Z", "1e3"),
                    ("Z", "NaN"),
                    ("Z", "inf"),
                    ("Z", "-0"),
                    ("Z", "1 000"),
                    (".1234567Z", "1"),
                    ("+05:30", "2"),
                    ("+05", "3"),
                    ("-11:00", "4"),
                    (" ", "5"),
                    ("Z ", "6"),
                ]
                + [("Z", f"{i}.25") for i in range(20)]
            )
        )
        + "u99,0001-01-01T00:00:00Z,7\nu98,2024-03-01T10Z,8\nu97,2024-03-01T23:59:60Z,9\n",
        "utf-8",
        {},
    ),
    "a stray quote, never closed": (
        "user,time,note\n"
        + "".join(f"u{i},2024-01-01,n{i}\n" for i in range(40))
        + 'u40,"2024-01-01,x\n'
        + "".join(f"u{i},2024-01-02,n{i}\n" for i in range(41, 200)),
        "utf-8",
        {},
    ),
    "quoted cells over a few lines and over too many": (
        "user,time,note\n"
        + "".join(f'u{i},2024-01-01,"n\n{i}"\n' for i in range(30))
        + 'u30,2024-01-01,"'
        + "line\n" * 120
        + 'end"\n'
        + "".join(f"u{i},2024-01-02,n{i}\n\n" for i in range(31, 60)),
        "utf-8",
        {"max_reject_share": 1.0},
    ),
    "a line over the limit": ("user,time,note\nu1,2024-01-01,ok\nu2,2024-01-01," + "x" * 500 + "\n", "utf-8", {"max_line_chars": 100}),
    "too many rejects": ("user,time\nu1,2024-01-01\nu2,nope\nu3,nope\n", "utf-8", {"max_reject_share": 0.2}),
    "nothing usable": ("user,time\nu1,soon\nu2,later\n", "utf-8", {}),
    "not the chosen encoding": (None, "utf-8", {}),
}


HEADER = b"user,time,amount\nu1,2024-01-01,1\n"


def ingest(data: bytes, tmp_path, name: str, sample: bytes | None = None, **overrides: object):
    options = sniffed_options(data, sample, **overrides)
    destination = tmp_path / f"{name}.parquet"
    try:
        report = ingest_csv(io.BytesIO(data), str(destination), options, lambda _bytes, _rows: True)
    except RejectedFile as exc:
        return ("refused", exc.code, exc.message)
    return report.__dict__, pq.read_table(destination)


@pytest.fixture
def arrow_blocks(monkeypatch):
    """Counts the blocks Arrow read, so that a comparison cannot pass by both runs taking the csv module's path."""
    taken = []
    parse = ingest_read.parse_block

    def counting(*args, **kwargs):
        result = parse(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(ingest_read, "parse_block", counting)
    return taken


def encoded(text: str | None, encoding: str) -> bytes:
    if text is None:  # UTF-8 but for one byte of Latin-1 far down
        return ("user,time\n" + "".join(f"u{i},2024-01-01\n" for i in range(40))).encode() + b"u\xe9,2024-01-01\n"
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


@pytest.mark.parametrize("block_bytes", [64, 1 << 20])
@pytest.mark.parametrize("case", list(CASES))
def test_arrow_and_the_csv_module_give_the_same_events_and_report(case, block_bytes, tmp_path, monkeypatch, arrow_blocks):
    text, encoding, overrides = CASES[case]
    data = encoded(text, encoding)
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", block_bytes)

    fast = ingest(data, tmp_path, "fast", **overrides)
    reference = ingest(data, tmp_path, "reference", fast_path=False, **overrides)

    assert fast[0] == reference[0]
    if fast[0] != "refused":
        assert fast[1].equals(reference[1]), (fast[1].to_pandas(), reference[1].to_pandas())
    csv_module_says = ("quoted newlines, CRLF", "a line over the limit")  # where the file fails, or the record ends
    in_one_block = ("a stray quote, never closed", "quoted cells over a few lines and over too many")  # read by the csv module
    assert any(arrow_blocks) or case in csv_module_says or (case in in_one_block and block_bytes > 64)


@pytest.mark.parametrize("fast_path", [True, False])
def test_rejected_rows_have_their_exact_line_with_and_without_newlines_in_cells(fast_path, tmp_path, monkeypatch, arrow_blocks):
    plain = "user,time,note\n" + "".join(f"u{i},{'bad' if i % 7 == 3 else '2024-01-01'},n{i}\n" for i in range(40))
    multiline = "user,time,note\n" + "".join(f'u{i},{"bad" if i % 7 == 3 else "2024-01-01"},"n\n{i}"\n' for i in range(40))
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", 200)

    plain_report, plain_events = ingest(plain.encode(), tmp_path, "plain", fast_path=fast_path)
    arrow_blocks.clear()
    multi_report, multi_events = ingest(multiline.encode(), tmp_path, "multi", fast_path=fast_path)

    bad = [i for i in range(40) if i % 7 == 3]
    assert plain_report["sample_rejected_lines"] == {"unparseable_timestamp": [i + 2 for i in bad]}
    assert multi_report["sample_rejected_lines"] == {"unparseable_timestamp": [2 * i + 3 for i in bad]}  # a row ends on its 2nd line
    assert plain_events["line"].to_pylist()[:3] == [2, 3, 4]
    assert multi_events["line"].to_pylist()[:3] == [3, 5, 7]
    assert any(arrow_blocks) == fast_path  # Arrow reads cells with line breaks too


@pytest.mark.parametrize("block_bytes", [64, 1 << 20])
def test_control_characters_are_rejected_the_same_both_ways(block_bytes, tmp_path, monkeypatch, arrow_blocks):
    body = 'u1,2024-01-01,a\x00b\nu2,2024-01-01,"t\tab"\nu3,2024-01-01,\x1b[1m\nu4,2024-01-01,"x\r\ny"\nu5,2024-01-01,ok\n'
    data = ("user,time,amount\n" + body * 5).encode()
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", block_bytes)

    fast = ingest(data, tmp_path, "fast", sample=HEADER, max_reject_share=1.0)
    reference = ingest(data, tmp_path, "reference", sample=HEADER, max_reject_share=1.0, fast_path=False)

    assert fast[0] == reference[0]
    assert fast[0]["rejects_by_reason"] == {"control_character": 10, "non_numeric_amount": 15}
    assert fast[1].equals(reference[1])
    assert any(arrow_blocks)


def test_files_of_random_cells_read_the_same_both_ways(tmp_path, monkeypatch, arrow_blocks):
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    pieces = ["u1", "2024-01-01", "12.5", "", " ", ",", '"', '""', "\n", "\r\n", "\n\n", "\r", "x", "(3)", "\t", '"a\nb"', '",\n"']
    for trial in range(150):
        body = "".join(rng.choice(pieces) for _ in range(rng.randrange(5, 80)))
        data = ("user,time,amount\n" + body + "\nu9,2024-01-02,1\n").encode()
        monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", rng.choice([8, 16, 64, 1 << 20]))

        fast = ingest(data, tmp_path, f"fast{trial}", max_reject_share=1.0, sample=HEADER)
        reference = ingest(data, tmp_path, f"reference{trial}", max_reject_share=1.0, sample=HEADER, fast_path=False)

        assert fast[0] == reference[0], repr(body)
        if fast[0] != "refused":
            assert fast[1].equals(reference[1]), body
    assert sum(arrow_blocks) > 100


def columns(values: list[str], seed: int) -> list[pa.Array | pa.ChunkedArray]:
    """The values as one array, and in pieces as the reader's blocks give them (some maybe empty)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    bounds = [0, *sorted(rng.randrange(len(values) + 1) for _ in range(3)), len(values)]
    pieces = [pa.array(values[start:end], pa.string()) for start, end in itertools.pairwise(bounds)]
    return [pa.array(values, pa.string()), pa.chunked_array(pieces, pa.string())]


def test_arrow_parses_timestamps_and_numbers_as_the_pandas_rules_do():
    rng = random.Random(3)  # noqa: S311 - reproducible test data
    stamps = [
        f"{rng.choice(['1899', '1900', '2024', '2099', '2100'])}-{rng.randrange(0, 14):02d}-{rng.randrange(0, 33):02d}"
        + rng.choice(["", "T", " "])
        + rng.choice(
            [
                "",
                f"{rng.randrange(0, 26):02d}:{rng.randrange(0, 61):02d}",
                f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(61):02d}",
            ]
        )
        + rng.choice(["", ".5", ".123456", ".1234567"])
        + rng.choice(["", "Z", "+02:00", "-11:30", "+0530", "+25:00"])
        for _ in range(3000)
    ] + ["", " ", "1714550400", "1714550400123", "2025年3月1日", "12/1/2010 8:26", "nonsense"]
    amounts = [
        rng.choice(["", "-", "("])
        + str(rng.randrange(10 ** rng.randrange(1, 17)))
        + rng.choice(["", ".", ","])
        + str(rng.randrange(10 ** rng.randrange(0, 8)))
        for _ in range(3000)
    ] + ["", "1e5", "€ 12", "1.234,50", "0.1", "-0.0"]

    for order, column in itertools.product(("day_first", "month_first", ""), columns(stamps, 1)):
        arrow = whole(timestamps(strip(column), order))
        expected = pa.array(parse_timestamps(pd.Series(stamps, dtype="string"), order), type=arrow.type, from_pandas=True, safe=False)
        assert arrow.equals(expected), [
            (s, a, e) for s, a, e in zip(stamps, arrow.to_pylist(), expected.to_pylist(), strict=True) if a != e
        ][:5]
    for decimal, column in itertools.product((".", ","), columns(amounts, 2)):
        arrow = whole(numbers(strip(column), decimal)).to_numpy(zero_copy_only=False)
        expected = parse_numbers(pd.Series(amounts, dtype="string"), decimal).to_numpy()
        np.testing.assert_array_equal(arrow, expected)


@pytest.mark.parametrize("order", ["day_first", "month_first", ""])
def test_dates_written_with_numbers_parse_as_the_pandas_rules_do(order):
    """12/1/2010 8:26, 28.10.2024 00:00, 2025/3/1 10:00:05, 2025年3月1日 and their kin are read without pandas where they are
    certain, with pandas' answer; fields out of range, odd years and odd separators are left to pandas."""
    rng = random.Random(11)  # noqa: S311 - reproducible test data

    def stamp() -> str:
        year = rng.choice(["0001", "1600", "1899", "1900", "1969", "1970", "2000", "2023", "2024", "2099", "2100", "2300", "24", "02024"])
        month, day = str(rng.randrange(0, 14)), str(rng.randrange(0, 33))
        month, day = (month.zfill(2) if rng.random() < 0.5 else month), (day.zfill(2) if rng.random() < 0.5 else day)
        first, second = rng.choice([(day, month), (month, day)])
        sep1 = rng.choice("/.-")
        sep2 = sep1 if rng.random() < 0.9 else rng.choice("/.-")
        date = f"{year}{sep1}{month}{sep2}{day}" if rng.random() < 0.3 else f"{first}{sep1}{second}{sep2}{year}"
        if rng.random() < 0.15:  # Chinese: 2025年3月1日, sometimes without 日, with a Latin separator or the year last
            date = f"{year}{rng.choice(['年', '年', '-'])}{month}{rng.choice(['月', '月', '/'])}{day}{rng.choice(['日', '日', ''])}"
            date = date if rng.random() < 0.8 else f"{day}年{month}月{year}日"
        elif rng.random() < 0.05:
            date += "日"
        clock = rng.choice(
            [
                "",
                f" {rng.randrange(0, 26)}:{rng.randrange(0, 61):02d}",
                f" {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(62):02d}",
            ]
        )
        return date + clock + rng.choice(["", "", "", " PM", ".5", "Z"])

    stamps = [stamp() for _ in range(4000)] + ["2/29/2024", "29.2.2023", "2/29/1900", "2/29/2000", "12/31/1969 23:59:59"]
    expected = pa.array(parse_timestamps(pd.Series(stamps, dtype="string"), order), type=pa.timestamp("us", tz="UTC"), from_pandas=True)
    for column in columns(stamps, 4):
        assert whole(timestamps(column, order)).equals(expected)
    taken = ingest_normalise._numeric_dates(pa.array(stamps), order)
    assert len(stamps) - taken.null_count > 450  # of about 550 that are certain, not left to pandas


@pytest.mark.parametrize("decimal", [".", ","])
def test_amounts_written_with_symbols_and_separators_parse_as_the_pandas_rules_do(decimal):
    """Currency symbols, thousands separators, parentheses for refunds, percent signs, digits other than ASCII's:
    cleaned and cast by Arrow where certain, with pandas' answer; the rest left to pandas."""
    rng = random.Random(13)  # noqa: S311 - reproducible test data

    def amount() -> str:
        number = str(rng.randrange(10 ** rng.randrange(1, 19)))
        if rng.random() < 0.6:
            number = f"{number}{rng.choice('.,')}{rng.randrange(100):02d}"
        if rng.random() < 0.3:
            number = (
                f"{int(number.split('.')[0].split(',')[0]):,}".replace(",", rng.choice([",", ".", " ", "\u00a0"]))
                + number[len(number.split(".")[0].split(",")[0]) :]
            )
        before, after = rng.choice([("", ""), ("€ ", ""), ("", " €"), ("$", ""), ("¥", ""), ("USD ", ""), ("", "%"), ("", " 元")])
        sign = rng.choice(["", "", "-", "+"])
        text = f"{before}{sign}{number}{after}" if rng.random() < 0.5 else f"{sign}{before}{number}{after}"
        if rng.random() < 0.15:
            text = f"({text})"
        if rng.random() < 0.05:
            text = text.replace("1", "１").replace("7", "٧")  # fullwidth and Arabic-Indic digits
        return rng.choice([text, text, text, "-", "€", "()", "1-2", "1.2.3", "5.", ".5", "--5", "1e5"])

    amounts = [amount() for _ in range(4000)]
    expected = parse_numbers(pd.Series(amounts, dtype="string"), decimal).to_numpy()
    for column in columns(amounts, 5):
        np.testing.assert_array_equal(whole(numbers(column, decimal)).to_numpy(zero_copy_only=False), expected)
    _parsed, rest = ingest_normalise._written_numbers(pa.array(amounts), decimal)
    assert rest.false_count > 900  # cleaned and cast by Arrow (the others: over 15 characters, or not numbers)


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize(
    "odd",
    ["", ".5", "5.", "-.5", "-5.", "-", ".", "--5", "5-", "1-2", "1/2", "1.2.3", "1,2,3", "1.234,5", "1,234.5", "0.1", "-0,0", "9" * 16],
)
def test_a_column_of_plain_numbers_with_one_odd_value_parses_as_the_pandas_rules_do(odd, decimal):
    """A column of plain numbers is cast as a whole after a check of its bytes; one odd value must still be found."""
    plain = [f"{sign}{whole}{decimal}{cents:02d}" for sign in ("", "-") for whole in (0, 7, 1234) for cents in (0, 5, 99)]
    for values in ([*plain, odd], [odd, *plain], [*plain[:5], odd, *plain[5:]], [odd], [odd, ""], ["", *plain, odd, ""]):
        expected = parse_numbers(pd.Series(values, dtype="string"), decimal).to_numpy()
        for seed, column in enumerate(columns(values, len(values)) + columns(values, 7)):
            arrow = whole(numbers(column, decimal)).to_numpy(zero_copy_only=False)
            np.testing.assert_array_equal(arrow, expected, err_msg=f"{values!r} {seed}")


def test_arrow_trims_the_whitespace_python_strips():
    assert "".join(chr(code) for code in range(0x110000) if chr(code).isspace()) == WHITESPACE


@pytest.mark.parametrize(
    "values",
    [
        ["u1", "u2", "~x!"],  # no byte of a space: handed back as it is
        ["", ""],
        ["u1", " u2"],
        ["u1", "u2\x1f"],
        ["\x7f", "a b"],
        ["é", "u1\xa0"],
        ["u1", "\u3000u2\u2003"],
        ["u1\x00", "\x00"],
    ],
)
def test_strip_takes_off_what_python_strips(values):
    for array in (*columns(values, 1), *columns(values, 2), pa.array(["pad", *values]).slice(1)):
        assert strip(array).to_pylist() == [value.strip() for value in values]


@pytest.mark.parametrize(
    "layout",
    [
        "{Y}-{m}-{d}",
        "{Y}-{m}-{d}T{H}:{M}",
        "{Y}-{m}-{d} {H}:{M}:{S}",
        "{Y}-{m}-{d}T{H}:{M}:{S}Z",
        "{Y}-{m}-{d}T{H}:{M}:{S}.123+{H}:{M}",
        "{Y}-{m}-{d}T{H}:{M}-{H}:30",
    ],
)
def test_a_chunk_of_stamps_laid_out_alike_parses_as_the_pandas_rules_do(layout):
    rng = random.Random(5)  # noqa: S311 - reproducible test data

    def stamp(wild: bool) -> str:
        top = 99 if wild else 0
        return layout.format(
            Y=rng.choice(["1899", "1900", "2024", "2099", "2100"] if wild else ["1900", "2024", "2099"]),
            m=f"{rng.randrange(1, 13 + top):02d}",
            d=f"{rng.randrange(1, 32 + top):02d}",
            H=f"{rng.randrange(0, 24 + top):02d}",
            M=f"{rng.randrange(0, 60 + top):02d}",
            S=f"{rng.randrange(0, 60 + top):02d}",
        )

    for wild in (False, True):
        stamps = [stamp(wild) for _ in range(500)]
        for column in columns(stamps, 3):
            arrow = whole(timestamps(column, ""))
            expected = pa.array(parse_timestamps(pd.Series(stamps, dtype="string"), ""), type=arrow.type, from_pandas=True, safe=False)
            assert arrow.equals(expected)


ODD_STAMPS = ["2024-13-01T10:00:00Z", "2024/01/01T10:00:00Z", "2024-01-01T10:00:00+", "2024-02-30T10:00:00Z"]
# Each field just out of its range: only the century is checked before Arrow's cast, which refuses the others.
ODD_STAMPS += ["2024-00-10T10:00:00Z", "2024-01-00T10:00:00Z", "2024-01-32T10:00:00Z", "2024-01-01T24:00:00Z"]
ODD_STAMPS += ["2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "1899-12-31T10:00:00Z", "2100-01-01T10:00:00Z"]
ODD_STAMPS += ["1000-01-01T10:00:00Z", "2024-01-01T10:00+24:00", "2024-01-01T10:00+05:60", "2024-01-01T10:00-24:00"]


@pytest.mark.parametrize("odd", ODD_STAMPS)
@pytest.mark.parametrize("where", [0, 12_345, 19_999])
def test_one_odd_stamp_in_a_large_chunk_laid_out_alike_is_found(odd, where):
    """The layout check reads many rows at a time: an odd stamp anywhere in a large chunk is still found."""
    zone = "+05:30" if odd[-6] in "+-" else "Z"
    stamps = [
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}{':00' if zone == 'Z' else ''}{zone}" for i in range(20_000)
    ]
    stamps[where] = odd
    expected = pa.array(parse_timestamps(pd.Series(stamps, dtype="string"), ""), type=pa.timestamp("us", tz="UTC"), from_pandas=True)
    for column in columns(stamps, where):
        assert whole(timestamps(column, "")).equals(expected)


def test_cancelling_stops_the_ingests_threads(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", 64)
    data = ("user,time\n" + "".join(f"u{i},2024-01-01\n" for i in range(200))).encode()
    options = IngestOptions(encoding="utf-8", delimiter=",", mapping={"user_id": "user", "timestamp": "time"}, chunk_rows=5)

    with pytest.raises(IngestCancelled):
        ingest_csv(io.BytesIO(data), str(tmp_path / "x.parquet"), options, lambda _bytes, rows: rows < 10)

    assert not [thread for thread in threading.enumerate() if thread.name.startswith(("csv-reader", "parquet"))]


@pytest.mark.parametrize("seed", range(20))
def test_blocks_end_at_line_breaks_and_add_up_to_the_file(seed):
    """Lines of 0 to 40 bytes, blocks of 1 to 32 bytes, with and without a last line break, and a header read first
    (its block's rest put back): every block but the last ends with a line break, and together they are the file."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    data = b"".join(bytes([rng.choice(b"ab,\r")]) * rng.randrange(41) + b"\n" for _ in range(rng.randrange(1, 30)))
    data = data[: -1 if seed % 2 else None]
    blocks = ingest_blocks.Utf8Blocks(io.BytesIO(data), "utf-8", size=rng.randrange(1, 33))
    first = blocks.next()
    blocks.unread(first[3:])
    read = [first[:3]]
    while (block := blocks.next()) is not None:
        read.append(block)
    assert b"".join(read) == data
    assert all(block.endswith(b"\n") for block in read[1:-1])


def test_blocks_grow_from_the_first_block_size(monkeypatch):
    monkeypatch.setattr(ingest_blocks, "FIRST_BLOCK_BYTES", 10)
    data = b"".join(b"%03d\n" % i for i in range(100))  # lines of 4 bytes
    blocks = ingest_blocks.Utf8Blocks(io.BytesIO(data), "utf-8", size=64)

    sizes = [len(block) for block in iter(blocks.next, None)]

    assert sizes[:4] == [8, 20, 40, 64]  # reads of 10, 20, 40 and 64 bytes, each block to its last line break
    assert set(sizes[4:-1]) == {64}
    assert sum(sizes) == len(data)


@pytest.mark.parametrize("block_bytes", [5, 16, 64, 1 << 20])
def test_a_byte_the_encoding_lacks_is_reported_on_its_line(block_bytes, tmp_path, monkeypatch):
    """cp1252 has no character for byte 0x81: the refusal names its line, whichever piece of a block it is read in."""
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", block_bytes)
    data = ("user,time\n" + "".join(f"u{i},2024-01-01\n" for i in range(30))).encode("cp1252") + b"u\x81,2024-01-01\n"

    refused, code, message = ingest(data, tmp_path, "bad", encoding="cp1252")

    assert (refused, code) == ("refused", "encoding")
    assert "Near line 32 " in message


@pytest.mark.parametrize("quote", ["", '"'])
@pytest.mark.parametrize("bad_line", [b"caf\xe9,2024-01-01,x\n", b"u,2024-01-01,caf\xe9\n"], ids=["read_column", "dropped_column"])
def test_a_byte_that_is_not_utf8_is_refused_on_its_line(quote, bad_line, tmp_path, monkeypatch, arrow_blocks):
    """Arrow's parse is told not to check UTF-8 (the reader checks each block whole): a stray Latin-1 byte in a file
    sniffed as UTF-8 must still be refused, with its line, on either of Arrow's paths, in a block after the header's,
    also in a column the ingest drops (no later step would notice it there)."""
    monkeypatch.setattr(ingest_blocks, "FIRST_BLOCK_BYTES", 64)
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", 256)
    rows = "".join(f"u{i},{quote}2024-01-01{quote},x\n" for i in range(30))
    data = ("user,time,note\n" + rows).encode() + bad_line + rows.encode()

    refused, code, message = ingest(data, tmp_path, "bad", encoding="utf-8")

    assert (refused, code) == ("refused", "encoding")
    assert "Near line 32 " in message
    assert True in arrow_blocks  # the blocks before it took Arrow's path


@pytest.mark.parametrize("seed", range(40))
def test_a_bad_byte_in_a_multibyte_encoding_is_refused_as_an_encoding_error(seed):
    """Shift JIS reads two bytes for one character, and its decoder holds a lead byte back from one piece to the next:
    a bad byte in any piece is refused as undecodable (with a line near it), never a raw decoding error."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    for _ in range(25):
        characters = [rng.choice(["a", "ー", "漢", "\n", ","]).encode("shift_jis") for _ in range(rng.randrange(5, 40))]
        characters.insert(rng.randrange(len(characters)), rng.choice([b"\x81\x20", b"\x82\x0a", b"\xfd"]))  # no character
        data = b"".join(characters)
        blocks = ingest_blocks.Utf8Blocks(io.BytesIO(data), "shift_jis", size=rng.randrange(1, 9))
        with pytest.raises(ingest_blocks.Undecodable) as refused:
            read_all(blocks)
        assert 1 <= refused.value.line <= data.count(b"\n") + 1


def read_all(blocks: ingest_blocks.Utf8Blocks) -> None:
    while blocks.next() is not None:
        pass


@pytest.fixture
def arrow_columns(monkeypatch):
    """The columns each of Arrow's reads turned into text (None: all)."""
    asked = []
    read = ingest_read._arrow_read

    def spying(data, width, delimiter, converted, **kwargs):
        asked.append(converted)
        return read(data, width, delimiter, converted, **kwargs)

    monkeypatch.setattr(ingest_read, "_arrow_read", spying)
    return asked


def wide_log(rows: int, note: str = "fine", start: int = 0) -> str:
    """user, time, amount among columns no role uses (the 2nd, 4th and 6th of eight); every line of 64 bytes (the
    first cell padded), so that blocks of a multiple of 64 bytes end where a record does."""
    header = "ref,user,shop,time,note,amount,tax,device".ljust(63, "_") + "\n"
    lines = []
    for i in range(start, start + rows):
        rest = f",u{i % 7},s{i % 3},2024-01-{1 + i % 28:02d},{note},{i}.5,0.{i % 10},ios\n"
        lines.append(f"r{i}".ljust(64 - len(rest), "x") + rest)
    return header + "".join(lines)


@pytest.mark.parametrize("keep_extra", [False, True])
def test_arrow_turns_only_the_kept_columns_into_text(keep_extra, tmp_path, monkeypatch, arrow_columns):
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", 512)
    data = wide_log(200).encode()

    fast = ingest(data, tmp_path, "fast", keep_extra=keep_extra)
    reference = ingest(data, tmp_path, "reference", keep_extra=keep_extra, fast_path=False)

    assert fast[0] == reference[0]
    assert fast[1].equals(reference[1])
    assert len(arrow_columns) > 3  # every block after the header's
    assert set(arrow_columns) == ({None} if keep_extra else {(1, 3, 5)})


def test_line_breaks_in_a_dropped_column_make_arrow_turn_every_column_from_then_on(tmp_path, monkeypatch, arrow_columns, arrow_blocks):
    """The numbering counts the line breaks in the cells it has: a block whose dropped cells hold some is read again
    with every column, and so is every block after it, on Arrow's path still."""
    monkeypatch.setattr(ingest_blocks, "FIRST_BLOCK_BYTES", 512)
    monkeypatch.setattr(ingest_blocks, "BLOCK_BYTES", 512)  # 8 records a block
    data = (wide_log(40) + wide_log(40, note='"two\nlines"', start=40).split("\n", 1)[1]).encode()

    fast = ingest(data, tmp_path, "fast")
    reference = ingest(data, tmp_path, "reference", fast_path=False)

    assert fast[0] == reference[0]
    assert fast[1].equals(reference[1])
    assert fast[1]["line"].to_pylist()[-1] == 1 + 40 + 2 * 40  # the last row ends on the file's last line
    first_all = arrow_columns.index(None)
    assert set(arrow_columns[:first_all]) == {(1, 3, 5)}
    assert set(arrow_columns[first_all:]) == {None}
    assert arrow_blocks[first_all - 1] is False  # the block read with the kept columns alone, given up
    assert all(arrow_blocks[: first_all - 1])
    assert all(arrow_blocks[first_all:])
    assert len(arrow_blocks[first_all:]) >= 4


@pytest.mark.parametrize("seed", range(30))
def test_a_block_is_never_said_to_have_its_lines_within_the_limit_when_one_is_over(seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    for _ in range(50):
        block = b"".join(rng.choice([b"\n", b"x", b"xxxxxxxx", b"\r\n", b"y" * rng.randrange(1, 60)]) for _ in range(rng.randrange(1, 40)))
        limit = rng.randrange(1, 80)
        longest = max(len(line) for line in block.split(b"\n"))
        if ingest_read._lines_within(block, limit):
            assert longest <= limit, (block, limit)
        if longest < limit // 2:
            assert ingest_read._lines_within(block, limit)  # short lines always pass
