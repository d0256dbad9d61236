"""One writer for milestones: whatever the path (the coordinators' edit, the admin's page and
its inlines, a fixture import, a spreadsheet), a milestone is written by
services.write_milestones, after services.check_milestone: the same rules, the same
compare-and-swap, a slip for every later deadline, the same health and alerts, and the
history says through what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives import importing, services
from initiatives.models import DeadlineAlert, HistoryEntry, Milestone, MilestoneSlip

from . import factories
from .conftest import FIXTURES
from .factories import MilestoneFactory, WorkstreamFactory
from .test_admin import _milestone_form
from .test_spreadsheets import as_csv, confirm, dry_run, export, rows_of

pytestmark = pytest.mark.django_db

KEY = "diagnostic"  # the `undated` milestone's
DOCUMENT_MISSION = "plan-cloud-souverain"  # factories.document()'s


@pytest.fixture
def undated() -> Milestone:
    """A milestone with no deadline yet, in a workstream with another, dated one."""
    workstream = WorkstreamFactory()
    MilestoneFactory(workstream=workstream, due="au premier semestre 2026")
    return MilestoneFactory(workstream=workstream, key=KEY, due=None)


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """factories.document(), imported: its directory, to import again."""
    documents = tmp_path / "documents"
    documents.mkdir()
    importing.import_paths([factories.write_document(documents, factories.document())])
    return documents


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `via` of every call to the one writer: a spy that calls through, not a fake."""
    calls: list[str] = []
    real = services.write_milestones

    def spy(user: Any, edits: Any, *, via: str, today: Any = None) -> list[int]:
        calls.append(via)
        return real(user, edits, via=via, today=today)

    # The package's name, which views, the admin, sheets and the importer call, and the
    # module's, which services.milestone_update calls: every path passes one of the two.
    monkeypatch.setattr(services, "write_milestones", spy)
    monkeypatch.setattr(services.milestones, "write_milestones", spy)
    return calls


def milestone() -> Milestone:
    return Milestone.objects.select_related("workstream").get(key=KEY)


def coordinator_of(m: Milestone) -> Any:
    user = factories.user("claire")
    m.workstream.coordinators.add(user)
    return user


def admin() -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    user = get_user_model().objects.filter(username="ana").first() or factories.user(
        "ana", staff=True
    )
    client.force_login(user)
    return client


def root() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="root").first() or factories.user(
        "root", staff=True
    )


def date_it(m: Milestone, words: str) -> Milestone:
    """Give a milestone a first deadline (`undated` has none)."""
    services.milestone_update(
        root(),
        m.pk,
        services.MilestoneChange(due_text=words),
        base_version=m.version,
    )
    return milestone()


# -- Slips: a later deadline from any path ------------------------------------------------------


def test_the_coordinators_edit_records_a_slip(undated: Milestone, writes: list[str]) -> None:
    m = date_it(milestone(), "T1 2027")
    client = Client()
    client.force_login(coordinator_of(m))
    response = client.post(
        reverse("initiatives:milestone_edit", args=[m.pk]),
        {
            "status": m.status,
            "progress": m.progress,
            "completed_on": "",
            "due_text": "T3 2027",
            "comment": "",
            "version": m.version,
        },
    )
    assert response.status_code == 302
    slip = MilestoneSlip.objects.get(milestone=m)
    assert (slip.old_text, slip.new_text, slip.via) == ("T1 2027", "T3 2027", "edit")
    assert writes[1:] == ["edit"]


def test_the_admin_page_records_a_slip(undated: Milestone, writes: list[str]) -> None:
    m = date_it(milestone(), "T1 2027")
    url = reverse("admin:initiatives_milestone_change", args=[m.pk])
    response = admin().post(url, _milestone_form(m, due_text="fin 2027"))
    assert response.status_code == 302, response.content.decode()[:2000]
    slip = MilestoneSlip.objects.get(milestone=m)
    assert (slip.old_text, slip.new_text, slip.via) == ("T1 2027", "fin 2027", "admin")
    assert writes[1:] == ["admin"]
    assert HistoryEntry.objects.filter(row_id=m.pk, via="admin").exists()


