"""Links between missions as pages read them: each side of a mission's links in its own
words (« Remplace : … » on one page, « Remplacé par : … » on the other), the lineage of
every mission from the earliest to today, and the mission list's `lien` filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from ..models import Citation, Mission, MissionLink, link_reading
from .footnotes import Footnotes, footnotes_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class LinkRow:
    """One link read from one side: « remplace » and the other mission, or « remplacé par »."""

    link: MissionLink
    words: StrOrPromise
    other: Mission

    @property
    def outgoing(self) -> bool:
        return self.other.pk == self.link.to_mission_id


def _touching(missions: Q) -> QuerySet[MissionLink]:
    return MissionLink.objects.filter(missions).select_related("from_mission", "to_mission")


def links_of(mission: Mission) -> list[LinkRow]:
    """Every link of `mission`, both sides, as it reads from there: its own statements first
    (« prolonge », « remplace »…), then what others say of it (one query)."""
    links = _touching(Q(from_mission=mission) | Q(to_mission=mission)).order_by(
        "kind", "from_mission__title", "to_mission__title"
    )
    rows = [LinkRow(link, *link_reading(link, mission)) for link in links]
    return sorted(rows, key=lambda row: not row.outgoing)


def link_citations(links: list[LinkRow] | list[MissionLink]) -> Q:
    """The citations of these links, as a filter to add to a page's one citation query."""
    pks = [row.link.pk if isinstance(row, LinkRow) else row.pk for row in links]
    return Q(link_id__in=pks)


# -- the lineage ------------------------------------------------------------------------------


@dataclass
class LineageEntry:
    mission: Mission
    links: list[LinkRow] = field(default_factory=list)


@dataclass(frozen=True)
class Lineage:
    entries: list[LineageEntry]
    footnotes: Footnotes


def lineage() -> Lineage:
    """Every mission in the order it began (its launch's window; undated last), each with its
    links read from there, and the quotes of the links as footnotes: three queries whatever
    the number of missions."""
    missions = list(
        Mission.objects.only(
            "key", "title", "status", "launch_text", "launch_start", "launch_end",
            "launch_precision", "editorial",
        ).order_by(F("launch_start").asc(nulls_last=True), "title")
    )  # fmt: skip
    by_pk = {m.pk: m for m in missions}
    entries = {m.pk: LineageEntry(m) for m in missions}
    links = list(MissionLink.objects.order_by("kind", "pk"))
    for link in links:
        # The missions are those already read: no join, no second copy.
        link.from_mission = by_pk[link.from_mission_id]
        link.to_mission = by_pk[link.to_mission_id]
        for side in (link.from_mission_id, link.to_mission_id):
            entries[side].links.append(LinkRow(link, *link_reading(link, side)))
    for entry in entries.values():
        entry.links.sort(key=lambda row: not row.outgoing)
    citations = list(
        Citation.objects.filter(link__isnull=False).select_related("source").order_by("pk")
    )
    targets: list[tuple[str, Any]] = [
        ("link", row.link) for entry in entries.values() for row in entry.links
    ]
    return Lineage(list(entries.values()), footnotes_for(citations, targets))


# -- the mission list's filter ------------------------------------------------------------------


def link_choices() -> list[tuple[str, StrOrPromise]]:
    """The mission list's `lien` choices: any link, then each kind read both ways."""
    from django.utils.translation import gettext_lazy as _
    from django.utils.text import format_lazy

    from ..models import INVERSE_LABELS

    return [
        (ANY_LINK, _("any link")),
        *(
            (kind.value, format_lazy("{} / {}", kind.label, INVERSE_LABELS[kind.value]))
            for kind in MissionLink.Kind
        ),
    ]


ANY_LINK = "any"


def link_filter(value: str) -> Q:
    """The mission list's `lien`: missions having a link of that kind (or of any kind, "any"),
    on either side. Two EXISTS in the list's one query: no query of its own."""
    links = (
        MissionLink.objects.all() if value == ANY_LINK else MissionLink.objects.filter(kind=value)
    )
    return Q(Exists(links.filter(from_mission=OuterRef("pk")))) | Q(
        Exists(links.filter(to_mission=OuterRef("pk")))
    )
