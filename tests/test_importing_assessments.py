"""Assessments in fixture documents: checked like every quote, recorded through the service,
identified by what they assess and their key, never deleted for leaving a document."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from initiatives import importing
from initiatives.models import Assessed, Assessment, Evidence, HistoryEntry, Milestone, Mission

from .factories import SOURCE_TEXT, document, write_document
from .test_importing import MODELS, errors_of

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        m.__name__: sorted(map(tuple, m.objects.values_list()))
        for m in (*MODELS, Assessment, Evidence)
    }


def assessed(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with an assessment of its first milestone and one of its mission."""
    mission = doc["missions"][0]
    mission["workstreams"][0]["milestones"][0]["assessments"] = [
        {
            "key": "offres-engagees",
            "rating": "engaged",
            "as_of": "2025-03-10",
            "rationale": "Le ministère annonce la qualification des premières offres.",
            "evidence": [
                {
                    "source": "communique-test",
                    "quote": "Les premières offres  seront qualifiées",
                    "primary": "true",
                }
            ],
        }
    ]
    mission["assessments"] = [
        {
            "key": "plan-annonce",
            "rating": "no_evidence",
            "as_of": "2025-03-10",
            "rationale": "Le communiqué annonce le plan ; rien n'en montre encore la mise en œuvre.",
        }
    ]
    return doc


MILESTONE = "missions[0].workstreams[0].milestones[0]"


def first_assessment(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["missions"][0]["workstreams"][0]["milestones"][0]["assessments"][0]


def test_assessments_are_created_through_the_service_with_their_evidence(tmp_path: Path) -> None:
    plan = importing.import_paths([write_document(tmp_path, assessed(document()))])

    assert plan.counts()["Assessment"] == {"create": 2}
    offres = Assessment.objects.get(key="offres-engagees")
    assert (offres.milestone.key, offres.rating, offres.as_of, offres.assessor) == (
        "premieres-offres",
        "engaged",
        dt.date(2025, 3, 10),
        None,
    )
    evidence = offres.evidence.get()
    # Stored folded, like a citation, its offsets on the passage as published.
    assert (evidence.source.key, evidence.quote, evidence.primary) == (
        "communique-test",
        "Les premières offres seront qualifiées",
        True,
    )
    assert SOURCE_TEXT[evidence.start_offset : evidence.end_offset] == evidence.quote
    # The service copied the current rating on what it assesses; an import is not news.
    milestone = Milestone.objects.get(key="premieres-offres")
    assert (milestone.assessed_status, milestone.assessed_on, milestone.news_on) == (
        Assessed.ENGAGED,
        dt.date(2025, 3, 10),
        None,
    )
    mission = Mission.objects.get(key="plan-cloud-souverain")
    assert mission.assessed_status == Assessed.NO_EVIDENCE
    assert not mission.assessments.get().evidence.exists()
    # The copy on the milestone is signed as the import in its history.
    last = HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=milestone.pk)
    assert last.order_by("-pk").values_list("via", flat=True).first() == "import"


def test_importing_the_same_assessments_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_document(tmp_path, assessed(document()))
    importing.import_paths([path])
    before = snapshot()

    plan = importing.import_paths([path])

    assert plan.is_noop
    assert plan.counts()["Assessment"] == {"unchanged": 2}
    assert snapshot() == before


def test_a_changed_assessment_is_a_new_revision_under_the_same_key(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, assessed(document()))])
    doc = assessed(document())
    first_assessment(doc).update(
        rating="achieved",
        as_of="2025-12-31",
        rationale="Les premières offres sont qualifiées.",
    )
    first_assessment(doc)["evidence"][0]["primary"] = "false"

    path = write_document(tmp_path, doc)
    dry = importing.import_paths([path], dry_run=True)
    change = next(c for c in dry.changes if c.model == "Assessment" and c.action == "create")
    assert change.key == "milestone / plan-cloud-souverain / premieres-offres / offres-engagees"
    assert set(change.fields) == {"rating", "as_of", "rationale", "evidence"}
    assert change.fields["rating"] == ("engaged", "achieved")
    importing.import_paths([path])

    revisions = Assessment.objects.filter(key="offres-engagees").order_by("recorded_at", "pk")
    assert [(a.rating, a.as_of) for a in revisions] == [
        ("engaged", dt.date(2025, 3, 10)),
        ("achieved", dt.date(2025, 12, 31)),
    ]
    assert not revisions.last().evidence.get().primary
    assert Milestone.objects.get(key="premieres-offres").assessed_status == Assessed.ACHIEVED
    # The revision is now the one compared with: importing it again changes nothing.
    assert importing.import_paths([path]).is_noop