def test_the_admin_inline_of_a_workstream_records_a_slip(
    undated: Milestone, writes: list[str]
) -> None:
    m = date_it(milestone(), "T1 2027")
    ws = m.workstream
    url = reverse("admin:initiatives_workstream_change", args=[ws.pk])
    page = admin().get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict[str, Any] = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data["coordinators"] = [u.pk for u in ws.coordinators.all()]
    milestones = list(ws.milestones.order_by("due_end", "key"))
    for i, other in enumerate(milestones):
        data.update(
            {
                f"milestones-{i}-id": other.pk,
                f"milestones-{i}-workstream": ws.pk,
                f"milestones-{i}-key": other.key,
                f"milestones-{i}-title": other.title,
                f"milestones-{i}-kind": other.kind,
                f"milestones-{i}-due_text": "fin 2027" if other.pk == m.pk else other.due_text,
                f"milestones-{i}-status": other.status,
                f"milestones-{i}-progress": other.progress,
                f"milestones-{i}-completed_on": other.completed_on or "",
                f"milestones-{i}-base_version": other.version,
            }
        )
    data.update(
        {
            "milestones-TOTAL_FORMS": len(milestones),
            "milestones-INITIAL_FORMS": len(milestones),
            "citations-TOTAL_FORMS": 0,
            "citations-INITIAL_FORMS": 0,
        }
    )
    response = admin().post(url, data)
    assert response.status_code == 302, (
        [str(f.errors) for f in response.context["inline_admin_formsets"][0].formset.forms][:3]
        if response.context
        else response
    )
    slip = MilestoneSlip.objects.get(milestone=m)
    assert (slip.new_text, slip.via) == ("fin 2027", "admin")
    assert writes[1:] == ["admin"]


def test_a_re_import_records_a_slip(imported: Path, writes: list[str]) -> None:
    writes.clear()  # the first import's
    m = Milestone.objects.get(mission__key=DOCUMENT_MISSION, key="premieres-offres")
    old_text = m.due_text
    edit_document(imported, "premieres-offres", due={"text": "fin 2026", "reference": "2025-03-10"})
    importing.import_paths([imported], today=dt.date(2026, 11, 29))
    slip = MilestoneSlip.objects.get(milestone=m)
    assert (slip.old_text, slip.new_text, slip.via, slip.recorded_by) == (
        old_text,
        "fin 2026",
        "import",
        None,
    )
    assert writes == ["import"]


def test_a_spreadsheet_records_a_slip(
    undated: Milestone, admin_client: Client, writes: list[str]
) -> None:
    m = date_it(milestone(), "T1 2027")
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["jalon"] == KEY)
    row.update({"échéance": "T4 2027"})
    confirm(admin_client, dry_run(admin_client, as_csv([row])).content.decode())
    slip = MilestoneSlip.objects.get(milestone=m)
    assert (slip.old_text, slip.new_text, slip.via) == ("T1 2027", "T4 2027", "sheet")
    assert set(writes[1:]) == {"sheet"}  # the dry run writes too, in a transaction rolled back


# -- The same rules, in the same words, on every path -------------------------------------------


def rule(**values: Any) -> str:
    """The message of the one rule these values break, as services word it."""
    (message,) = services.milestone_rule_errors(today=timezone.localdate(), **values).values()
    return str(message)


def test_missed_needs_a_comment_on_every_path(imported: Path, admin_client: Client) -> None:
    from django.utils.html import escape

    expected = rule(status="missed", progress=0, completed_on=None, comment="")
    m = Milestone.objects.select_related("workstream").get(
        mission__key=DOCUMENT_MISSION, key="premieres-offres"
    )
    before = (m.status, m.version)
    # The coordinators' edit.
    client = Client()
    client.force_login(coordinator_of(m))
    response = client.post(
        reverse("initiatives:milestone_edit", args=[m.pk]),
        {
            "status": "missed",
            "progress": 0,
            "completed_on": "",
            "due_text": m.due_text,
            "comment": "",
            "version": m.version,
        },
    )
    assert response.status_code == 400 and escape(expected) in response.content.decode()
    # The admin.
    response = admin_client.post(
        reverse("admin:initiatives_milestone_change", args=[m.pk]),
        _milestone_form(m, status="missed", comment=""),
    )
    assert response.status_code == 200 and escape(expected) in response.content.decode()
    # A spreadsheet.
    row = next(r for r in rows_of(export(admin_client)) if r["jalon"] == m.key)
    row.update({"statut": "missed", "commentaire": ""})
    assert escape(expected) in dry_run(admin_client, as_csv([row])).content.decode()
    # An import.
    edit_document(imported, m.key, status="missed")
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_paths([imported])
    assert any(expected in str(error) for error in failed.value.errors)
    m.refresh_from_db()
    assert (m.status, m.version) == before  # nothing written by any of them


# -- A re-import keeps a coordinator's deadline move -------------------------------------------


