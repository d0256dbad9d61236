"""A raw article -> a draft fixture document, for an administrator to review.

Rules are general French patterns, not the strings of our seed texts:

- page chrome (newsletter prompts, share buttons, comment notices, photo credits, lone
  symbols) is not content;
- the title is the first content line that reads as a heading; the initiative is what the
  government "crée", "lance", "annonce", "présente"… (a quoted name beats a plain one);
- workstreams are enumerations: bullet lists, "autour de cinq axes : a ; b ; c", "3 piliers :
  …", ordinals ("Première intention, …", "Le deuxième axe …") and the "aussi … enfin …"
  sequence of infinitives;
- every dated statement is a milestone: each date expression periods.py reads in a sentence,
  read against the publication date (backwards when the verb before it is in a past tense),
  with the sentence as its quote;
- actors come with their role ("pilotée par", "coordonnateurs", "chefs de projet", "ministre");
  budgets ("supérieur à 100m€", "100 millions d'euros") and labels ("label …", "visa …") too.

Every quote is a verbatim slice of the text given, so the importer accepts it as is. Nothing
is published here: the draft goes to the import preview.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import yaml
from django.utils import timezone
from django.utils.text import Truncator, slugify

from . import periods
from .importing import FORMAT
from .models import Actor, Label, Mission, Source

PublishedPrecision = Literal["day", "month", "year"]

# -- text -------------------------------------------------------------------------------------

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


# -- dates --------------------------------------------------------------------------------------

_DATEISH = re.compile(
    r"^(?:janv(?:ier)?|fevr(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept(?:embre)?|"
    r"oct(?:obre)?|nov(?:embre)?|dec(?:embre)?|printemps|ete|automne|hiver|[12]\d{3}(?:-[12]\d{3})?|"
    r"t[1-4]|s[12]|semestre|trimestre|hier|avant-hier|aujourd'hui|demain|prochaine?s?|derniere?s?|"
    r"jours?|semaines?|mois|ans|annees?)$"
)
_TOKEN = re.compile(r"\S+")
_ELISION = re.compile(r"^(?:l|d|qu|jusqu)'")
# Alone, these words are not dates: "ont été identifiés", "depuis quelques mois".
_NOT_ALONE = {"ete", "mois", "jour", "jours", "semaine", "semaines", "an", "ans", "annee", "annees",
              "prochain", "prochaine", "prochains", "prochaines", "dernier", "derniere", "derniers", "dernieres"}
_MAX_WORDS = 8
# A past tense just before the date: passé composé, plus-que-parfait, imparfait.
_PAST = re.compile(
    r"\b(?:ont|a|avait|avaient|sont|est|etait|etaient)\s+(?:\w+\s+){0,2}?"
    r"\w+(?:e|ee|es|ees|i|is|ie|u|us|ue|ert|erts|it|its)\b[^.]{0,25}$"
    r"|\b\w{3,}(?:ait|aient)\b[^.]{0,25}$"
)


@dataclass(frozen=True)
class DatedStatement:
    sentence: Line
    period: periods.Period
    tense: periods.Tense


def find_periods(sentence: str, reference: dt.date, *, past_reference: dt.date | None = None) -> list[tuple[int, int, periods.Period, periods.Tense]]:
    """Every date expression periods.py reads in the sentence: the longest reading ending at
    each date word, without overlaps, each read in the tense of the verb before it."""
    tokens = list(_TOKEN.finditer(sentence))
    found: list[tuple[int, int, periods.Period, periods.Tense]] = []
    for j, token in enumerate(tokens):
        if not _DATEISH.match(_ELISION.sub("", _fold(token.group()).strip(".,;:!?«»\"“”()"))):
            continue
        end = token.end()
        while end > token.start() and sentence[end - 1] in ".,;:!?»”\")":
            end -= 1
        for i in range(max(0, j - _MAX_WORDS + 1), j + 1):
            start = tokens[i].start()
            while start < end and sentence[start] in "«“\"(":
                start += 1
            if _fold(sentence[start:end]).strip(" .,;:") in _NOT_ALONE:
                continue
            before = _fold(sentence[max(0, start - 80) : start])
            tense: periods.Tense = "past" if _PAST.search(before[-60:]) else "future"
            try:
                period = periods.parse_period(
                    sentence[start:end],
                    (past_reference or reference) if tense == "past" else reference,
                    tense=tense,
                )
            except periods.PeriodParseError:
                continue
            if found and start < found[-1][1]:
                if end - start > found[-1][1] - found[-1][0]:
                    found[-1] = (start, end, period, tense)
            else:
                found.append((start, end, period, tense))
            break
    return found


# -- enumerations -------------------------------------------------------------------------------

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
_AUSSI_DE = re.compile(r"^(?:il s'agit\s+)?(?:aussi|également|ensuite|puis)\s+(?:de|d')|(?:^|,\s*)(?:et,?\s+)?enfin,?\s+(?:de|d')\s*", re.IGNORECASE)
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
    head = _TITLE_CUT.split(text.strip(" .;:“”\"«»"), maxsplit=1)[0].strip(" .;:“”\"«»")
    head = head if len(head.split()) >= 3 else text.strip(" .;:“”\"«»")
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
            parts = [p.strip(" .") for p in re.split(r"\s*,\s*|\s+et\s+(?=[^,]*$)", listed) if p.strip(" .")]
        if len(parts) >= 2:
            items.extend(Item(quote=p, title=_title_of(p)) for p in parts)
            kinds_listed.update(_kinds(sentence.text[: match.start("items")]))
    # "Première intention, …", "Le deuxième axe de travail est …", then "… enfin, …".
    ordinals = [s for s in sents if (m := _ORDINAL.search(s.text)) and _fold(m.group("kind")).rstrip("s") not in kinds_listed]
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
        run = [sentence]
        for following in sents[n + 1 :]:
            if not _AUSSI_DE.search(following.text):
                break
            run.append(following)
            if _ENFIN.search(following.text):
                break
        if not _ENFIN.search(run[-1].text) or n == 0:
            continue
        first = _FIRST_INFINITIVE.search(sents[n - 1].text)
        if first:
            quote = sents[n - 1].text[first.start() :]
            items.append(Item(quote=quote, title=_title_of(first.group("item"))))
        for s in run:
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


# -- actors, budget, labels ---------------------------------------------------------------------

_NAME = r"(?:[A-ZÉÈ][a-zéèëêïîôöüç]+(?:-[A-ZÉ][a-zéèëêïîôöüç]+)?)"
_PERSON = re.compile(
    rf"(?P<name>{_NAME}(?:\s+(?:de\s+|du\s+|d['’]|Le\s+|La\s+)?(?:{_NAME}|[A-Z]\b)){{1,3}})"
)
# A role and where its holders stand: "X et Y, chefs de projet" (before), "pilotée par X"
# (after), "X, ministre …" (either).
_ROLE_WORDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"coordonnateurs?|coordinat(?:eur|rice)s?|chefs? de projet|pilotes?\b", re.I), "coordinator", "before"),
    (re.compile(r"pilot(?:é|ée|és|ées) par|coordonnée? par|conduite? par", re.I), "coordinator", "after"),
    (re.compile(r"portée? par|soutenue? par", re.I), "sponsor", "after"),
    (re.compile(r"\bministre\b|secrétaire d['’]état|président(?:e)? de la république", re.I), "announcer", "any"),
    (re.compile(r"\bdirect(?:eur|rice)\b|\bprésident(?:e)?\b|\bdirigeant", re.I), "participant", "any"),
)
# When two sentences give one person two roles, the more telling one stays.
_ROLE_RANK = {"coordinator": 0, "announcer": 1, "sponsor": 2, "participant": 3}


def _role_at(sentence: str, start: int, end: int) -> str | None:
    for pattern, role, side in _ROLE_WORDS:
        for match in pattern.finditer(sentence):
            if side == "any" or (side == "before" and end <= match.start()) or (side == "after" and start >= match.end()):
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
            if _fold(name) in _NOT_PERSON or len(name.split()) < 2 or name.split()[0] in {"Le", "La", "Les", "Dans", "Pour", "Cette", "Ce"}:
                continue
            # An organisation: "chez Capgemini Invent", "le plan Cloud Computing", "(…, Natixis)".
            before = sentence.text[max(0, match.start() - 80) : match.start()]
            if (
                re.search(r"(?:chez|de|du|d['’])\s*$", before)
                or re.search(r"\b(?:plan|programme|projet|label|offre|solution|société|groupe)\b(?:\s+\w+){0,2}\s*$", before)
                or sentence.text.count("(", 0, match.start()) > sentence.text.count(")", 0, match.start())
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
                person_role = "announcer" if re.search(r"lanc|annonc", sentence.text, re.I) else "sponsor"
            key = slugify(name)
            if key and (key not in found or _ROLE_RANK[person_role] < _ROLE_RANK[found[key].role]):
                found[key] = Involved(name, person_role, capacity or (found[key].capacity if key in found else ""), sentence.text)
    return list(found.values())


_AMOUNT = re.compile(
    r"(?P<qualifier>supérieure?s?\s+à|inférieure?s?\s+à|plus\s+de|moins\s+de|environ|près\s+de|au\s+moins)?\s*"
    r"(?<![\d])(?<![\d][ ,.])(?P<number>\d+(?:[ ,.]\d+)*)\s*"
    r"(?P<unit>milliards?\s+d['’]euros|millions?\s+d['’]euros|md€|mds€|m€|m\s?€|k€|€|euros)",
    re.IGNORECASE,
)
_QUALIFIERS = {"sup": "more_than", "plu": "more_than", "au ": "more_than", "inf": "less_than", "moi": "less_than", "env": "about", "pre": "about", "prè": "about"}


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
        scale = 1_000_000_000 if unit.startswith(("milliard", "md")) else 1_000_000 if unit.startswith(("million", "m")) else 1_000 if unit.startswith("k") else 1
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
_NAME_CUT = re.compile(r"\s(?:signée|lancée|présentée|destinée|qui|dont|pour\s+(?:les|aider|faire|accélérer)|avec|afin|en partenariat)\b")


_INITIATIVE_KINDS = r"programme|plan|mission|stratégie|initiative|politique|projet|label"
# programme « France Identité souveraine »: the name is what is quoted after its kind.
_NAMED = re.compile(rf"\b(?:{_INITIATIVE_KINDS})\s+[«“\"]\s*([^»”\"]{{3,80}}?)\s*[»”\"]", re.IGNORECASE)
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


# -- the draft ------------------------------------------------------------------------------------


@dataclass
class DraftDocument:
    title: str
    document: dict[str, Any]
    source_key: str
    text_name: str
    text: str
    workstream_quotes: list[str] = field(default_factory=list)
    milestones: list[DatedStatement] = field(default_factory=list)

    @property
    def yaml(self) -> str:
        header = (
            "# Brouillon produit par l'extraction automatique : à relire avant d'appliquer.\n"
            "# Draft made by extraction: review it before applying.\n"
        )
        return header + yaml.safe_dump(self.document, allow_unicode=True, sort_keys=False, width=100)

    @property
    def files(self) -> dict[str, str]:
        files = {f"{self.source_key}.yaml": self.yaml}
        if self.text_name:
            files[self.text_name] = self.text
        return files


# "Paris, le 10 janvier 2025." heads a release: when it was written, not a promise.
_DATELINE = re.compile(r"^[A-ZÀ-Ý][\w' -]{1,30},\s+(?:le\s+)?[\w ]{4,30}[12]\d{3}\.?$")


def _key(text: str, taken: set[str], *, words: int = 6) -> str:
    base = _slug(text, words)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _slug(text: str, words: int) -> str:
    return slugify(" ".join(text.split()[:words]))[:60].strip("-") or "element"


def _new_key(model: type[Source] | type[Mission], text: str) -> str:
    """A key no published row has: a draft that reused one would rewrite that row (a
    source's text, a mission's content). To merge into one, an administrator edits the key."""
    base = _slug(text, 8)
    return _key(text, set(model.objects.filter(key__startswith=base).values_list("key", flat=True)), words=8)


def _publication_window_end(published: dt.date, precision: PublishedPrecision) -> dt.date:
    if precision == "year":
        return dt.date(published.year, 12, 31)
    if precision == "month":
        following = (published.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return published


def extract(
    text: str,
    *,
    published: dt.date | None = None,
    precision: PublishedPrecision = "day",
    publisher: str = "",
    url: str = "",
) -> DraftDocument:
    """A draft fixture document for the article `text`."""
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ValueError(f"an article of at most {MAX_ARTICLE_CHARS} characters")
    lines = content_lines(text)
    title_line = next((ln for ln in lines if not ln.bullet and not ln.text.endswith((".", ":", ";"))), None)
    title = title_line.text if title_line else Truncator(text.strip()).words(12)
    body_lines = [ln for ln in lines if ln is not title_line]
    sents = [s for s in sentences(body_lines) if len(s.text) <= LONGEST_SENTENCE]

    # The publication date: given, or the first full date in the text.
    basis, basis_text = "public_record", "Date de publication indiquée lors de l'extraction : à vérifier."
    if published is None:
        for sentence in sents:
            for start, end, period, _tense in find_periods(sentence.text, timezone.localdate()):
                if period.precision == periods.Precision.DAY and re.search(r"[12]\d{3}", sentence.text[start:end]):
                    published, precision = period.start, "day"
                    basis, basis_text = "text", sentence.text[start:end]
                    break
            if published:
                break
    if published is None:
        published, precision = timezone.localdate(), "day"
        basis_text = "Aucune date de publication trouvée : date de l'extraction, à corriger."
    past_reference = _publication_window_end(published, precision)

    # The same text already published is that source, referred to and not declared again.
    existing = Source.objects.filter(text_sha256=Source.sha256_of(text)).values_list("key", flat=True).first()
    source_key = existing or _new_key(Source, f"{title} {published:%Y-%m-%d}")
    text_name = "" if existing else f"{source_key}.txt"

    name, name_quote = initiative(title, sents)
    mission_key = _new_key(Mission, name)

    def cite(quote: str, fact: str | None = None) -> dict[str, str]:
        return {"source": source_key, "quote": quote, **({"fact": fact} if fact else {})}

    # Milestones: every dated statement.
    statements: list[DatedStatement] = []
    milestone_docs: list[dict[str, Any]] = []
    milestone_keys: set[str] = set()
    for sentence in sents:
        if _DATELINE.match(sentence.text):
            continue
        for start, end, period, tense in find_periods(sentence.text, published, past_reference=past_reference):
            statements.append(DatedStatement(sentence, period, tense))
            due_text = sentence.text[start:end]
            doc: dict[str, Any] = {
                "key": _key(sentence.text, milestone_keys),
                "title": _title_of(sentence.text, words=14),
                "due": {"text": due_text, "tense": tense, "reference": period.reference}
                if tense == "past" or period.reference != published
                else due_text,
            }
            # Already happened when it was written: before the publication, or told in a past
            # tense within the publication's window ("se sont entretenus, le 24 janvier").
            if period.end < published or (tense == "past" and period.end <= min(past_reference, timezone.localdate())):
                doc.update(status="done", progress=100, completed_on=period.end)
            doc["citations"] = [cite(sentence.text)]
            milestone_docs.append(doc)

    items = workstreams(body_lines, sents)
    workstream_keys: set[str] = set()
    workstream_docs = [
        {"key": _key(item.title, workstream_keys), "title": item.title, "citations": [cite(item.quote)]}
        for item in items
    ]

    # Actors: those already known are referred to, not declared again.
    involved = actors(sents)
    known_actors = set(Actor.objects.filter(key__in=[slugify(p.name) for p in involved]).values_list("key", flat=True))
    actor_docs = [
        {"key": slugify(p.name), "name": p.name, "kind": "person"}
        for p in involved
        if slugify(p.name) not in known_actors
    ]
    involvement_docs = [
        {"actor": slugify(p.name), "role": p.role, **({"capacity": p.capacity} if p.capacity else {}), "citations": [cite(p.quote)]}
        for p in involved
    ]

    named_labels = labels(sents)
    known_labels = dict(Label.objects.values_list("key", "name"))
    by_name = {_fold(n): k for k, n in known_labels.items()}
    label_keys: list[str] = []
    label_docs: list[dict[str, Any]] = []
    for label_name, _quote in named_labels:
        key = by_name.get(_fold(label_name)) or slugify(label_name)
        if key not in known_labels and key not in label_keys:
            label_docs.append({"key": key, "name": label_name, "kind": "certification"})
        if key not in label_keys:
            label_keys.append(key)

    mission: dict[str, Any] = {
        "key": mission_key,
        "title": name[:1].upper() + name[1:],
        "summary": sents[0].text if sents else "",
        "status": "announced",
    }
    found_budget = budget(sents)
    if found_budget:
        mission["budget"] = {
            "amount_eur": int(found_budget.amount_eur) if found_budget.amount_eur == int(found_budget.amount_eur) else str(found_budget.amount_eur),
            "qualifier": found_budget.qualifier,
            "text": found_budget.text,
        }
    if label_keys:
        mission["labels"] = label_keys
    mission["sources"] = [source_key]
    mission["citations"] = [cite(name_quote, "existence")]
    if found_budget:
        mission["citations"].append(cite(found_budget.quote, "budget"))
    if involvement_docs:
        mission["actors"] = involvement_docs
    if milestone_docs:
        mission["milestones"] = milestone_docs
    if workstream_docs:
        mission["workstreams"] = workstream_docs

    document: dict[str, Any] = {"format": FORMAT}
    if not existing:
        published_doc: dict[str, Any] = {"date": published, "precision": precision, "basis": basis}
        published_doc["quote" if basis == "text" else "note"] = basis_text
        document["sources"] = [
            {
                "key": source_key,
                "title": title[:300],
                "publisher": publisher or "À compléter",
                **({"url": url} if url else {}),
                "text_file": text_name,
                "published": published_doc,
            }
        ]
    if actor_docs:
        document["actors"] = actor_docs
    if label_docs:
        document["labels"] = label_docs
    document["missions"] = [mission]
    return DraftDocument(
        title=title,
        document=document,
        source_key=source_key,
        text_name=text_name,
        text=text,
        workstream_quotes=[item.quote for item in items],
        milestones=statements,
    )
