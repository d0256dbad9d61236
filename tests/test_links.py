"""Links between missions: typed, each side reading it its own way, supported like every fact;
imported from documents, shown on both pages with their notes, filtered in the mission list,
drawn as threads on the frise and lined up on /lignee/."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from initiatives import importing
from initiatives.models import Citation, Milestone, Mission, MissionLink

from .factories import (
    CitationFactory,
    MissionFactory,
    MissionLinkFactory,
    SourceFactory,
    document,
    write_document,
)
from .test_importing import errors_of

pytestmark = pytest.mark.django_db


# --- The model ---------------------------------------------------------------------------------


def test_a_link_is_unique_per_kind_and_never_to_itself() -> None:
    link = MissionLinkFactory(kind="continues")
    MissionLinkFactory(from_mission=link.from_mission, to_mission=link.to_mission, kind="replaces")
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionLinkFactory(
            from_mission=link.from_mission, to_mission=link.to_mission, kind="continues"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionLinkFactory(from_mission=link.from_mission, to_mission=link.from_mission)


# --- The importer ------------------------------------------------------------------------------


def linked(link: dict[str, Any] | None = None) -> dict[str, Any]:
    """The factories' document with a second mission that replaces the first, quoted."""
    doc = document()
    second = copy.deepcopy(doc["missions"][0])
    second.update(key="plan-cloud-2", title="Second plan pour le cloud", workstreams=[])
    second["actors"] = []
    second["links"] = [
        link
        or {
            "to": "plan-cloud-souverain",
            "kind": "replaces",
            "citations": [
                {"source": "communique-test", "quote": "Le plan est piloté par Jeanne Martin"}
            ],
        }
    ]
    doc["missions"].append(second)
    return doc


def changes(plan: importing.ImportPlan, model: str) -> list[str]:
    return [c.action for c in plan.changes if c.model == model]


def test_a_documents_link_is_planned_applied_and_reimported_unchanged(tmp_path: Path) -> None:
    path = write_document(tmp_path, linked())
    assert changes(importing.import_paths([path], dry_run=True), "MissionLink") == ["create"]
    assert not MissionLink.objects.exists()  # a dry run writes nothing
    importing.import_paths([path])
    link = MissionLink.objects.get()
    assert (link.from_mission.key, link.to_mission.key, link.kind) == (
        "plan-cloud-2",
        "plan-cloud-souverain",
        "replaces",
    )
    cited = Citation.objects.get(link=link)
    assert cited.quote == "Le plan est piloté par Jeanne Martin"
    again = importing.import_paths([path])
    assert {c.action for c in again.changes} == {"unchanged"}


def test_a_link_the_document_no_longer_states_goes(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, linked())])
    doc = linked()
    doc["missions"][1]["links"] = []
    plan = importing.import_paths([write_document(tmp_path, doc)])
    assert changes(plan, "MissionLink") == ["delete"]
    assert not MissionLink.objects.exists() and not Citation.objects.filter(link__isnull=False)


def test_a_link_may_rest_on_an_editorial_note_and_lead_to_a_mission_of_the_database(
    tmp_path: Path,
) -> None:
    MissionFactory(key="plan-ancien", title="Plan ancien")
    doc = document()
    doc["missions"][0]["links"] = [
        {"to": "plan-ancien", "kind": "continues", "editorial": {"existence": "Registre public."}}
    ]
    importing.import_paths([write_document(tmp_path, doc)])
    link = MissionLink.objects.get()
    assert link.to_mission.key == "plan-ancien" and link.editorial == {
        "existence": "Registre public."
    }


@pytest.mark.parametrize(
    ("link", "where", "message"),
    [
        (
            {"to": "inconnue", "kind": "replaces", "editorial": {"existence": "Note."}},
            "missions[1].links[0].to",
            'unknown mission key "inconnue"',
        ),
        (
            {"to": "plan-cloud-2", "kind": "replaces", "editorial": {"existence": "Note."}},
            "missions[1].links[0].to",
            "a mission cannot be linked to itself",
        ),
        (
            {"to": "plan-cloud-souverain", "kind": "replaces"},
            "missions[1].links[0]",
            'no quote supports the fact "existence"',
        ),
        (
            {"to": "plan-cloud-souverain", "kind": "succeeds", "editorial": {"existence": "N."}},
            "missions[1].links[0].kind",
            "",
        ),
    ],
)
def test_a_bad_link_is_refused_at_its_path(
    tmp_path: Path, link: dict[str, Any], where: str, message: str
) -> None:
    errors = errors_of([write_document(tmp_path, linked(link))])
    assert any(f": {where}: " in e and message in e for e in errors), errors
    assert not Mission.objects.exists()


