"""Footnotes as a reader follows them: one note per quoted passage, numbered [1], [2]… in the
order the page first cites them, the markers and the list agreeing, links both ways, facts in
French words; and a source page with one link per quoted passage."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import Actor, Involvement
from initiatives.selectors import NOTES_SHOWN_OPEN

from .factories import (
    CitationFactory,
    MilestoneFactory,
    MissionFactory,
    SourceFactory,
    WorkstreamFactory,
)
from .test_plain_words import visible_text

pytestmark = pytest.mark.django_db

TEXT = (
    "Le ministère lance le plan. Le plan compte un chantier sur les offres. "
    "Les offres seront qualifiées d'ici fin 2025. Jeanne Martin pilote le plan."
)
LAUNCH = "Le ministère lance le plan."
SHARED = "Les offres seront qualifiées d'ici fin 2025."
PILOT = "Jeanne Martin pilote le plan."


def notes_of(html: str) -> dict[int, str]:
    """The notes listed on a page: number -> the note's visible text."""
    items = re.findall(r'<li id="note-(\d+)" class="footnote">(.*?)</li>', html, re.S)
    return {int(number): " ".join(visible_text(body).split()) for number, body in items}


def markers(html: str, kind: str, pk: int) -> list[int]:
    """The note numbers of the markers beside one object."""
    return [int(n) for n in re.findall(rf'id="cite-{kind}-{pk}-\d+" href="#note-(\d+)"', html)]


@pytest.fixture
def plan() -> dict[str, object]:
    """A mission whose launch is quoted, one workstream with one milestone, whose deadline and
    existence stand on one quote (two citations of the same passage) that the workstream cites
    too."""
    source = SourceFactory(text=TEXT)
    mission = MissionFactory(sources=[source])
    workstream = WorkstreamFactory(mission=mission, title="Qualifier les offres")
    milestone = MilestoneFactory(workstream=workstream, title="Premières offres qualifiées")
    CitationFactory(source=source, quote=SHARED, milestone=milestone, fact="due")
    CitationFactory(source=source, quote=SHARED, milestone=milestone, fact="existence")
    CitationFactory(source=source, quote=SHARED, workstream=workstream, fact="existence")
    CitationFactory(source=source, quote=LAUNCH, mission=mission, fact="launch")
    return {"source": source, "mission": mission, "workstream": workstream, "milestone": milestone}


def test_one_note_per_quote_listing_every_fact_it_supports(
    plan: dict[str, object], client: Client
) -> None:
    mission, milestone, workstream = plan["mission"], plan["milestone"], plan["workstream"]
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()  # type: ignore[attr-defined]
    notes = notes_of(html)
    # Four citations, two passages: two notes, numbered as the page first cites them (the
    # mission's launch in its title, then the workstream), by our own [n], not the list's.
    assert sorted(notes) == [1, 2]
    assert notes[1].startswith("[1] « Le ministère lance le plan. »")
    assert notes[2].startswith(f"[2] « {SHARED} »")
    assert visible_text(html).count(f"« {SHARED} »") == 1
    # The shared note names both objects and each fact, in French words.
    assert "Premières offres qualifiées (échéance, existence du jalon)" in notes[2]
    assert "Qualifier les offres (existence du chantier)" in notes[2]
    assert "lancement" in notes[1]
    assert not re.search(r"\b(due|launch)\b|\(existence\)", notes[1] + notes[2])
    # The markers say the numbers the list says.
    assert markers(html, "mission", mission.pk) == [1]  # type: ignore[attr-defined]
    assert markers(html, "workstream", workstream.pk) == [2]  # type: ignore[attr-defined]
    assert markers(html, "milestone", milestone.pk) == [2]  # type: ignore[attr-defined]
    assert html.split("</h1>")[0].count('class="note-ref"') == 1


def test_citations_and_notes_link_both_ways(plan: dict[str, object], client: Client) -> None:
    mission = plan["mission"]
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()  # type: ignore[attr-defined]
    ids = set(re.findall(r'id="([^"]+)"', html))
    to_notes = re.findall(r'href="#(note-\d+)"', html)
    back = re.findall(r'class="footnote__back" href="#([^"]+)"', html)
    assert sorted(set(to_notes)) == ["note-1", "note-2"] and set(to_notes) <= ids
    # Every place that cites a note is linked back from it: the milestone and the workstream
    # from note 2, each once, with a name a screen reader can say.
    assert sorted(back) == sorted(re.findall(r'id="(cite-[^"]+)"', html))
    assert len(back) == 3 and set(back) <= ids
    assert "Retour à la citation : Premières offres qualifiées" in html
    # Each note leads to its passage on the source page.
    source = plan["source"]
    assert f'href="/sources/{source.key}/#quote-' in html  # type: ignore[attr-defined]


def test_notes_are_numbered_in_the_order_the_page_reads(client: Client) -> None:
    # The milestone's quote is recorded first, but the page shows the actors (and their
    # quote) before the workstreams: the actor's note is [1].
    source = SourceFactory(text=TEXT)
    milestone = MilestoneFactory(title="Premières offres qualifiées")
    mission = milestone.mission
    CitationFactory(source=source, quote=SHARED, milestone=milestone, fact="due")
    actor = Actor.objects.create(key="jeanne-martin", name="Jeanne Martin", kind="person")
    involvement = Involvement.objects.create(mission=mission, actor=actor, role="pilot")
    CitationFactory(source=source, quote=PILOT, involvement=involvement, fact="role")
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    notes = notes_of(html)
    assert notes[1].startswith(f"[1] « {PILOT} »") and "Jeanne Martin (rôle)" in notes[1]
    assert notes[2].startswith(f"[2] « {SHARED} »") and "(échéance)" in notes[2]
    assert markers(html, "involvement", involvement.pk) == [1]
    assert markers(html, "milestone", milestone.pk) == [2]