def test_an_assessment_the_document_no_longer_lists_stays(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, assessed(document()))])
    doc = assessed(document())
    del doc["missions"][0]["workstreams"][0]["milestones"][0]["assessments"]

    plan = importing.import_paths([write_document(tmp_path, doc)])

    assert plan.is_noop and not any(c.key.endswith("offres-engagees") for c in plan.changes)
    assert Assessment.objects.filter(key="offres-engagees").exists()


def test_a_milestone_that_goes_takes_its_assessments_and_the_plan_says_so(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, assessed(document()))])
    doc = assessed(document())
    del doc["missions"][0]["workstreams"][0]["milestones"][0]

    plan = importing.import_paths([write_document(tmp_path, doc)], dry_run=True)

    assert [(c.model, c.key) for c in plan.changes if c.action == "delete"] == [
        (
            "Citation",
            "milestone / plan-cloud-souverain / premieres-offres / communique-test / Les premières offres seront qualifiées d'ici fin 2025 / ",
        ),
        ("Milestone", "plan-cloud-souverain / premieres-offres"),
        ("Assessment", "milestone / plan-cloud-souverain / premieres-offres / offres-engagees"),
    ]
    importing.import_paths([write_document(tmp_path, doc)])
    assert not Assessment.objects.filter(key="offres-engagees").exists()


def test_a_quote_not_in_its_source_is_an_error_at_its_path_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    before = snapshot()
    doc = assessed(document())
    doc["missions"][0]["title"] = "Titre modifié qui ne doit pas arriver en base"
    first_assessment(doc)["evidence"][0]["quote"] = "Les premières offres sont qualifiées"
    path = write_document(tmp_path, doc)

    assert errors_of([path]) == [
        f'{path}: {MILESTONE}.assessments[0].evidence[0].quote: quote not found verbatim in source "communique-test": "Les premières offres sont qualifiées"'
    ]
    assert snapshot() == before


