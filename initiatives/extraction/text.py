"""The article's content: its lines with their offsets, page chrome and repeats dropped,
cut into sentences; and the folding every reader compares words with."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


_CHROME = re.compile(
    r"newsletter|s['’]inscrire|inscription|abonne|subscribe|recevez|continue reading|"
    r"discover more|leave a reply|réagir|commentaires?\b|modération|partager|share|"
    r"\b(?:twitter|facebook|linkedin|flipboard|whatsapp|email|e-mail)\b|lire aussi|voir aussi|"
    r"\(lire\s*:|publicité|advertisement|cookies?|publié (?:par|le)|mis à jour le|tous droits",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•\-–—*▪·●◦‣]|\d{1,2}[.)]|[a-h]\))\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”»\"’]?\s+(?=[«“\"A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Line:
    text: str
    start: int  # offset in the article
    bullet: bool


def content_lines(text: str) -> list[Line]:
    """The article's lines that are content, with their offsets; chrome and repeats dropped."""
    lines: list[Line] = []
    seen: set[str] = set()
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        start = offset + (len(raw) - len(raw.lstrip()))
        offset += len(raw)
        if not stripped or _is_chrome(stripped) or stripped in seen:
            continue
        seen.add(stripped)
        lines.append(Line(stripped, start, bool(_BULLET.match(stripped))))
    return lines


def _is_chrome(line: str) -> bool:
    words = line.split()
    if len(line) <= 3 or not any(c.isalpha() for c in line):  # "x", "×", "|", "*"
        return True
    if "©" in line and len(words) <= 25:  # a photo credit
        return True
    if len(words) <= 6 and not line.endswith((".", ":", ";")) and line[0].islower():
        return True  # "media", "publicité"
    return len(words) <= 14 and bool(_CHROME.search(line))


# Real sentences are far shorter; a "sentence" longer than this is a dump, not prose, and the
# per-sentence readers below are not run on it (they would cost its length squared).
LONGEST_SENTENCE = 2000
# An article is ~10 kB; this bounds the extractor's work on whatever is pasted.
MAX_ARTICLE_CHARS = 200_000


def sentences(lines: list[Line]) -> list[Line]:
    """Each content line cut into sentences (offsets kept)."""
    out: list[Line] = []
    for line in lines:
        body = _BULLET.sub("", line.text) if line.bullet else line.text
        base = line.start + (len(line.text) - len(body))
        last = 0
        for match in _SENTENCE_END.finditer(body):
            piece = body[last : match.start()].strip()
            if piece:
                out.append(Line(piece, base + body.index(piece, last), line.bullet))
            last = match.end()
        piece = body[last:].strip()
        if piece:
            out.append(Line(piece, base + body.index(piece, last), line.bullet))
    return out


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
