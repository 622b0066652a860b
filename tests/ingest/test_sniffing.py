"""What an upload looks like: every case generated here, no committed binaries."""

import codecs
import csv
import zlib

import pytest

from ingest.errors import RejectedFile
from ingest.sniffing import SAMPLE_BYTES, SNIFFED_ROWS, propose_mapping, sniff

ROWS = "user_id,timestamp,amount\nu1,2024-01-01T10:00:00Z,12.50\nu2,2024-01-02T11:00:00Z,3.00\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROWS.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + ROWS.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + ROWS.encode("utf-16-be"), "utf-16"),
    ],
)
def test_unicode_encodings_are_found_by_their_bom_or_as_utf8(data, encoding):
    found = sniff(data)

    assert found.encoding == encoding
    assert found.columns == ["user_id", "timestamp", "amount"]
    assert found.rows[0] == ["u1", "2024-01-01T10:00:00Z", "12.50"]


def test_chinese_gb18030_export_is_decoded_without_mojibake():
    text = "会员,下单时间,实付金额,商品\n" + "".join(f"张{i},2025年3月{i % 28 + 1}日,{i}.50,苹果手机壳\n" for i in range(200))

    found = sniff(text.encode("gb18030"))

    assert found.encoding == "gb18030"
    assert found.columns == ["会员", "下单时间", "实付金额", "商品"]
    assert found.mapping == {"user_id": "会员", "timestamp": "下单时间", "amount": "实付金额", "product": "商品"}


def test_latin1_export_is_decoded_as_such():
    text = "Client;Date;Montant;Produit\n" + "".join(f"Zoë {i};01/02/2024;{i},50 €;crème brûlée\n" for i in range(200))

    found = sniff(text.encode("cp1252"))

    assert found.encoding in ("cp1252", "latin_1", "iso8859_15", "windows-1252")
    assert found.rows[0][3] == "crème brûlée"
    assert found.delimiter == ";"
    assert found.decimal == ","


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter):
    found = sniff(ROWS.replace(",", delimiter).encode())

    assert found.delimiter == delimiter
    assert len(found.columns) == 3


def test_quoted_fields_with_newlines_and_delimiters_and_crlf():
    data = b'user,time,event\r\n"u1","2024-01-01","said ""hi, there""\r\nand left"\r\nu2,2024-01-02,buy\r\n'

    found = sniff(data)

    assert found.rows[0][2] == 'said "hi, there"\r\nand left'
    assert found.mapping["event"] == "event"


def test_messy_and_duplicate_headers_are_cleaned():
    found = sniff(b"  User ID ,AMOUNT,amount,\nu1,1,2,3\n")

    assert found.columns == ["User ID", "AMOUNT", "amount", "column_4"]
    assert found.mapping["user_id"] == "User ID"


@pytest.mark.parametrize(
    ("values", "order"),
    [(["13/1/2010 8:26", "1/2/2010 9:00"], "day_first"), (["12/1/2010 8:26", "1/25/2010 9:00"], "month_first")],
)
def test_day_first_or_month_first_is_decided_from_the_data(values, order):
    data = "customer,invoicedate\n" + "".join(f"c{i},{value}\n" for i, value in enumerate(values))

    assert sniff(data.encode()).date_order == order


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"user_id,timestamp\n", "header_only"),
        (b"\x89PNG\r\n\x1a\n" + zlib.compress(b"\x00" * 400), "binary"),
        (bytes(range(256)) * 20, "binary"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "html"),
    ],
)
def test_what_cannot_be_a_table_is_refused_with_a_reason(data, code):
    with pytest.raises(RejectedFile) as refused:
        sniff(data)

    assert refused.value.code == code
    assert refused.value.message


def test_the_whole_sample_must_read_as_csv_not_only_the_rows_the_guesses_look_at():
    """A field past the csv module's limit far down the sample is refused at upload, as one on the first lines is."""
    rows = "".join(f"u{i},2024-01-01\n" for i in range(SNIFFED_ROWS + 500))
    limit = csv.field_size_limit(1000)
    try:
        with pytest.raises(RejectedFile) as refused:
            sniff(f"user,time\n{rows}u,{'x' * 2000}\n".encode())
    finally:
        csv.field_size_limit(limit)

    assert refused.value.code == "malformed"