def test_milestones_sharing_a_title_read_as_one_line_with_a_link_back_to_each(
    client: Client,
) -> None:
    source = SourceFactory(text=TEXT)
    mission = MissionFactory()
    rows = [
        MilestoneFactory(workstream=WorkstreamFactory(mission=mission), title="Comité de pilotage")
        for _ in range(3)
    ]
    for milestone in rows:
        CitationFactory(source=source, quote=SHARED, milestone=milestone, fact="due")
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    notes = notes_of(html)
    assert list(notes) == [1]
    assert notes[1].count("Comité de pilotage (échéance)") == 1
    for number, milestone in enumerate(rows, start=1):
        assert f"Retour à la citation {number} : Comité de pilotage" in html
        assert f'href="#cite-milestone-{milestone.pk}-1"' in html


def test_many_notes_are_folded_and_few_are_open(client: Client) -> None:
    sentences = [f"Phrase numéro {n} du communiqué." for n in range(NOTES_SHOWN_OPEN + 1)]
    source = SourceFactory(text=" ".join(sentences))
    few, many = MissionFactory(), MissionFactory()
    for sentence in sentences[:NOTES_SHOWN_OPEN]:
        CitationFactory(source=source, quote=sentence, mission=few)
    for sentence in sentences:
        CitationFactory(source=source, quote=sentence, mission=many)

    def notes_tag(mission: object) -> str:
        html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()  # type: ignore[attr-defined]
        return re.search(r"<details[^>]*>\s*<summary[^>]*>[^<]*", html)[0]  # type: ignore[index]

    assert " open" in notes_tag(few) and f"{NOTES_SHOWN_OPEN} passages cités" in notes_tag(few)
    folded = notes_tag(many)
    assert " open" not in folded and f"{NOTES_SHOWN_OPEN + 1} passages cités" in folded


def test_milestone_and_workstream_pages_number_their_own_notes(
    plan: dict[str, object], client: Client
) -> None:
    milestone, workstream = plan["milestone"], plan["workstream"]
    html = client.get(reverse("initiatives:milestone", args=[milestone.pk])).content.decode()  # type: ignore[attr-defined]
    assert list(notes_of(html)) == [1]
    assert markers(html, "milestone", milestone.pk) == [1]  # type: ignore[attr-defined]
    url = reverse("initiatives:workstream", args=[workstream.mission.key, workstream.key])  # type: ignore[attr-defined]
    html = client.get(url).content.decode()
    assert list(notes_of(html)) == [1]  # the workstream and its milestone share the passage
    assert markers(html, "workstream", workstream.pk) == [1]  # type: ignore[attr-defined]
    assert markers(html, "milestone", milestone.pk) == [1]  # type: ignore[attr-defined]


def test_a_page_without_quotes_says_so(client: Client) -> None:
    mission = MissionFactory()
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    assert "<details" not in html
    assert "aucune citation" in visible_text(html).lower()


def test_source_page_links_each_quoted_passage_once_to_what_it_supports(
    plan: dict[str, object], client: Client
) -> None:
    source, milestone, workstream = plan["source"], plan["milestone"], plan["workstream"]
    html = client.get(reverse("initiatives:source", args=[source.key])).content.decode()  # type: ignore[attr-defined]
    text = html.split('class="source-text"')[1].split("</div>")[0]
    # Two passages quoted (one of them by three citations): two links in the text, no run.
    assert re.findall(r'href="#passage-(\d+)"', text) == ["1", "2"]
    assert "↗" not in html
    assert text.count("<mark>") == 2
    listed = re.findall(
        r'<li id="passage-(\d+)" class="footnote passage">(.*?)</li>\s*(?=<li id|</ol>)', html, re.S
    )
    assert [n for n, _ in listed] == ["1", "2"]
    shared = " ".join(visible_text(listed[1][1]).split())
    assert f"« {SHARED} »" in shared
    # A milestone says its workstream: milestones of several workstreams share titles.
    assert "Jalon : Premières offres qualifiées (échéance, existence du jalon)" in shared
    assert "chantier « Qualifier les offres »" in shared
    assert "Chantier : Qualifier les offres (existence du chantier)" in shared
    assert reverse("initiatives:milestone", args=[milestone.pk]) in listed[1][1]  # type: ignore[attr-defined]
    assert (
        reverse("initiatives:workstream", args=[workstream.mission.key, workstream.key])  # type: ignore[attr-defined]
        in listed[1][1]
    )
    # Each listed passage leads back to its place in the text.
    assert 'href="#passage-ref-2"' in listed[1][1] and 'id="passage-ref-2"' in text
    # Every citation keeps its anchor, where the mission's notes lead.
    for pk in source.citations.values_list("pk", flat=True):  # type: ignore[attr-defined]
        assert html.count(f'id="quote-{pk}"') == 1


def test_source_page_marks_nested_quotes_once_each(client: Client) -> None:
    # "Le plan compte un chantier" inside "Le plan compte un chantier sur les offres.": two
    # passages, each with its one link where it ends.
    source = SourceFactory(text=TEXT)
    mission = MissionFactory()
    CitationFactory(source=source, quote="Le plan compte un chantier", mission=mission)
    workstream = WorkstreamFactory(mission=mission)
    CitationFactory(
        source=source, quote="Le plan compte un chantier sur les offres.", workstream=workstream
    )
    html = client.get(reverse("initiatives:source", args=[source.key])).content.decode()
    text = html.split('class="source-text"')[1].split("</div>")[0]
    assert re.findall(r'href="#passage-(\d+)"', text) == ["1", "2"]
    assert re.sub(r"<[^>]+>", "", text).count("Le plan compte un chantier") == 1
