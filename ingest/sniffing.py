"""Look at the start of an uploaded file and say what it is: compression, encoding, delimiter, header, decimal
separator, date order, and which column plays which role. Pure: bytes in, a dataclass out (or a RejectedFile)."""

import collections
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.encodings import NOT_IN, bad_line, codec_name, decodes, decoding_encodings, detect_encoding
from ingest.errors import RejectedFile, gettext_noop
from ingest.values import roles_from_values

SAMPLE_BYTES = 1_000_000
SNIFFED_ROWS = 2000  # the most any guess below reads (_date_order)
DELIMITERS = (",", ";", "\t", "|")
ROLES = ("user_id", "timestamp", "event", "amount", "quantity", "product", "channel")
REQUIRED_ROLES = ("user_id", "timestamp")
# Header names (normalised: lower case, no spaces, underscores or dashes) that suggest a role, English and Chinese.
ROLE_NAMES = {
    "user_id": (
        "userid",
        "user",
        "customerid",
        "customer",
        "clientid",
        "client",
        "memberid",
        "member",
        "accountid",
        "email",
        "customeremail",
        "buyerid",
        "kunde",
        "kundennummer",
        "cliente",
        "会员",
        "会员id",
        "用户",
        "用户id",
        "客户",
        "客户id",
        "會員",
        "用戶",
        "客戶",
        "買家",
        "买家",
    ),
    "timestamp": (
        "timestamp",
        "time",
        "datetime",
        "date",
        "orderdate",
        "invoicedate",
        "eventtime",
        "createdat",
        "start",
        "started",
        "startedat",
        "starttime",
        "datum",
        "fecha",
        "时间",
        "日期",
        "下单时间",
        "订单时间",
        "支付时间",
        "時間",
        "下單時間",
    ),
    "event": ("event", "eventname", "eventtype", "action", "type", "事件", "事件名称", "行为"),
    "amount": (
        "amount",
        "revenue",
        "total",
        "totalprice",
        "price",
        "sales",
        "value",
        "montant",
        "betrag",
        "umsatz",
        "importe",
        "prix",
        "preis",
        "金额",
        "总额",
        "销售额",
        "实付金额",
        "订单金额",
        "单价",
        "总价",
        "金額",
        "總額",
        "實付金額",
        "總價",
    ),
    "quantity": ("quantity", "qty", "units", "count", "anzahl", "menge", "stückzahl", "cantidad", "quantité", "数量", "件数"),
    "product": (
        "product",
        "productid",
        "productname",
        "sku",
        "item",
        "itemid",
        "lineitem",
        "stockcode",
        "商品",
        "商品名称",
        "产品",
    ),
    "channel": ("channel", "source", "medium", "platform", "渠道", "来源", "平台"),
}


@dataclass(frozen=True)
class Sniffed:
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[list[str]]  # the first rows as parsed, for the preview
    decimal: str  # "." or ","
    date_order: str  # "day_first" | "month_first" | "" (not ambiguous / not seen)
    mapping: dict[str, str] = field(default_factory=dict)  # role → column, proposed
    encodings: list[str] = field(default_factory=list)  # those that decode the sample, the guess first (the picker)


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-./]+", "", name.strip().lower())


FIRST_LINE_TOO_LONG = gettext_noop("Line 1 is longer than %(limit)s characters: is this a CSV file with one record per line?")
MALFORMED_START = gettext_noop("The start of the file cannot be read as CSV (a field is longer than the limit, or quotes do not match).")


