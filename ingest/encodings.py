"""Which encoding the start of a file is in, and which others would decode it (the choice the dataset page offers).
Pure: bytes in, an encoding name out (or a RejectedFile). The ingest decodes strictly in the encoding chosen
(ingest/blocks.py), so a guess here must decode the whole sample: a single-byte encoding "decodes" any bytes, and
chosen for a file that is mostly UTF-8 it turns 微信 into åūŪäŋĄ without an error."""

import codecs

from charset_normalizer import from_bytes

from ingest.errors import RejectedFile, gettext_noop

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16's: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What the dataset page offers, in this order, when the sample decodes in it (and the guess, whatever it is).
OFFERED = (
    "utf-8",
    "gb18030",
    "big5",
    "shift_jis",
    "cp949",
    "cp1252",
    "iso8859_15",
    "cp1250",
    "cp1251",
    "koi8_r",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32-le",
    "utf-32-be",
)
# The legacy guess reads this much; the whole sample is then checked in the encoding guessed.
GUESS_BYTES = 200_000
# Western European exports (Excel on Windows) are far more common than Central European ones; charset-normalizer
# scores cp1250 and cp1252 alike on French or German text, so prefer cp1252 when it is as good.
PREFERRED_WHEN_CLOSE = ("cp1252",)
KOREAN = ("cp949", "euc_kr", "johab", "iso2022_kr")
# Common Hangul syllables (frequent in text and in column names: 날짜 시간 금액 고객 사용자 주문 상품 수량 채널...).
# GBK bytes decoded as cp949 are Hangul too, but rare syllables (客户,日期 → 와빵,휑퍅): few of these.
COMMON_HANGUL = set(
    "이다는의에가을하고지기로서한사대리자도어정인시적들일수나아부해게전니상보것주구중그장라제있만위여동국과소를원경관"
    "계신회성세요내무면결화문비개미연물방공유실우명생선금학오간발용직진입마등조분안당영거통호재업날짜액객문품량채널번름"
    "치점취월년합총계결제송배카드현코드타입구매판매액가격단처리완료상태"
)
NOT_TEXT = gettext_noop("This file is not text: it looks like a binary file (an image, a spreadsheet, an archive?).")
MIXED = gettext_noop(
    "The file is not in one encoding: near line %(line)s it changes from %(before)s to %(after)s (tried %(tried)s). "
    "Save it in one encoding (UTF-8) and upload it again."
)
NOT_IN = gettext_noop("Near line %(line)s the file is not %(encoding)s text (tried %(tried)s): choose the right encoding.")


