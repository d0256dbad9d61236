"""The quotes behind a page, as a reader meets them.

- Footnotes: one note per quoted passage (the same passage of the same source supporting
  several facts, of one object or of several, is one note listing them), numbered in the
  order the page first cites them, so that the markers in the text ([1], [2]…) and the list
  agree; each note leads back to every place that cites it.
- A source's text: cut at its quotes' boundaries, each quoted passage marked and numbered
  once, with one link to the list of the facts it supports (not one link per fact).

Pure functions of rows already read: no query here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Up to this many notes (about a screen), the list shows open; beyond, it is folded under its
# heading (a <details>, which a followed citation opens) so that the page stays readable.
NOTES_SHOWN_OPEN = 10

# (kind of object: mission, involvement, workstream, milestone, link; pk)
Target = tuple[str, int]


def target_name(kind: str, obj: Any) -> str:
    """What a reader calls a cited object: its title, or for an involvement its actor."""
    return str(obj.actor.name if kind == "involvement" else obj.title)


@dataclass
class Cited:
    """One place of the page that cites a note: an object, and the facts of it the quote
    supports (none: the object as a whole)."""

    kind: str
    pk: int
    name: str
    number: int
    facts: list[StrOrPromise] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The id of the marker beside the object (the `notes` template tag)."""
        return f"cite-{self.kind}-{self.pk}-{self.number}"


@dataclass(frozen=True)
class Support:
    """What a note supports, as it reads: a name and its facts, and each citation of them
    (several milestones of a mission may share a title: "↩ 1 2 3")."""

    name: str
    facts: list[StrOrPromise]
    anchors: list[str]


@dataclass
class Note:
    number: int
    quote: str
    source: Any  # Source
    citation_id: int  # the passage's anchor on the source page: #quote-<id>
    cited: list[Cited] = field(default_factory=list)

    @property
    def supports(self) -> list[Support]:
        """The places citing this note, those that read alike as one."""
        groups: dict[tuple[str, tuple[str, ...]], Support] = {}
        for place in self.cited:
            key = (place.name, tuple(str(fact) for fact in place.facts))
            if key not in groups:
                groups[key] = Support(place.name, place.facts, [])
            groups[key].anchors.append(place.anchor)
        return list(groups.values())


@dataclass(frozen=True)
class Footnotes:
    notes: list[Note]
    by_target: dict[Target, list[int]]  # (kind, object pk) -> its note numbers, ascending

    def of(self, kind: str, pk: int) -> list[int]:
        return self.by_target.get((kind, pk), [])

    @property
    def folded(self) -> bool:
        return len(self.notes) > NOTES_SHOWN_OPEN


def footnotes_for(citations: list[Any], targets: Iterable[tuple[str, Any]]) -> Footnotes:
    """Number `citations` (with their sources) as footnotes of a page that shows `targets`,
    (kind, object) pairs in reading order: a passage takes the next number where it is first
    cited, and keeps it wherever else it is cited."""
    order: dict[Target, int] = {}
    names: dict[Target, str] = {}
    for kind, obj in targets:
        order.setdefault((kind, obj.pk), len(order))
        names[(kind, obj.pk)] = target_name(kind, obj)
    ranked = sorted(
        citations,
        key=lambda c: (
            order.get((c.target_kind, c.target_id), len(order)),
            c.source_id,
            c.start_offset,
            c.pk,
        ),
    )
    notes: dict[tuple[int, int, int], Note] = {}
    places: dict[tuple[Target, int], Cited] = {}
    by_target: dict[Target, list[int]] = {}
    for cit in ranked:
        target = (cit.target_kind, cit.target_id)
        passage = (cit.source_id, cit.start_offset, cit.end_offset)
        note = notes.get(passage)
        if note is None:
            note = notes[passage] = Note(len(notes) + 1, cit.quote, cit.source, cit.pk)
        place = places.get((target, note.number))
        if place is None:
            place = places[(target, note.number)] = Cited(
                *target, names.get(target, ""), note.number
            )
            note.cited.append(place)
            by_target.setdefault(target, []).append(note.number)
        label = cit.fact_label
        if label and label not in place.facts:
            place.facts.append(label)
    for numbers in by_target.values():
        numbers.sort()
    return Footnotes(list(notes.values()), by_target)