def sniff(sample: bytes, encoding: str | None = None) -> Sniffed:
    """What the start of a file says about it, read in `encoding` if given (the user's choice), else in the one
    detected. Raises RejectedFile for what cannot be an event table, or is not text in the encoding chosen."""
    if not sample.strip():
        raise RejectedFile("empty", "The file is empty.")
    if encoding is None:
        encoding = detect_encoding(sample)
        offered = decoding_encodings(sample, encoding)
    else:
        encoding = codec_name(encoding) or encoding
        if not decodes(sample, encoding):
            raise RejectedFile("encoding", NOT_IN, line=bad_line(sample, encoding), encoding=encoding, tried=encoding)
        offered = decoding_encodings(sample, detect_encoding_or(sample, encoding))
        offered = [encoding, *(name for name in offered if name != encoding)]
    text = sample.decode(encoding, errors="replace")
    if text.lstrip("\ufeff").lstrip().lower().startswith(("<!doctype html", "<html")):
        raise RejectedFile("html", "This is a web page (HTML), not a CSV export. Download the data file itself.")
    lines = text.splitlines()
    if len(sample) >= SAMPLE_BYTES and lines:
        if len(lines) == 1:  # the first line alone fills the sample: it is too long, not empty
            raise RejectedFile("line_too_long", FIRST_LINE_TOO_LONG, limit=len(lines[0]))
        text = text[: len(text) - len(lines[-1])]  # drop a last line cut by the sample's end
    delimiter = _delimiter(text)
    # newline="": the csv module sees the file's own line ends, so CR-only and mixed endings read as lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _sniffed_rows(reader)
        collections.deque(reader, maxlen=0)  # the rest of the sample must read as CSV too; its rows are not kept
    except csv.Error as exc:  # e.g. a field longer than the limit (csv.field_size_limit, set by the ingest)
        raise RejectedFile("malformed", MALFORMED_START) from exc
    if not rows:
        raise RejectedFile("empty", "The file is empty.")
    columns = unique_headers(rows[0])
    body = rows[1:]
    if not body:
        raise RejectedFile("header_only", "The file has a header row but no data rows.")
    mapping = propose_mapping(columns, body)
    return Sniffed(
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        rows=body[:20],
        decimal=_decimal(body, columns, mapping),
        date_order=_date_order(
            [row[columns.index(mapping["timestamp"])] for row in body if "timestamp" in mapping and len(row) == len(columns)]
        ),
        mapping=mapping,
        encodings=offered,
    )


def detect_encoding_or(sample: bytes, default: str) -> str:
    """The encoding detected, or `default` when the sample is valid in no one encoding (a mixed file)."""
    try:
        return detect_encoding(sample)
    except RejectedFile:
        return default


def _sniffed_rows(reader: Iterator[list[str]]) -> list[list[str]]:
    """The non-blank rows the guesses below look at: the header, then rows until SNIFFED_ROWS of them are as wide as
    the header (the rows _date_order reads): the rest of a 1 MB sample is only checked, not kept."""
    rows: list[list[str]] = []
    wide = 0
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append(row)
            wide += len(row) == len(rows[0])
            if wide > SNIFFED_ROWS:  # the header counts itself
                break
    return rows


def _delimiter(text: str) -> str:
    """The candidate that splits the first lines into the same, largest number of fields."""
    head = "\n".join(text.splitlines()[:50])
    best, best_score = ",", -1.0
    for candidate in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(head), delimiter=candidate) if row]
        except csv.Error:  # this candidate makes a field run past the limit: not the delimiter
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0]) / len(counts)
        score = consistent * 100 + counts[0]
        if score > best_score:
            best, best_score = candidate, score
    return best


def unique_headers(header: list[str]) -> list[str]:
    """Header names stripped, blanks named, duplicates numbered ("amount", "amount_2")."""
    seen: dict[str, int] = {}
    result = []
    for index, name in enumerate(header):
        name = name.strip().lstrip("\ufeff") or f"column_{index + 1}"
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return result


def propose_mapping(columns: list[str], rows: list[list[str]]) -> dict[str, str]:
    """Role → column by header name, the first column of the first of these that finds one:
    1. the header is a synonym ("Customer ID", "下单时间");
    2. it holds one: as whole words for Latin names ("Lineitem quantity", "UnitPrice"); for Chinese ones, written
       without spaces, the name that ends last is the header's role (用户实付金额 is an amount, not a user: the head of
       a Chinese compound comes last), and discounts and postage (折扣, 优惠, 邮费, 运费) are no role;
    3. a Latin name inside a word ("KundenID", "UNITPRICE", "Bestelldatum"), but not inside the false friends that
       merely contain one (Country and Discount hold "count", Updated "date").
    Then the user, time and amount no name says are proposed from the rows' values (ingest/values.py)."""
    mapping: dict[str, str] = {}
    headers = [_Header(column) for column in columns]
    for role in ROLES:
        tiers = [(header.tier(role), position) for position, header in enumerate(headers) if header.name not in mapping.values()]
        _tier, position = min(((tier, position) for tier, position in tiers if tier is not None), default=(None, None))
        if position is not None:
            mapping[role] = headers[position].name
    found = roles_from_values(columns, rows, mapping)
    return {role: found.get(role) or mapping[role] for role in ROLES if role in mapping or role in found}


