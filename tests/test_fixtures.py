"""The curated fixtures: what the five seed texts say, each fact traceable to its quote."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from initiatives.models import Citation, DateBasis, Involvement, Milestone, Mission, Source
from initiatives.quotes import fold_whitespace

pytestmark = pytest.mark.django_db

SOURCES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sources"


def test_four_missions_with_their_workstreams(seeded: None) -> None:
    counts = {m.key: m.workstreams.count() for m in Mission.objects.all()}
    assert counts == {
        "mission-numerique-grands-groupes": 5,  # the five axes / chantiers
        "strategie-nationale-cloud": 3,  # the three pillars
        "declaration-franco-allemande-suite-souveraine": 3,  # suite, IA, cybersécurité
        "plan-cloud-nouvelle-france-industrielle": 3,  # the plan's three aims
    }


def test_texts_000_and_001_are_one_mission_with_two_sources(seeded: None) -> None:
    mission = Mission.objects.get(key="mission-numerique-grands-groupes")
    assert sorted(mission.sources.values_list("key", flat=True)) == [
        "dge-mission-numerique-grands-groupes",
        "usine-digitale-2020-08-05",
    ]
    assert {(i.actor.key, i.role) for i in mission.involvements.select_related("actor")} >= {
        ("juliette-de-maupeou", "coordinator"),
        ("nicolas-guerin", "coordinator"),
        ("bruno-le-maire", "announcer"),
        ("dge", "support"),
    }


def test_every_quote_stands_verbatim_in_its_source(seeded: None) -> None:
    citations = list(Citation.objects.select_related("source"))
    assert len(citations) > 80
    for cit in citations:
        passage = cit.source.text[cit.start_offset : cit.end_offset]
        assert fold_whitespace(passage) == cit.quote, cit.pk


def test_sources_are_the_seed_texts_with_their_hash(seeded: None) -> None:
    for source in Source.objects.all():
        assert hashlib.sha256(source.text.encode()).hexdigest() == source.text_sha256
    on_disk = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SOURCES_DIR.glob("*.txt")}
    assert set(Source.objects.values_list("text_sha256", flat=True)) == on_disk


def test_undated_texts_are_marked_public_record(seeded: None) -> None:
    basis = dict(Source.objects.values_list("key", "published_basis"))
    assert basis == {
        "usine-digitale-2020-08-05": DateBasis.TEXT,
        "dge-mission-numerique-grands-groupes": DateBasis.PUBLIC_RECORD,
        "strategie-nationale-cloud-2021": DateBasis.PUBLIC_RECORD,
        "alliances-europeennes-tech-2024": DateBasis.PUBLIC_RECORD,
        "plan-cloud-nfi-2014": DateBasis.TEXT,
    }
    for source in Source.objects.filter(published_basis=DateBasis.PUBLIC_RECORD):
        assert (
            "registre public" in source.published_note.lower()
            or "même lancement" in source.published_note
        )


def test_fuzzy_dates_keep_their_words_and_window(seeded: None) -> None:
    def due(mission: str, key: str) -> tuple[str, dt.date, dt.date, str]:
        m = Milestone.objects.get(mission__key=mission, key=key)
        return (m.due_text, m.due_start, m.due_end, m.due_precision)

    assert due("mission-numerique-grands-groupes", "premier-point-etape") == (
        "à l'automne",
        dt.date(2020, 9, 22),
        dt.date(2020, 12, 20),
        "season",
    )
    assert due("mission-numerique-grands-groupes", "e-paiement-livraison") == (
        "avant fin 2021",
        dt.date(2021, 1, 1),
        dt.date(2021, 12, 31),
        "year",
    )
    assert due("plan-cloud-nouvelle-france-industrielle", "plan-ficele") == (
        "d'ici le printemps",
        dt.date(2014, 3, 20),
        dt.date(2014, 6, 20),
        "season",
    )
    assert due("plan-cloud-nouvelle-france-industrielle", "propositions-finalisees") == (
        "pour le mois de mars 2014",
        dt.date(2014, 3, 1),
        dt.date(2014, 3, 31),
        "month",
    )
    assert due("plan-cloud-nouvelle-france-industrielle", "entretien-ministre") == (
        "le 24 janvier",
        dt.date(2014, 1, 24),
        dt.date(2014, 1, 24),
        "day",
    )
    # "hier" in a text published (public record) on 6 February 2024.
    assert due("declaration-franco-allemande-suite-souveraine", "annonce-declaration")[
        1
    ] == dt.date(2024, 2, 5)


def test_budget_keeps_its_qualifier(seeded: None) -> None:
    cloud = Mission.objects.get(key="strategie-nationale-cloud")
    assert (cloud.budget_eur, cloud.budget_qualifier, cloud.budget_text) == (
        100_000_000,
        "more_than",
        "supérieur à 100m€",
    )
    assert cloud.citations.filter(fact="budget", quote__contains="supérieur à 100m€").exists()
    assert sorted(cloud.labels.values_list("key", flat=True)) == [
        "cloud",
        "cloud-de-confiance",
        "france-relance",
        "pia4",
        "secnumcloud",
    ]


def test_every_fact_has_a_quote_or_an_editorial_note(seeded: None) -> None:
    for ms in Milestone.objects.prefetch_related("citations"):
        facts = {c.fact for c in ms.citations.all()}
        assert "" in facts or "existence" in facts or "existence" in ms.editorial, ms.key
        if ms.due_text:
            assert facts & {"", "due"} or "due" in ms.editorial, ms.key
    for inv in Involvement.objects.prefetch_related("citations"):
        assert inv.citations.exists() or "role" in inv.editorial
    for mission in Mission.objects.all():
        if mission.launch_text and not mission.citations.filter(fact__in=["", "launch"]).exists():
            assert "launch" in mission.editorial
