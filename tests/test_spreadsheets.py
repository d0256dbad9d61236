"""Milestones as spreadsheets in the admin (django-import-export): export, then the dry run and
the confirmation of an import, through the admin's own pages."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from initiatives.spreadsheets import MilestoneResource
from initiatives.models import HistoryEntry, Milestone

from .factories import MilestoneFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db
COLUMNS = [
    "mission",
    "chantier",
    "jalon",
    "titre",
    "type",
    "échéance",
    "statut",
    "avancement",
    "achevé le",
    "commentaire",
    "version",
]
EXPORT = reverse("admin:initiatives_milestone_export")
IMPORT = reverse("admin:initiatives_milestone_import")
PROCESS = reverse("admin:initiatives_milestone_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def export(client: Client, fmt: str = CSV_FORMAT) -> bytes:
    fields = {f"milestoneresource_{name}": "on" for name in MilestoneResource._meta.fields}
    response = client.post(EXPORT, {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    return response.content


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def as_csv(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def dry_run(client: Client, content: bytes, name: str = "jalons.csv", fmt: str = CSV_FORMAT):
    return client.post(
        IMPORT, {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)}
    )


def confirm(client: Client, page: str):
    hidden = dict(
        re.findall(
            r'<input type="hidden" name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"',
            page,
        )
    )
    assert "import_file_name" in hidden, page[:3000]
    return client.post(PROCESS, hidden)


def state() -> list[tuple]:
    return list(
        Milestone.objects.order_by("pk").values_list(
            "key",
            "title",
            "due_text",
            "due_end",
            "status",
            "progress",
            "completed_on",
            "comment",
            "version",
        )
    )


def test_a_csv_round_trip_changes_nothing(seeded: None, admin_client: Client) -> None:
    content = export(admin_client)
    rows = rows_of(content)
    assert list(rows[0]) == COLUMNS and len(rows) == Milestone.objects.count()
    before, history = state(), HistoryEntry.objects.count()
    page = dry_run(admin_client, content).content.decode()
    assert f"{len(rows)} lignes inchangées, non listées" in page and "Rien à changer" in page
    confirm(admin_client, page)
    assert state() == before and HistoryEntry.objects.count() == history


def test_an_xlsx_export_imports_back_unchanged(seeded: None, admin_client: Client) -> None:
    content = export(admin_client, XLSX_FORMAT)
    assert content[:2] == b"PK"  # a zip: an Office Open XML workbook
    before = state()
    confirm(
        admin_client, dry_run(admin_client, content, "jalons.xlsx", XLSX_FORMAT).content.decode()
    )
    assert state() == before


def test_an_import_updates_and_creates_through_the_edit_rules(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-diagnostic")
    row.update({"échéance": "T3 2024", "statut": "in_progress", "avancement": "40"})
    new = {
        **row,
        "jalon": "bilan-2025",
        "titre": "Bilan public",
        "échéance": "d'ici fin 2025",
        "statut": "",
        "avancement": "",
        "version": "",
    }
    page = dry_run(admin_client, as_csv([row, new])).content.decode()
    assert (
        Milestone.objects.get(key="competences-formations-diagnostic").due_text == ""
    )  # a dry run writes nothing
    confirm(admin_client, page)
    updated = Milestone.objects.get(key="competences-formations-diagnostic")
    assert (
        updated.due_text,
        str(updated.due_start),
        str(updated.due_end),
        updated.due_precision,
    ) == ("T3 2024", "2024-07-01", "2024-09-30", "quarter")
    assert (updated.status, updated.progress, updated.version) == (
        "in_progress",
        40,
        int(row["version"]) + 1,
    )
    created = Milestone.objects.get(key="bilan-2025")
    assert (created.title, created.workstream.key, str(created.due_end), created.status) == (
        "Bilan public",
        "competences-formations",
        "2025-12-31",
        "planned",
    )
    assert (
        "spreadsheet" in created.editorial["existence"]
        or "tableur" in created.editorial["existence"]
    )
    assert HistoryEntry.objects.filter(via="sheet", row_id=updated.pk).exists()


def test_each_bad_row_gets_its_own_error_and_nothing_is_written(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    good, *others = [dict(r) for r in rows[:6]]
    good["avancement"] = "55"
    bad = [
        (
            {**others[0], "échéance": "quand les poules auront des dents"},
            "quand les poules auront des dents",
        ),
        ({**others[1], "statut": "fini"}, "statut inconnu « fini »"),
        (
            {**others[2], "statut": "done", "avancement": "100", "achevé le": ""},
            "un jalon terminé doit avoir sa date d'achèvement",
        ),
        ({**others[3], "mission": "mission-inconnue"}, "aucune mission « mission-inconnue »"),
        (
            {**others[4], "chantier": "chantier-inconnu"},
            "aucun chantier « chantier-inconnu » dans cette mission",
        ),
    ]
    before = state()
    page = dry_run(admin_client, as_csv([good, *(row for row, _message in bad)])).content.decode()
    for line, (_row, message) in enumerate(bad, start=2):  # the good row is row 1
        # Each message in the table row of its own line.
        cells = re.search(rf"<tr>\s*<td>\s*{line}\s*</td>(.*?)</tr>", page, re.S)
        assert cells and escape(message) in cells.group(1), (line, message)
    assert 'name="import_file_name"' not in page  # no confirmation offered
    assert state() == before


def test_a_row_changed_between_the_dry_run_and_the_confirmation_writes_nothing(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    first, second = (dict(r) for r in rows[:2])
    first["avancement"], second["avancement"] = "11", "22"
    page = dry_run(admin_client, as_csv([first, second])).content.decode()
    # A coordinator saves the second milestone after the dry run, before the confirmation.
    Milestone.objects.filter(key=second["jalon"], mission__key=second["mission"]).update(
        version=int(second["version"]) + 1
    )
    before = state()
    response = confirm(admin_client, page)
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert state() == before  # the first row is not written either
    shown = admin_client.get(IMPORT).content.decode()
    assert "Rien n’a été importé" in shown and "exportez de nouveau" in shown


def test_a_sheet_does_not_move_a_milestone_to_another_workstream(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-livraison")
    row["chantier"] = "e-paiement"
    page = dry_run(admin_client, as_csv([row])).content.decode()
    assert "ne change pas de chantier" in page
    assert (
        Milestone.objects.get(key="competences-formations-livraison").workstream.key
        == "competences-formations"
    )


def test_a_sheet_exported_before_someone_elses_edit_is_refused_on_that_row(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-livraison")
    Milestone.objects.filter(key="competences-formations-livraison").update(
        progress=70, version=int(row["version"]) + 1
    )
    row["avancement"] = "10"
    page = dry_run(admin_client, as_csv([row])).content.decode()
    assert "export again" in page or "exportez de nouveau" in page
    assert Milestone.objects.get(key="competences-formations-livraison").progress == 70


# ---- Formulas: exported as text, imported back as they were ---------------------------------

FORMULA_STARTS = ["=", "+", "-", "@"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def with_formulas(start: str) -> Milestone:
    """A coordinator's comment and an administrator's title that a spreadsheet would run."""
    milestone = Milestone.objects.get(key="competences-formations-diagnostic")
    Milestone.objects.filter(pk=milestone.pk).update(
        title=f"{start}SUM(1;2) pour le titre",
        comment=f'{start}HYPERLINK("http://evil.example","x")',
    )
    return Milestone.objects.get(pk=milestone.pk)


def xlsx_rows(content: bytes) -> list[dict[str, object]]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active  # formulas as written, not computed
    header, *rows = list(sheet.rows)
    return [{h.value: cell for h, cell in zip(header, row)} for row in rows]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_a_spreadsheet_would_run_is_exported_as_text(
    seeded: None, admin_client: Client, start: str
) -> None:
    milestone = with_formulas(start)
    row = next(r for r in rows_of(export(admin_client)) if r["jalon"] == milestone.key)
    for column in ("titre", "commentaire"):
        assert not row[column].startswith(TRIGGERS), row[column]
        assert row[column] == "'" + getattr(milestone, "title" if column == "titre" else "comment")

    cells = next(
        r for r in xlsx_rows(export(admin_client, XLSX_FORMAT)) if r["jalon"].value == milestone.key
    )
    for column in ("titre", "commentaire"):
        assert cells[column].data_type == "s" and not cells[column].value.startswith(TRIGGERS), (
            cells[column].value
        )
    # Numbers stay numbers and empty cells empty (the library's own escaping writes every cell
    # as text, an empty one as the word "None").
    assert cells["avancement"].data_type == "n" and cells["achevé le"].value is None


@pytest.mark.parametrize("fmt", [CSV_FORMAT, XLSX_FORMAT])
@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_escaped_formulas_import_back_unchanged(
    seeded: None, admin_client: Client, start: str, fmt: str
) -> None:
    with_formulas(start)
    content = export(admin_client, fmt)
    before, history = state(), HistoryEntry.objects.count()
    name = "jalons.xlsx" if fmt == XLSX_FORMAT else "jalons.csv"
    page = dry_run(admin_client, content, name, fmt).content.decode()
    assert 'name="import_file_name"' in page, page[:3000]
    confirm(admin_client, page)
    assert state() == before and HistoryEntry.objects.count() == history


def test_a_typed_comment_keeps_its_leading_sign_and_an_escaped_one_loses_only_the_apostrophe(
    seeded: None, admin_client: Client
) -> None:
    rows = rows_of(export(admin_client))
    typed, escaped, quoted = (dict(r) for r in rows[:3])
    typed["commentaire"] = "-5 % sur le budget"  # typed in a sheet: taken as written
    escaped["commentaire"] = "'=2+3"  # as exported
    quoted["commentaire"] = "'pas une formule'"  # an apostrophe before anything else is text
    confirm(admin_client, dry_run(admin_client, as_csv([typed, escaped, quoted])).content.decode())
    comments = {
        m.key: m.comment
        for m in Milestone.objects.filter(key__in=[r["jalon"] for r in (typed, escaped, quoted)])
    }
    assert comments == {
        typed["jalon"]: "-5 % sur le budget",
        escaped["jalon"]: "=2+3",
        quoted["jalon"]: "'pas une formule'",
    }


# ---- Limits and speed -----------------------------------------------------------------------


def test_a_sheet_over_the_row_limit_is_refused_at_once(
    seeded: None, admin_client: Client, settings
) -> None:
    settings.SPREADSHEET_MAX_ROWS = 3
    rows = [dict(r, commentaire="Relu en comité.") for r in rows_of(export(admin_client))[:5]]
    before, history = state(), HistoryEntry.objects.count()
    page = dry_run(admin_client, as_csv(rows)).content.decode()
    assert (
        escape(
            "Ce tableau compte 5 lignes ; un import en prend au plus 3. Découpez-le en plusieurs tableaux."
        )
        in page
    )
    assert 'name="import_file_name"' not in page
    assert state() == before and HistoryEntry.objects.count() == history
    # At the limit, it goes through.
    confirm(admin_client, dry_run(admin_client, as_csv(rows[:3])).content.decode())
    assert (
        Milestone.objects.filter(
            key__in=[r["jalon"] for r in rows[:3]], comment="Relu en comité."
        ).count()
        == 3
    )


def test_the_same_milestone_twice_in_a_sheet_is_refused(seeded: None, admin_client: Client) -> None:
    first = rows_of(export(admin_client))[0]
    before = state()
    page = dry_run(
        admin_client, as_csv([dict(first, avancement="10"), dict(first, avancement="90")])
    ).content.decode()
    cells = re.search(r"<tr>\s*<td>\s*2\s*</td>(.*?)</tr>", page, re.S)
    assert cells and escape("ce jalon est déjà à la ligne 1 du tableau") in cells.group(1)
    assert 'name="import_file_name"' not in page and state() == before


def test_a_title_too_long_is_refused_on_its_row(seeded: None, admin_client: Client) -> None:
    row = rows_of(export(admin_client))[0]
    page = dry_run(admin_client, as_csv([dict(row, titre="x" * 301)])).content.decode()
    assert "au plus 300 caractères (ici 301)" in page and 'name="import_file_name"' not in page


def test_a_sheet_reads_and_writes_in_as_many_queries_whatever_its_length(
    seeded: None, admin_client: Client
) -> None:
    """Missions, workstreams and milestones are read once per sheet, the rows written in one
    batch: twenty rows cost the queries of two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = rows_of(export(admin_client))
    counts = []
    # A first round fills the process's caches (content types, permissions), whose one-time
    # queries would otherwise count against whichever size ran first.
    for size in (1, 2, 20):
        sheet = as_csv(
            [dict(r, avancement=str((int(r["avancement"]) + 1) % 100)) for r in rows[-size:]]
        )
        with CaptureQueriesContext(connection) as dry:
            page = dry_run(admin_client, sheet).content.decode()
        with CaptureQueriesContext(connection) as confirmed:
            assert confirm(admin_client, page).status_code == 302
        counts.append((len(dry), len(confirmed)))
    assert counts[1] == counts[2], counts


