"""The importer: good documents land, bad ones are refused whole with every error and its path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from initiatives import importing
from initiatives.models import Actor, Citation, Label, Milestone, Mission, Source, Workstream

from .factories import SOURCE_TEXT, document, write_document

pytestmark = pytest.mark.django_db

MODELS = (Source, Actor, Label, Mission, Workstream, Milestone, Citation)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model, to show that a refused import changed nothing."""
    return {m.__name__: sorted(map(tuple, m.objects.values_list())) for m in MODELS}


def errors_of(paths: list[Path]) -> list[str]:
    with translation.override("en"), pytest.raises(importing.ImportFailed) as caught:
        importing.import_paths(paths)
    return [str(e) for e in caught.value.errors]


def test_good_document_creates_everything_with_periods_and_offsets(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())

    plan = importing.import_paths([path])

    assert {m: c["create"] for m, c in plan.counts().items() if c["create"]} == {
        "Source": 1,
        "Label": 1,
        "Actor": 1,
        "Mission": 1,
        "Involvement": 1,
        "Workstream": 1,
        "Milestone": 2,
        "Citation": 5,
    }
    ms = Milestone.objects.get(key="premieres-offres")
    assert (ms.due_text, ms.due_start, ms.due_end, ms.due_precision) == (
        "d'ici fin 2025",
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        "year",
    )
    assert ms.due_reference == dt.date(2025, 3, 10)  # read against the source's date
    assert ms.workstream.key == "qualification" and ms.mission.key == "plan-cloud-souverain"
    bilan = Milestone.objects.get(key="bilan")
    assert (bilan.due_start, bilan.due_end, bilan.due_precision) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        "half",
    )
    source = Source.objects.get(key="communique-test")
    assert source.text == SOURCE_TEXT
    import hashlib

    assert source.text_sha256 == hashlib.sha256(SOURCE_TEXT.encode()).hexdigest()
    # The quote was written with a double space: it is stored folded, and its offsets point
    # at the passage in the text as published.
    cit = ms.citations.get()
    assert cit.quote == "Les premières offres seront qualifiées d'ici fin 2025"
    assert (
        source.text[cit.start_offset : cit.end_offset]
        == "Les premières offres seront qualifiées d'ici fin 2025"
    )