def test_a_re_import_of_unchanged_fixtures_keeps_a_coordinators_deadline_move(seeded: None) -> None:
    # The issue's own case, on the curated fixtures: the dry run planned « T2 2027 » → « avant
    # fin 2021 », and the whole set must re-import as nothing to do.
    m = Milestone.objects.select_related("workstream").get(
        mission__key="mission-numerique-grands-groupes", key="competences-formations-livraison"
    )
    assert m.due_text == "avant fin 2021"
    coordinator = coordinator_of(m)
    services.milestone_update(
        coordinator, m.pk, services.MilestoneChange(due_text="T2 2027"), base_version=m.version
    )
    moved = Milestone.objects.get(pk=m.pk)
    plan = importing.import_paths([FIXTURES], dry_run=True)
    assert plan.is_noop, [c for c in plan.changes if c.action != "unchanged"]
    importing.import_paths([FIXTURES])
    again = Milestone.objects.get(pk=m.pk)
    assert (again.due_text, again.due_end, again.version) == (
        "T2 2027",
        moved.due_end,
        moved.version,
    )


def test_a_deadline_changed_in_the_document_and_by_a_coordinator_is_a_conflict(
    imported: Path,
) -> None:
    m = Milestone.objects.get(mission__key=DOCUMENT_MISSION, key="bilan")
    services.milestone_update(
        root(), m.pk, services.MilestoneChange(due_text="T2 2027"), base_version=m.version
    )
    edit_document(imported, "bilan", due={"text": "fin 2026", "reference": "2025-03-10"})
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_paths([imported])
    (error,) = failed.value.errors
    # The field, at the milestone's place (the second of its workstream).
    assert error.path.endswith("workstreams[0].milestones[1].due_text")
    assert "T2 2027" in error.message and "fin 2026" in error.message
    assert Milestone.objects.get(pk=m.pk).due_text == "T2 2027"


# -- Alerts that close themselves ----------------------------------------------------------------


def test_marking_a_milestone_done_resolves_its_alerts_and_the_bell_drops(
    undated: Milestone,
) -> None:
    m = milestone()
    claire = coordinator_of(m)
    # Late and in progress: an overdue alert under Claire's bell.
    services.milestone_update(
        claire,
        m.pk,
        services.MilestoneChange(status="in_progress", progress=30, due_text="T1 2024"),
        base_version=m.version,
    )
    alert = DeadlineAlert.objects.get(milestone=m, resolved_at__isnull=True)
    assert alert.kind == "overdue"
    services.notify_alert(alert.pk)
    client = Client()
    client.force_login(claire)
    bell = reverse("initiatives:notification_bell")
    assert "1 non lue" in client.get(bell).content.decode()
    m.refresh_from_db()
    services.milestone_update(
        claire,
        m.pk,
        services.MilestoneChange(
            status="done", completed_on=timezone.localdate() - dt.timedelta(days=1)
        ),
        base_version=m.version,
    )
    alert.refresh_from_db()
    assert (alert.resolution, alert.due_text) == ("closed", "T1 2024")  # the words it was raised on
    assert "non lue" not in client.get(bell).content.decode()


def test_moving_a_deadline_beyond_the_horizon_resolves_the_alert(undated: Milestone) -> None:
    m = milestone()
    user = root()
    services.milestone_update(
        user,
        m.pk,
        services.MilestoneChange(status="in_progress", due_text="T1 2024"),
        base_version=m.version,
    )
    m.refresh_from_db()
    services.milestone_update(
        user, m.pk, services.MilestoneChange(due_text="T2 2030"), base_version=m.version
    )
    alert = DeadlineAlert.objects.get(milestone=m)
    assert alert.resolution == "moved" and alert.deadline == dt.date(2024, 3, 31)
    assert Milestone.objects.get(pk=m.pk).health == "on_track"


# -- helpers ---------------------------------------------------------------------------------------


def edit_document(directory: Path, key: str, *, due: Any = None, **fields: Any) -> None:
    """Change the milestone `key` of the document in `directory`: `fields`, and a new `due`
    (with an editorial note: its words are in no quote)."""
    path = directory / "plan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    milestone_doc = find_milestone(data, key)
    milestone_doc.update(fields)
    if due is not None:
        milestone_doc["due"] = due
        milestone_doc.setdefault("editorial", {})["due"] = "Correction éditoriale pour le test."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def find_milestone(data: dict[str, Any], key: str) -> dict[str, Any]:
    for mission in data["missions"]:
        for ms in mission.get("milestones", []):
            if ms["key"] == key:
                return ms
        for ws in mission.get("workstreams", []):
            for ms in ws.get("milestones", []):
                if ms["key"] == key:
                    return ms
    raise KeyError(key)