def test_a_batch_of_edits_checked_then_overtaken_writes_none(seeded: None, admin_user) -> None:
    """The bulk write's compare-and-swap: a milestone saved by someone else between the check
    and the write refuses the whole batch."""
    from django.utils import timezone

    from initiatives import services

    today = timezone.localdate()
    first, second = Milestone.objects.order_by("pk")[:2]
    edits = [
        services.check_milestone_edit(
            admin_user,
            m,
            services.MilestoneChange(m.status, 33, m.completed_on, m.due_text, m.comment),
            base_version=m.version,
            today=today,
        )
        for m in (first, second)
    ]
    Milestone.objects.filter(pk=second.pk).update(version=second.version + 1)  # someone saves
    before = state()
    with pytest.raises(services.EditConflict) as conflict:
        services.write_milestones(admin_user, edits, via="sheet")
    assert conflict.value.current.pk == second.pk
    assert state() == before  # the first is not written either


# ---- French Excel: `;`, a byte-order mark, French labels -------------------------------------


def some_milestones() -> dict[str, Milestone]:
    """A workstream's milestones in every shape a sheet carries: planned, in progress with a
    comment holding both separators, done, an event."""
    workstream = WorkstreamFactory()
    return {
        "planned": MilestoneFactory(workstream=workstream),
        "ongoing": MilestoneFactory(
            workstream=workstream,
            status="in_progress",
            progress=40,
            comment="Relu en comité ; budget, calendrier : tenus.",
        ),
        "done": MilestoneFactory(
            workstream=workstream, status="done", progress=100, completed_on=dt.date(2025, 1, 15)
        ),
        "event": MilestoneFactory(
            workstream=workstream, kind="event", due="au premier semestre 2026"
        ),
    }


