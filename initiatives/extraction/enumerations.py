"""Workstreams are enumerations: bullet lists, "autour de cinq axes : a ; b ; c", ordinals,
and the "aussi … enfin …" sequence of infinitives."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.text import Truncator

from .text import _BULLET, Line, _fold


_COUNT = r"(?:\d{1,2}|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)"
_KINDS = (
    r"axes?|piliers?|chantiers?|priorités?|volets?|objectifs?|orientations?|leviers?|thèmes?|"
    r"intentions?|mesures?|actions?|programmes?|engagements?|ambitions?|missions?"
)
_INLINE = re.compile(
    rf"\b{_COUNT}\s+(?:grand(?:e)?s\s+|principa(?:ux|les)\s+|nouveaux?\s+|nouvelles?\s+)?"
    rf"(?:{_KINDS})\b[^:.;]{{0,80}}?\s:\s*(?P<items>.+)$",
    re.IGNORECASE,
)
_INTRO = re.compile(rf"(?:{_KINDS})\b[^.]*:\s*$", re.IGNORECASE)
_ORDINAL = re.compile(
    rf"\b(?:premi(?:er|ère)|deuxième|second(?:e)?|troisième|quatrième|cinquième|sixième|dernier|dernière)"
    rf"\s+(?P<kind>{_KINDS})\b",
    re.IGNORECASE,
)
_ENFIN = re.compile(r"\benfin\b", re.IGNORECASE)
_AUSSI_DE = re.compile(
    r"^(?:il s'agit\s+)?(?:aussi|également|ensuite|puis)\s+(?:de|d')|(?:^|,\s*)(?:et,?\s+)?enfin,?\s+(?:de|d')\s*",
    re.IGNORECASE,
)
_FIRST_INFINITIVE = re.compile(
    r"\b(?:veut|veulent|vise à|visent à|entend|entendent|souhaite|souhaitent|doit|doivent|"
    r"ambitionne de|propose de|s'agit d'abord de|s'agit de)\s+(?P<item>\w+er\b.*)$",
    re.IGNORECASE,
)
# Where a long enumerated item stops being its name.
_TITLE_CUT = re.compile(
    r"\s(?:destinée?s?|pour|qui|tout en|afin|permettant|basée?s?|en soutenant|notamment|dont)\b|[,(:]"
)


@dataclass(frozen=True)
class Item:
    quote: str
    title: str


def _title_of(text: str, *, words: int = 16) -> str:
    cells = [c.strip() for c in re.split(r"\||\t", text) if c.strip()]
    if len(cells) >= 2:  # a table row: its first cell names it
        text = cells[0]
    head = _TITLE_CUT.split(text.strip(' .;:“”"«»'), maxsplit=1)[0].strip(' .;:“”"«»')
    head = head if len(head.split()) >= 3 else text.strip(' .;:“”"«»')
    head = Truncator(head).words(words)
    return head[:1].upper() + head[1:]


def workstreams(lines: list[Line], sents: list[Line]) -> list[Item]:
    """Enumerations: bullet lists, inline lists after a count, ordinals, aussi … enfin."""
    items: list[Item] = []
    kinds_listed: set[str] = set()
    # Bullet lists introduced by a line that names what they list.
    for n, line in enumerate(lines):
        if line.bullet or not line.text.endswith(":") or not _INTRO.search(line.text):
            continue
        run = []
        for following in lines[n + 1 :]:
            if not following.bullet:
                break
            run.append(_BULLET.sub("", following.text).rstrip(" ;,."))
        if len(run) >= 2:
            items.extend(Item(quote=r, title=_title_of(r)) for r in run)
            kinds_listed.update(_kinds(line.text))
    # "… autour de cinq axes : a ; b ; c."
    for sentence in sents:
        match = _INLINE.search(sentence.text)
        if not match:
            continue
        listed = match.group("items")
        parts = [p.strip(" .") for p in re.split(r"\s*;\s*", listed) if p.strip(" .")]
        if len(parts) < 2:  # "a, b, c et d"
            parts = [
                p.strip(" .")
                for p in re.split(r"\s*,\s*|\s+et\s+(?=[^,]*$)", listed)
                if p.strip(" .")
            ]
        if len(parts) >= 2:
            items.extend(Item(quote=p, title=_title_of(p)) for p in parts)
            kinds_listed.update(_kinds(sentence.text[: match.start("items")]))
    # "Première intention, …", "Le deuxième axe de travail est …", then "… enfin, …".
    ordinals = [
        s
        for s in sents
        if (m := _ORDINAL.search(s.text)) and _fold(m.group("kind")).rstrip("s") not in kinds_listed
    ]
    if len(ordinals) >= 2:
        last = ordinals[-1]
        for sentence in ordinals:
            items.append(Item(quote=sentence.text, title=_ordinal_title(sentence.text)))
        after = sents[sents.index(last) + 1 :]
        closing = next((s for s in after if _ENFIN.search(s.text)), None)
        if closing is not None:
            items.append(Item(quote=closing.text, title=_title_of(closing.text)))
    # "X veut structurer … . Il s'agit aussi d'accompagner … . Et, enfin, de soutenir …"
    for n, sentence in enumerate(sents):
        if not _AUSSI_DE.search(sentence.text) or _ENFIN.search(sentence.text):
            continue
        chain = [sentence]
        for following in sents[n + 1 :]:
            if not _AUSSI_DE.search(following.text):
                break
            chain.append(following)
            if _ENFIN.search(following.text):
                break
        if not _ENFIN.search(chain[-1].text) or n == 0:
            continue
        first = _FIRST_INFINITIVE.search(sents[n - 1].text)
        if first:
            quote = sents[n - 1].text[first.start() :]
            items.append(Item(quote=quote, title=_title_of(first.group("item"))))
        for s in chain:
            items.append(Item(quote=s.text, title=_title_of(_AUSSI_DE.sub("", s.text, count=1))))
        break
    return _unique(items)


def _kinds(text: str) -> set[str]:
    return {_fold(k).rstrip("s") for k in re.findall(_KINDS, text, re.IGNORECASE)}


def _ordinal_title(text: str) -> str:
    quoted = re.search(r"[“«\"]\s*([^“«”»\"]{1,400})[”»\"]", text)
    if quoted:
        return _title_of(quoted.group(1))
    verb = re.search(r"\b(?:est|consiste(?:ra)? en|vise à|porte sur)\s+(.+)$", text)
    return _title_of(verb.group(1) if verb else text)


def _unique(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for item in items:
        folded = _fold(item.title)
        if folded not in seen:
            seen.add(folded)
            out.append(item)
    return out