def codec_name(encoding: str) -> str | None:
    """Python's name for an encoding (e.g. "GBK" → "gbk"), None for one Python does not know or that is no text
    encoding (rot13, base64)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decodes(sample: bytes, encoding: str, *, nul_allowed: bool = False) -> bool:
    """Whether the sample is valid in `encoding` (a character cut at the sample's end is allowed). A NUL makes a
    reading unlikely (it is how UTF-16 misread as a byte encoding looks) unless `nul_allowed`: a stray NUL in a value
    past the start of a UTF-8 file is the ingest's to refuse on its line, not a reason to doubt the encoding."""
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except (UnicodeError, LookupError):  # UnicodeError: "utf-16" without a BOM
        return False
    return nul_allowed or "\x00" not in text


def decoding_encodings(sample: bytes, guess: str) -> list[str]:
    """The encodings the dataset page offers: the guess, then those of OFFERED that decode the sample."""
    found = [guess]
    for encoding in OFFERED:
        if codecs.lookup(encoding).name not in {codecs.lookup(name).name for name in found} and decodes(sample, encoding):
            found.append(encoding)
    return found


def detect_encoding(sample: bytes) -> str:
    """BOM first; then UTF-16/32 by where their zero bytes fall; UTF-8 if the sample is valid UTF-8; else the legacy
    encoding the whole sample decodes in. Raises RejectedFile for a sample valid in no one encoding (a file that
    changes encoding part way: the line where it does) and for one that is not text."""
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    wide = _wide_unicode(sample)
    if wide:
        return wide
    if b"\x00" in sample[:8192]:
        raise RejectedFile("binary", NOT_TEXT)
    if decodes(sample, "utf-8", nul_allowed=True):
        return "utf-8"
    return _legacy_encoding(sample)


def _wide_unicode(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM: ASCII (the delimiters, the line breaks, the digits) has zero bytes at the
    same places in every code unit, and the sample decodes."""
    head = sample[:8192]
    if len(head) < 8 or b"\x00" not in head:
        return None
    for encoding, size, zeros, low, least in (
        ("utf-32-le", 4, (2, 3), 0, 0.9),
        ("utf-32-be", 4, (0, 1), 3, 0.9),
        ("utf-16-le", 2, (1,), 0, 0.3),
        ("utf-16-be", 2, (0,), 1, 0.3),
    ):
        units = len(head) // size
        zero_share = min(head[place::size][:units].count(0) for place in zeros) / units
        low_zero_share = head[low::size][:units].count(0) / units  # a character's low byte is rarely zero
        if zero_share >= least and low_zero_share < 0.05 and decodes(sample, encoding):
            text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
            if not any(ord(char) < 32 and char not in "\t\r\n" for char in text):
                return encoding
    return None


def _legacy_encoding(sample: bytes) -> str:
    """The best guess for a sample that is not UTF-8, which must decode all of it, and whose lines must not be
    UTF-8 in part (a file that changes encoding part way)."""
    _refuse_mixed(sample)
    guess, candidates = _guess(sample)
    if guess is None:
        raise RejectedFile("binary", NOT_TEXT)
    if decodes(sample, guess):
        return guess
    others = [name for name in candidates if name != guess and decodes(sample, name)]
    if others:
        return others[0]
    tried = ", ".join(["utf-8", *dict.fromkeys([guess, *candidates[:3]])])
    raise RejectedFile("encoding", NOT_IN, line=bad_line(sample, guess), encoding=guess, tried=tried)


def _guess(data: bytes) -> tuple[str | None, list[str]]:
    """charset-normalizer's best guess on the start of `data` (cp1252 over a cp125x as good; GB18030 for GBK, and
    for a Korean guess that is Chinese), and the other candidates it found."""
    candidates = list(from_bytes(data[:GUESS_BYTES]))
    if not candidates:
        return None, []
    best = candidates[0]
    guess = best.encoding
    for preferred in PREFERRED_WHEN_CLOSE:
        close = [match for match in candidates if match.encoding == preferred and match.chaos <= best.chaos + 0.01]
        if close and best.encoding != preferred and best.encoding.startswith("cp125"):
            guess = preferred
    if guess in ("gbk", "gb2312") or (guess in KOREAN and _chinese_not_korean(data)):
        guess = "gb18030"
    return guess, [match.encoding for match in candidates]


def _chinese_not_korean(sample: bytes) -> bool:
    """Whether a sample charset-normalizer read as Korean is Chinese in GBK: it decodes in GB18030 and, read as
    Korean, is few common Hangul syllables (a GBK file whose only Chinese is its header row is read as Korean)."""
    if not decodes(sample, "gb18030"):
        return False
    hangul = [char for char in sample.decode("cp949", errors="ignore") if "\uac00" <= char <= "\ud7a3"]
    return not hangul or sum(char in COMMON_HANGUL for char in hangul) / len(hangul) < 0.3


def _refuse_mixed(sample: bytes) -> None:
    """Refuse a sample some of whose lines are UTF-8 (and read as UTF-8 better than in the other lines' encoding)
    while others are not: a file that starts in cp1252 and goes on in UTF-8, or the reverse."""
    lines = sample.split(b"\n")
    kinds: list[tuple[int, bool]] = []  # (line number, is UTF-8) of the lines that are not ASCII
    for number, line in enumerate(lines, start=1):
        if not line.isascii():
            last = number == len(lines)
            kinds.append((number, decodes(line, "utf-8") if last else _is_utf8(line)))
    utf8 = [lines[number - 1] for number, is_utf8 in kinds if is_utf8]
    other = [lines[number - 1] for number, is_utf8 in kinds if not is_utf8]
    if not utf8 or not other:
        return
    legacy_name = _guess(b"\n".join(other))[0] or "cp1252"
    as_utf8 = from_bytes(b"\n".join(utf8)[:GUESS_BYTES], cp_isolation=["utf_8", legacy_name]).best()
    if as_utf8 is None or as_utf8.encoding != "utf_8":
        return  # the UTF-8 lines are so by chance: the file is in the legacy encoding
    first = kinds[0][1]
    change = next(number for number, is_utf8 in kinds if is_utf8 != first)
    before, after = ("UTF-8", legacy_name) if first else (legacy_name, "UTF-8")
    raise RejectedFile("mixed_encoding", MIXED, line=change, before=before, after=after, tried=f"utf-8, {legacy_name}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def bad_line(sample: bytes, encoding: str) -> int:
    """The line (from 1) of the first byte `encoding` cannot decode."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except UnicodeDecodeError as exc:
        return sample.count(b"\n", 0, exc.start) + 1
    return 1
