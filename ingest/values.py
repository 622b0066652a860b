"""Column roles from the values sampled, for the roles the header names leave open: a column `ts` of epoch seconds
is the time, one of 12.50 and ¥3.00 an amount, one of repeating codes like c17 or emails the user. Where several
columns fit a role, the one whose name hints at it wins, then (users) the one with the most distinct values that
repeat, then the first. Pure: strings in, role → column out."""

import re
from collections.abc import Callable

SAMPLED = 500  # rows looked at
FITS = 0.95  # the share of a column's non-blank values that must fit
EPOCH_SECONDS = (946_684_800, 4_102_444_800)  # 2000-01-01 to 2100-01-01: the numbers that are plausibly times
TIME = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"  # ISO 8601
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?)?"  # 12/1/2010 8:26
    r"|\d{4}/\d{1,2}/\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{4}年\d{1,2}月\d{1,2}日(\s*\d{1,2}:\d{2}(:\d{2})?)?"
)
MONEY = re.compile(r"[-+]?\s*[$€£¥₹]?\s*-?\d{1,3}(([,.' ]?\d{3})*)([.,]\d{1,2})?\s*(€|元|¥|RMB|CNY|EUR|USD)?", re.IGNORECASE)
MONEY_MARK = re.compile(r"[$€£¥₹元]|[.,]\d{2}\s*\S*$")  # a currency sign, or cents
ID = re.compile(r"[^\s@]+@[^\s@]+\.\w+|[^\W_][\w\-.:#]{0,63}")  # emails, codes, names without spaces (张三)
HINTS = {  # parts of a (normalised) name that break ties between columns whose values fit the role
    "timestamp": ("ts", "at", "time", "date", "day", "when", "epoch", "时间", "日期"),
    "amount": ("amt", "amount", "price", "sum", "paid", "pay", "cost", "money", "fee", "金额", "价", "额"),
    "user_id": ("uid", "user", "cust", "client", "member", "buyer", "account", "email", "id", "用户", "会员", "客户", "买家"),
}


def roles_from_values(columns: list[str], rows: list[list[str]], taken: dict[str, str]) -> dict[str, str]:
    """Role → column for timestamp, amount and user_id where `taken` (the roles found by name) has none, among the
    columns it leaves free."""
    found: dict[str, str] = {}
    free = [index for index, column in enumerate(columns) if column not in taken.values()]
    values = {index: _values(rows, index, len(columns)) for index in free}
    fitting = {
        "timestamp": [index for index in free if _share(values[index], _is_time) >= FITS],
        "amount": [index for index in free if _is_money_column(values[index])],
        "user_id": [index for index in free if _is_id_column(values[index])],
    }
    for role in ("timestamp", "amount", "user_id"):
        candidates = [index for index in fitting[role] if columns[index] not in found.values()]
        if role in taken or not candidates:
            continue
        best = min(candidates, key=lambda index: (not _hinted(columns[index], role), _repeats(role, values[index]), index))
        found[role] = columns[best]
    return found


def _values(rows: list[list[str]], index: int, width: int) -> list[str]:
    return [row[index].strip() for row in rows[:SAMPLED] if len(row) == width and row[index].strip()]


def _share(values: list[str], fits: Callable[[str], bool]) -> float:
    if len(values) < 3:
        return 0.0
    return sum(1 for value in values if fits(value)) / len(values)


def _is_time(value: str) -> bool:
    if re.fullmatch(r"\d{10}(\.\d+)?", value):
        return EPOCH_SECONDS[0] <= float(value) < EPOCH_SECONDS[1]
    if re.fullmatch(r"\d{13}", value):
        return EPOCH_SECONDS[0] * 1000 <= int(value) < EPOCH_SECONDS[1] * 1000
    return TIME.fullmatch(value) is not None


def _is_money_column(values: list[str]) -> bool:
    """Numbers most of which have cents or a currency sign (whole numbers alone may be counts or ids)."""
    return _share(values, lambda value: MONEY.fullmatch(value) is not None and not _is_time(value)) >= FITS and (
        _share(values, lambda value: MONEY_MARK.search(value) is not None) >= 0.5
    )


def _is_id_column(values: list[str]) -> bool:
    """Codes or emails without spaces that repeat (a user has several events), not times, money or small counts."""
    if _share(values, lambda value: ID.fullmatch(value) is not None and not _is_time(value)) < FITS:
        return False
    if _is_money_column(values) or all(value.isdigit() and int(value) < 1000 for value in values):
        return False
    distinct = len(set(values))
    return max(3, len(values) // 20) <= distinct < len(values)  # repeats (orders do not), not a handful (channels)


def _repeats(role: str, values: list[str]) -> int:
    """For users, minus the number of distinct values: the more, the likelier users (not a category)."""
    return -len(set(values)) if role == "user_id" else 0


def _hinted(column: str, role: str) -> bool:
    name = re.sub(r"[\s_\-./]+", "", column.strip().lower())
    return any(hint in name for hint in HINTS[role])