def test_second_import_creates_and_updates_nothing(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    importing.import_paths([path])

    plan = importing.import_paths([path])

    assert plan.is_noop
    assert all(c["create"] == c["update"] == c["delete"] == 0 for c in plan.counts().values())


def test_changed_document_updates_only_what_changed_and_bumps_the_version(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    before = Milestone.objects.get(key="premieres-offres")
    doc = document()
    doc["missions"][0]["workstreams"][0]["milestones"][0]["title"] = (
        "Premières offres qualifiées SecNumCloud"
    )

    plan = importing.import_paths([write_document(tmp_path, doc)])

    updates = [c for c in plan.changes if c.action == "update"]
    assert [(c.model, c.key, list(c.fields)) for c in updates] == [
        ("Milestone", "plan-cloud-souverain / premieres-offres", ["title"])
    ]
    after = Milestone.objects.get(key="premieres-offres")
    assert after.title == "Premières offres qualifiées SecNumCloud"
    assert (
        after.version == before.version + 1
    )  # an open edit form based on the old row is now stale


def test_removed_quote_is_deleted_and_reordered_workstreams_swap(tmp_path: Path) -> None:
    doc = document()
    second = {"key": "bilan-ws", "title": "Bilan", "editorial": {"existence": "Ajout éditorial."}}
    doc["missions"][0]["workstreams"].append(second)
    importing.import_paths([write_document(tmp_path, doc)])
    doc["missions"][0]["workstreams"].reverse()
    doc["missions"][0]["citations"] = []
    doc["missions"][0]["editorial"] = {"existence": "Connu par le communiqué, cité ailleurs."}

    plan = importing.import_paths([write_document(tmp_path, doc)])

    assert plan.counts()["Citation"]["delete"] == 1
    assert not Citation.objects.filter(mission__key="plan-cloud-souverain").exists()
    assert list(Workstream.objects.order_by("position").values_list("key", flat=True)) == [
        "bilan-ws",
        "qualification",
    ]


def test_dry_run_writes_nothing_and_reports_the_plan(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())

    plan = importing.import_paths([path], dry_run=True)

    assert plan.counts()["Milestone"]["create"] == 2
    assert snapshot() == {m.__name__: [] for m in MODELS}


def test_command_prints_counts_and_dry_run_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_document(tmp_path, document())
    with translation.override("en"):
        call_command("import_initiatives", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "create    Milestone   plan-cloud-souverain / premieres-offres" in out
    assert "Dry run: nothing written." in out
    assert not Mission.objects.exists()
    with translation.override("en"):
        call_command("import_initiatives", str(path))
        call_command("import_initiatives", str(path))
    out = capsys.readouterr().out.splitlines()
    assert "Milestone   created 0, updated 0, unchanged 2" in out


def _break(doc: dict[str, Any], change: str) -> None:
    mission = doc["missions"][0]
    milestone = mission["workstreams"][0]["milestones"][0]
    if change == "quote":
        milestone["citations"][0]["quote"] = "Les premières offres seront qualifiées en 2024"
    elif change == "date":
        milestone["due"] = "quand ce sera prêt"
    elif change == "source":
        mission["workstreams"][0]["citations"][0]["source"] = "communique-inconnu"
    elif change == "actor":
        mission["actors"][0]["actor"] = "jean-inconnu"
    elif change == "missing":
        del mission["workstreams"][0]["title"]
    elif change == "type":
        milestone["progress"] = "cinquante"
    elif change == "duplicate":
        mission["workstreams"][0]["milestones"][1]["key"] = "premieres-offres"


BAD_DOCUMENTS = [
    (
        "quote",
        'missions[0].workstreams[0].milestones[0].citations[0].quote: quote not found verbatim in source "communique-test": "Les premières offres seront qualifiées en 2024"',
    ),
    (
        "date",
        'missions[0].workstreams[0].milestones[0].due: unknown date expression “quand ce sera prêt”',
    ),
    (
        "source",
        'missions[0].workstreams[0].citations[0].source: unknown source key "communique-inconnu"',
    ),
    ("actor", 'missions[0].actors[0].actor: unknown actor key "jean-inconnu"'),
    ("missing", "missions[0].workstreams[0].title: required field is missing"),
    (
        "type",
        'missions[0].workstreams[0].milestones[0].progress: expected a whole number, got "cinquante"',
    ),
    (
        "duplicate",
        "missions[0].workstreams[0].milestones[1]: duplicate key plan-cloud-souverain/premieres-offres (already defined at",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_bad_document_gives_its_precise_error_and_changes_nothing(
    tmp_path: Path, change: str, expected: str
) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    before = snapshot()
    doc = document()
    doc["missions"][0]["title"] = "Titre modifié qui ne doit pas arriver en base"
    _break(doc, change)
    path = write_document(tmp_path, doc, name="broken.yaml")

    errors = errors_of([path])

    assert any(e.startswith(f"{path}: {expected}") for e in errors), errors
    assert snapshot() == before


def test_every_error_is_reported_not_only_the_first(tmp_path: Path) -> None:
    doc = document()
    for change in ("quote", "date", "actor"):
        _break(doc, change)
    doc["missions"][0]["workstreams"][0]["milestones"][1]["due"] = "à terme"

    errors = errors_of([write_document(tmp_path, doc)])

    assert len(errors) == 4, errors  # and no echo of them ("no quote supports…")


def test_structure_errors_are_all_reported_with_paths(tmp_path: Path) -> None:
    doc = document()
    doc["missions"][0]["status"] = "en cours"
    doc["missions"][0]["workstreams"][0]["milestones"][0]["progress"] = 120
    doc["missions"][0]["surprise"] = True
    doc["labels"][0]["key"] = "Cloud Souverain"

    errors = errors_of([write_document(tmp_path, doc)])

    path = tmp_path / "plan.yaml"
    assert sorted(errors) == sorted(
        [
            f"{path}: labels[0].key: must be a key: lowercase letters, digits and single hyphens",
            f"{path}: missions[0].status: must be one of 'announced', 'launched', 'completed' or 'abandoned'",
            f"{path}: missions[0].workstreams[0].milestones[0].progress: must be at most 100",
            f"{path}: missions[0].surprise: unknown field",
        ]
    )


def test_duplicate_keys_across_documents_and_inside_yaml_are_errors(tmp_path: Path) -> None:
    first = write_document(tmp_path, document(), name="a.yaml")
    second = write_document(tmp_path, document(sources=[], actors=[], labels=[]), name="b.yaml")
    errors = errors_of([first, second])
    assert (
        f"{second}: missions[0]: duplicate key plan-cloud-souverain (already defined at {first}: missions[0])"
        in errors
    )

    raw = tmp_path / "dupe.yaml"
    raw.write_text("format: observatoire/1\nmissions: []\nmissions: []\n", encoding="utf-8")
    assert errors_of([raw]) == [f"{raw}: line 3: not valid YAML or JSON: duplicate key 'missions'"]


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(
        "format: observatoire/1\nlabels: [{key: a, name: Société, kind: theme}]\n".encode("latin-1")
    )
    missing = tmp_path / "absent.yaml"
    not_a_mapping = tmp_path / "list.json"
    not_a_mapping.write_text("[1, 2]", encoding="utf-8")

    errors = errors_of([latin1, missing, not_a_mapping])

    assert errors == [
        f"{latin1}: not UTF-8 text",
        f"{missing}: file not found",
        f"{not_a_mapping}: a document must be a mapping with a 'format' key",
    ]


def test_facts_without_quote_or_editorial_note_are_refused(tmp_path: Path) -> None:
    doc = document()
    doc["missions"][0]["budget"] = {
        "amount_eur": 5000000,
        "qualifier": "about",
        "text": "environ 5 M€",
    }
    doc["missions"][0]["citations"][0]["fact"] = "existence"

    errors = errors_of([write_document(tmp_path, doc)])

    assert errors == [
        f'{tmp_path / "plan.yaml"}: missions[0]: no quote supports the fact "budget": cite the source or add an editorial note for it'
    ]


def test_date_words_must_stand_in_a_quote_unless_editorial(tmp_path: Path) -> None:
    doc = document()
    milestone = doc["missions"][0]["workstreams"][0]["milestones"][1]
    milestone["due"] = "T2 2026"
    path = write_document(tmp_path, doc)
    assert errors_of([path]) == [
        f'{path}: missions[0].workstreams[0].milestones[1].due.text: the words "T2 2026" are in no quote supporting the date: quote them, or add an editorial note for "due"'
    ]
    milestone["editorial"] = {"due": "Calendrier transmis par le ministère, non publié."}
    importing.import_paths([write_document(tmp_path, doc)])
    assert Milestone.objects.get(key="bilan").due_end == dt.date(2026, 6, 30)


def test_done_milestone_rules(tmp_path: Path) -> None:
    doc = document()
    milestone = doc["missions"][0]["workstreams"][0]["milestones"][0]
    milestone.update(
        status="done", progress=40, completed_on=str(dt.date.today() + dt.timedelta(days=3))
    )
    path = write_document(tmp_path, doc)
    prefix = f"{path}: missions[0].workstreams[0].milestones[0]"
    assert errors_of([path]) == [
        f"{prefix}.progress: a done milestone must have progress 100",
        f"{prefix}.completed_on: the completion date is in the future",
    ]
    milestone.update(progress=None, completed_on="2025-12-01")
    del milestone["progress"]
    importing.import_paths([write_document(tmp_path, doc)])
    done = Milestone.objects.get(key="premieres-offres")
    assert (done.status, done.progress, done.health) == ("done", 100, "done")


def test_stale_plan_is_refused_and_nothing_written(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    documents = importing.documents_parse([path])
    plan = importing.plan_build(documents)
    Label.objects.create(key="cloud", name="Cloud (renommé entre-temps)", kind="theme")

    with pytest.raises(importing.StalePlanError) as caught:
        importing.plan_apply(documents, plan)

    assert not Mission.objects.exists()
    label_change = next(c for c in caught.value.current.changes if c.model == "Label")
    assert label_change.action == "update" and label_change.fields == {
        "name": ("Cloud (renommé entre-temps)", "Cloud")
    }


def test_failure_during_apply_rolls_everything_back(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    documents = importing.documents_parse([path])
    plan = importing.plan_build(documents)
    # A row the plan does not know about takes the position a workstream needs; the database's
    # unique constraint fails the apply half-way, after sources, actors and missions were saved.
    plan.rows["Workstream"][("plan-cloud-souverain", "qualification")]["position"] = 1
    plan.rows["Workstream"][("plan-cloud-souverain", "doublon")] = {
        **plan.rows["Workstream"][("plan-cloud-souverain", "qualification")]
    }
    plan.changes.append(
        importing.Change("Workstream", ("plan-cloud-souverain", "doublon"), "create")
    )
    writer = importing._Writer(plan, dt.date.today())

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        writer.write()

    assert snapshot() == {m.__name__: [] for m in MODELS}


def test_plan_reads_the_database_in_a_fixed_number_of_queries(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    importing.import_paths([path])
    documents = importing.documents_parse([path])
    with CaptureQueriesContext(connection) as small:
        importing.plan_build(documents)
    importing.import_paths([FIXTURES_DIR])
    documents = importing.documents_parse([FIXTURES_DIR])
    with CaptureQueriesContext(connection) as large:
        importing.plan_build(documents)
    assert len(large) == len(small)


FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


def test_command_exits_non_zero_listing_every_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    before = snapshot()
    doc = document()
    _break(doc, "date")
    _break(doc, "actor")
    path = write_document(tmp_path, doc, name="broken.yaml")

    # CommandError is how a Django command exits with status 1 from the shell.
    with translation.override("en"), pytest.raises(CommandError, match="2 error"):
        call_command("import_initiatives", str(path))

    err = capsys.readouterr().err
    assert f'{path}: missions[0].actors[0].actor: unknown actor key "jean-inconnu"' in err
    assert f"{path}: missions[0].workstreams[0].milestones[0].due: unknown date expression" in err
    assert snapshot() == before


def test_shell_glob_of_the_fixtures_folder_imports_and_passes_over_the_readme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `import_initiatives fixtures/*` names the README and the folder of source texts too.
    paths = sorted(str(p) for p in FIXTURES_DIR.iterdir())
    with translation.override("en"):
        call_command("import_initiatives", *paths)
    out = capsys.readouterr().out
    assert f"Not a fixture document, passed over: {FIXTURES_DIR / 'README.md'}" in out
    assert Mission.objects.count() == 4