class _Header:
    """A header name in the forms propose_mapping compares."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.normalised = normalise_header(name)
        self.spans = _word_spans(name)
        self.head, self.head_name = _chinese_head(self.normalised)
        self.unfriended = _without_false_friends(self.normalised)

    def tier(self, role: str) -> tuple[int, int] | None:
        """1, 2 or 3 as propose_mapping says, and minus the length of the name found (within a tier the longer name is
        the more telling: 实付金额 before 总价); None when the header is not that role's."""
        latin = [name for name in ROLE_NAMES[role] if name.isascii()]
        if self.normalised in ROLE_NAMES[role]:
            return 1, 0
        found = [name for name in latin if name in self.spans] + ([self.head_name] if self.head == role else [])
        if found:
            return 2, -max(map(len, found))
        found = [name for name in latin if len(name) > 2 and name in self.unfriended]
        if found:
            return 3, -max(map(len, found))
        return None


CHINESE_NOT_A_ROLE = ("折扣", "优惠", "邮费", "运费")
FALSE_FRIENDS = ("country", "discount", "account", "updated", "update")


def _chinese_head(header: str) -> tuple[str | None, str]:
    """The role and the Chinese name that ends last in the (normalised) header, the longer name on a tie."""
    if any(word in header for word in CHINESE_NOT_A_ROLE):
        return None, ""
    found = [
        (header.rfind(name) + len(name), len(name), role, name)
        for role, names in ROLE_NAMES.items()
        for name in names
        if not name.isascii() and name in header
    ]
    return max(found)[2:] if found else (None, "")


def _without_false_friends(header: str) -> str:
    for word in FALSE_FRIENDS:
        header = header.replace(word, " ")
    return header


def _word_spans(header: str) -> set[str]:
    """The header's words (split at spaces, punctuation, digits and camelCase; any script's letters) and each run of
    them joined, lower case: "Order Date ID" → order, date, id, orderdate, dateid, orderdateid."""
    words = []
    for run in re.findall(r"[^\W_]+", header):
        word = run[0]
        for before, char, after in zip(run[:-1], run[1:], (run[2:] + " ")[: len(run) - 1], strict=True):
            upper_starts = char.isupper() and (before.islower() or (before.isupper() and after.islower()))
            if upper_starts or char.isdigit() != before.isdigit():
                words.append(word)
                word = ""
            word += char
        words.append(word)
    words = [word.lower() for word in words]
    return {"".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)}


def _decimal(rows: list[list[str]], columns: list[str], mapping: dict[str, str]) -> str:
    """ "," when amounts look like 1.234,50 or 12,5; else "."."""
    if "amount" not in mapping:
        return "."
    index = columns.index(mapping["amount"])
    comma = dot = 0
    for row in rows[:500]:
        if index < len(row):
            value = re.sub(r"[^\d.,]", "", row[index])
            if re.search(r",\d{1,2}$", value):
                comma += 1
            elif re.search(r"\.\d{1,2}$", value) or re.search(r"\.\d+$", value):
                dot += 1
    return "," if comma > dot else "."


def _date_order(values: list[str]) -> str:
    """For dates like 12/1/2010: day first if a first number above 12 occurs, month first if a second one does."""
    day_first = month_first = False
    for value in values[:SNIFFED_ROWS]:
        match = re.match(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}", value)
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    if day_first and not month_first:
        return "day_first"
    if month_first and not day_first:
        return "month_first"
    return "month_first" if any(re.match(r"\s*\d{1,2}/\d{1,2}/\d{2,4}", value) for value in values[:50]) else ""