def test_rows_of_another_width_do_not_shorten_what_the_date_order_is_guessed_from():
    """The guess reads SNIFFED_ROWS rows as wide as the header, however many narrower or wider rows come first."""
    data = "user,time\n" + "a,b,c\n" * 50 + "u,1/2/2020\n" * (SNIFFED_ROWS - 1) + "u,13/2/2020\n"

    assert sniff(data.encode()).date_order == "day_first"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # A word that merely contains a role's name is not that role: "Country" and "Discount" hold "count".
        ("CustomerID,InvoiceDate,Description,Amount,Country", {"user_id": "CustomerID", "timestamp": "InvoiceDate", "amount": "Amount"}),
        (
            "Name,Email,Paid at,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Source",
            {
                "user_id": "Email",
                "timestamp": "Created at",
                "amount": "Total",
                "quantity": "Lineitem quantity",
                "product": "Lineitem name",
                "channel": "Source",
            },
        ),
        (
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
            {"user_id": "CustomerID", "timestamp": "InvoiceDate", "amount": "UnitPrice", "quantity": "Quantity", "product": "StockCode"},
        ),
        ("Account,Updated at,Event Type,Order Value", {"event": "Event Type", "amount": "Order Value"}),
        # Names inside compound words and one-case headers, where no word boundary shows, but not in false friends.
        ("KundenID,Rechnungsdatum,Bruttobetrag", {"user_id": "KundenID", "timestamp": "Rechnungsdatum", "amount": "Bruttobetrag"}),
        ("UNITPRICE,CUSTOMERID,INVOICEDATE,COUNTRY", {"user_id": "CUSTOMERID", "timestamp": "INVOICEDATE", "amount": "UNITPRICE"}),
        (
            "Bestelldatum,Einzelpreis,Gesamtbetrag,Stückzahl",
            {"timestamp": "Bestelldatum", "amount": "Gesamtbetrag", "quantity": "Stückzahl"},
        ),
        # Chinese names are not written in words: contained anywhere, two characters are enough.
        (
            "会员ID,下单时间,实付金额,商品名称,购买数量",
            {"user_id": "会员ID", "timestamp": "下单时间", "amount": "实付金额", "quantity": "购买数量", "product": "商品名称"},
        ),
        # A Chinese compound is what its last name says (用户实付金额 is an amount, 商品单价 a price); discounts and
        # postage are no role; the longer name is the more telling (实付金额 before 总价). A Pinduoduo export:
        (
            "商品,订单号,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元),用户实付金额(元),商品数量(件),买家,下单时间",
            {"user_id": "买家", "timestamp": "下单时间", "amount": "用户实付金额(元)", "quantity": "商品数量(件)", "product": "商品"},
        ),
        ("商品单价,用户,时间", {"user_id": "用户", "timestamp": "时间", "amount": "商品单价"}),
    ],
)
def test_the_mapping_proposed_matches_whole_words_of_latin_headers(header, expected):
    assert propose_mapping(header.split(","), []) == expected


LATIN_ROWS = "".join(f"u{i},2024-01-{i % 28 + 1:02d},{i}.50,Zoë café\n" for i in range(100))
WECHAT_ROWS = "u9,2024-01-01,1.00,微信\n" * 50


@pytest.mark.parametrize(
    ("data", "line"),
    [
        # cp1252 then UTF-8: every byte is "valid" in a single-byte encoding; read as one, 微信 became åūŪäŋĄ.
        (("user,time,amount,note\n" + LATIN_ROWS).encode("cp1252") + WECHAT_ROWS.encode(), 102),
        (("user,time,amount,note\n" + WECHAT_ROWS).encode() + LATIN_ROWS.encode("cp1252"), 52),
    ],
)
def test_a_file_that_changes_encoding_is_refused_with_the_line_where_it_does(data, line):
    with pytest.raises(RejectedFile) as refused:
        sniff(data)

    assert refused.value.code == "mixed_encoding"
    assert refused.value.params["line"] == line
    assert "utf-8" in str(refused.value.params["tried"])


@pytest.mark.parametrize("header", ["用户,时间,金额,渠道", "客户,日期,金额,渠道"])
@pytest.mark.parametrize("rows", [5, 500, 5000])
def test_a_gbk_file_whose_only_chinese_is_its_header_is_not_read_as_korean(header, rows):
    data = header + "\n" + "".join(f"u{i},2024-01-{i % 28 + 1:02d} 10:00,{i}.50,web\n" for i in range(rows))

    found = sniff(data.encode("gbk"))

    assert found.encoding == "gb18030"
    assert found.columns == header.split(",")
    assert set(found.mapping) == {"user_id", "timestamp", "amount", "channel"}


