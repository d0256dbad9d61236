"""« Mes jalons » and the deadline words of a coordinator's edit: every milestone they may
edit, across missions, by due window, in a fixed number of queries; a deadline set in the
past is saved with a warning; due words typed again are read as of today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import periods, selectors, services
from initiatives.models import Milestone

from .factories import MilestoneFactory, MissionFactory, UserFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/mes-jalons/"


@pytest.fixture
def claire(db: None) -> dict[str, Any]:
    """Claire coordinates a workstream in each of two missions; a third workstream, of one
    of those missions, is someone else's; the mission has a milestone of its own too."""
    claire = UserFactory(username="claire", first_name="Claire", last_name="Dupont")
    cloud = WorkstreamFactory(
        mission=MissionFactory(title="Plan cloud"), title="Qualifier", coordinators=[claire]
    )
    skills = WorkstreamFactory(
        mission=MissionFactory(title="Plan compétences"), title="Former", coordinators=[claire]
    )
    other = WorkstreamFactory(mission=cloud.mission, title="Acheter")
    today = timezone.localdate()
    return {
        "user": claire,
        "late": MilestoneFactory(workstream=cloud, title="Offres qualifiées", due="T2 2020"),
        "soon": MilestoneFactory(
            workstream=skills, title="Premier module", due="dans 10 jours", read_on=today
        ),
        "undated": MilestoneFactory(workstream=skills, title="Bilan", due=None),
        "theirs": MilestoneFactory(workstream=other, title="Marché passé", due="T3 2030"),
        "mission": MilestoneFactory(
            workstream=None, mission=cloud.mission, title="Lancement", due="T3 2030"
        ),
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_data(milestone: Milestone, **changes: Any) -> dict[str, Any]:
    """What the inline form sends: the values and, hidden, what it showed."""
    shown = {
        "status": milestone.status,
        "progress": milestone.progress,
        "completed_on": "",
        "due_text": milestone.due_text,
        "comment": milestone.comment,
    }
    return {
        **shown,
        **{f"seen_{name}": value for name, value in shown.items()},
        "seen": "True",
        "version": milestone.version,
        **changes,
    }


# --- The page ----------------------------------------------------------------------------------


def test_visitors_are_sent_to_log_in(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('initiatives:login')}?next={URL}"


def test_a_coordinator_finds_every_milestone_of_theirs_across_missions(
    claire: dict[str, Any],
) -> None:
    client = client_for(claire["user"])
    html = client.get(URL).content.decode()
    for mine in ("late", "soon", "undated"):
        milestone = claire[mine]
        assert milestone.title in html
        # Editable in place, as on the mission page, and without JavaScript back to here.
        edit = reverse("initiatives:milestone_edit", args=[milestone.pk])
        assert f'hx-get="{edit}"' in html
        assert f'href="{edit}?next=/mes-jalons/"' in html
    assert "Plan cloud" in html and "Plan compétences" in html
    # Another coordinator's milestone and the mission's own (administrators') are not listed.
    assert claire["theirs"].title not in html
    assert claire["mission"].title not in html
    # The header leads here for whoever coordinates something.
    assert f'href="{URL}" aria-current="page">Mes jalons</a>' in html
    assert 'href="/mes-jalons/"' in client.get("/").content.decode()


def test_milestones_are_grouped_by_due_window(claire: dict[str, Any]) -> None:
    html = client_for(claire["user"]).get(URL).content.decode()
    headings = [
        "En retard, ou échéance passée sans nouvelles",
        "Dans les 30 jours",
        "Sans date",
    ]
    positions = [html.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    late, soon, undated = (html.index(claire[k].title) for k in ("late", "soon", "undated"))
    assert positions[0] < late < positions[1] < soon < positions[2] < undated
    # Empty windows have no heading, and the summary counts each listed one.
    assert ">Plus tard</h2>" not in html
    assert "3 jalons" in html


def test_every_window_in_order_as_of_a_given_day(db: None) -> None:
    """The selector's windows, on a day when each can be met: the health of health_filters
    (computed by the database as of that day), upcoming cut at the end of the quarter."""
    user = UserFactory()
    workstream = WorkstreamFactory(coordinators=[user])
    read = dt.date(2025, 12, 1)
    late = MilestoneFactory(workstream=workstream, due="T2 2020")
    undated = MilestoneFactory(workstream=workstream, due=None)
    quarter = MilestoneFactory(workstream=workstream, due="mars 2026", read_on=read)
    later = MilestoneFactory(workstream=workstream, due="T3 2026", read_on=read)
    done = MilestoneFactory(
        workstream=workstream, due="T4 2025", status="done", progress=100, read_on=read
    )
    soon = MilestoneFactory(workstream=workstream, due="le 20 janvier 2026", read_on=read)
    mine = selectors.my_milestones(user, dt.date(2026, 1, 10))
    assert [(g.window, [m.pk for m in g.milestones]) for g in mine.groups] == [
        ("late", [late.pk]),
        ("soon", [soon.pk]),
        ("quarter", [quarter.pk]),
        ("later", [later.pk]),
        ("undated", [undated.pk]),
        ("closed", [done.pk]),
    ]
    assert mine.quarter_end == dt.date(2026, 3, 31)
    assert mine.editable == {m.pk for g in mine.groups for m in g.milestones}


def test_someone_who_coordinates_nothing_is_told_why_the_page_is_empty(db: None) -> None:
    for user in (UserFactory(), UserFactory(is_staff=True)):
        client = client_for(user)
        page = client.get(URL)
        html = page.content.decode()
        assert page.status_code == 200
        assert "Vous ne coordonnez encore aucun chantier" in html
        assert "désigne les coordinateurs de chaque chantier" in html
        assert ("vous modifiez tous les jalons" in html) is user.is_staff
        # No link in the header for them.
        assert 'href="/mes-jalons/"' not in client.get("/").content.decode()


def test_a_coordinator_of_workstreams_without_milestones_is_told_so(db: None) -> None:
    user = UserFactory()
    WorkstreamFactory(coordinators=[user])
    html = client_for(user).get(URL).content.decode()
    assert "Vos chantiers n'ont encore aucun jalon." in html


def test_the_page_escapes_titles(claire: dict[str, Any]) -> None:
    Milestone.objects.filter(pk=claire["late"].pk).update(title="<script>alert(1)</script>")
    html = client_for(claire["user"]).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_only_reads(claire: dict[str, Any]) -> None:
    client = client_for(claire["user"])
    assert client.post(URL).status_code == 405
    assert client.get(URL, {"page": "x\x00", "window": "late"}).status_code == 200


@pytest.mark.parametrize("missions", [1, 6])
def test_the_query_count_does_not_grow_with_the_milestones(
    claire: dict[str, Any], missions: int
) -> None:
    for _ in range(missions):
        workstream = WorkstreamFactory(coordinators=[claire["user"]])
        MilestoneFactory.create_batch(8, workstream=workstream)
    client = client_for(claire["user"])
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL)
    assert page.content.decode().count('class="milestone-row"') == 3 + 8 * missions
    # Session, user, the header's link; the workstreams, their milestones, who may edit them.
    assert len(queries) == 6, [q["sql"] for q in queries]


# --- A deadline set in the past: saved, with a warning ------------------------------------------


def test_a_past_deadline_is_saved_with_a_warning_in_the_row(claire: dict[str, Any]) -> None:
    milestone = claire["soon"]
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    response = client_for(claire["user"]).post(
        url, edit_data(milestone, due_text="T2 2020"), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div id="milestone-{milestone.pk}"')
    assert "fr-alert--warning" in html
    assert (
        "L'échéance « T2 2020 » est déjà passée : elle va du 1er avril 2020 au 30 juin 2020."
        in (html.replace("&#x27;", "'"))
    )
    saved = Milestone.objects.get(pk=milestone.pk)
    assert (saved.due_text, saved.due_end) == ("T2 2020", dt.date(2020, 6, 30))
    # Said today, after the window: known to be late.
    assert saved.health == "overdue"


def test_without_javascript_the_warning_waits_on_the_page_it_returns_to(
    claire: dict[str, Any],
) -> None:
    milestone = claire["soon"]
    client = client_for(claire["user"])
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    response = client.post(url, edit_data(milestone, due_text="T2 2020", next=URL))
    assert response.status_code == 302 and response["Location"] == URL
    html = client.get(URL).content.decode().replace("&#x27;", "'")
    assert "L'échéance « T2 2020 » est déjà passée" in html
    # Once.
    assert "est déjà passée" not in client.get(URL).content.decode()


def test_a_deadline_still_ahead_or_unchanged_says_nothing(claire: dict[str, Any]) -> None:
    client = client_for(claire["user"])
    late = claire["late"]  # stored « T2 2020 »: changing its progress is no new deadline
    url = reverse("initiatives:milestone_edit", args=[late.pk])
    html = client.post(url, edit_data(late, progress=30), **HTMX).content.decode()
    assert "fr-alert--warning" not in html
    soon = claire["soon"]
    url = reverse("initiatives:milestone_edit", args=[soon.pk])
    html = client.post(url, edit_data(soon, due_text="T3 2031"), **HTMX).content.decode()
    assert "fr-alert--warning" not in html


def test_the_due_preview_says_a_deadline_has_passed(claire: dict[str, Any]) -> None:
    client = client_for(claire["user"])
    preview = reverse("initiatives:due_preview")
    html = client.get(preview, {"due_text": "T2 2020"}).content.decode().replace("&#x27;", "'")
    assert "1er avril 2020" in html
    assert "L'échéance « T2 2020 » est déjà passée ; elle peut être enregistrée quand même." in html
    assert "déjà passée" not in client.get(preview, {"due_text": "T3 2031"}).content.decode()


# --- Due words typed again are read as of today ----------------------------------------------------


@pytest.fixture
def autumn(claire: dict[str, Any]) -> Milestone:
    """« à l'automne », read in March 2020: the autumn of 2020."""
    return MilestoneFactory(
        workstream=claire["late"].workstream, due="à l'automne", read_on=dt.date(2020, 3, 10)
    )


def test_the_form_offers_to_read_the_words_again_when_that_moves_them(
    claire: dict[str, Any], autumn: Milestone
) -> None:
    client = client_for(claire["user"])
    url = reverse("initiatives:milestone_edit", args=[autumn.pk])
    html = client.get(url, **HTMX).content.decode().replace("&#x27;", "'")
    assert 'name="reread_due"' in html
    assert "Relire « à l'automne » à la date d'aujourd'hui" in html
    assert "Enregistrée : du 22 septembre 2020 au 20 décembre 2020." in html
    # Absolute words read the same today: nothing to offer.
    late = claire["late"]
    html = client.get(reverse("initiatives:milestone_edit", args=[late.pk]), **HTMX)
    assert 'name="reread_due"' not in html.content.decode()


def test_words_typed_again_are_read_as_of_today(claire: dict[str, Any], autumn: Milestone) -> None:
    client = client_for(claire["user"])
    url = reverse("initiatives:milestone_edit", args=[autumn.pk])
    today = timezone.localdate()
    expected = periods.parse_period("à l'automne", today)

    # The same words, not retyped: they keep the window they were read as.
    client.post(url, edit_data(autumn, progress=10), **HTMX)
    kept = Milestone.objects.get(pk=autumn.pk)
    assert (kept.due_end, kept.due_reference) == (dt.date(2020, 12, 20), dt.date(2020, 3, 10))

    # Retyped (the box ticked): read as of today.
    response = client.post(url, edit_data(kept, reread_due="on"), **HTMX)
    assert response.status_code == 200
    reread = Milestone.objects.get(pk=autumn.pk)
    assert (reread.due_text, reread.due_start, reread.due_end, reread.due_reference) == (
        "à l'automne",
        expected.start,
        expected.end,
        today,
    )
    assert reread.slips.count() == 1  # a later deadline, recorded as every slip is


def test_the_writer_decides_what_retyped_words_mean(claire: dict[str, Any]) -> None:
    """A change that says its words were typed again is read as of today, and warned about
    when that is already past; the same words without it keep their window and say nothing."""
    late = claire["late"]
    user = claire["user"]
    kept = services.milestone_update(
        user, late.pk, services.MilestoneChange(due_text="T2 2020"), base_version=late.version
    )
    assert kept.due_reference == late.due_reference and kept.warnings == {}  # type: ignore[attr-defined]
    retyped = services.milestone_update(
        user,
        late.pk,
        services.MilestoneChange(due_text="T2 2020", due_retyped=True),
        base_version=kept.version,
    )
    assert retyped.due_reference == timezone.localdate()
    assert "« T2 2020 »" in retyped.warnings["due_text"]  # type: ignore[attr-defined]