# --- The pages ---------------------------------------------------------------------------------


def test_both_missions_pages_show_the_link_with_its_note(client: Client) -> None:
    old = MissionFactory(key="plan-2014", title="Plan Cloud 2014")
    new = MissionFactory(key="strategie-2021", title="Stratégie Cloud 2021")
    source = SourceFactory(text="La stratégie de 2021 remplace le plan Cloud de 2014.")
    link = MissionLinkFactory(from_mission=new, to_mission=old, kind="replaces")
    CitationFactory(link=link, source=source, quote="remplace le plan Cloud de 2014")
    html = client.get("/missions/strategie-2021/").content.decode()
    assert "Remplace :" in html and 'href="/missions/plan-2014/">Plan Cloud 2014</a>' in html
    assert 'id="cite-link-' in html and "« remplace le plan Cloud de 2014 »" in html
    # The note names what it supports: both missions and the link, in words.
    assert "Stratégie Cloud 2021 — remplace — Plan Cloud 2014" in html
    other = client.get("/missions/plan-2014/").content.decode()
    assert "Remplacé par :" in other and "Stratégie Cloud 2021</a>" in other
    assert 'id="cite-link-' in other
    # The source page says what the passage supports.
    text = client.get(f"/sources/{source.key}/").content.decode()
    assert "Lien entre missions" in text and 'href="/missions/strategie-2021/"' in text


def test_the_curated_link_reads_both_ways_with_its_editorial_note(
    seeded: None, client: Client
) -> None:
    html = client.get("/missions/strategie-nationale-cloud/").content.decode()
    assert "Prolonge :" in html and "Plan Cloud de la Nouvelle France industrielle</a>" in html
    assert "le lien est de la rédaction" in html
    other = client.get("/missions/plan-cloud-nouvelle-france-industrielle/").content.decode()
    assert "Prolongé par :" in other and "Stratégie nationale pour le Cloud</a>" in other
    with translation.override("en"):
        english = client.get(
            "/missions/plan-cloud-nouvelle-france-industrielle/", HTTP_COOKIE="django_language=en"
        ).content.decode()
    assert "Continued by:" in english


def test_the_mission_list_filters_on_links_either_side(seeded: None, client: Client) -> None:
    def titles(query: str) -> list[str]:
        html = client.get("/missions/" + query).content.decode()
        return [
            p.split("</a>")[0].split(">", 1)[1] for p in html.split('class="mission-title"')[1:]
        ]

    expected = [
        "Plan Cloud de la Nouvelle France industrielle",
        "Stratégie nationale pour le Cloud",
    ]
    assert titles("?lien=continues") == expected
    assert titles("?lien=any") == expected
    assert titles("?lien=replaces") == []
    # A stale or strange value is set aside, said so, and the list stays whole.
    page = client.get("/missions/?lien=%3Cscript%3E")
    assert page.status_code == 200 and len(titles("?lien=%3Cscript%3E")) == 4
    assert "<script>" not in page.content.decode().split("<main")[1]
    form = client.get("/missions/").content.decode()
    assert '<option value="continues">prolonge / prolongé par</option>' in form


def test_the_link_filter_keeps_the_lists_query_count(
    seeded: None, uncached: None, client: Client
) -> None:
    counts = []
    for query in ("", "?lien=continues"):
        client.get("/missions/" + query)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/missions/" + query).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_frise_draws_a_thread_from_the_later_row_to_the_earlier(
    seeded: None, client: Client
) -> None:
    html = client.get("/frise/").content.decode()
    row = html.split('id="frise-strategie-nationale-cloud"')[1].split('<div class="frise__track">')[
        0
    ]
    assert "↳ prolonge" in row
    assert 'href="#frise-plan-cloud-nouvelle-france-industrielle"' in row
    assert 'id="frise-plan-cloud-nouvelle-france-industrielle"' in html
    # In words too, outside the drawing (which is hidden from screen readers), in both views.
    for view in ("", "?view=table"):
        words = client.get("/frise/" + view).content.decode().split('id="threads"')[1]
        assert "Liens entre les missions de cette page" in words and "prolonge" in words