def as_excel(rows: list[dict[str, str]], encoding: str, headers: list[str] = COLUMNS) -> bytes:
    """The sheet as French Excel saves it: semicolons, CRLF, dates as 15/01/2025, quotes only
    where a cell needs them; in Windows-1252 (« CSV (séparateur : point-virgule) ») or UTF-8
    behind a byte-order mark (« CSV UTF-8 »)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        cells = dict(row)
        if re.fullmatch(r"\d{4}-\d\d-\d\d", cells["achevé le"]):
            cells["achevé le"] = dt.date.fromisoformat(cells["achevé le"]).strftime("%d/%m/%Y")
        writer.writerow([cells[column] for column in COLUMNS])
    return out.getvalue().encode(encoding)


def test_a_csv_export_is_for_french_excel_and_imports_back_unchanged(
    db: None, admin_client: Client
) -> None:
    milestones = some_milestones()
    content = export(admin_client)
    assert content.startswith(codecs.BOM_UTF8)  # else Excel reads UTF-8 as Windows-1252
    lines = content[len(codecs.BOM_UTF8) :].decode("utf-8").split("\r\n")
    assert lines[0] == ";".join(COLUMNS)  # semicolons: one column each in French Excel
    shown = {row["jalon"]: row for row in rows_of(content)}
    assert [(shown[m.key]["statut"], shown[m.key]["type"]) for m in milestones.values()] == [
        ("prévu", "livrable"),
        ("en cours", "livrable"),
        ("terminé", "livrable"),
        ("prévu", "événement"),
    ]
    assert (
        shown[milestones["ongoing"].key]["commentaire"]
        == "Relu en comité ; budget, calendrier : tenus."
    )
    # The bytes as downloaded, imported back: nothing to change, nothing written.
    before, history = state(), HistoryEntry.objects.count()
    page = dry_run(admin_client, content).content.decode()
    assert "4 lignes inchangées, non listées" in page and "Rien à changer" in page
    assert confirm(admin_client, page).status_code == 302
    assert state() == before and HistoryEntry.objects.count() == history


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_a_sheet_saved_by_french_excel_imports_through_the_one_writer(
    db: None, admin_client: Client, encoding: str
) -> None:
    milestones = some_milestones()
    rows = {row["jalon"]: row for row in rows_of(export(admin_client))}
    # As saved by Excel, unchanged: nothing to write.
    unchanged = as_excel(list(rows.values()), encoding)
    page = dry_run(admin_client, unchanged).content.decode()
    assert "4 lignes inchangées, non listées" in page, page[:3000]
    # Edited in Excel: statuses and kinds typed as French labels, a comment with both
    # separators and accents, a completion date the French way.
    ongoing, event = rows[milestones["ongoing"].key], rows[milestones["event"].key]
    ongoing.update(
        {
            "statut": "Terminé",
            "avancement": "",
            "achevé le": "2025-02-03",
            "commentaire": "Livré ; recette, « validée ».",
        }
    )
    event.update({"type": "livrable", "statut": "en cours", "avancement": "10"})
    page = dry_run(admin_client, as_excel(list(rows.values()), encoding)).content.decode()
    assert "2 jalons modifiés" in page and "2 lignes inchangées, non listées" in page
    last = HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert confirm(admin_client, page).status_code == 302
    done = Milestone.objects.get(pk=milestones["ongoing"].pk)
    assert (done.status, done.progress, done.completed_on, done.comment) == (
        "done",
        100,
        dt.date(2025, 2, 3),
        "Livré ; recette, « validée ».",
    )
    now = Milestone.objects.get(pk=milestones["event"].pk)
    assert (now.kind, now.status, now.progress) == ("deliverable", "in_progress", 10)
    # Written by the one writer, as a sheet: its history, its version moved on.
    written = HistoryEntry.objects.filter(pk__gt=last, table_name=Milestone._meta.db_table)
    assert set(written.values_list("row_id", "via")) == {(done.pk, "sheet"), (now.pk, "sheet")}
    assert (done.version, now.version) == (
        milestones["ongoing"].version + 1,
        milestones["event"].version + 1,
    )


def test_the_preview_lists_the_rows_that_change_each_cell_old_to_new(
    db: None, admin_client: Client
) -> None:
    milestones = some_milestones()
    rows = {row["jalon"]: row for row in rows_of(export(admin_client))}
    rows[milestones["planned"].key]["avancement"] = "20"
    # Headed as people write them: capitals, the fields' own names.
    headers = [
        "Mission",
        "Chantier",
        "Clé",
        "Titre",
        "Type",
        "Échéance, telle qu'écrite",
        "Statut",
        "Avancement (%)",
        "Achevé le",
        "Commentaire",
        "Version",
    ]
    page = dry_run(
        admin_client, as_excel(list(rows.values()), "utf-8-sig", headers)
    ).content.decode()
    assert "1 jalon modifié" in page and "3 lignes inchangées, non listées" in page
    preview = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert preview.count("<tr") == 1 and milestones["planned"].key in preview
    assert "<td><del>0</del> → <ins>20</ins></td>" in preview  # not "020", a character diff
    assert 'style="' not in preview  # the CSP refuses inline styles


def test_errors_are_named_by_their_columns_and_labels_are_listed(
    db: None, admin_client: Client
) -> None:
    milestones = some_milestones()
    rows = {row["jalon"]: row for row in rows_of(export(admin_client))}
    rows[milestones["planned"].key]["avancement"] = "beaucoup"
    rows[milestones["ongoing"].key].update({"statut": "fini", "type": "réunion"})
    page = dry_run(admin_client, as_excel(list(rows.values()), "utf-8-sig")).content.decode()
    labels = re.findall(r'class="validation-error-field-label">([^<]*)<', page)
    assert sorted(labels) == ["avancement", "statut", "type"], labels
    assert (
        escape("statut inconnu « fini » (au choix : prévu, en cours, terminé, manqué, annulé)")
        in page
    )
    assert escape("type inconnu « réunion » (au choix : livrable, événement)") in page
    assert 'name="import_file_name"' not in page


def test_a_file_that_is_not_a_sheet_says_why_in_french(db: None, admin_client: Client) -> None:
    milestone = MilestoneFactory()
    row = next(r for r in rows_of(export(admin_client)) if r["jalon"] == milestone.key)
    # A semicolon typed in a cell that Excel did not quote: one cell too many.
    broken = (
        as_excel([row], "utf-8-sig") + f"{milestone.mission.key};;x;Titre;;;;0;;a;b;1\r\n".encode()
    )
    page = dry_run(admin_client, broken).content.decode()
    assert (
        escape(
            "La ligne 3 compte 12 cellules, mais la première ligne nomme 11 colonnes : "
            "une cellule contient un « ; » hors de guillemets."
        )
        in page
    )
    assert "InvalidDimensions" not in page
    # A workbook sent as CSV.
    page = dry_run(admin_client, export(admin_client, XLSX_FORMAT)).content.decode()
    assert escape("Ce fichier n’est pas un texte CSV.") in page
    # A cell larger than any reader takes: said with its line, not "choose CSV for a .csv".
    huge = as_excel([row], "utf-8-sig") + b'"' + b"x" * 140_000 + b'";;\r\n'
    page = dry_run(admin_client, huge).content.decode()
    assert "La ligne 3 ne peut pas être lue comme du CSV" in page
    assert "choisissez CSV" not in page


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("mission;jalon;titre\r\nm;j;t\r\n", ";"),
        ("mission,jalon,titre\nm,j,t\n", ","),
        ("mission\tjalon\ttitre\n", "\t"),
        # A heading Excel wrote with a line break (Alt+Enter) inside its quotes.
        ('"achevé\nle",jalon,titre\r\n2026-01-05,j,t\r\n', ","),
        ('"statut;\nprévu";jalon;titre\r\n', ";"),
    ],
)
def test_the_separator_is_the_one_that_cuts_the_header_record_into_most_columns(
    text: str, delimiter: str
) -> None:
    from initiatives.spreadsheets import delimiter_of

    assert delimiter_of(text) == delimiter
