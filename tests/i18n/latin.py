"""Finding English left on a page shown in Chinese: every Latin-alphabet word a reader sees (text, the attributes a
browser shows or speaks, the confirm dialogs, the words inside the Plotly figures), minus what is meant to stay as it
is. To extend: add a word to ALLOWED under its reason, or mark the markup itself: `lang="en"` (text that is English on
purpose, like the language picker's "English"), `translate="no"` (a name), or `<code>`/`<kbd>` (what is typed)."""

import json
import re
from html.parser import HTMLParser

from core.money import CURRENCIES

# Words a Chinese page may show, by why. Case-sensitive: "API" is allowed, "Api" or "api" are not.
ALLOWED: dict[str, set[str]] = {
    "product": {"bizcanvas"},
    "file formats and protocols": {"API", "REST", "CSV", "csv", "JSON", "PDF", "PNG", "SVG", "zip", "gz", "UTF", "HTTP", "URL"},
    "units and codes": {"KB", "MB", "GB", "UTC", "ISO", "AI", *CURRENCIES},  # and ISO 4217's codes
    "keys of a keyboard": {"Alt", "Shift", "Ctrl", "Enter", "Esc", "Tab"},
    "frameworks' names": {"SWOT", "TOWS", "SO", "WO", "ST", "WT", "RFM", "k-means"},
    "statistics": {"MASE", "sMAPE", "AUC", "ARI"},
    "unit economics' abbreviations": {"LTV", "CAC"},  # lifetime value, customer acquisition cost
    "model names (lifetime value)": {"BG", "NBD", "Gamma-Gamma"},
    "model names (statsforecast)": {
        "AutoARIMA",
        "AutoETS",
        "AutoTheta",
        "AutoCES",
        "DynamicOptimizedTheta",
        "CrostonOptimized",
        "CrostonSBA",
        "ADIDA",
        "IMAPA",
        "TSB",
        "SeasonalNaive",
        "Naive",
        "HoltWinters",
        "MSTL",
        "DOT",
    },
    "licences and their owners": {"CC", "BY-SA", "Strategyzer", "AG", "strategyzer.com"},
    "user data in the test's world": {"demo"},  # the demo account's username (logins are Latin by habit)
}
ALLOWED_WORDS = set().union(*ALLOWED.values())

# English still on a page, known and left to whoever owns that page: (a pattern of the page's path, the words, why).
# Remove an entry when its page is fixed; the crawl reports anything else at once.
KNOWN_GAPS: list[tuple[str, set[str], str]] = [
    (
        r"/strategy/value_chain/history/$",
        {"technology", "service", "operations", "marketing_sales", "firm_infrastructure"},
        "history: a change's summary is str(row), and a value activity's str is its stored key (strategy.models)",
    ),
]

WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]+(?:[-.'’][A-Za-z]+)*(?![A-Za-z0-9_])")
# E-mail addresses, links, Plotly placeholders, tags, and text encodings' names (utf-16-le, iso-8859-1…).
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|%\{[^}]*\}|<[^>]+>|&[a-z]+;"
    r"|(?i:\b(?:utf-(?:8|16|32)(?:-[lb]e)?(?:-sig)?|iso-8859-\d+|windows-\d+|latin-?1|shift_jis|euc-[a-z]+|ascii)\b)"
)
SKIPPED_TAGS = {"script", "style", "code", "kbd", "samp"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# The keys of a Plotly figure whose strings are drawn or hovered (titles, names, labels, ticks, hovers).
FIGURE_TEXT_KEYS = {"text", "name", "hovertext", "ticktext", "hovertemplate", "customdata", "narrow_text", "x", "y", "theta"}


def latin_words(text: str) -> list[str]:
    """The Latin-alphabet words of `text` that are not allowed (a compound like "csv.gz" is allowed if its parts are)."""
    return [word for word in WORD.findall(NOT_WORDS.sub(" ", text)) if not _allowed(word)]


def _allowed(word: str) -> bool:
    return word in ALLOWED_WORDS or all(part in ALLOWED_WORDS for part in re.split(r"[.]", word))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.figures: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements, and whether their content is skipped
        self.json = False

    def _skipped(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        foreign = (named.get("lang") or "zh").lower().split("-")[0] != "zh"
        skipped = tag in SKIPPED_TAGS or named.get("translate") == "no" or foreign
        if not self._skipped() and not skipped:
            self.texts.extend(value for key in SHOWN_ATTRIBUTES if (value := named.get(key)))
            if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
                self.texts.append(named["value"] or "")
        self.json = tag == "script" and named.get("type") == "application/json"
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        self.json = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.json:
            self.figures.append(data)
        elif not self._skipped() and data.strip():
            self.texts.append(data.strip())


def _figure_strings(node: object, shown: bool = False) -> list[str]:
    if isinstance(node, dict) and "bdata" in node:
        return []  # numbers, base64-encoded by plotly.py
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in _figure_strings(value, shown or key in FIGURE_TEXT_KEYS)]
    if isinstance(node, list):
        return [text for value in node for text in _figure_strings(value, shown)]
    return [node] if shown and isinstance(node, str) else []


def page_findings(html: str, path: str = "") -> dict[str, str]:
    """Each Latin word left on a page, with the text it was found in (for the report); `path` skips its known gaps."""
    page = _Page()
    page.feed(html)
    texts = list(page.texts)
    for block in page.figures:
        texts.extend(_figure_strings(json.loads(block)))
    known = set().union(*(words for pattern, words, _why in KNOWN_GAPS if re.search(pattern, path)))
    return {word: text[:100] for text in texts for word in latin_words(text) if word not in known}