def test_the_lineage_lists_every_mission_in_order_with_its_links(
    seeded: None, client: Client
) -> None:
    html = client.get("/lignee/").content.decode()
    assert "<h1>Lignée des missions</h1>" in html
    order = [html.index(f'id="m-{key}"') for key in (
        "plan-cloud-nouvelle-france-industrielle",
        "mission-numerique-grands-groupes",
        "strategie-nationale-cloud",
        "declaration-franco-allemande-suite-souveraine",
    )]  # fmt: skip
    assert order == sorted(order)
    entry = html.split('id="m-plan-cloud-nouvelle-france-industrielle"')[1].split("</li>\n")[0]
    assert "Prolongé par :" in entry
    entry = html.split('id="m-strategie-nationale-cloud"')[1].split("</li>\n")[0]
    assert "Prolonge :" in entry and "le lien est de la rédaction" in entry


def test_the_lineage_query_count_does_not_grow_with_the_data(
    seeded: None, uncached: None, client: Client
) -> None:
    def count() -> int:
        client.get("/lignee/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/lignee/").status_code == 200
        return len(queries)

    before = count()
    source = SourceFactory(text="Chaque plan prolonge le précédent.")
    missions = [MissionFactory() for _ in range(30)]
    for earlier, later in zip(missions, missions[1:], strict=False):
        link = MissionLinkFactory(from_mission=later, to_mission=earlier, kind="continues")
        CitationFactory(link=link, source=source, quote="prolonge le précédent")
    assert count() == before <= 6


def test_the_lineage_is_cached_like_other_pages(seeded: None, client: Client) -> None:
    client.get("/lignee/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/lignee/").status_code == 200
    assert not any("initiatives_missionlink" in q["sql"] for q in queries.captured_queries)
    # A new link is a new data version: the page follows.
    MissionLinkFactory(
        from_mission=Mission.objects.get(key="declaration-franco-allemande-suite-souveraine"),
        to_mission=Mission.objects.get(key="strategie-nationale-cloud"),
        kind="responds_to",
    )
    assert "Répond à :" in client.get("/lignee/").content.decode()


def test_a_milestone_assessed_superseded_points_to_its_successor(
    tmp_path: Path, client: Client
) -> None:
    doc = document()
    first, successor = doc["missions"][0]["workstreams"][0]["milestones"]
    first["assessments"] = [
        {
            "key": "remplace-par-le-bilan",
            "rating": "superseded",
            "as_of": "2025-03-10",
            "rationale": "Le communiqué renvoie au bilan du plan.",
            "evidence": [
                {
                    "source": "communique-test",
                    "quote": "un bilan sera présenté au premier semestre 2026",
                }
            ],
            "successor": successor["key"],
        }
    ]
    importing.import_paths([write_document(tmp_path, doc)])
    milestone = Milestone.objects.get(key=first["key"])
    html = client.get(f"/jalons/{milestone.pk}/").content.decode()
    bilan = Milestone.objects.get(key=successor["key"])
    assert "sans objet / remplacé" in html
    assert f'Remplacé par : <a href="/jalons/{bilan.pk}/">Bilan du plan</a>' in html


def test_a_links_quote_is_found_by_the_search(client: Client) -> None:
    source = SourceFactory(
        text="La stratégie prolonge le plan Cloud de la Nouvelle France industrielle."
    )
    link = MissionLinkFactory(
        from_mission=MissionFactory(key="strategie", title="Stratégie"),
        to_mission=MissionFactory(key="plan", title="Plan"),
        kind="continues",
    )
    CitationFactory(link=link, source=source, quote="prolonge le plan Cloud")
    page = client.get("/recherche/?q=prolonge")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/missions/strategie/#links"' in html and "Stratégie — prolonge — Plan" in html
    # The mission stating the link is found by its quote, in the mission list too.
    assert 'id="m-strategie"' in client.get("/missions/?q=prolonge").content.decode()
