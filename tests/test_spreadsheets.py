"""Milestones as spreadsheets in the admin (django-import-export): export, then the dry run and
the confirmation of an import, through the admin's own pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from initiatives.models import HistoryEntry, Milestone

pytestmark = pytest.mark.django_db
COLUMNS = ["mission", "chantier", "jalon", "titre", "échéance", "statut", "avancement", "achevé le", "commentaire", "version"]
EXPORT = reverse("admin:initiatives_milestone_export")
IMPORT = reverse("admin:initiatives_milestone_import")
PROCESS = reverse("admin:initiatives_milestone_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def export(client: Client, fmt: str = CSV_FORMAT) -> bytes:
    fields = {f"milestoneresource_{name}": "on" for name in ("mission", "workstream", "key", "title", "due_text", "status", "progress", "completed_on", "comment", "version")}
    response = client.post(EXPORT, {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    return response.content


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def dry_run(client: Client, content: bytes, name: str = "jalons.csv", fmt: str = CSV_FORMAT):
    return client.post(IMPORT, {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)})


def confirm(client: Client, page: str):
    hidden = dict(re.findall(r'<input type="hidden" name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', page))
    assert "import_file_name" in hidden, page[:3000]
    return client.post(PROCESS, hidden)


def state() -> list[tuple]:
    return list(Milestone.objects.order_by("pk").values_list("key", "title", "due_text", "due_end", "status", "progress", "completed_on", "comment", "version"))


def test_a_csv_round_trip_changes_nothing(seeded: None, admin_client: Client) -> None:
    content = export(admin_client)
    rows = rows_of(content)
    assert list(rows[0]) == COLUMNS and len(rows) == Milestone.objects.count()
    before, history = state(), HistoryEntry.objects.count()
    page = dry_run(admin_client, content).content.decode()
    assert "Skipped" in page or "Ignoré" in page or "skip" in page.lower()
    confirm(admin_client, page)
    assert state() == before and HistoryEntry.objects.count() == history


def test_an_xlsx_export_imports_back_unchanged(seeded: None, admin_client: Client) -> None:
    content = export(admin_client, XLSX_FORMAT)
    assert content[:2] == b"PK"  # a zip: an Office Open XML workbook
    before = state()
    confirm(admin_client, dry_run(admin_client, content, "jalons.xlsx", XLSX_FORMAT).content.decode())
    assert state() == before


def test_an_import_updates_and_creates_through_the_edit_rules(seeded: None, admin_client: Client) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-diagnostic")
    row.update({"échéance": "T3 2024", "statut": "in_progress", "avancement": "40"})
    new = {**row, "jalon": "bilan-2025", "titre": "Bilan public", "échéance": "d'ici fin 2025", "statut": "", "avancement": "", "version": ""}
    page = dry_run(admin_client, as_csv([row, new])).content.decode()
    assert Milestone.objects.get(key="competences-formations-diagnostic").due_text == ""  # a dry run writes nothing
    confirm(admin_client, page)
    updated = Milestone.objects.get(key="competences-formations-diagnostic")
    assert (updated.due_text, str(updated.due_start), str(updated.due_end), updated.due_precision) == ("T3 2024", "2024-07-01", "2024-09-30", "quarter")
    assert (updated.status, updated.progress, updated.version) == ("in_progress", 40, int(row["version"]) + 1)
    created = Milestone.objects.get(key="bilan-2025")
    assert (created.title, created.workstream.key, str(created.due_end), created.status) == ("Bilan public", "competences-formations", "2025-12-31", "planned")
    assert "spreadsheet" in created.editorial["existence"] or "tableur" in created.editorial["existence"]
    assert HistoryEntry.objects.filter(via="admin", row_id=updated.pk).exists()


def test_each_bad_row_gets_its_own_error_and_nothing_is_written(seeded: None, admin_client: Client) -> None:
    rows = rows_of(export(admin_client))
    good, *others = [dict(r) for r in rows[:6]]
    good["avancement"] = "55"
    bad = [
        ({**others[0], "échéance": "quand les poules auront des dents"}, "quand les poules auront des dents"),
        ({**others[1], "statut": "fini"}, "statut inconnu « fini »"),
        ({**others[2], "statut": "done", "avancement": "100", "achevé le": ""}, "un jalon terminé doit avoir sa date d'achèvement"),
        ({**others[3], "mission": "mission-inconnue"}, "aucune mission « mission-inconnue »"),
        ({**others[4], "chantier": "chantier-inconnu"}, "aucun chantier « chantier-inconnu » dans cette mission"),
    ]
    before = state()
    page = dry_run(admin_client, as_csv([good, *(row for row, _message in bad)])).content.decode()
    for line, (_row, message) in enumerate(bad, start=2):  # the good row is row 1
        # Each message in the table row of its own line.
        cells = re.search(rf"<tr>\s*<td>\s*{line}\s*</td>(.*?)</tr>", page, re.S)
        assert cells and escape(message) in cells.group(1), (line, message)
    assert 'name="import_file_name"' not in page  # no confirmation offered
    assert state() == before


def test_a_row_changed_between_the_dry_run_and_the_confirmation_writes_nothing(seeded: None, admin_client: Client) -> None:
    rows = rows_of(export(admin_client))
    first, second = (dict(r) for r in rows[:2])
    first["avancement"], second["avancement"] = "11", "22"
    page = dry_run(admin_client, as_csv([first, second])).content.decode()
    # A coordinator saves the second milestone after the dry run, before the confirmation.
    Milestone.objects.filter(key=second["jalon"], mission__key=second["mission"]).update(version=int(second["version"]) + 1)
    before = state()
    response = confirm(admin_client, page)
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert state() == before  # the first row is not written either
    shown = admin_client.get(IMPORT).content.decode()
    assert "Rien n’a été importé" in shown and "exportez de nouveau" in shown


def test_a_sheet_does_not_move_a_milestone_to_another_workstream(seeded: None, admin_client: Client) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-livraison")
    row["chantier"] = "e-paiement"
    page = dry_run(admin_client, as_csv([row])).content.decode()
    assert "ne change pas de chantier" in page
    assert Milestone.objects.get(key="competences-formations-livraison").workstream.key == "competences-formations"


def test_a_sheet_exported_before_someone_elses_edit_is_refused_on_that_row(seeded: None, admin_client: Client) -> None:
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == "competences-formations-livraison")
    Milestone.objects.filter(key="competences-formations-livraison").update(progress=70, version=int(row["version"]) + 1)
    row["avancement"] = "10"
    page = dry_run(admin_client, as_csv([row])).content.decode()
    assert "export again" in page or "exportez de nouveau" in page
    assert Milestone.objects.get(key="competences-formations-livraison").progress == 70