# --- A source's text -------------------------------------------------------------------------

KIND_WORDS: dict[str, StrOrPromise] = {
    "mission": _("Mission"),
    "involvement": _("Actor"),
    "workstream": _("Workstream"),
    "milestone": _("Milestone"),
    "link": _("Link between missions"),
}


@dataclass(frozen=True)
class Passage:
    """A cut of the text, between two quote boundaries."""

    text: str
    quoted: bool  # inside at least one quote: highlighted
    anchors: list[int]  # the citations that begin here: each its one anchor, #quote-<id>
    ending: list[int]  # the numbers of the quoted passages that end here: one link each


@dataclass
class Supported:
    """An object one quoted passage supports facts of, and where it is shown."""

    kind: StrOrPromise  # its kind, in words
    name: str
    url: str
    workstream: str = ""  # a milestone's: milestones of several workstreams share titles
    facts: list[StrOrPromise] = field(default_factory=list)


@dataclass
class QuotedPassage:
    number: int
    text: str
    supports: list[Supported] = field(default_factory=list)


@dataclass(frozen=True)
class SourceText:
    passages: list[Passage]
    quoted: list[QuotedPassage]  # in the order of the text


def _where(cit: Any) -> tuple[str, str]:
    """(name, address) of what `cit` supports: for an actor, its mission's page."""
    kind = cit.target_kind
    if kind == "milestone":
        return cit.milestone.title, reverse("initiatives:milestone", args=[cit.milestone_id])
    if kind == "workstream":
        url = reverse(
            "initiatives:workstream", args=[cit.workstream.mission.key, cit.workstream.key]
        )
        return cit.workstream.title, url
    if kind == "link":
        link = cit.link
        return link.title, reverse("initiatives:mission", args=[link.from_mission.key])
    if kind == "involvement":
        mission_url = reverse("initiatives:mission", args=[cit.involvement.mission.key])
        return cit.involvement.actor.name, mission_url
    return cit.mission.title, reverse("initiatives:mission", args=[cit.mission.key])


def source_text(text: str, citations: list[Any]) -> SourceText:
    """Cut `text` at every quote boundary; the quoted passages (distinct start and end),
    numbered in reading order, each with the objects and facts it supports. Overlapping
    quotes share the cuts they overlap; each passage's link stands where it ends."""
    spans = sorted({(c.start_offset, c.end_offset) for c in citations})
    numbers = {span: n for n, span in enumerate(spans, start=1)}
    quoted = [QuotedPassage(n, text[start:end]) for (start, end), n in numbers.items()]
    for cit in sorted(citations, key=lambda c: (c.start_offset, c.end_offset, c.pk)):
        entry = quoted[numbers[(cit.start_offset, cit.end_offset)] - 1]
        name, url = _where(cit)
        supported = next((s for s in entry.supports if s.url == url and s.name == name), None)
        if supported is None:
            workstream = cit.milestone.workstream if cit.milestone_id else None
            supported = Supported(
                KIND_WORDS[cit.target_kind], name, url, workstream.title if workstream else ""
            )
            entry.supports.append(supported)
        label = cit.fact_label
        if label and label not in supported.facts:
            supported.facts.append(label)
    starting: dict[int, list[int]] = {}
    for cit in sorted(citations, key=lambda c: c.pk):
        starting.setdefault(cit.start_offset, []).append(cit.pk)
    cuts = sorted({0, len(text), *(s for s, _e in spans), *(e for _s, e in spans)})
    passages = [
        Passage(
            text[start:end],
            any(s <= start and end <= e for s, e in spans),
            starting.get(start, []),
            [numbers[span] for span in spans if span[1] == end],
        )
        for start, end in zip(cuts, cuts[1:], strict=False)
    ]
    return SourceText(passages, quoted)