def test_every_assessment_error_is_reported_with_its_path(tmp_path: Path) -> None:
    doc = assessed(document())
    first_assessment(doc).update(
        evidence=[], as_of=str(timezone.localdate() + dt.timedelta(days=1))
    )
    doc["missions"][0]["assessments"][0].update(rating="superseded", successor="plan-inconnu")
    doc["missions"][0]["workstreams"][0]["milestones"][1]["assessments"] = [
        {
            "key": "bilan",
            "rating": "no_evidence",
            "as_of": "2025-03-10",
            "rationale": "Rien.",
            "successor": "premieres-offres",
            "evidence": [{"source": "source-inconnue", "quote": "Rien"}],
        },
        {"key": "bilan", "rating": "no_evidence", "as_of": "2025-03-10", "rationale": "Encore."},
    ]
    path = write_document(tmp_path, doc)
    second = "missions[0].workstreams[0].milestones[1]"

    assert sorted(errors_of([path])) == sorted(
        [
            f"{path}: {MILESTONE}.assessments[0].as_of: an assessment cannot be dated in the future",
            f"{path}: {MILESTONE}.assessments[0].evidence: this rating needs at least one piece of evidence: a source and a verbatim quote of it",
            f"{path}: missions[0].assessments[0].evidence: this rating needs at least one piece of evidence: a source and a verbatim quote of it",
            f'{path}: missions[0].assessments[0].successor: unknown mission key "plan-inconnu"',
            f'{path}: {second}.assessments[0].evidence[0].source: unknown source key "source-inconnue"',
            f"{path}: {second}.assessments[0].successor: only a rating “no longer relevant / replaced” points to a successor",
            f"{path}: {second}.assessments[1]: duplicate key milestone/plan-cloud-souverain/bilan/bilan (already defined at {path}: {second}.assessments[0])",
        ]
    )
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"rating": "fait"}, ".rating: must be one of 'not_assessed', "),
        ({"as_of": "le 5 août"}, '.as_of: expected a date as YYYY-MM-DD, got "le 5 août"'),
        ({"rationale": "  "}, ".rationale: must not be empty"),
        (
            {
                "evidence": [
                    {"source": "communique-test", "quote": "Le ministère", "primary": "peut-être"}
                ]
            },
            '.evidence[0].primary: expected true or false, got "peut-être"',
        ),
        ({"auteur": "moi"}, ".auteur: unknown field"),
    ],
    ids=["rating", "date", "rationale", "primary", "unknown-field"],
)
def test_a_malformed_assessment_is_refused_with_its_path(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    doc = assessed(document())
    first_assessment(doc).update(change)
    path = write_document(tmp_path, doc)
    errors = errors_of([path])
    assert any(e.startswith(f"{path}: {MILESTONE}.assessments[0]{expected}") for e in errors), (
        errors
    )


def test_a_replaced_milestone_points_to_its_successor(tmp_path: Path) -> None:
    doc = document()
    milestones = doc["missions"][0]["workstreams"][0]["milestones"]
    milestones[0]["assessments"] = [
        {
            "key": "remplace",
            "rating": "superseded",
            "as_of": "2025-03-10",
            "rationale": "Le bilan remplace cette échéance.",
            "successor": "bilan",
            "evidence": [{"source": "communique-test", "quote": "un bilan sera présenté"}],
        }
    ]
    importing.import_paths([write_document(tmp_path, doc)])
    replaced = Assessment.objects.get(key="remplace")
    assert replaced.successor_milestone.key == "bilan"

    milestones[0]["assessments"][0]["successor"] = "premieres-offres"
    path = write_document(tmp_path, doc)
    assert errors_of([path]) == [
        f"{path}: {MILESTONE}.assessments[0].successor: a milestone cannot replace itself"
    ]
    milestones[0]["assessments"][0]["successor"] = "ailleurs"
    assert errors_of([path := write_document(tmp_path, doc)]) == [
        f'{path}: {MILESTONE}.assessments[0].successor: unknown milestone key "ailleurs" in mission plan-cloud-souverain'
    ]


def test_evidence_moves_with_a_new_source_text_or_the_text_is_refused(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, assessed(document()))])
    referentiel = document(missions=[])

    moved = "Préambule ajouté.\n" + SOURCE_TEXT
    plan = importing.import_paths(
        [write_document(tmp_path, referentiel, name="ref.yaml", text=moved)]
    )
    assert plan.counts()["Evidence"] == {"update": 1}
    evidence = Evidence.objects.select_related("source").get()
    assert evidence.source.text[evidence.start_offset : evidence.end_offset] == evidence.quote

    cut = moved.replace("Les premières offres seront qualifiées", "Les offres seront qualifiées")
    path = write_document(tmp_path, referentiel, name="ref.yaml", text=cut)
    errors = errors_of([path])
    assert (
        f'{path}: sources[0].text_file: quote not found verbatim in source "communique-test": "Les premières offres seront qualifiées" (evidence of an assessment in mission plan-cloud-souverain)'
        in errors
    )
    assert Evidence.objects.get().source.text == moved


def test_the_plan_reads_assessments_in_a_fixed_number_of_queries(tmp_path: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = write_document(tmp_path, assessed(document()))
    importing.import_paths([path])
    documents = importing.documents_parse([path])
    with CaptureQueriesContext(connection) as few:
        importing.plan_build(documents)
    for n in range(20):
        doc = assessed(document())
        first_assessment(doc)["rationale"] += f" Révision {n}."
        importing.import_paths([write_document(tmp_path, doc)])
    with CaptureQueriesContext(connection) as many:
        importing.plan_build(documents)
    assert len(many) == len(few)


def test_the_readme_example_is_a_valid_assessment_of_a_seed(seeded: None) -> None:
    readme = (FIXTURES_DIR / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Assessments.*?```yaml\n(.*?)```", readme, re.S).group(1)
    data = importing._load(block)
    (example,) = [importing.AssessmentDoc.model_validate(a) for a in data["assessments"]]
    assert example.rating in Assessed.values and example.evidence[0].primary is False
    seeded_one = Assessment.objects.get(key=example.key)
    assert (seeded_one.rating, seeded_one.as_of, seeded_one.rationale) == (
        example.rating,
        example.as_of,
        example.rationale,
    )
    assert seeded_one.evidence.get().quote == example.evidence[0].quote


def test_the_admin_preview_shows_what_an_assessment_says(tmp_path: Path) -> None:
    path = write_document(tmp_path, assessed(document()))
    with translation.override("en"):
        preview = importing.Preview.of_plan(importing.import_paths([path], dry_run=True))
        row = next(r for r in preview.rows if r.key.endswith("offres-engagees"))
        assert (row.model_label, row.action) == ("Assessment", "create")
        assert row.label == "engaged — Le ministère annonce la qualification des premières offres."
