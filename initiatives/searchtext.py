"""Search text without a database: folding case and accents, the words of a query, and
passages with what matched in `<mark>`, built safely (everything else escaped).

PostgreSQL stems and folds in SQL (the `fr_unaccent` configuration, `selectors.search`) and
marks matches with `ts_headline` between two private-use characters, which `marked` turns
into `<mark>` after escaping the text. The embedded SQLite mode has no French dictionary:
`fold` (registered on its connections as `obs_fold`, see `register_sqlite_functions`) makes
both sides comparable, and `excerpt` marks the words in Python."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# What ts_headline puts around a match: characters no text of ours uses (Unicode private use
# area). A stray one in a source cannot open a <mark>: only a pair becomes one.
START, STOP = "\ue000", "\ue001"
_PAIR = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
# "Gaia-X" is marked as two words by ts_headline: one mark, across the hyphen or apostrophe.
_JOINED = re.compile(f"{STOP}([-'’‐‑]){START}")
_APOSTROPHES = "’‘ʼ`´"
_DASHES = "‐‑‒–—"
MAX_WORDS = 8  # words of a query the fallback matches: bounds the SQL, whatever is typed


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    if char.isspace():
        return " "  # French typography's narrow no-break spaces included
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    return lower if len(lower) == 1 else base


def fold(text: str | None) -> str | None:
    """`text` in lower case, without accents, with one kind of apostrophe, dash and space;
    character for character, so that an offset in the folded text is one in the original."""
    if text is None:
        return None
    return "".join(map(_fold_char, text))


def words(q: str) -> list[str]:
    """The folded words of a query (the first MAX_WORDS), without the search syntax (quotes,
    exclusions) people type out of habit; each is matched as a substring."""
    found = re.findall(r"(?<![\w'-])-?[\w'-]+", fold(q) or "")
    # "-word" excludes a word on PostgreSQL; here it is left out rather than required.
    kept = [w.strip("'-") for w in found if not w.startswith("-")]
    return [w for w in kept if w][:MAX_WORDS]


def marked(headline: str | None) -> SafeString:
    """A ts_headline result with START/STOP markers as HTML: the text escaped, each pair of
    markers a `<mark>`, any unpaired marker dropped."""
    html = _PAIR.sub(r"<mark>\1</mark>", escape(_JOINED.sub(r"\1", headline or "")))
    return mark_safe(html.replace(START, "").replace(STOP, ""))  # only our <mark> is markup


def excerpt(text: str | None, terms: list[str], *, size: int = 0) -> SafeString:
    """`text` with every occurrence of the folded `terms` in `<mark>`, escaped; with `size`,
    only a window of about that many characters around the first match (or the beginning),
    cut at spaces and marked with an ellipsis."""
    text = text or ""
    folded = fold(text) or ""
    spans = sorted(
        (match.start(), match.start() + len(term))
        for term in terms
        for match in re.finditer(re.escape(term), folded)
    )
    start, end = 0, len(text)
    if size and len(text) > size:
        first = spans[0][0] if spans else 0
        start = max(0, first - size // 3)
        end = min(len(text), start + size)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        cut = text.find(" ", end)
        end = len(text) if cut < 0 else cut
    out, at = [], start
    for begin, stop in spans:
        begin, stop = max(begin, at), min(stop, end)
        if begin >= stop:
            continue  # inside an earlier mark, or outside the window
        out += [escape(text[at:begin]), "<mark>", escape(text[begin:stop]), "</mark>"]
        at = stop
    out.append(escape(text[at:end]))
    html = "".join(out).strip()
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On every new SQLite connection (the embedded mode): `obs_fold(text)`, for searching
    both sides folded alike. Connected to `connection_created` by the app."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("obs_fold", 1, fold, deterministic=True)
