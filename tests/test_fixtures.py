"""The curated fixtures: what the five seed texts say, each fact traceable to its quote."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from initiatives import selectors
from initiatives.models import (
    Actor,
    Assessed,
    Assessment,
    Citation,
    DateBasis,
    Evidence,
    Involvement,
    Milestone,
    Mission,
    Source,
)
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
    evidence = list(Evidence.objects.select_related("source"))
    assert len(evidence) >= 12
    for item in evidence:
        passage = item.source.text[item.start_offset : item.end_offset]
        assert fold_whitespace(passage) == item.quote, item.pk


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


def test_the_cloud_strategy_has_no_budget_the_amount_is_its_ami_projects(seeded: None) -> None:
    # "Un Appel à Manifestation d'intérêt a déjà permis d'identifier 5 projets pour un montant
    # supérieur à 100m€": those projects' amount, not the strategy's budget.
    cloud = Mission.objects.get(key="strategie-nationale-cloud")
    assert (cloud.budget_eur, cloud.budget_qualifier, cloud.budget_text) == (None, "", "")
    assert not cloud.citations.filter(fact="budget").exists()
    assert not Mission.objects.filter(budget_eur__isnull=False).exists()
    ami = cloud.milestones.get(key="ami-projets-identifies")
    assert "supérieur à 100 M€" in ami.title and ami.workstream.key == "strategie-industrielle"
    assert ami.citations.filter(quote__contains="montant supérieur à 100m€").exists()
    assert "100 M€" in ami.workstream.summary
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


# --- Kinds: events never count toward progress -------------------------------------------------

EVENTS = {
    ("mission-numerique-grands-groupes", key)
    for key in (
        "annonce",
        "debut-des-travaux",
        "premier-point-etape",
        *(
            f"{chantier}-avancement"
            for chantier in (
                "competences-formations",
                "souverainete-donnees",
                "startups-grands-groupes",
                "e-paiement",
                "intelligence-artificielle",
            )
        ),
    )
} | {
    ("strategie-nationale-cloud", "presentation"),
    ("declaration-franco-allemande-suite-souveraine", "annonce-declaration"),
    ("declaration-franco-allemande-suite-souveraine", "conference-logiciels-espions"),
    ("declaration-franco-allemande-suite-souveraine", "accord-pall-mall"),
    ("plan-cloud-nouvelle-france-industrielle", "espace-schengen-donnees"),
    ("plan-cloud-nouvelle-france-industrielle", "entretien-ministre"),
}


def test_announcements_meetings_conferences_and_signatures_are_events(seeded: None) -> None:
    kinds = {
        (mission, key): kind
        for mission, key, kind in Milestone.objects.values_list("mission__key", "key", "kind")
    }
    assert {k for k, kind in kinds.items() if kind == Milestone.Kind.EVENT} == EVENTS
    # Every other seed milestone is a promised result: the diagnoses and deliveries of the
    # five chantiers, the label, Cloud au centre, the AMI, the spring plan, the proposals,
    # the extension to other member states, the shared messaging service.
    deliverables = {k for k, kind in kinds.items() if kind == Milestone.Kind.DELIVERABLE}
    assert len(deliverables) == 10 + 3 + 2 + 2
    assert deliverables | EVENTS == set(kinds)


def test_progress_counts_deliverables_only(seeded: None) -> None:
    progress = dict(selectors.missions_with_progress().values_list("key", "progress"))
    # The declaration's dated milestones are its announcement, the conference and the
    # signature, all events: nothing to measure (it was 100 % when they counted).
    assert progress["declaration-franco-allemande-suite-souveraine"] is None
    # The strategy's only dated milestone is its presentation: nothing to measure either.
    assert progress["strategie-nationale-cloud"] is None
    # The 2014 plan: its spring plan and March proposals, neither done (the speech and the
    # meeting no longer make it 50 %).
    assert progress["plan-cloud-nouvelle-france-industrielle"] == 0
    # The 2020 mission: each chantier's delivery before the end of 2021, none declared done.
    assert progress["mission-numerique-grands-groupes"] == 0
    workstreams = {
        (w.mission.key, w.key): w.progress
        for w in selectors.workstreams_with_progress().select_related("mission")
    }
    # A workstream with only events (the conference, the signature) has no progress.
    assert (
        workstreams[("declaration-franco-allemande-suite-souveraine", "cybersecurite-partenariats")]
        is None
    )


# --- Corrections ---------------------------------------------------------------------------------


def test_companies_at_the_conference_are_not_parties_to_the_declaration(seeded: None) -> None:
    declaration = Mission.objects.get(key="declaration-franco-allemande-suite-souveraine")
    actors = set(declaration.involvements.values_list("actor__key", flat=True))
    assert actors == {"gouvernement-francais", "allemagne", "royaume-uni", "stephanie-schaer"}
    assert not Involvement.objects.filter(actor__key__in=["apple", "google", "microsoft"]).exists()
    assert not Actor.objects.filter(key__in=["apple", "google", "microsoft"]).exists()
    # The conference says who attends, with its quote.
    conference = declaration.milestones.get(key="conference-logiciels-espions")
    assert conference.citations.filter(
        fact="existence", quote__contains="dont Apple, Google et Microsoft"
    ).exists()


# --- Assessments seeded from the texts ------------------------------------------------------------

SEEDED_ASSESSMENTS = {
    ("mission-numerique-grands-groupes", None, "mission-engagee"): "engaged",
    ("mission-numerique-grands-groupes", "annonce", "lancement-constate"): "achieved",
    ("mission-numerique-grands-groupes", "debut-des-travaux", "debut-constate"): "achieved",
    ("strategie-nationale-cloud", None, "strategie-engagee"): "engaged",
    ("strategie-nationale-cloud", "presentation", "presentation-constatee"): "achieved",
    ("strategie-nationale-cloud", "cloud-prerequis", "politique-adoptee"): "engaged",
    ("strategie-nationale-cloud", "ami-projets-identifies", "projets-identifies"): "achieved",
    (
        "declaration-franco-allemande-suite-souveraine",
        "annonce-declaration",
        "annonce-constatee",
    ): "achieved",
    (
        "declaration-franco-allemande-suite-souveraine",
        "conference-logiciels-espions",
        "conference-ouverte",
    ): "achieved",
    ("plan-cloud-nouvelle-france-industrielle", None, "plan-engage"): "engaged",
    (
        "plan-cloud-nouvelle-france-industrielle",
        "espace-schengen-donnees",
        "appel-constate",
    ): "achieved",
    (
        "plan-cloud-nouvelle-france-industrielle",
        "entretien-ministre",
        "entretien-constate",
    ): "achieved",
}


def test_assessments_stand_on_quotes_of_the_seed_texts(seeded: None) -> None:
    found = {}
    for a in Assessment.objects.select_related("mission", "milestone__mission"):
        mission = a.mission or a.milestone.mission
        found[(mission.key, a.milestone.key if a.milestone else None, a.key)] = a.rating
        assert a.assessor is None and a.rationale
        assert a.evidence.exists(), a.key
        # As of the publication of what it stands on (the 2014 article: the day it reports).
        published = {e.source.published_on for e in a.evidence.select_related("source")}
        assert a.as_of in published or (a.as_of, published) == (
            dt.date(2014, 1, 24),
            {dt.date(2014, 1, 1)},
        ), a.key
    assert found == SEEDED_ASSESSMENTS
    # Only the DGE's own communiqué is the act itself; the rest are press reports of it.
    assert set(Evidence.objects.filter(primary=True).values_list("source__key", flat=True)) == {
        "dge-mission-numerique-grands-groupes"
    }
    # The current assessment is copied on what it assesses.
    conference = Milestone.objects.get(key="conference-logiciels-espions")
    assert (conference.assessed_status, conference.assessed_on) == (
        Assessed.ACHIEVED,
        dt.date(2024, 2, 6),
    )
    assert Mission.objects.get(key="strategie-nationale-cloud").assessed_status == Assessed.ENGAGED
    # The text announces the Pall Mall Process signature, it does not report it: unassessed.
    pall_mall = Milestone.objects.get(key="accord-pall-mall")
    assert pall_mall.assessed_status == Assessed.NOT_ASSESSED and not pall_mall.assessments.exists()
    assert (
        Mission.objects.get(key="declaration-franco-allemande-suite-souveraine").assessed_status
        == Assessed.NOT_ASSESSED
    )
