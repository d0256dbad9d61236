"""Assessments ("statut constaté"): observers rate milestones and missions on quoted evidence.
The service's rules, the divergence rule, the pages that record and show them, the mission
filter and the dashboard's counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import selectors, services
from initiatives.apps import OBSERVERS
from initiatives.models import (
    AGREEING_RATINGS,
    Assessed,
    Assessment,
    DeadlineAlert,
    Evidence,
    Milestone,
    Mission,
    assessment_diverges,
)

from .factories import (
    CitationFactory,
    LabelFactory,
    MilestoneFactory,
    MissionFactory,
    SourceFactory,
    WorkstreamFactory,
    user,
)

pytestmark = pytest.mark.django_db

# What `world` builds: a mission citing SOURCE (whose text has both quotes), and another
# mission, with its own source, whose workstream a coordinator may be given.
SOURCE = "communique-cloud-souverain"
SOURCE_TITLE = "Un plan pour le cloud souverain"
OTHER_SOURCE = "communique-grands-groupes"
QUOTE = "Les premières offres seront qualifiées d'ici fin 2025"
OTHER_QUOTE = "Le ministère annonce un plan pour le cloud souverain."
MISSION = "plan-cloud-souverain"
LABEL = "souverainete"
COORDINATED = "mission-grands-groupes"


def observer(name: str = "observatrice") -> Any:
    person = user(name)
    person.first_name, person.last_name = "Odile", "Martin"
    person.save()
    person.groups.add(Group.objects.get(name=OBSERVERS))
    return person


def rated(
    rating: str, *evidence: services.EvidenceQuote, as_of: dt.date | None = None, **extra: Any
) -> services.AssessmentInput:
    return services.AssessmentInput(
        rating=rating,
        as_of=as_of or timezone.localdate(),
        rationale="Lu dans l'article de janvier 2014.",
        evidence=evidence,
        **extra,
    )


def quote(text: str = QUOTE, source: str = SOURCE, primary: bool = True) -> services.EvidenceQuote:
    return services.EvidenceQuote(source, text, primary)


@pytest.fixture
def world(db: None) -> None:
    mission = MissionFactory(
        key=MISSION,
        title="Plan pour le cloud souverain",
        status="launched",
        sources=[SourceFactory(key=SOURCE, title=SOURCE_TITLE)],
        labels=[LabelFactory(key=LABEL)],
    )
    MilestoneFactory(
        workstream=None,
        mission=mission,
        key="offres-qualifiees",
        title="Premières offres qualifiées",
        due="fin 2024",
        read_on=dt.date(2024, 1, 1),
    )
    MilestoneFactory(workstream=None, mission=mission, key="bilan", title="Bilan du plan")
    coordinated = MissionFactory(
        key=COORDINATED, sources=[SourceFactory(key=OTHER_SOURCE)], status="launched"
    )
    workstream = WorkstreamFactory(mission=coordinated)
    MilestoneFactory(workstream=workstream)
    MilestoneFactory(workstream=workstream, due="au premier semestre 2026")


@pytest.fixture
def ficele(world: None) -> Milestone:
    """A planned milestone whose window ended in 2024: late, no news."""
    return Milestone.objects.select_related("mission").get(key="offres-qualifiees")


def same_mission_milestone() -> Milestone:
    return Milestone.objects.get(mission__key=MISSION, key="bilan")


def coordinated_milestone() -> Milestone:
    return (
        Milestone.objects.filter(mission__key=COORDINATED, workstream__isnull=False)
        .order_by("pk")
        .first()
    )


# --- The divergence rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "assessed", "diverges"),
    [
        # Nothing assessed: nothing to compare.
        *[(status, Assessed.NOT_ASSESSED, False) for status in AGREEING_RATINGS],
        # Declared done: only "achieved" agrees, and "done" is a claim a text must bear out.
        ("done", Assessed.ACHIEVED, False),
        ("done", Assessed.NOT_ACHIEVED, True),
        ("done", Assessed.NO_EVIDENCE, True),
        ("done", Assessed.NOT_STARTED, True),
        ("done", Assessed.STALLED, True),
        ("done", Assessed.PARTIAL, True),
        ("done", Assessed.SUPERSEDED, True),
        # Declared still to come, but delivered, failed or gone.
        ("planned", Assessed.ACHIEVED, True),
        ("planned", Assessed.NOT_ACHIEVED, True),
        ("planned", Assessed.SUPERSEDED, True),
        ("planned", Assessed.NOT_STARTED, False),
        ("planned", Assessed.ENGAGED, False),
        ("planned", Assessed.NO_EVIDENCE, False),
        ("in_progress", Assessed.ACHIEVED, True),
        ("in_progress", Assessed.NOT_STARTED, True),
        ("in_progress", Assessed.ENGAGED, False),
        ("in_progress", Assessed.STALLED, False),
        ("in_progress", Assessed.PARTIAL, False),
        # Declared closed without delivery, but delivered or still worked on.
        ("cancelled", Assessed.ACHIEVED, True),
        ("cancelled", Assessed.ENGAGED, True),
        ("cancelled", Assessed.SUPERSEDED, False),
        ("missed", Assessed.ACHIEVED, True),
        ("missed", Assessed.ENGAGED, True),
        ("missed", Assessed.NOT_ACHIEVED, False),
        # Missions, on their own scale.
        ("completed", Assessed.ACHIEVED, False),
        ("completed", Assessed.PARTIAL, True),
        ("launched", Assessed.ENGAGED, False),
        ("launched", Assessed.NOT_STARTED, True),
        ("announced", Assessed.ACHIEVED, True),
        ("abandoned", Assessed.ENGAGED, True),
        ("abandoned", Assessed.SUPERSEDED, False),
    ],
)
def test_the_divergence_rule(declared: str, assessed: str, diverges: bool) -> None:
    assert assessment_diverges(declared, assessed) is diverges


def test_every_declared_status_has_its_agreeing_ratings() -> None:
    assert set(AGREEING_RATINGS) == set(Milestone.Status.values) | set(Mission.Status.values)
    for agreeing in AGREEING_RATINGS.values():
        assert agreeing <= set(Assessed.values) - {Assessed.NOT_ASSESSED}
    # An unknown declared value never claims a divergence.
    assert assessment_diverges("unknown", Assessed.ACHIEVED) is False
    assert Milestone(status="done", assessed_status="partial").assessment_diverges is True
    assert Mission(status="launched", assessed_status="engaged").assessment_diverges is False


# --- The service's rules -----------------------------------------------------------------------


def test_a_rating_needs_evidence_and_nothing_is_written_without(ficele: Milestone) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(observer(), ficele, rated(Assessed.ENGAGED))
    assert set(refused.value.message_dict) == {"evidence"}
    assert not Assessment.objects.filter(milestone=ficele).exists()
    assert Milestone.objects.get(pk=ficele.pk).assessed_status == Assessed.NOT_ASSESSED


def test_no_conclusive_evidence_stands_on_its_rationale(ficele: Milestone) -> None:
    services.record_assessment(observer(), ficele, rated(Assessed.NO_EVIDENCE))
    assert Milestone.objects.get(pk=ficele.pk).assessed_status == Assessed.NO_EVIDENCE


def test_a_quote_not_in_its_source_is_refused_with_its_row_number(ficele: Milestone) -> None:
    blank = services.EvidenceQuote("", "", True)
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observer(), ficele, rated(Assessed.STALLED, blank, quote("Le plan Cloud est terminé"))
        )
    (message,) = refused.value.message_dict["evidence"]
    assert "2" in message and SOURCE_TITLE in message  # the second row, its source
    assert not Assessment.objects.filter(milestone=ficele).exists()


def test_a_row_needs_a_source_and_words(ficele: Milestone) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observer(), ficele, rated(Assessed.STALLED, quote(source=""), quote(text="  "))
        )
    messages = refused.value.message_dict["evidence"]
    assert len(messages) == 2 and "1" in messages[0] and "2" in messages[1]


def test_rationale_and_a_past_date_are_required(ficele: Milestone) -> None:
    given = services.AssessmentInput(
        rating=Assessed.STALLED,
        as_of=timezone.localdate() + dt.timedelta(days=1),
        rationale="  ",
        evidence=[quote()],
    )
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(observer(), ficele, given)
    assert set(refused.value.message_dict) == {"rationale", "as_of"}


def test_the_coordinator_of_the_workstream_may_not_assess_it(world: None) -> None:
    milestone = coordinated_milestone()
    coordinator = observer("observatrice-coordinatrice")  # in the group, and a coordinator
    milestone.workstream.coordinators.add(coordinator)
    with pytest.raises(PermissionDenied):
        services.record_assessment(coordinator, milestone, rated(Assessed.NO_EVIDENCE))
    # Nor the mission of that workstream.
    with pytest.raises(PermissionDenied):
        services.record_assessment(coordinator, milestone.mission, rated(Assessed.NO_EVIDENCE))
    # Another mission's milestone, yes: nobody assesses their own work, only that.
    other = Milestone.objects.get(key="offres-qualifiees")
    services.record_assessment(coordinator, other, rated(Assessed.NO_EVIDENCE))
    assert not Assessment.objects.filter(milestone=milestone).exists()


def test_a_plain_user_and_a_visitor_may_not_assess(ficele: Milestone) -> None:
    from django.contrib.auth.models import AnonymousUser

    for person in (user("lecteur"), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.record_assessment(person, ficele, rated(Assessed.STALLED, quote()))
    assert not Assessment.objects.filter(milestone=ficele).exists()


def test_an_observer_and_an_administrator_assess(ficele: Milestone) -> None:
    services.record_assessment(observer(), ficele, rated(Assessed.STALLED, quote()))
    admin = user("admin", staff=True)
    services.record_assessment(
        admin, ficele, rated(Assessed.NOT_STARTED, quote(), quote(OTHER_QUOTE, primary=False))
    )
    latest = Assessment.objects.filter(milestone=ficele).first()
    assert latest.assessor == admin
    evidence = list(latest.evidence.order_by("pk"))
    assert [(e.source.key, e.primary) for e in evidence] == [(SOURCE, True), (SOURCE, False)]
    text = evidence[0].source.text
    assert text[evidence[0].start_offset : evidence[0].end_offset] == QUOTE


def test_a_revision_keeps_the_history_and_the_latest_is_on_the_row(ficele: Milestone) -> None:
    observatrice = observer()
    services.record_assessment(
        observatrice, ficele, rated(Assessed.ENGAGED, quote(), as_of=dt.date(2014, 2, 1))
    )
    services.record_assessment(
        observatrice, ficele, rated(Assessed.STALLED, quote(), as_of=dt.date(2015, 6, 1))
    )
    # Backdated: recorded last, but as of an earlier day, so not the current one.
    services.record_assessment(
        observatrice, ficele, rated(Assessed.NOT_STARTED, quote(), as_of=dt.date(2014, 1, 1))
    )
    row = Milestone.objects.get(pk=ficele.pk)
    assert (row.assessed_status, row.assessed_on) == (Assessed.STALLED, dt.date(2015, 6, 1))
    timeline = selectors.assessment_timeline(row)
    assert [a.rating for a in timeline] == [
        Assessed.STALLED,
        Assessed.ENGAGED,
        Assessed.NOT_STARTED,
    ]
    assert Evidence.objects.filter(assessment__milestone=ficele).count() == 3
    # An assessment is news of the milestone: signed in its history.
    from initiatives.models import HistoryEntry

    entry = (
        HistoryEntry.objects.filter(table_name="initiatives_milestone", row_id=ficele.pk)
        .order_by("-pk")
        .first()
    )
    assert (entry.via, entry.actor_id) == ("assessment", observatrice.pk)


def test_an_assessment_answers_the_milestones_open_alerts(ficele: Milestone) -> None:
    services.deadlines_sweep(ficele.due_end - dt.timedelta(days=180))  # ahead then
    services.deadlines_sweep()  # late now: an alert
    open_alerts = DeadlineAlert.objects.filter(milestone=ficele, resolved_at__isnull=True)
    assert open_alerts.exists()
    services.record_assessment(observer(), ficele, rated(Assessed.STALLED, quote()))
    assert not open_alerts.exists()
    assert set(
        DeadlineAlert.objects.filter(milestone=ficele).values_list("resolution", flat=True)
    ) == {DeadlineAlert.Resolution.ASSESSED}


def test_a_successor_is_a_milestone_of_the_same_mission_and_only_when_superseded(
    ficele: Milestone,
) -> None:
    observatrice = observer()
    same = same_mission_milestone()
    elsewhere = coordinated_milestone()
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observatrice,
            ficele,
            rated(Assessed.SUPERSEDED, quote(), successor_milestone_id=elsewhere.pk),
        )
    assert set(refused.value.message_dict) == {"successor_milestone"}
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observatrice, ficele, rated(Assessed.STALLED, quote(), successor_milestone_id=same.pk)
        )
    assert set(refused.value.message_dict) == {"rating"}
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observatrice, ficele, rated(Assessed.SUPERSEDED, quote(), successor_mission_id=10**9)
        )
    assert set(refused.value.message_dict) == {"successor_mission"}
    done = services.record_assessment(
        observatrice, ficele, rated(Assessed.SUPERSEDED, quote(), successor_milestone_id=same.pk)
    )
    assert done.successor_milestone == same


# --- Lists: the mission filter and the dashboard -------------------------------------------------


def test_missions_filter_on_their_assessed_status(world: None, client: Client) -> None:
    mission = Mission.objects.get(key=MISSION)
    services.record_assessment(observer(), mission, rated(Assessed.STALLED, quote()))
    stalled = set(
        Mission.objects.filter(assessed_status=Assessed.STALLED).values_list("key", flat=True)
    )
    assert MISSION in stalled
    found = selectors.mission_list(
        selectors.MissionFilters(assessed=Assessed.STALLED), timezone.localdate()
    )
    assert {m.key for m in found.missions} == stalled
    html = client.get("/missions/?assessed=stalled").content.decode()
    assert f'id="m-{MISSION}"' in html
    assert '<option value="stalled" selected>' in html
    others = Mission.objects.exclude(assessed_status=Assessed.STALLED).values_list("key", flat=True)
    assert others and not any(f'id="m-{key}"' in html for key in others)
    not_assessed = client.get("/missions/?assessed=not_assessed").content.decode()
    assert f'id="m-{MISSION}"' not in not_assessed
    # Combined with the other filters; an unknown value is dropped, not an error.
    assert (
        f'id="m-{MISSION}"'
        in client.get(f"/missions/?assessed=stalled&label={LABEL}").content.decode()
    )
    assert client.get("/missions/?assessed=nonsense").status_code == 200


def test_the_dashboard_counts_milestones_by_assessed_status(
    ficele: Milestone, uncached: None, client: Client
) -> None:
    before = selectors.milestones_by_assessment()
    total = Milestone.objects.count()
    assert (
        before["milestones_not_assessed"]
        + sum(n for _v, _l, n in before["milestones_by_assessment"])
        == total
    )
    assert Assessed.NOT_ASSESSED not in [v for v, _l, _n in before["milestones_by_assessment"]]
    client.get("/")
    with CaptureQueriesContext(connection) as unassessed:
        client.get("/")
    observatrice = observer()
    services.record_assessment(observatrice, ficele, rated(Assessed.STALLED, quote()))
    services.record_assessment(
        observatrice,
        same_mission_milestone(),
        rated(Assessed.STALLED, quote(OTHER_QUOTE)),
    )
    after = selectors.milestones_by_assessment()
    stalled = dict((v, n) for v, _l, n in after["milestones_by_assessment"])[Assessed.STALLED]
    assert (
        stalled
        == dict((v, n) for v, _l, n in before["milestones_by_assessment"])[Assessed.STALLED] + 2
    )
    assert after["milestones_not_assessed"] == before["milestones_not_assessed"] - 2
    with CaptureQueriesContext(connection) as assessed:
        html = client.get("/").content.decode()
    assert len(assessed) == len(unassessed)  # one grouped count, whatever the data
    section = html.split('id="assessed-counts"')[1].split("</section>")[0]
    assert "Au point mort" in section and "Non évalué" not in section
    assert f"{after['milestones_not_assessed']} jalons n’ont pas encore été évalués." in section


# --- The pages --------------------------------------------------------------------------------


def logged_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def form_data(**overrides: Any) -> dict[str, str]:
    data = {
        "rating": "stalled",
        "as_of": timezone.localdate().isoformat(),
        "rationale": "Rien de publié depuis janvier 2014.",
        "evidence-TOTAL_FORMS": "3",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "20",
        "evidence-0-source": SOURCE,
        "evidence-0-quote": QUOTE,
        "evidence-0-weight": "primary",
        "evidence-1-source": "",
        "evidence-1-quote": "",
        "evidence-1-weight": "primary",
        "evidence-2-source": "",
        "evidence-2-quote": "",
        "evidence-2-weight": "primary",
    }
    data.update(overrides)
    return data


def test_who_may_open_the_assessment_page(ficele: Milestone, client: Client) -> None:
    url = reverse("initiatives:milestone_assess", args=[ficele.pk])
    assert url == f"/jalons/{ficele.pk}/evaluer/"
    assert client.get(url).status_code == 302  # to the login page
    assert client.post(url, form_data()).status_code == 302
    assert logged_in(user("lecteur")).get(url).status_code == 403
    assert logged_in(user("lecteur2")).post(url, form_data()).status_code == 403
    milestone = coordinated_milestone()
    coordinator = observer("coordinatrice-observatrice")
    milestone.workstream.coordinators.add(coordinator)
    coordinated_url = reverse("initiatives:milestone_assess", args=[milestone.pk])
    assert logged_in(coordinator).get(coordinated_url).status_code == 403
    assert logged_in(coordinator).post(coordinated_url, form_data()).status_code == 403
    assert logged_in(coordinator).get(f"/missions/{COORDINATED}/evaluer/").status_code == 403
    assert not Assessment.objects.filter(milestone__in=[ficele, milestone]).exists()
    assert logged_in(observer()).get(url).status_code == 200
    assert logged_in(user("admin", staff=True)).get(url).status_code == 200
    assert logged_in(observer("o2")).get("/jalons/999999/evaluer/").status_code == 404


def test_the_form_offers_ratings_with_definitions_today_and_the_missions_sources(
    ficele: Milestone,
) -> None:
    page = logged_in(observer()).get(f"/jalons/{ficele.pk}/evaluer/")
    html = page.content.decode()
    for label in (
        "Non évalué",
        "Aucun élément probant",
        "Non engagé",
        "Engagé",
        "Au point mort",
        "Partiellement réalisé",
        "Réalisé",
        "Non réalisé",
        "Sans objet / remplacé",
    ):
        assert f'>{label}<span class="fr-hint-text">' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert html.count('name="evidence-') >= 9  # three rows of three fields
    assert f'<option value="{SOURCE}">' in html
    assert f'<option value="{OTHER_SOURCE}">' not in html  # a source of another mission
    assert 'name="csrfmiddlewaretoken"' in html
    # Strict CSP: no inline script or style.
    assert "style=" not in html and "<style" not in html
    assert "<script>" not in html and '<script type="text/javascript">' not in html
    # A mission's own page offers missions as successors, not milestones.
    mission_form = logged_in(observer("o2")).get(f"/missions/{MISSION}/evaluer/").content.decode()
    assert (
        'name="successor_mission"' in mission_form
        and 'name="successor_milestone"' not in mission_form
    )


def test_recording_redirects_to_the_milestone_page_which_shows_it(ficele: Milestone) -> None:
    client = logged_in(observer())
    response = client.post(f"/jalons/{ficele.pk}/evaluer/", form_data())
    assert response.status_code == 302
    assert response["Location"] == f"/jalons/{ficele.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Évaluation enregistrée" in html  # the one-time message
    statuses = html.split('id="statuses"')[1].split("</section>")[0]
    assert "Statut déclaré" in statuses and "Statut constaté" in statuses
    assert "Au point mort" in statuses and "Odile Martin" in statuses
    assert "Rien de publié depuis janvier 2014." in statuses
    assert "« Les premières offres seront qualifiées d&#x27;ici fin 2025 »" in statuses
    assert f'href="/sources/{SOURCE}/"' in statuses and "preuve primaire" in statuses
    # The message was shown once, and its page was not stored for later.
    again = client.get(f"/jalons/{ficele.pk}/").content.decode()
    assert "Évaluation enregistrée" not in again and "Au point mort" in again
    row = Milestone.objects.get(pk=ficele.pk)
    assert (row.assessed_status, row.assessed_on) == ("stalled", timezone.localdate())


def test_a_refused_form_keeps_what_was_typed(ficele: Milestone) -> None:
    client = logged_in(observer())
    no_evidence = client.post(
        f"/jalons/{ficele.pk}/evaluer/",
        form_data(
            **{
                "evidence-0-source": "",
                "evidence-0-quote": "",
                "rationale": "Mon raisonnement <b>détaillé</b>",
            }
        ),
    )
    assert no_evidence.status_code == 400
    html = no_evidence.content.decode()
    assert "au moins un élément probant" in html
    assert "Mon raisonnement &lt;b&gt;détaillé&lt;/b&gt;</textarea>" in html
    assert 'value="stalled" checked' in html
    wrong_quote = client.post(
        f"/jalons/{ficele.pk}/evaluer/",
        form_data(**{"evidence-0-quote": "Le plan Cloud est livré"}),
    )
    assert wrong_quote.status_code == 400
    html = wrong_quote.content.decode()
    assert "Le plan Cloud est livré</textarea>" in html
    assert "mot pour mot" in html
    assert f'<option value="{SOURCE}" selected>' in html
    future = client.post(
        f"/jalons/{ficele.pk}/evaluer/",
        form_data(as_of=(timezone.localdate() + dt.timedelta(days=3)).isoformat()),
    )
    assert future.status_code == 400
    assert (
        'id="id_as_of-error"' in future.content.decode()
        and 'aria-invalid="true"' in future.content.decode()
    )
    missing = client.post(f"/jalons/{ficele.pk}/evaluer/", form_data(rating="", rationale=""))
    assert missing.status_code == 400
    assert not Assessment.objects.filter(milestone=ficele).exists()


def test_a_mission_is_assessed_from_its_page(world: None) -> None:
    client = logged_in(observer())
    response = client.post(
        f"/missions/{MISSION}/evaluer/",
        form_data(
            rating="engaged", **{"evidence-0-quote": OTHER_QUOTE, "evidence-0-weight": "secondary"}
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/missions/{MISSION}/"
    html = client.get(response["Location"]).content.decode()
    statuses = html.split('id="statuses"')[1].split("</section>")[0]
    assert "Engagé" in statuses and "preuve secondaire" in statuses and "divergence" not in statuses
    assert Mission.objects.get(key=MISSION).assessed_status == "engaged"


def test_the_button_shows_only_to_those_who_may_assess(ficele: Milestone, client: Client) -> None:
    url = f"/jalons/{ficele.pk}/"
    button = f'href="/jalons/{ficele.pk}/evaluer/"'
    assert button not in client.get(url).content.decode()
    assert button not in logged_in(user("lecteur")).get(url).content.decode()
    assert button in logged_in(observer()).get(url).content.decode()
    assert button in logged_in(user("admin", staff=True)).get(url).content.decode()
    mission_button = f'href="/missions/{COORDINATED}/evaluer/"'
    coordinator = observer("observatrice-coordinatrice")
    coordinated_milestone().workstream.coordinators.add(coordinator)
    assert (
        mission_button
        not in logged_in(coordinator).get(f"/missions/{COORDINATED}/").content.decode()
    )
    assert (
        mission_button
        in logged_in(observer("o3")).get(f"/missions/{COORDINATED}/").content.decode()
    )


def test_not_assessed_reads_as_such_and_divergence_shows_where_they_disagree(
    world: None, client: Client
) -> None:
    done = MilestoneFactory(
        workstream=None,
        mission=Mission.objects.get(key=MISSION),
        due="en 2021",
        read_on=dt.date(2021, 1, 1),
        status="done",
        progress=100,
        completed_on=dt.date(2021, 11, 2),
    )
    CitationFactory(source=done.mission.sources.get(), milestone=done, quote=OTHER_QUOTE)
    html = client.get(f"/jalons/{done.pk}/").content.decode()
    statuses = html.split('id="statuses"')[1].split("</section>")[0]
    assert "Non évalué" in statuses and "divergence" not in statuses
    assert "Aucun observateur" in statuses
    citation = done.citations.select_related("source").first()
    services.record_assessment(
        observer(),
        done,
        rated(Assessed.PARTIAL, services.EvidenceQuote(citation.source.key, citation.quote)),
    )
    html = client.get(f"/jalons/{done.pk}/").content.decode()
    statuses = html.split('id="statuses"')[1].split("</section>")[0]
    assert "divergence" in statuses and "Partiellement réalisé" in statuses
    assert "mais les éléments probants montrent « partiellement réalisé »." in statuses
    # The mission page's milestone rows carry the assessed status, and the divergence.
    mission_html = client.get(f"/missions/{done.mission.key}/").content.decode()
    line = mission_html.split(f'id="assessed-{done.pk}"')[1].split("</p>")[0]
    assert "Partiellement réalisé" in line and "divergence" in line
    others = [part.split("</p>")[0] for part in mission_html.split('id="assessed-')[1:]]
    assert any("Non évalué" in line and "divergence" not in line for line in others)


@pytest.mark.parametrize("evidence", [1, 3])
def test_the_milestone_and_mission_pages_read_assessments_in_fixed_queries(
    ficele: Milestone, uncached: None, client: Client, evidence: int
) -> None:
    url = f"/jalons/{ficele.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as never:
        client.get(url)
    observatrice = observer()
    for _ in range(3):
        services.record_assessment(
            observatrice, ficele, rated(Assessed.STALLED, *[quote()] * evidence)
        )
    with CaptureQueriesContext(connection) as assessed:
        assert client.get(url).status_code == 200
    # Never assessed: nothing read; assessed: the assessments and their evidence.
    assert len(assessed) == len(never) + 2


def test_not_achieved_waits_for_the_window_and_its_grace(ficele: Milestone) -> None:
    """A late promise is not yet a broken one: "not achieved" once the window and the grace
    period have ended, or once the milestone is declared missed or cancelled."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from initiatives import services
    from initiatives.models import Milestone, Source

    observer = get_user_model().objects.create_user("grace", is_staff=True)
    milestone = ficele
    source = Source.objects.get(key=SOURCE)
    quote = QUOTE
    grace_end = milestone.due_end + dt.timedelta(days=settings.ASSESSMENT_GRACE_DAYS)
    given = services.AssessmentInput(
        rating="not_achieved",
        as_of=grace_end,
        rationale="Rien de livré.",
        evidence=[services.EvidenceQuote(source.key, quote)],
    )
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            observer, milestone, given, today=grace_end + dt.timedelta(days=5)
        )
    assert "trop tôt" in str(refused.value.message_dict["rating"]) or "too early" in str(
        refused.value.message_dict["rating"]
    )
    later = services.AssessmentInput(
        **{**given.__dict__, "as_of": grace_end + dt.timedelta(days=1)}
    )
    services.record_assessment(observer, milestone, later, today=grace_end + dt.timedelta(days=5))
    assert Milestone.objects.get(pk=milestone.pk).assessed_status == "not_achieved"
