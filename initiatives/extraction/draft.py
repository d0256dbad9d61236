"""The draft: the readers' findings as a fixture document, each fact quoted from the
article, keys that no published row has, and the article itself as the source's text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from django.utils import timezone
from django.utils.text import Truncator, slugify

from .. import periods
from ..importing import FORMAT
from ..models import Actor, Label, Mission, Source
from .dates import DatedStatement, find_periods
from .enumerations import _title_of, workstreams
from .mentions import actors, budget, initiative, labels
from .text import LONGEST_SENTENCE, MAX_ARTICLE_CHARS, _fold, content_lines, sentences

PublishedPrecision = Literal["day", "month", "year"]


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
        return header + yaml.safe_dump(
            self.document, allow_unicode=True, sort_keys=False, width=100
        )

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
    return _key(
        text, set(model.objects.filter(key__startswith=base).values_list("key", flat=True)), words=8
    )


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
    title_line = next(
        (ln for ln in lines if not ln.bullet and not ln.text.endswith((".", ":", ";"))), None
    )
    title = title_line.text if title_line else Truncator(text.strip()).words(12)
    body_lines = [ln for ln in lines if ln is not title_line]
    sents = [s for s in sentences(body_lines) if len(s.text) <= LONGEST_SENTENCE]

    # The publication date: given, or the first full date in the text.
    basis, basis_text = (
        "public_record",
        "Date de publication indiquée lors de l'extraction : à vérifier.",
    )
    if published is None:
        for sentence in sents:
            for start, end, period, _tense in find_periods(sentence.text, timezone.localdate()):
                if period.precision == periods.Precision.DAY and re.search(
                    r"[12]\d{3}", sentence.text[start:end]
                ):
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
    existing = (
        Source.objects.filter(text_sha256=Source.sha256_of(text))
        .values_list("key", flat=True)
        .first()
    )
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
        for start, end, period, tense in find_periods(
            sentence.text, published, past_reference=past_reference
        ):
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
            if period.end < published or (
                tense == "past" and period.end <= min(past_reference, timezone.localdate())
            ):
                doc.update(status="done", progress=100, completed_on=period.end)
            doc["citations"] = [cite(sentence.text)]
            milestone_docs.append(doc)

    items = workstreams(body_lines, sents)
    workstream_keys: set[str] = set()
    workstream_docs = [
        {
            "key": _key(item.title, workstream_keys),
            "title": item.title,
            "citations": [cite(item.quote)],
        }
        for item in items
    ]

    # Actors: those already known are referred to, not declared again.
    involved = actors(sents)
    known_actors = set(
        Actor.objects.filter(key__in=[slugify(p.name) for p in involved]).values_list(
            "key", flat=True
        )
    )
    actor_docs = [
        {"key": slugify(p.name), "name": p.name, "kind": "person"}
        for p in involved
        if slugify(p.name) not in known_actors
    ]
    involvement_docs = [
        {
            "actor": slugify(p.name),
            "role": p.role,
            **({"capacity": p.capacity} if p.capacity else {}),
            "citations": [cite(p.quote)],
        }
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
            "amount_eur": int(found_budget.amount_eur)
            if found_budget.amount_eur == int(found_budget.amount_eur)
            else str(found_budget.amount_eur),
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