# -- Conflicts merge by field ---------------------------------------------------------------------


def form_fields(html: str) -> dict[str, str]:
    """The named inputs of the edit form as the page gave them (hidden ones included)."""
    import re

    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html))
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>', html):
        fields[name] = value
    for name, value in re.findall(
        r'<select[^>]*name="([a-z_]+)"[^>]*>.*?<option value="([^"]*)" selected', html, re.S
    ):
        fields[name] = value
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_after_a_conflict_save_anyway_writes_only_my_fields(undated: Milestone) -> None:
    from html import unescape

    m = date_it(milestone(), "T1 2027")
    claire = coordinator_of(m)
    client = Client()
    client.force_login(claire)
    url = reverse("initiatives:milestone_edit", args=[m.pk])
    opened = {k: unescape(v) for k, v in form_fields(client.get(url).content.decode()).items()}
    assert opened["seen"] == "True" and opened["seen_due_text"] == "T1 2027"
    # Meanwhile an administrator moves the deadline.
    services.milestone_update(
        root(), m.pk, services.MilestoneChange(due_text="T4 2027"), base_version=m.version
    )
    # Claire only changed the progress; her form still says « T1 2027 ».
    mine = {**opened, "progress": "45", "status": "in_progress"}
    refused = client.post(url, mine)
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "« T4 2027 »" in html and "« T1 2027 »" in html  # what is stored, what she saw
    assert "le sien est conservé" in html or "theirs is kept" in html
    assert Milestone.objects.get(pk=m.pk).progress == 0
    again = {k: unescape(v) for k, v in form_fields(html).items()}
    assert (
        again["seen_due_text"] == "T1 2027"
        and again["due_text"] == "T1 2027"
        and again["progress"] == "45"
    )
    saved = client.post(url, again, follow=True)
    assert saved.status_code == 200
    final = Milestone.objects.get(pk=m.pk)
    # Her fields written; the deadline the other person moved is not put back.
    assert (final.progress, final.status, final.due_text) == (45, "in_progress", "T4 2027")
    assert "T4 2027" in saved.content.decode() and "45 %" in saved.content.decode()


def test_a_mission_added_with_a_milestone_inline_gets_it(admin_client: Client) -> None:
    """The admin's add page: the milestone is checked before its mission exists, and written
    once the mission is saved, with the mission's id."""
    data = {
        "key": "mission-ajoutee",
        "title": "Mission ajoutée",
        "summary": "",
        "status": "announced",
        "rhythm_days": 180,
        "launch_text": "",
        "budget_eur": "",
        "budget_qualifier": "",
        "budget_text": "",
        "editorial": "{}",
        "assessed_status": "not_assessed",
        **{f"{prefix}-TOTAL_FORMS": 0 for prefix in ("involvements", "workstreams", "citations")},
        **{f"{prefix}-INITIAL_FORMS": 0 for prefix in ("involvements", "workstreams", "citations")},
        "milestones-TOTAL_FORMS": 1,
        "milestones-INITIAL_FORMS": 0,
        "milestones-0-key": "premier-jalon",
        "milestones-0-title": "Premier jalon",
        "milestones-0-kind": "deliverable",
        "milestones-0-workstream": "",
        "milestones-0-due_text": "fin 2027",
        "milestones-0-status": "planned",
        "milestones-0-progress": 0,
        "milestones-0-completed_on": "",
        "milestones-0-base_version": "",
    }
    response = admin_client.post(reverse("admin:initiatives_mission_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Milestone.objects.get(key="premier-jalon")
    assert (created.mission.key, created.due_text, created.due_end) == (
        "mission-ajoutee",
        "fin 2027",
        dt.date(2027, 12, 31),
    )


def test_an_alert_an_observer_answered_is_not_reopened_by_a_later_edit(
    undated: Milestone,
) -> None:
    m = milestone()
    user = root()
    services.milestone_update(
        user,
        m.pk,
        services.MilestoneChange(status="in_progress", due_text="T1 2024"),
        base_version=m.version,
    )
    alert = DeadlineAlert.objects.get(milestone=m, resolved_at__isnull=True)
    services.resolve_alerts([m.pk], assessed=True)
    m.refresh_from_db()
    services.milestone_update(
        user, m.pk, services.MilestoneChange(comment="Relu."), base_version=m.version
    )
    alert.refresh_from_db()
    assert (alert.resolution, alert.resolved_at is not None) == ("assessed", True)
