"""The importer: good documents land, bad ones are refused whole with every error and its path."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from initiatives import importing
from initiatives.models import (
    Actor,
    Citation,
    Involvement,
    Label,
    Milestone,
    Mission,
    Source,
    Workstream,
)

from .factories import SOURCE_TEXT, document, write_document

pytestmark = pytest.mark.django_db

MODELS = (Source, Actor, Label, Mission, Involvement, Workstream, Milestone, Citation)


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
        "missions[0].workstreams[0].milestones[0].due: unknown date expression “quand ce sera prêt”",
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


def test_structure_and_quote_errors_are_reported_together_in_the_documents_order(
    tmp_path: Path,
) -> None:
    doc = document()
    doc["missions"][0]["workstreams"][0]["milestones"][0]["progress"] = 120
    doc["missions"][0]["citations"][0]["quote"] = "une phrase absente"

    errors = errors_of([write_document(tmp_path, doc)])

    # One reading: the quote is checked although the document's structure is wrong.
    path = tmp_path / "plan.yaml"
    assert errors == [
        f'{path}: missions[0].citations[0].quote: quote not found verbatim in source "communique-test": "une phrase absente"',
        f"{path}: missions[0].workstreams[0].milestones[0].progress: must be at most 100",
    ]


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
        f"{latin1}: not UTF-8 text (it seems to be encoded in Windows-1252 (or ISO-8859-1))",
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
        status="done", progress=40, completed_on=str(timezone.localdate() + dt.timedelta(days=3))
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
    # A real database failure half-way: sources, actors, missions and workstreams are written
    # when the first milestone insert is refused by a trigger.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_milestone() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'milestones are refused today'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_milestone BEFORE INSERT ON initiatives_milestone
            FOR EACH ROW EXECUTE FUNCTION refuse_milestone();
            """
        )

    with pytest.raises(DatabaseError, match="milestones are refused today"):
        importing.import_paths([path])

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