def test_korean_is_still_read_as_korean():
    data = "고객,날짜,금액,채널\n" + "".join(f"u{i},2024-01-01,{i}.50,웹사이트\n" for i in range(50))

    assert sniff(data.encode("cp949")).encoding == "cp949"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", [ROWS, "用户,时间,金额\n" + "".join(f"张{i},2024-01-01,{i}\n" for i in range(30))])
def test_utf16_and_utf32_without_a_bom_are_text(encoding, text):
    found = sniff(text.encode(encoding))

    assert found.encoding == encoding
    assert found.columns == text.splitlines()[0].split(",")


def test_the_encodings_that_decode_the_sample_are_offered_the_guess_first():
    found = sniff(("会员,下单时间\n" + "张三,2024-01-01\n" * 20).encode("gb18030"))

    assert found.encodings[0] == "gb18030"
    assert "utf-8" not in found.encodings
    assert "big5" not in found.encodings or found.encodings.index("big5") > 0


def test_an_encoding_chosen_by_the_user_overrides_the_guess_and_must_decode_the_sample():
    data = ("会员,下单时间\n" + "张三,2024-01-01\n" * 20).encode("gb18030")

    assert sniff(data, encoding="GBK").columns == ["会员", "下单时间"]
    with pytest.raises(RejectedFile) as refused:
        sniff(data, encoding="utf-8")
    assert (refused.value.code, refused.value.params["line"]) == ("encoding", 1)


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        # Names that say nothing: the values do (epoch seconds or milliseconds, ISO stamps, money, repeating codes).
        ("id,ts,val", lambda i: f"c{i % 7},{1_700_000_000 + i * 3600},{i}.50", {"user_id": "id", "timestamp": "ts", "amount": "val"}),
        ("a,b,c", lambda i: f"{1_700_000_000_000 + i},x{i % 3},¥{i}", {"timestamp": "a", "user_id": "b", "amount": "c"}),
        ("who,when", lambda i: f"p{i % 5}@example.com,2024-03-{i % 28 + 1:02d}T08:00:00Z", {"user_id": "who", "timestamp": "when"}),
        # Several columns fit: the name breaks the tie (created_ts over an unnamed one; users repeat, orders do not).
        ("x,created_ts,y", lambda i: f"{1_700_000_000 + i},{1_700_000_000 + i},n{i % 4}", {"timestamp": "created_ts", "user_id": "y"}),
        ("order_no,cust_no", lambda i: f"o{i},k{i % 9}", {"user_id": "cust_no"}),
        # Counts and plain numbers are no amount; a name-found role is kept.
        ("user,qty,n", lambda i: f"u{i % 3},{i % 5},{i}", {"user_id": "user", "quantity": "qty"}),
        (
            "customer,time,paid",
            lambda i: f"c{i % 3},{1_700_000_000 + i},{i}.99",
            {"user_id": "customer", "timestamp": "time", "amount": "paid"},
        ),
    ],
)
def test_roles_no_header_names_are_proposed_from_the_values(header, row, expected):
    data = header + "\n" + "".join(row(i) + "\n" for i in range(60))

    assert sniff(data.encode()).mapping == expected


def test_a_first_line_longer_than_the_sample_is_too_long_not_empty():
    with pytest.raises(RejectedFile) as refused:
        sniff(b"a," * (SAMPLE_BYTES // 2 + 10))

    assert refused.value.code == "line_too_long"
    assert refused.value.message.startswith("Line 1 is longer than")


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"])
def test_cr_only_and_mixed_line_endings_sniff_as_lines(ending):
    lines = [b"customer,time,amount", b"c1,2025-01-01,3.50", b"c2,2025-01-02,4.00", b"c3,2025-01-03,5.00"]
    mixed = lines[0] + ending + lines[1] + b"\r" + lines[2] + b"\r\n" + lines[3] + b"\n"

    found = sniff(mixed)

    assert found.columns == ["customer", "time", "amount"]
    assert [row[0] for row in found.rows] == ["c1", "c2", "c3"]
