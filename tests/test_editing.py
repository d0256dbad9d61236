"""Coordinators keep milestones true: permissions, rules, conflicts, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives import history, services
from initiatives.models import HistoryEntry, Milestone, MilestoneSlip

from .factories import MilestoneFactory, UserFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """A reader, a coordinator of one workstream, an administrator; a mission with two
    workstreams and a dated milestone in each: one in the coordinated workstream, one in the
    other."""
    mine = WorkstreamFactory()
    other = WorkstreamFactory(mission=mine.mission)
    coordinator = UserFactory(username="claire", first_name="Claire", last_name="Dupont")
    mine.coordinators.add(coordinator)
    return {
        "mission": mine.mission,
        "reader": UserFactory(username="lea"),
        "coordinator": coordinator,
        "admin": UserFactory(username="ana", is_staff=True),
        "mine": MilestoneFactory(workstream=mine, progress=20),
        "other": MilestoneFactory(workstream=other, due="au premier semestre 2026"),
    }


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def edit_data(milestone: Milestone, **changes: Any) -> dict[str, Any]:
    data = {
        "status": milestone.status,
        "progress": milestone.progress,
        "completed_on": milestone.completed_on.isoformat() if milestone.completed_on else "",
        "due_text": milestone.due_text,
        "comment": milestone.comment,
        "version": milestone.version,
    }
    data.update(changes)
    return data


def snapshot(milestone: Milestone) -> tuple[Any, ...]:
    m = Milestone.objects.get(pk=milestone.pk)
    return (m.status, m.progress, m.completed_on, m.due_text, m.due_end, m.comment, m.version)


# --- Permissions: every role against every action ---------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        (None, "mine", "login"),
        ("reader", "mine", 403),
        ("coordinator", "mine", "ok"),
        ("coordinator", "other", 403),  # a crafted request to another workstream's milestone
        ("admin", "mine", "ok"),
        ("admin", "other", "ok"),
    ],
)
def test_permission_matrix(
    people: dict[str, Any], role: str | None, target: str, expected: Any, htmx: bool
) -> None:
    milestone = people[target]
    client = client_for(people.get(role) if role else None)
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    headers = HTMX if htmx else {}
    before = snapshot(milestone)

    shown = client.get(url, **headers)
    posted = client.post(url, edit_data(milestone, progress=42, comment="Relu"), **headers)

    if expected == "login":
        for response in (shown, posted):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("initiatives:login"))
    elif expected == 403:
        assert shown.status_code == posted.status_code == 403
    else:
        assert shown.status_code == 200
        assert posted.status_code == (200 if htmx else 302)
    if expected == "ok":
        assert Milestone.objects.get(pk=milestone.pk).progress == 42
    else:
        assert snapshot(milestone) == before  # nothing changed


def test_the_service_refuses_too_whatever_the_view(people: dict[str, Any]) -> None:
    change = services.MilestoneChange("in_progress", 10, None, people["other"].due_text, "")
    with pytest.raises(services.PermissionDenied):
        services.milestone_update(
            people["coordinator"], people["other"].pk, change, base_version=people["other"].version
        )


@pytest.mark.parametrize("htmx", [False, True])
def test_csrf_is_required_on_every_post(people: dict[str, Any], htmx: bool) -> None:
    milestone = people["mine"]
    client = client_for(people["coordinator"], enforce_csrf_checks=True)
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    response = client.post(url, edit_data(milestone, progress=5), **(HTMX if htmx else {}))
    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).progress == milestone.progress
    # With the token the page carries, it goes through.
    page = client.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        url,
        edit_data(milestone, progress=5),
        HTTP_X_CSRFTOKEN=token,
        **(HTMX if htmx else {}),
    )
    assert response.status_code == (200 if htmx else 302)


def test_coordinators_see_edit_only_on_their_own_milestones(people: dict[str, Any]) -> None:
    url = reverse("initiatives:mission", args=[people["mission"].key])
    html = client_for(people["coordinator"]).get(url).content.decode()
    assert reverse("initiatives:milestone_edit", args=[people["mine"].pk]) in html
    assert reverse("initiatives:milestone_edit", args=[people["other"].pk]) not in html
    for role in ("reader", None):
        html = client_for(people.get(role) if role else None).get(url).content.decode()
        assert "/modifier/" not in html


# --- Rules --------------------------------------------------------------------------------------


def post(people: dict[str, Any], **changes: Any) -> Any:
    milestone = Milestone.objects.get(pk=people["mine"].pk)
    return client_for(people["coordinator"]).post(
        reverse("initiatives:milestone_edit", args=[milestone.pk]),
        edit_data(milestone, **changes),
        **HTMX,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"status": "done", "completed_on": ""},
            "completed_on",
            "doit avoir sa date d&#x27;achèvement",
        ),
        ({"status": "done", "completed_on": "2999-01-01"}, "completed_on", "futur"),
        ({"progress": 150}, "progress", ""),
        ({"progress": -1}, "progress", ""),
        ({"status": "missed", "comment": "  "}, "comment", "commentaire"),
        ({"status": "cancelled", "comment": ""}, "comment", "commentaire"),
        ({"due_text": "au printemps de l'an 3000 et des poussières"}, "due_text", ""),
    ],
)
def test_rules_refuse_with_400_keep_what_was_typed_and_change_nothing(
    people: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot(people["mine"])
    response = post(people, **changes)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f'aria-describedby="{field.split("_")[0]}-{people["mine"].pk}' in html
        or "fr-error-text" in html
    )
    assert message in html
    for value in changes.values():
        if str(value).strip():
            assert str(value).replace("'", "&#x27;") in html  # what was typed is still there
    assert snapshot(people["mine"]) == before


def test_done_sets_progress_to_100(people: dict[str, Any]) -> None:
    today = timezone.localdate()
    response = post(people, status="done", progress=30, completed_on=today.isoformat())
    assert response.status_code == 200
    saved = Milestone.objects.get(pk=people["mine"].pk)
    assert (saved.status, saved.progress, saved.completed_on, saved.health) == (
        "done",
        100,
        today,
        "done",
    )


def test_a_new_due_expression_is_read_against_today_and_a_later_one_is_a_slip(
    people: dict[str, Any],
) -> None:
    milestone = people["mine"]
    year = timezone.localdate().year + 1
    assert post(people, due_text=f"T3 {year}").status_code == 200
    saved = Milestone.objects.get(pk=milestone.pk)
    assert (saved.due_start, saved.due_end, saved.due_precision, saved.due_reference) == (
        dt.date(year, 7, 1),
        dt.date(year, 9, 30),
        "quarter",
        timezone.localdate(),
    )
    slip = MilestoneSlip.objects.get(milestone=milestone)
    assert (slip.old_text, slip.new_text, slip.new_end) == (
        milestone.due_text,
        f"T3 {year}",
        dt.date(year, 9, 30),
    )
    # Earlier is no slip; later again is a second one. The page counts them and the delay.
    assert post(people, due_text=f"T1 {year}").status_code == 200
    assert post(people, due_text=f"fin {year + 1}").status_code == 200
    assert MilestoneSlip.objects.filter(milestone=milestone).count() == 2
    page = Client().get(reverse("initiatives:milestone", args=[milestone.pk])).content.decode()
    total = (dt.date(year, 9, 30) - milestone.due_end) + (
        dt.date(year + 1, 12, 31) - dt.date(year, 3, 31)
    )
    assert f"2 fois, de {total.days} jours au total" in page


def test_the_due_preview_reads_while_typing(people: dict[str, Any]) -> None:
    client = client_for(people["coordinator"])
    html = client.get(reverse("initiatives:due_preview"), {"due_text": "T2 2027"}).content.decode()
    assert "1er avril 2027" in html and "30 juin 2027" in html
    html = client.get(reverse("initiatives:due_preview"), {"due_text": "T5 2027"}).content.decode()
    assert "fr-error-text" in html


# --- Optimistic locking ---------------------------------------------------------------------------


def test_a_stale_form_gets_409_with_their_values_and_keeps_mine(people: dict[str, Any]) -> None:
    milestone = people["mine"]
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    stale = edit_data(milestone, progress=77, comment="Mon commentaire")
    # An administrator saves first.
    first = client_for(people["admin"]).post(url, edit_data(milestone, progress=55), **HTMX)
    assert first.status_code == 200

    response = client_for(people["coordinator"]).post(url, stale, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "ana" in html  # who changed it
    assert "55 %" in html  # their value
    assert 'value="77"' in html and "Mon commentaire" in html  # mine, kept
    assert Milestone.objects.get(pk=milestone.pk).progress == 55  # theirs, not overwritten
    # Saving again from the conflict form is a deliberate choice, over the new version.
    version = html.split('name="version" value="')[1].split('"')[0]
    again = client_for(people["coordinator"]).post(url, {**stale, "version": version}, **HTMX)
    assert again.status_code == 200
    assert Milestone.objects.get(pk=milestone.pk).progress == 77


def test_without_javascript_the_form_page_redirects_after_post(people: dict[str, Any]) -> None:
    milestone = people["mine"]
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    client = client_for(people["coordinator"])
    page = client.get(url)
    assert page.status_code == 200 and "<h1>" in page.content.decode()
    mission_url = reverse("initiatives:mission", args=[people["mission"].key])
    response = client.post(url, {**edit_data(milestone, progress=12), "next": mission_url})
    assert response.status_code == 302 and response["Location"] == mission_url
    response = client.post(
        url,
        {**edit_data(Milestone.objects.get(pk=milestone.pk)), "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == reverse("initiatives:milestone", args=[milestone.pk])


def test_an_inline_save_returns_the_row_and_announces_it(people: dict[str, Any]) -> None:
    response = post(people, progress=64)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<div id="milestone-{people["mine"].pk}"')
    assert "milestone-saved" in response["HX-Trigger"]


# --- History ---------------------------------------------------------------------------------------


def milestone_history(milestone: Milestone) -> list[HistoryEntry]:
    return list(
        HistoryEntry.objects.filter(
            table_name="initiatives_milestone", row_id=milestone.pk
        ).order_by("pk")
    )


def test_every_kind_of_write_reaches_the_history(people: dict[str, Any]) -> None:
    milestone = people["mine"]
    before = len(milestone_history(milestone))
    # A coordinator's edit (a compare-and-swap update()).
    assert post(people, progress=33).status_code == 200
    # An ORM save, a queryset update, raw SQL, a bulk insert, a delete.
    m = Milestone.objects.get(pk=milestone.pk)
    m.comment = "sauvé"
    m.save()
    Milestone.objects.filter(pk=milestone.pk).update(progress=34)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE initiatives_milestone SET progress = 35 WHERE id = %s", [milestone.pk]
        )
    [created] = Milestone.objects.bulk_create(
        [Milestone(mission=m.mission, workstream=m.workstream, key="en-masse", title="En masse")]
    )
    Milestone.objects.filter(pk=created.pk).delete()

    entries = milestone_history(milestone)[before:]
    assert [(e.action, e.via) for e in entries] == [
        ("update", "edit"),
        ("update", "sql"),
        ("update", "sql"),
        ("update", "sql"),
    ]
    assert entries[0].actor == people["coordinator"]
    assert history.changes(entries[0].old, entries[0].new)["progress"] == (milestone.progress, 33)
    assert history.changes(entries[3].old, entries[3].new) == {"progress": (34, 35)}
    assert [e.action for e in milestone_history(created)] == ["insert", "delete"]


def test_an_unchanged_save_records_nothing(people: dict[str, Any]) -> None:
    milestone = Milestone.objects.get(pk=people["mine"].pk)
    before = len(milestone_history(milestone))
    milestone.save()
    assert len(milestone_history(milestone)) == before


def test_admin_edits_of_missions_and_workstreams_are_signed(people: dict[str, Any]) -> None:
    admin = get_user_model().objects.create_superuser("root", password="pw-root-2026")
    workstream = people["mine"].workstream
    client = client_for(admin)
    url = reverse("admin:initiatives_workstream_change", args=[workstream.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(title="Titre revu en administration", mission=workstream.mission_id)
    for prefix in ("milestones", "citations"):
        for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0)):
            data[f"{prefix}-{name}"] = value
    # The admin's own formsets give their prefixes; read them from the page.
    page = client.get(url).content.decode()
    import re

    for prefix in set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)):
        data[f"{prefix}-TOTAL_FORMS"] = 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = HistoryEntry.objects.filter(
        table_name="initiatives_workstream", row_id=workstream.pk
    ).latest("pk")
    assert (entry.actor, entry.via) == (admin, "admin")
    assert history.changes(entry.old, entry.new)["title"][1] == "Titre revu en administration"


def test_imports_are_recorded_as_imports(seeded: None) -> None:
    entries = HistoryEntry.objects.filter(table_name="initiatives_mission")
    assert entries.filter(action="insert").count() == 4
    # Then the assessments the fixtures carry are copied on three of them, still by the import.
    assert {(e.action, e.via, e.actor_id) for e in entries} == {
        ("insert", "import", None),
        ("update", "import", None),
    }


def test_the_milestone_page_shows_its_history_as_a_timeline(people: dict[str, Any]) -> None:
    post(people, progress=21, comment="Premier point")
    html = Client().get(reverse("initiatives:milestone", args=[people["mine"].pk])).content.decode()
    timeline = html.split("Historique")[1]
    assert "Claire Dupont" in timeline
    assert f"{people['mine'].progress} % → 21 %" in timeline
    assert "Premier point" in timeline


def test_each_mission_has_an_atom_feed_of_its_changes(people: dict[str, Any]) -> None:
    post(people, progress=88)
    response = Client().get(reverse("initiatives:mission_feed", args=[people["mission"].key]))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "<feed" in body and "88 %" in body and "Claire Dupont" in body
    assert Client().get("/missions/inconnue/historique.atom").status_code == 404


def test_a_conflict_with_a_write_by_no_one_says_so(people: dict[str, Any]) -> None:
    """The first save came from an import or raw SQL: there is no one to name."""
    milestone = people["mine"]
    Milestone.objects.filter(pk=milestone.pk).update(progress=9, version=milestone.version + 1)
    response = post_stale(people, milestone, progress=50)
    assert response.status_code == 409
    assert "un import ou le système" in response.content.decode()


def post_stale(people: dict[str, Any], milestone: Milestone, **changes: Any) -> Any:
    return client_for(people["coordinator"]).post(
        reverse("initiatives:milestone_edit", args=[milestone.pk]),
        edit_data(milestone, **changes),
        **HTMX,
    )


def test_the_workstream_page_lists_its_milestones_and_coordinators(people: dict[str, Any]) -> None:
    workstream = people["mine"].workstream
    url = reverse("initiatives:workstream", args=[people["mission"].key, workstream.key])
    html = client_for(people["coordinator"]).get(url).content.decode()
    assert f"<h1>{workstream.title}" in html.replace("&#x27;", "'")
    assert "Claire Dupont" in html
    assert reverse("initiatives:milestone_edit", args=[people["mine"].pk]) in html
    assert "/modifier/" not in Client().get(url).content.decode()
    assert (
        Client()
        .get(reverse("initiatives:workstream", args=[people["mission"].key, "inconnu"]))
        .status_code
        == 404
    )
    assert (
        Client()
        .get(reverse("initiatives:workstream", args=["inconnue", workstream.key]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("extra", [0, 300])
def test_the_workstream_page_query_count_is_fixed(
    people: dict[str, Any], uncached: None, extra: int
) -> None:
    from django.test.utils import CaptureQueriesContext

    from .test_views import add_milestones

    workstream = people["mine"].workstream
    add_milestones(extra, workstream)
    url = reverse("initiatives:workstream", args=[people["mission"].key, workstream.key])
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    assert len(queries) == 4  # workstream, its coordinators, milestones, quotes
