"""What else an article names: actors with their role, a budget, labels, and the
initiative itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

from .text import Line, _fold


_NAME = r"(?:[A-ZÉÈ][a-zéèëêïîôöüç]+(?:-[A-ZÉ][a-zéèëêïîôöüç]+)?)"
_PERSON = re.compile(
    rf"(?P<name>{_NAME}(?:\s+(?:de\s+|du\s+|d['’]|Le\s+|La\s+)?(?:{_NAME}|[A-Z]\b)){{1,3}})"
)
# A role and where its holders stand: "X et Y, chefs de projet" (before), "pilotée par X"
# (after), "X, ministre …" (either).
_ROLE_WORDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"coordonnateurs?|coordinat(?:eur|rice)s?|chefs? de projet|pilotes?\b", re.I),
        "coordinator",
        "before",
    ),
    (
        re.compile(r"pilot(?:é|ée|és|ées) par|coordonnée? par|conduite? par", re.I),
        "coordinator",
        "after",
    ),
    (re.compile(r"portée? par|soutenue? par", re.I), "sponsor", "after"),
    (
        re.compile(r"\bministre\b|secrétaire d['’]état|président(?:e)? de la république", re.I),
        "announcer",
        "any",
    ),
    (
        re.compile(r"\bdirect(?:eur|rice)\b|\bprésident(?:e)?\b|\bdirigeant", re.I),
        "participant",
        "any",
    ),
)
# When two sentences give one person two roles, the more telling one stays.
_ROLE_RANK = {"coordinator": 0, "announcer": 1, "sponsor": 2, "participant": 3}


def _role_at(sentence: str, start: int, end: int) -> str | None:
    for pattern, role, side in _ROLE_WORDS:
        for match in pattern.finditer(sentence):
            if (
                side == "any"
                or (side == "before" and end <= match.start())
                or (side == "after" and start >= match.end())
            ):
                return role
    return None


_NOT_PERSON = {"le gouvernement", "la france", "l'etat", "l'europe", "union europeenne"}


@dataclass
class Involved:
    name: str
    role: str
    capacity: str
    quote: str


def actors(sents: list[Line]) -> list[Involved]:
    found: dict[str, Involved] = {}
    for sentence in sents:
        if not any(pattern.search(sentence.text) for pattern, _role, _side in _ROLE_WORDS):
            continue
        for match in _PERSON.finditer(sentence.text):
            role = _role_at(sentence.text, match.start(), match.end()) or "participant"
            name = match.group("name").strip()
            if (
                _fold(name) in _NOT_PERSON
                or len(name.split()) < 2
                or name.split()[0] in {"Le", "La", "Les", "Dans", "Pour", "Cette", "Ce"}
            ):
                continue
            # An organisation: "chez Capgemini Invent", "le plan Cloud Computing", "(…, Natixis)".
            before = sentence.text[max(0, match.start() - 80) : match.start()]
            if (
                re.search(r"(?:chez|de|du|d['’])\s*$", before)
                or re.search(
                    r"\b(?:plan|programme|projet|label|offre|solution|société|groupe)\b(?:\s+\w+){0,2}\s*$",
                    before,
                )
                or sentence.text.count("(", 0, match.start())
                > sentence.text.count(")", 0, match.start())
            ):
                continue
            if re.search(r"\b(?:ministre|secrétaire d['’]état)\b[^,.]{0,60}$", before, re.I):
                role_here = "sponsor"
            else:
                role_here = None
            after = sentence.text[match.end() :]
            capacity = ""
            apposition = re.match(r"\s*(?:,|\()\s*([^,()]+?)\s*(?:\)|,|\bet\b|$)", after)
            if apposition and not re.match(rf"\s*{_NAME}\s+{_NAME}", apposition.group(1)):
                capacity = apposition.group(1).strip(" .")[:200]
            person_role = role_here or role
            if re.match(r"\s*,?\s*(?:ministre|secrétaire d['’]état)", after, re.I):
                person_role = (
                    "announcer" if re.search(r"lanc|annonc", sentence.text, re.I) else "sponsor"
                )
            key = slugify(name)
            if key and (key not in found or _ROLE_RANK[person_role] < _ROLE_RANK[found[key].role]):
                found[key] = Involved(
                    name,
                    person_role,
                    capacity or (found[key].capacity if key in found else ""),
                    sentence.text,
                )
    return list(found.values())


_AMOUNT = re.compile(
    r"(?P<qualifier>supérieure?s?\s+à|inférieure?s?\s+à|plus\s+de|moins\s+de|environ|près\s+de|au\s+moins)?\s*"
    r"(?<![\d])(?<![\d][ ,.])(?P<number>\d+(?:[ ,.]\d+)*)\s*"
    r"(?P<unit>milliards?\s+d['’]euros|millions?\s+d['’]euros|md€|mds€|m€|m\s?€|k€|€|euros)",
    re.IGNORECASE,
)
_QUALIFIERS = {
    "sup": "more_than",
    "plu": "more_than",
    "au ": "more_than",
    "inf": "less_than",
    "moi": "less_than",
    "env": "about",
    "pre": "about",
    "prè": "about",
}


@dataclass(frozen=True)
class Budget:
    amount_eur: Decimal
    qualifier: str
    text: str
    quote: str


def budget(sents: list[Line]) -> Budget | None:
    for sentence in sents:
        match = _AMOUNT.search(sentence.text)
        if not match:
            continue
        number = Decimal(match.group("number").replace(" ", "").replace(",", "."))
        unit = _fold(match.group("unit")).replace(" ", "")
        scale = (
            1_000_000_000
            if unit.startswith(("milliard", "md"))
            else 1_000_000
            if unit.startswith(("million", "m"))
            else 1_000
            if unit.startswith("k")
            else 1
        )
        qualifier = _QUALIFIERS.get(_fold(match.group("qualifier") or "")[:3], "exact")
        return Budget(number * scale, qualifier, match.group().strip(), sentence.text)
    return None


_LABEL = re.compile(
    r"\b(?:label|visa|certification|qualification)\s+(?:«\s*|“)?(?P<name>[A-Za-zÀ-ÿ][\wÀ-ÿ-]*(?:\s+(?:de|du|des|d['’])?\s*[\wÀ-ÿ-]+){0,3}?)"
    r"(?=\s*»|\s*”|\s+(?:destiné|délivré|pour|qui|sera|permettra|repose|a\s|est\s)|[,.;:)]|$)",
    re.IGNORECASE,
)


def labels(sents: list[Line]) -> list[tuple[str, str]]:
    """(name, quote) for each label or certification named."""
    found: dict[str, tuple[str, str]] = {}
    for sentence in sents:
        for match in _LABEL.finditer(sentence.text):
            name = match.group("name").strip()
            key = slugify(name)
            if key and key not in found and len(name) >= 3:
                found[key] = (name, sentence.text)
    return list(found.values())


# -- the initiative -----------------------------------------------------------------------------

_LAUNCH_VERB = re.compile(
    r"\b(?:crée|créent|créé|lance|lancent|lancé|lancée|annonce|annoncent|annoncé|présente|présentent|"
    r"présenté|dévoile|dévoilent|dévoilé|affûte|signe|signent|signé|inaugure|met en place|"
    r"mettent en place)(?:\s+(?:hier|aujourd['’]hui|ce\s+\w+|\w+ment))?\s+"
    r"(?:une?|la|le|les|sa|son|ses|leur|l['’])\s*(?P<name>[^,.;:«»“”\"]{4,90})",
    re.IGNORECASE,
)
_NAME_CUT = re.compile(
    r"\s(?:signée|lancée|présentée|destinée|qui|dont|pour\s+(?:les|aider|faire|accélérer)|avec|afin|en partenariat)\b"
)


_INITIATIVE_KINDS = r"programme|plan|mission|stratégie|initiative|politique|projet|label"
# programme « France Identité souveraine »: the name is what is quoted after its kind.
_NAMED = re.compile(
    rf"\b(?:{_INITIATIVE_KINDS})\s+[«“\"]\s*([^»”\"]{{3,80}}?)\s*[»”\"]", re.IGNORECASE
)
# « plan de cybersécurité des établissements de santé »: the kind is quoted with the name.
_QUOTED = re.compile(rf"[«“\"]\s*((?:{_INITIATIVE_KINDS})[^»”\"]{{3,80}}?)\s*[»”\"]", re.IGNORECASE)


def initiative(title: str, sents: list[Line]) -> tuple[str, str]:
    """The initiative's name and the sentence that names it: the title first, then the lead.
    Within a text, a quoted name after its kind beats a quoted one, which beats what a launch
    verb introduces."""
    for text in [title, *(s.text for s in sents[:12])]:
        for pattern in (_NAMED, _QUOTED):
            if found := pattern.search(text):
                return found.group(1), text
        if match := _LAUNCH_VERB.search(text):
            return _NAME_CUT.split(match.group("name"), maxsplit=1)[0].strip(), text
    return title, title
