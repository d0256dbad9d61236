"""Search that reaches everything (issue 15): the search page `/recherche/` and the mission
list's `q`, on PostgreSQL (French stemming, accents, prefixes, hyphens). The embedded SQLite
fallback is exercised in tests/test_embedded.py."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives import selectors
from initiatives.models import Involvement

from .factories import (
    ActorFactory,
    CitationFactory,
    LabelFactory,
    MilestoneFactory,
    MissionFactory,
    SourceFactory,
    WorkstreamFactory,
)

pytestmark = pytest.mark.django_db
KINDS = ("missions", "workstreams", "milestones", "actors", "labels", "sources", "citations")


def search(client: Client, q: str) -> str:
    response = client.get("/recherche/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, kind: str) -> str:
    """The results of one kind ("" when the page has none)."""
    found = re.search(rf'<section[^>]*id="kind-{kind}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def mission_titles(html: str) -> list[str]:
    return re.findall(r'<a class="mission-title"[^>]*>([^<]*)</a>', html)


@pytest.mark.parametrize("q", ["Gaia-X", "Gaia", "gaia-x", "GAIA"])
def test_gaia_finds_the_mission_whose_source_discusses_it_with_the_passage(
    seeded: None, client: Client, q: str
) -> None:
    """The issue: no quote names Gaia-X, only the text of a source of this mission."""
    missions = section(search(client, q), "missions")
    assert ">Mission numérique des grands groupes</a>" in missions, missions
    assert 'href="/sources/usine-digitale-2020-08-05/"' in missions  # found in its source
    # The passage, the whole word marked across its hyphen.
    assert re.search(r"projet de cloud européen nommé <mark>Gaia(-X)?</mark>", missions), missions
    sources = section(search(client, q), "sources")
    assert "nommé <mark>Gaia" in sources
    # The mission list reaches it too: the "0 missions".
    listed = client.get("/missions/", {"q": q}).content.decode()
    assert mission_titles(listed) == ["Mission numérique des grands groupes"]


@pytest.mark.parametrize(
    ("q", "kind", "expected"),
    [
        # Accents: typed without, found with, and marked as written.
        ("strategie", "missions", "<mark>Stratégie</mark> nationale pour le Cloud"),
        ("ETAT", "citations", "l’<mark>État</mark>"),
        # Stemming: a plural finds the singular.
        (
            "editeur fournisseur",
            "workstreams",
            "des <mark>éditeurs</mark> et <mark>fournisseurs</mark>",
        ),
        ("logiciel espion", "milestones", "les <mark>logiciels</mark> <mark>espions</mark>"),
        ("pilotes", "citations", "<mark>pilotée</mark>"),
        # A word is also the beginning of longer ones: « souveraine » finds « souveraineté ».
        ("souveraine", "labels", "<mark>Souveraineté</mark> des données"),
        ("cyber", "labels", "<mark>Cybersécurité</mark>"),
        # Every kind: a milestone, an actor, a label.
        ("ficelé", "milestones", "Plan Cloud <mark>ficelé</mark>"),
        ("Capgemini", "actors", "<mark>Capgemini</mark> Invent"),
        ("SecNumCloud", "labels", "<mark>SecNumCloud</mark>"),
    ],
)
def test_french_stemming_accents_and_prefixes(
    seeded: None, client: Client, q: str, kind: str, expected: str
) -> None:
    found = section(search(client, q), kind)
    assert expected in found, found


def test_every_kind_is_found_grouped_with_its_passage_marked_and_escaped(client: Client) -> None:
    word = "Zéphyrine"
    mission = MissionFactory(title=f"<b>{word}</b> & cie", summary="Une mission <i>rare</i>.")
    workstream = WorkstreamFactory(summary=f"Accompagner les {word}s du territoire.")
    milestone = MilestoneFactory(comment=f"Reporté : la {word.lower()} n'est pas prête.")
    actor = ActorFactory(name="Agence des zéphyrs", description=f"Opérateur de {word}.")
    Involvement.objects.create(mission=workstream.mission, actor=actor, role="pilot")
    LabelFactory(name=f"Label {word}")
    text = f"Le ministère présente {word}, un cloud interministériel."
    source = SourceFactory(title="Communiqué du ministère", text=text)
    other = MissionFactory(title="Plan sans le mot", sources=[source])
    CitationFactory(source=source, quote=f"présente {word}", milestone=milestone)

    html = search(client, "zephyrine")  # no accent, lower case

    assert tuple(re.findall(r'<section[^>]*id="kind-(\w+)"', html)) == KINDS
    missions = section(html, "missions")
    # Its own title, escaped, the word marked; the others found through what they hold.
    assert f"&lt;b&gt;<mark>{word}</mark>&lt;/b&gt; &amp; cie" in missions
    assert "<b>" not in missions and "<i>" not in missions
    assert f'href="/missions/{other.key}/"' in missions  # through its source
    assert f'href="/missions/{workstream.mission.key}/"' in missions  # through its workstream
    assert f"les <mark>{word}s</mark> du territoire" in section(html, "workstreams")
    assert f"la <mark>{word.lower()}</mark> n&#x27;est pas prête" in section(html, "milestones")
    assert f"?actor={actor.key}" in section(html, "actors")
    assert f"Label <mark>{word}</mark>" in section(html, "labels")
    assert f'href="/sources/{source.key}/"' in section(html, "sources")
    quotes = section(html, "citations")
    assert f"« présente <mark>{word}</mark> »" in quotes
    assert f'href="/jalons/{milestone.pk}/"' in quotes  # what the quote supports
    assert f"/sources/{source.key}/#quote-" in quotes  # where it stands in its source
    assert f"{mission.title}" not in html  # never unescaped, anywhere on the page


def test_a_fixed_number_of_queries_results_capped_per_kind_with_the_count(
    client: Client,
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            workstream = WorkstreamFactory(title="Chantier boréal")
            MilestoneFactory(workstream=workstream, title="Jalon boréal")
            ActorFactory(name="Acteur boréal")
            LabelFactory(name="Label boréal")
            source = SourceFactory(text="Un plan boréal pour le cloud.")
            CitationFactory(source=source, quote="Un plan boréal", mission=workstream.mission)
            workstream.mission.title = "Mission boréale"
            workstream.mission.save()

    def measured() -> tuple[int, selectors.SearchResults]:
        with CaptureQueriesContext(connection) as queries:
            results = selectors.site_search("boreal")
        return len(queries), results

    add(2)
    few, results = measured()
    assert {group.kind: group.total for group in results.groups} == dict.fromkeys(KINDS, 2)
    add(12)
    many, results = measured()
    assert few == many == 7  # one query a kind, whatever the data
    assert all(len(group.rows) == selectors.PER_KIND for group in results.groups)
    assert all(group.total == 14 for group in results.groups)
    html = search(client, "boreal")
    assert "Les 10 plus proches sur 14 : ajoutez un mot pour affiner la recherche." in html
    assert 'href="/missions/?q=boreal"' in html  # all of them, in the mission list


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "&",
        "|",
        "!",
        ":*",
        "cloud:*",
        "a & b | !c",
        "((cloud",
        "\\",
        "'; DROP TABLE initiatives_mission; --",
        '"cloud de confiance" -santé OR Gaia',
        "<script>alert(1)</script>",
        "\ue000cloud\ue001",
        "x" * 10_000,
        "a\x00b",
        " ",
    ],
)
def test_odd_queries_never_fail(seeded: None, client: Client, q: str) -> None:
    for path in ("/recherche/", "/missions/"):
        response = client.get(path, {"q": q})
        assert response.status_code == 200, (path, q[:20])
        assert "<script>alert" not in response.content.decode()


def test_a_refused_query_is_shown_back_with_its_error_and_nothing_searched(
    seeded: None, client: Client
) -> None:
    typed = "cloud " * 40  # 240 characters
    html = search(client, typed)
    assert f'value="{typed}"' in html  # what was typed, kept
    assert 'aria-invalid="true"' in html
    assert "Assurez-vous que cette valeur comporte au plus 200 caractères" in html
    assert "<title>Erreur :" in html
    assert 'id="kind-' not in html


def test_the_header_search_bar_leads_to_the_search_page(seeded: None, client: Client) -> None:
    html = client.get("/").content.decode()
    bar = re.search(r'<div class="fr-header__search fr-modal".*?</form>', html, re.S)
    assert bar, "no search bar in the header"
    assert 'action="/recherche/"' in bar.group(0) and 'name="q"' in bar.group(0)
    assert 'class="fr-btn--search fr-btn"' in html  # the small screens' button opens it
