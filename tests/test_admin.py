"""The Django admin is the first interface: every model browsable, dates read as typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import (
    Actor,
    Citation,
    DeadlineAlert,
    Involvement,
    Label,
    Milestone,
    Mission,
    Source,
    Workstream,
)

from .factories import MilestoneFactory, MissionFactory, WorkstreamFactory, user

pytestmark = pytest.mark.django_db

MODELS = (
    Source,
    Actor,
    Label,
    Mission,
    Involvement,
    Workstream,
    Milestone,
    Citation,
    DeadlineAlert,
)


@pytest.fixture
def admin_client(seeded: None) -> Client:
    client = Client()
    client.force_login(user("admin", staff=True))
    return client


@pytest.fixture
def staff_client(db: None) -> Client:
    """An administrator on a database of factory rows: for the milestone form, which any
    milestone shows."""
    client = Client()
    client.force_login(user("admin", staff=True))
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_searchable_changelist(admin_client: Client, model: type) -> None:
    url = reverse(f"admin:initiatives_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "cloud"}).status_code == 200


def test_mission_page_shows_workstreams_milestones_and_quotes(admin_client: Client) -> None:
    mission = Mission.objects.get(key="mission-numerique-grands-groupes")
    page = admin_client.get(reverse("admin:initiatives_mission_change", args=[mission.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Soutenir la transformation des compétences et des formations" in html
    assert "Premier point d&#x27;étape du comité de pilotage" in html
    assert "ont lancé la mission numérique des grands groupes" in html
    assert "Juliette de Maupeou" in html


def test_milestone_changelist_filters_by_health(admin_client: Client) -> None:
    url = reverse("admin:initiatives_milestone_changelist")
    page = admin_client.get(
        url,
        {
            "health__exact": "no_news",
            "mission__id__exact": Mission.objects.get(
                key="plan-cloud-nouvelle-france-industrielle"
            ).pk,
        },
    )
    assert page.status_code == 200
    assert "Plan Cloud ficelé" in page.content.decode()
    assert "Entretien des chefs de projet" not in page.content.decode()  # done, not late


def _milestone_form(milestone: Milestone, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "mission": milestone.mission_id,
        "workstream": milestone.workstream_id or "",
        "key": milestone.key,
        "title": milestone.title,
        "kind": milestone.kind,
        "due_text": milestone.due_text,
        "status": milestone.status,
        "progress": milestone.progress,
        "completed_on": milestone.completed_on or "",
        "comment": milestone.comment,
        "editorial": "{}",
        "base_version": milestone.version,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_changed_due_words_are_read_into_a_window_and_bump_the_version(
    staff_client: Client,
) -> None:
    milestone = MilestoneFactory(
        workstream=None, mission=MissionFactory(), due="d'ici le printemps"
    )
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])

    response = staff_client.post(url, _milestone_form(milestone, due_text="T4 2027"))

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.due_start, milestone.due_end, milestone.due_precision) == (
        dt.date(2027, 10, 1),
        dt.date(2027, 12, 31),
        "quarter",
    )
    assert milestone.version == 2
    assert milestone.health == "on_track"


def test_unreadable_due_words_keep_the_form_and_change_nothing(staff_client: Client) -> None:
    milestone = MilestoneFactory(title="Plan Cloud ficelé", due="d'ici le printemps")
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])

    response = staff_client.post(
        url,
        _milestone_form(
            milestone, due_text="quand les poules auront des dents", title="Nouveau titre"
        ),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "quand les poules auront des dents" in html  # what the user typed is still there
    assert "Nouveau titre" in html
    milestone.refresh_from_db()
    assert milestone.title == "Plan Cloud ficelé" and milestone.due_text == "d'ici le printemps"


def test_done_without_completion_date_is_refused(staff_client: Client) -> None:
    milestone = MilestoneFactory()
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])
    response = staff_client.post(url, _milestone_form(milestone, status="done"))
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.status == "planned"


def test_non_staff_cannot_enter_the_admin(seeded: None) -> None:
    client = Client()
    client.force_login(user("lecteur"))
    response = client.get(reverse("admin:initiatives_mission_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_quote_typed_in_the_admin_must_stand_in_its_source(admin_client: Client) -> None:
    citation = Citation.objects.filter(milestone__key="plan-ficele").get()
    url = reverse("admin:initiatives_citation_change", args=[citation.pk])
    form = {
        "source": citation.source_id,
        "quote": "Le plan Cloud ficelé d'ici l'été",
        "fact": "",
        "milestone": citation.milestone_id,
    }

    refused = admin_client.post(url, form)

    assert refused.status_code == 200
    assert "Le plan Cloud ficelé d&#x27;ici l&#x27;été" in refused.content.decode()
    citation.refresh_from_db()
    assert citation.quote == "Le plan Cloud ficelé d'ici le printemps"

    accepted = admin_client.post(url, {**form, "quote": "Le  plan Cloud\nficelé"})

    assert accepted.status_code == 302
    citation.refresh_from_db()
    assert citation.quote == "Le plan Cloud ficelé"
    assert (
        citation.source.text[citation.start_offset : citation.end_offset] == "Le plan Cloud ficelé"
    )


def test_fixing_the_words_of_a_date_does_not_move_it(staff_client: Client) -> None:
    # Read in August 2020: "à l'automne" was that autumn, and stays so once its apostrophe
    # is fixed years later.
    milestone = MilestoneFactory(due="à l'automne", read_on=dt.date(2020, 8, 5))
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])

    response = staff_client.post(url, _milestone_form(milestone, due_text="à l’automne"))

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due_text == "à l’automne"
    assert (milestone.due_start, milestone.due_end) == (dt.date(2020, 9, 22), dt.date(2020, 12, 20))
    assert milestone.due_reference == dt.date(2020, 8, 5)


def test_saving_over_a_newer_version_is_refused_and_keeps_what_was_typed(
    staff_client: Client,
) -> None:
    milestone = MilestoneFactory()
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])
    opened = _milestone_form(milestone, title="Mon titre")
    # Someone else saves first.
    assert staff_client.post(url, _milestone_form(milestone, title="Leur titre")).status_code == 302

    response = staff_client.post(url, opened)

    assert response.status_code == 200
    html = response.content.decode()
    assert "modifié par quelqu" in html and "Mon titre" in html
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("Leur titre", 2)


def test_milestone_cannot_hang_on_another_missions_workstream(staff_client: Client) -> None:
    milestone = MilestoneFactory(workstream=None, mission=MissionFactory())
    foreign = WorkstreamFactory()  # of another mission
    url = reverse("admin:initiatives_milestone_change", args=[milestone.pk])
    response = staff_client.post(url, _milestone_form(milestone, workstream=foreign.pk))
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.workstream_id is None


def test_duplicate_key_added_on_the_workstream_page_is_an_error_not_a_crash(
    admin_client: Client,
) -> None:
    ws = Workstream.objects.get(key="e-paiement")
    url = reverse("admin:initiatives_workstream_change", args=[ws.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(coordinators=[])
    for prefix in ("milestones", "citations"):
        data[f"{prefix}-TOTAL_FORMS"] = 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    data.update(
        {
            "milestones-TOTAL_FORMS": 1,
            "milestones-0-key": "premier-point-etape",  # already a milestone of this mission
            "milestones-0-title": "Doublon",
            "milestones-0-status": "planned",
            "milestones-0-progress": 0,
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert (
        "already has a milestone with this key" in response.content.decode()
        or "déjà un jalon" in response.content.decode()
    )
    assert Milestone.objects.filter(key="premier-point-etape").count() == 1