# --- Strange but possible input: errors with paths, never a traceback -----------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "format: observatoire/1\n? [a, b]\n: c\n",
            "line 2: not valid YAML or JSON: a key must be a plain word",
        ),
        (
            "format: observatoire/1\nmissions:\n  - {key: m, title: M, milestones: [{key: a, title: A, status: done, completed_on: 2020-02-30}]}\n",
            'missions[0].milestones[0].completed_on: expected a date as YYYY-MM-DD, got "2020-02-30"',
        ),
        ("format: observatoire/1\nlabels: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (
            'format: observatoire/1\nlabels: [{key: a, name: "Nom\\0", kind: theme}]\n',
            "labels[0].name: contains a NUL character",
        ),
        (
            "format: observatoire/1\nlabels: [{key: a, name: " + "x" * 201 + ", kind: theme}]\n",
            "labels[0].name: is too long (at most 200 characters)",
        ),
        (
            "format: observatoire/1\nsources: [{key: s, title: T, publisher: P, url: 'javascript:alert(1)', text_file: t.txt, published: {date: 2020-01-01, precision: day, basis: public_record, note: n}}]\n",
            "sources[0].url: must be a web address starting with http:// or https://",
        ),
        (
            "format: observatoire/1\nsources: [{key: s, title: T, publisher: P, text_file: t.txt, published: {date: 2020-31-01, precision: day, basis: public_record, note: n}}]\n",
            'sources[0].published.date: expected a date as YYYY-MM-DD, got "2020-31-01"',
        ),
    ],
    ids=[
        "unhashable-key",
        "impossible-date",
        "deep-nesting",
        "nul",
        "too-long",
        "javascript-url",
        "date-path",
    ],
)
def test_strange_documents_get_an_error_with_its_path(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "strange.yaml"
    path.write_text(text, encoding="utf-8")
    assert f"{path}: {expected}" in errors_of([path])


@pytest.mark.parametrize("text_file", ["../secret.txt", "/etc/passwd", "."])
def test_source_text_must_be_a_file_in_the_documents_folder(tmp_path: Path, text_file: str) -> None:
    (tmp_path / "secret.txt").write_text("SECRET_KEY=…", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = document()
    doc["sources"][0]["text_file"] = text_file
    path = write_document(folder, doc)
    errors = errors_of([path])
    assert any(e.startswith(f"{path}: sources[0].text_file: ") for e in errors), errors
    assert not Source.objects.exists()


def test_a_date_that_does_not_exist_says_why(tmp_path: Path) -> None:
    doc = document()
    milestone = doc["missions"][0]["workstreams"][0]["milestones"][0]
    milestone["due"] = "mercredi 5 août 2025"
    milestone["editorial"] = {"due": "Date communiquée oralement."}
    path = write_document(tmp_path, doc)
    assert errors_of([path]) == [
        f"{path}: missions[0].workstreams[0].milestones[0].due: the day of the week does not match the date: “mercredi 5 août 2025”"
    ]


def test_a_quote_must_be_whole_words(tmp_path: Path) -> None:
    doc = document()
    doc["missions"][0]["citations"][0]["quote"] = "e ministère annonce un plan"
    path = write_document(tmp_path, doc)
    assert errors_of([path]) == [
        f'{path}: missions[0].citations[0].quote: quote not found verbatim in source "communique-test": "e ministère annonce un plan"'
    ]


def test_the_same_file_named_twice_is_one_document(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    plan = importing.import_paths([tmp_path, path])
    assert plan.counts()["Mission"]["create"] == 1


# --- The document is the truth about what a mission holds ------------------------------------


def test_removed_workstream_is_deleted_with_its_milestones_and_positions_close_up(
    tmp_path: Path,
) -> None:
    doc = document()
    workstreams = doc["missions"][0]["workstreams"]
    workstreams.insert(
        0,
        {
            "key": "cadrage",
            "title": "Cadrage",
            "editorial": {"existence": "Ajout éditorial."},
            "milestones": [
                {"key": "note-de-cadrage", "title": "Note", "editorial": {"existence": "Ajout."}}
            ],
        },
    )
    importing.import_paths([write_document(tmp_path, doc)])
    del workstreams[0]

    dry = importing.import_paths([write_document(tmp_path, doc)], dry_run=True)
    assert {(c.model, c.key) for c in dry.changes if c.action == "delete"} == {
        ("Workstream", "plan-cloud-souverain / cadrage"),
        ("Milestone", "plan-cloud-souverain / note-de-cadrage"),
    }
    importing.import_paths([write_document(tmp_path, doc)])

    assert list(Workstream.objects.values_list("key", "position")) == [("qualification", 1)]
    assert not Milestone.objects.filter(key="note-de-cadrage").exists()


# --- Re-importing keeps what coordinators did -----------------------------------------------


def test_reimport_keeps_a_coordinators_progress(tmp_path: Path) -> None:
    path = write_document(tmp_path, document())
    importing.import_paths([path])
    Milestone.objects.filter(key="bilan").update(
        status="in_progress", progress=40, comment="Rédaction en cours"
    )

    plan = importing.import_paths([path])

    assert plan.is_noop
    bilan = Milestone.objects.get(key="bilan")
    assert (bilan.status, bilan.progress, bilan.comment) == (
        "in_progress",
        40,
        "Rédaction en cours",
    )


def test_reimport_applies_what_only_the_document_changed(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    Milestone.objects.filter(key="bilan").update(progress=40)
    doc = document()
    doc["missions"][0]["workstreams"][0]["milestones"][1]["comment"] = "Reporté par le ministère"

    importing.import_paths([write_document(tmp_path, doc)])

    bilan = Milestone.objects.get(key="bilan")
    assert (bilan.progress, bilan.comment) == (40, "Reporté par le ministère")


def test_reimport_refuses_a_field_changed_on_both_sides(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    Milestone.objects.filter(key="bilan").update(progress=40)
    before = snapshot()
    doc = document()
    doc["missions"][0]["workstreams"][0]["milestones"][1]["progress"] = 75
    path = write_document(tmp_path, doc)

    errors = errors_of([path])

    assert errors == [
        f"{path}: missions[0].workstreams[0].milestones[1].progress: changed in the database since the last import (now 40) and in this document (75): update the document or the milestone"
    ]
    assert snapshot() == before


# --- A source's new text must keep every quote of it -----------------------------------------


def test_new_source_text_is_checked_against_other_missions_quotes(tmp_path: Path) -> None:
    importing.import_paths([write_document(tmp_path, document())])
    referentiel = document(missions=[])
    before = snapshot()

    moved = "Préambule ajouté.\n" + SOURCE_TEXT
    importing.import_paths([write_document(tmp_path, referentiel, name="ref.yaml", text=moved)])
    cit = Citation.objects.select_related("source").get(milestone__key="bilan")
    assert cit.source.text[cit.start_offset : cit.end_offset] == cit.quote

    cut = moved.replace("un bilan sera présenté au premier semestre 2026", "un bilan viendra")
    path = write_document(tmp_path, referentiel, name="ref.yaml", text=cut)
    errors = errors_of([path])
    assert errors == [
        f'{path}: sources[0].text_file: quote not found verbatim in source "communique-test": "un bilan sera présenté au premier semestre 2026" (cited by mission plan-cloud-souverain)'
    ]
    assert snapshot() != before  # the first, valid move was applied …
    assert Source.objects.get().text == moved  # … and the refused one changed nothing


# --- Values the YAML loader cannot build: errors with their path, never a traceback ---------

_MISSION = "format: observatoire/1\nmissions:\n  - key: m\n    title: {title}\n"
_PROGRESS = "format: observatoire/1\nmissions:\n  - {{key: m, title: M, milestones: [{{key: a, title: A, progress: {value}}}]}}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _MISSION.format(title="!!timestamp 2026-02-30"),
            'missions[0].title: not a valid date or time: "2026-02-30"',
        ),
        (
            _MISSION.format(title="!!timestamp 2026-01-01T25:00:00"),
            "missions[0].title: not a valid date or time",
        ),
        (
            _MISSION.format(title="!!timestamp 2026-01-01T00:00:00+99:00"),
            "missions[0].title: not a valid date or time",
        ),
        (
            _MISSION.format(title="!!timestamp demain"),
            'missions[0].title: not a valid date or time: "demain"',
        ),
        (
            _PROGRESS.format(value="9" * 5000),
            "missions[0].milestones[0].progress: a number too large (more than 4300 digits)",
        ),
        (
            _PROGRESS.format(value="!!int 1:" + "5" * 5000),
            "missions[0].milestones[0].progress: a number too large (more than 4300 digits)",
        ),
        (
            _MISSION.format(title="0x" + "f" * 20000),
            "missions[0].title: a number too large (more than 4300 digits)",
        ),
        (
            '{"format": "observatoire/1", "missions": [{"key": "m", "title": "M", "milestones": [{"key": "a", "title": "A", "progress": '
            + "1" * 5000
            + "}]}]}",
            "missions[0].milestones[0].progress: a number too large (more than 4300 digits)",
        ),
        (
            _PROGRESS.format(value="!!int dix"),
            'missions[0].milestones[0].progress: not a whole number: "dix"',
        ),
        (
            _PROGRESS.format(value="!!int ''"),
            'missions[0].milestones[0].progress: not a whole number: ""',
        ),
        (
            _PROGRESS.format(value="!!float ''"),
            'missions[0].milestones[0].progress: not a number: ""',
        ),
        (
            _PROGRESS.format(value="!!float beaucoup"),
            'missions[0].milestones[0].progress: not a number: "beaucoup"',
        ),
        (
            _PROGRESS.format(value="1.0e+999"),
            "missions[0].milestones[0].progress: expected a whole number, got inf",
        ),
        (
            _MISSION.format(title="!!bool peut-être"),
            'missions[0].title: not true or false: "peut-être"',
        ),
        (
            _MISSION.format(title="!!binary aGVsbG8="),
            "missions[0].title: expected text, got b'hello'",
        ),
        (
            _MISSION.format(title="!!binary 'é'"),
            "line 4: not valid YAML or JSON: failed to convert base64 data",
        ),
        (_MISSION.format(title="!!set 2026"), 'missions[0].title: cannot be read as !!set: "2026"'),
        (
            "format: observatoire/1\nmissions:\n  - key: m\n    ? !!timestamp 2026-02-30\n    : M\n",
            'missions[0].2026-02-30: not a valid date or time: "2026-02-30"',
        ),
        (
            "format: observatoire/1\nlabels: !!timestamp 2026-02-30\n",
            'labels: not a valid date or time: "2026-02-30"',
        ),
        (
            "format: observatoire/1\nmissions:\n  - &m {key: m, title: !!timestamp 2026-02-30}\n  - *m\n",
            'missions[0].title: not a valid date or time: "2026-02-30"',
        ),
    ],
    ids=[
        "impossible-date",
        "impossible-hour",
        "impossible-offset",
        "timestamp-word",
        "integer-5000-digits",
        "sexagesimal-5000-digits",
        "hexadecimal-20000-digits",
        "json-integer-5000-digits",
        "int-word",
        "int-empty",
        "float-empty",
        "float-word",
        "float-infinite",
        "bool-word",
        "binary-as-text",
        "binary-not-base64",
        "set-of-a-word",
        "impossible-date-as-key",
        "impossible-date-at-top",
        "impossible-date-under-an-anchor",
    ],
)
def test_values_python_cannot_hold_are_errors_with_their_path(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "strange.yaml"
    path.write_text(text, encoding="utf-8")
    errors = errors_of([path])
    assert any(e.startswith(f"{path}: {expected}") for e in errors), errors
    assert not Mission.objects.exists()


def test_a_document_over_the_byte_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # Broken YAML past the cap: the size is what is reported, so it was never parsed.
    text = "format: observatoire/1\nlabels: [" + "x" * importing.MAX_DOCUMENT_BYTES
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    errors = errors_of([path])
    assert errors == [
        f"{path}: too large ({len(text) / 1e6:.1f} MB; a fixture document weighs at most 4 MB, about 200 000 values): split it into several documents"
    ]
    # Just under it, the document is read (and refused for what it says).
    path.write_text(text[: importing.MAX_DOCUMENT_BYTES - 10] + "]\n", encoding="utf-8")
    assert "too large" not in " ".join(errors_of([path]))


def test_the_byte_cap_matches_the_value_cap_on_realistic_documents() -> None:
    """The densest curated document, repeated until it holds the 200,000 values the importer
    takes at most, weighs more than the byte cap: a realistic document under the cap is
    never refused for its count of values, after a long parse, instead."""
    import yaml as pyyaml

    densest = min(
        (
            len(p.read_bytes())
            / importing._expanded_size(pyyaml.safe_load(p.read_text(encoding="utf-8")), {})
        )
        for p in FIXTURES_DIR.glob("*.yaml")
    )
    assert 20 < densest < 30  # bytes per value, with its comments: referentiel.yaml
    assert densest * importing.MAX_EXPANDED_NODES > importing.MAX_DOCUMENT_BYTES


# --- Encodings ---------------------------------------------------------------------------

_FRENCH = (
    "format: observatoire/1\nlabels: [{key: a, name: « Société – l’œuvre » à 5 €, kind: theme}]\n"
)


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF16_LE + _FRENCH.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + _FRENCH.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + _FRENCH.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + _FRENCH.encode("utf-32-be"),
        codecs.BOM_UTF8 + _FRENCH.encode("utf-8"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8-bom"],
)
def test_text_with_a_byte_order_mark_is_decoded(raw: bytes) -> None:
    assert importing.decode_text(raw) == _FRENCH


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (_FRENCH.encode("cp1252"), "Windows-1252 (or ISO-8859-1)"),
        ("title: Équipe\n".encode("latin-1"), "Windows-1252 (or ISO-8859-1)"),
        (_FRENCH.replace("€", "").encode("mac_roman"), "Mac OS Roman"),
        (
            "format: observatoire/1\nlabels: [{key: a, name: Société générale à l'été, kind: theme}]\n".encode(
                "cp850"
            ),
            "DOS (code page 850)",
        ),
        (_FRENCH.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        (_FRENCH.encode("utf-16-be"), "UTF-16 without a byte-order mark"),
    ],
    ids=["cp1252", "latin-1", "mac-roman", "cp850", "utf-16-le-no-bom", "utf-16-be-no-bom"],
)
def test_text_not_in_utf8_names_the_encoding_it_seems_to_be_in(raw: bytes, encoding: str) -> None:
    with translation.override("en"), pytest.raises(importing.UndecodableText) as caught:
        importing.decode_text(raw)
    assert not caught.value.binary
    assert caught.value.encoding == encoding


def test_binary_data_is_not_text() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    with pytest.raises(importing.UndecodableText) as caught:
        importing.decode_text(png)
    assert caught.value.binary


def test_a_utf16_document_on_disk_imports_like_its_utf8_version(tmp_path: Path) -> None:
    utf8 = write_document(tmp_path, document())
    utf16 = tmp_path / "plan16.yaml"
    utf16.write_bytes(codecs.BOM_UTF16_BE + utf8.read_text(encoding="utf-8").encode("utf-16-be"))
    (tmp_path / "communique.txt").write_bytes(codecs.BOM_UTF16_LE + SOURCE_TEXT.encode("utf-16-le"))
    assert importing.documents_parse([utf16])[0].body == importing.documents_parse([utf8])[0].body
    importing.import_paths([utf16])
    assert Source.objects.get().text == SOURCE_TEXT
