"""Statuses people can trust: every health in its own words, progress and events told apart,
the methodology page behind every badge and bar, alerts that close, and the weather."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from initiatives import selectors, services
from initiatives.models import DeadlineAlert, Forecast, Milestone, Mission, Notification, Workstream

from . import factories

pytestmark = pytest.mark.django_db

METHODOLOGY = reverse("initiatives:methodology")
BELL = reverse("initiatives:notification_bell")
NOTIFICATIONS = reverse("initiatives:notifications")

# Each health and its French words, as every page says them.
WORDS = {
    "overdue": "en retard",
    "no_news": "échéance passée, sans nouvelles",
    "due_soon": "bientôt dû",
    "on_track": "à venir",
    "done": "terminé",
    "missed": "manqué",
    "cancelled": "annulé",
    "undated": "non daté",
}


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def milestone(workstream: Workstream, key: str, due: dt.date | None, **values: object) -> Milestone:
    dated = (
        {
            "due_text": due.isoformat(),
            "due_start": due,
            "due_end": due,
            "due_precision": "day",
            "due_reference": day(-400),
        }
        if due
        else {}
    )
    return Milestone.objects.create(
        mission_id=workstream.mission_id,
        workstream=workstream,
        key=key,
        title=f"Jalon {key}",
        **dated,
        **values,
    )


@pytest.fixture
def workstream(db: None) -> Workstream:
    """A mission, one workstream, one milestone of each health as of today."""
    mission = Mission.objects.create(
        key="etats", title="Mission des états", status="launched", rhythm_days=90
    )
    ws = Workstream.objects.create(mission=mission, key="axe", position=1, title="Axe des états")
    milestone(ws, "overdue", day(-10), status="in_progress", progress=40)
    milestone(ws, "no-news", day(-10))
    milestone(ws, "said-late", day(-20), news_on=day(-5))  # planned, spoken of since: overdue
    milestone(ws, "due-soon", day(10))
    milestone(ws, "on-track", day(200))
    milestone(ws, "done", day(-30), status="done", progress=100, completed_on=day(-31))
    milestone(ws, "missed", day(-30), status="missed", comment="Abandonné faute de crédits.")
    milestone(ws, "cancelled", day(100), status="cancelled", comment="Remplacé.")
    milestone(ws, "undated", None)
    milestone(ws, "event", day(-3), kind="event", status="done", progress=100, completed_on=day(-3))
    return ws


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Health in words -------------------------------------------------------------------------


@pytest.mark.parametrize("health", list(WORDS))
def test_each_health_has_its_own_badge_words_and_definition_link(health: str) -> None:
    with translation.override("fr"):
        html = render_to_string("initiatives/_health.html", {"health": health})
    assert WORDS[health] in html
    assert f"health-{health}" in html and "fr-badge" in html
    assert f'href="{METHODOLOGY}#sante-{health}"' in html
    # Its own look: no two healths share a badge.
    others = {
        h: re.search(
            r'class="(fr-badge[^"]*)"', render_to_string("initiatives/_health.html", {"health": h})
        ).group(1)
        for h in WORDS
    }
    assert len({c.replace(f"health-{h}", "") for h, c in others.items()}) == len(WORDS)


def test_every_health_shows_in_words_on_the_mission_page(
    workstream: Workstream, client: Client
) -> None:
    html = client.get(
        reverse("initiatives:mission", args=[workstream.mission.key])
    ).content.decode()
    for health, words in WORDS.items():
        assert f"health-{health}" in html, health
        assert escape(words) in html or words in html, health
    row = html.split(">Jalon said-late</a>")[1].split("</div>")[0]
    assert "en retard" in row and "sans nouvelles" not in row  # spoken of since: known late
    row = html.split(">Jalon no-news</a>")[1].split("</div>")[0]
    assert "échéance passée, sans nouvelles" in row


def test_the_dashboard_counts_no_news_apart_from_overdue_and_lists_each(
    workstream: Workstream, client: Client
) -> None:
    html = client.get("/").content.decode()
    counts = html.split('id="health-counts"')[1].split("</ul>")[0]
    assert re.search(r'health-count-overdue"><strong>2</strong> en retard', counts)
    assert re.search(
        r'health-count-no_news"><strong>1</strong> échéance passée, sans nouvelles', counts
    )
    assert re.search(r'health-count-missed"><strong>1</strong> manqué', counts)
    overdue = html.split("<caption>Jalons en retard</caption>")[1].split("</table>")[0]
    assert (
        "Jalon overdue" in overdue
        and "Jalon said-late" in overdue
        and "Jalon no-news" not in overdue
    )
    silent = html.split('id="without-news"')[1].split("</table>")[0]
    assert "Jalon no-news" in silent and "Jalon overdue" not in silent


def test_the_health_filter_offers_every_health_in_words(
    workstream: Workstream, client: Client
) -> None:
    html = client.get("/missions/").content.decode()
    select = html.split('name="health"')[1].split("</select>")[0]
    for health, words in WORDS.items():
        assert f'value="{health}"' in select and escape(words) in select, health
    assert "Mission des états" in client.get("/missions/?health=no_news").content.decode()


# --- Progress and events -----------------------------------------------------------------------


def test_events_are_tagged_and_count_toward_no_progress(
    workstream: Workstream, client: Client
) -> None:
    html = client.get(
        reverse("initiatives:workstream", args=[workstream.mission.key, workstream.key])
    ).content.decode()
    assert html.count('class="fr-tag fr-tag--sm kind-event"') == 1
    assert f'href="{METHODOLOGY}#nature"' in html
    # Dated deliverables not cancelled: overdue 40, no-news 0, said-late 0, due-soon 0,
    # on-track 0, done 100, missed 0 -> 140 / 7 = 20; the event (done) does not count.
    assert 'aria-valuenow="20"' in html.split('id="workstream-progress"')[1]


def test_no_dated_deliverable_is_said_not_drawn(db: None, client: Client) -> None:
    mission = Mission.objects.create(key="vide", title="Mission sans livrable daté")
    ws = Workstream.objects.create(mission=mission, key="axe", position=1, title="Axe")
    milestone(
        ws, "rencontre", day(-3), kind="event", status="done", progress=100, completed_on=day(-3)
    )
    milestone(ws, "sans-date", None)
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    progress = html.split('id="mission-progress"')[1].split("</dd>")[0]
    assert "pas de livrable daté" in progress and "progressbar" not in progress


# --- The methodology page ------------------------------------------------------------------------


def test_the_methodology_page_states_every_rule_with_its_anchor(client: Client) -> None:
    response = client.get(METHODOLOGY)
    html = response.content.decode()
    assert response.status_code == 200
    for anchor in ("sante", "nature", "avancement", "constat", "meteo"):
        assert f'id="{anchor}"' in html, anchor
    for health in WORDS:
        assert f'id="sante-{health}"' in html, health
    for words in ("Échéance passée, sans nouvelles", "À venir", "Bientôt dû", "Non daté", "Manqué"):
        assert words in html, words
    assert "avancement(chantier) = (Σ avancement(j)) / n" in html
    for words in (
        "Non évalué",
        "Aucun élément probant",
        "Engagé",
        "Réalisé",
        "un appel d’offres",
        "Soleil",
        "Orage",
    ):
        assert words in html, words
    client.post(reverse("set_language"), {"language": "en", "next": METHODOLOGY})
    english = client.get(METHODOLOGY).content.decode()
    assert "Health of a milestone" in english and "Deadline passed, no news" in english


def test_progress_bars_and_badges_lead_to_the_methodology(
    workstream: Workstream, client: Client
) -> None:
    html = client.get(
        reverse("initiatives:mission", args=[workstream.mission.key])
    ).content.decode()
    bars = html.count('role="progressbar"')
    assert bars >= 2  # the mission's and its workstream's
    assert html.count(f'href="{METHODOLOGY}#avancement"') == bars
    assert html.count("Comment l’avancement est calculé") >= bars  # the link's accessible name
    badges = len(re.findall(r'class="fr-badge fr-badge--sm[^"]* health-', html))
    assert badges >= len(WORDS)
    assert len(re.findall(rf'href="{METHODOLOGY}#sante-[a-z_]+"', html)) == badges
    # The footer and the sitemap lead there too.
    assert f'href="{METHODOLOGY}">Méthodologie</a>' in html
    assert f'href="{METHODOLOGY}"' in client.get(reverse("initiatives:sitemap")).content.decode()


# --- Alerts that close ---------------------------------------------------------------------------


@pytest.fixture
def alerted(workstream: Workstream) -> tuple[object, Milestone]:
    """Claire coordinates the workstream; the sweep alerts her of what is late or due soon."""
    claire = factories.user("claire")
    workstream.coordinators.add(claire)
    services.deadlines_sweep(timezone.localdate())
    for alert in DeadlineAlert.objects.filter(milestone__workstream=workstream):
        services.notify_alert(alert.pk)
    return claire, Milestone.objects.get(key="overdue", workstream=workstream)


def bell_count(client: Client) -> int:
    body = client.get(BELL, HTTP_HX_REQUEST="true").content.decode()
    found = re.search(r"Notifications \((\d+) non lues?\)", body)
    return int(found.group(1)) if found else 0


def test_the_bell_stops_counting_an_alert_once_it_is_resolved(alerted) -> None:
    claire, late = alerted
    client = client_for(claire)
    before = bell_count(client)
    assert before == Notification.objects.filter(user=claire).count() >= 3
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_notifications(claire) == before
    assert len(queries) == 1  # one count, the alert joined by its key
    # Done through the one writer, as the edit page does: its alert closes itself.
    services.milestone_update(
        claire,
        late.pk,
        services.MilestoneChange(status="done", progress=100, completed_on=timezone.localdate()),
        base_version=late.version,
    )
    alert = DeadlineAlert.objects.get(milestone=late)
    assert alert.resolved_at is not None and alert.resolution == DeadlineAlert.Resolution.CLOSED
    assert bell_count(client) == before - 1
    page = client.get(NOTIFICATIONS).content.decode()
    assert f"{before - 1} notifications non lues." in page
    item = page.split(f'id="notification-{Notification.objects.get(user=claire, alert=alert).pk}"')[
        1
    ].split("</li>")[0]
    assert "résolue" in item and "le jalon a été clos (terminé, manqué ou annulé)" in item
    assert "Marquer comme lu" not in item and "notification--unread" not in item


def test_notifications_keep_the_words_they_were_raised_on_and_ask_for_news(alerted) -> None:
    claire, _ = alerted
    silent = Milestone.objects.get(key="no-news")
    raised = DeadlineAlert.objects.get(milestone=silent)
    assert raised.kind == DeadlineAlert.Kind.NO_NEWS
    client = client_for(claire)
    notification = Notification.objects.get(user=claire, alert=raised)
    item = (
        client.get(NOTIFICATIONS)
        .content.decode()
        .split(f'id="notification-{notification.pk}"')[1]
        .split("</li>")[0]
    )
    assert "Donnez des nouvelles de ce jalon" in item
    assert "échéance passée, sans nouvelles" in item and "health-overdue" not in item
    assert reverse("initiatives:milestone_edit", args=[silent.pk]) in item
    # The deadline moves: the alert keeps the words and the window it was raised on.
    services.milestone_update(
        claire,
        silent.pk,
        services.MilestoneChange(due_text="fin 2040"),
        base_version=silent.version,
    )
    raised.refresh_from_db()
    assert raised.resolution == DeadlineAlert.Resolution.MOVED
    page = client.get(NOTIFICATIONS).content.decode()
    item = page.split(f'id="notification-{notification.pk}"')[1].split("</li>")[0]
    assert f"« {raised.due_text} »" in item and "fin 2040" not in item
    assert raised.deadline.strftime("%Y") in item and "l’échéance a changé" in item
    assert "Donnez des nouvelles de ce jalon" not in item  # resolved: nothing asked any more


def test_the_no_news_email_asks_for_news_with_the_words_raised_on(mailoutbox, alerted) -> None:
    silent = Milestone.objects.get(key="no-news")
    (message,) = [m for m in mailoutbox if "Jalon no-news" in m.subject]
    assert message.subject == "Donnez des nouvelles : Jalon no-news"
    assert (
        "rien n’en a été dit depuis" in message.body and "Donnez-en des nouvelles" in message.body
    )
    assert f"« {silent.due_text} »" in message.body and "/modifier/" in message.body


# --- The weather -----------------------------------------------------------------------------------


def forecast_url(ws: Workstream) -> str:
    return reverse("initiatives:workstream_forecast", args=[ws.mission.key, ws.key])


def test_a_coordinator_records_the_weather_shown_on_workstream_and_mission(
    workstream: Workstream,
) -> None:
    claire = factories.user("claire")
    workstream.coordinators.add(claire)
    client = client_for(claire)
    page = client.get(forecast_url(workstream))
    assert page.status_code == 200
    assert 'class="fr-icon-sun-line' in page.content.decode()
    response = client.post(
        forecast_url(workstream),
        {
            "level": "cloudy",
            "narrative": "Le marché tarde.",
            "stated_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    forecast = Forecast.objects.get(workstream=workstream)
    assert (forecast.level, forecast.author, forecast.narrative) == (
        "cloudy",
        claire,
        "Le marché tarde.",
    )
    html = client.get(response["Location"]).content.decode()
    block = html.split(f'id="forecast-{workstream.pk}"')[1].split("</div>")[0]
    assert "Nuageux" in block and "Le marché tarde." in block and "ancienne" not in block
    assert "Météo enregistrée." in html
    mission = (
        Client().get(reverse("initiatives:mission", args=[workstream.mission.key])).content.decode()
    )
    block = mission.split(f'id="forecast-{workstream.pk}"')[1].split("</div>")[0]
    assert "Nuageux" in block and "Le marché tarde." in block
    assert forecast_url(workstream) not in mission  # a visitor is not offered the form


def test_only_coordinators_and_administrators_give_the_weather(workstream: Workstream) -> None:
    outsider = factories.user("passant")
    client = client_for(outsider)
    data = {
        "level": "sunny",
        "narrative": "Tout va bien.",
        "stated_on": timezone.localdate().isoformat(),
    }
    assert client.get(forecast_url(workstream)).status_code == 403
    assert client.post(forecast_url(workstream), data).status_code == 403
    assert Client().get(forecast_url(workstream)).status_code == 302  # log in first
    with pytest.raises(PermissionDenied):
        services.record_forecast(
            outsider, workstream, "sunny", "Tout va bien.", timezone.localdate()
        )
    assert not Forecast.objects.exists()
    admin = factories.user("admin", staff=True)
    assert client_for(admin).post(forecast_url(workstream), data).status_code == 302
    assert Forecast.objects.get().author == admin


def test_a_refused_weather_is_a_400_that_keeps_what_was_typed(workstream: Workstream) -> None:
    claire = factories.user("claire")
    workstream.coordinators.add(claire)
    client = client_for(claire)
    today = timezone.localdate().isoformat()
    response = client.post(
        forecast_url(workstream), {"level": "stormy", "narrative": "   ", "stated_on": today}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "dites pourquoi : la météo a besoin de son récit" in html
    assert 'value="stormy" checked' in html and f'value="{today}"' in html
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        forecast_url(workstream),
        {"level": "overcast", "narrative": "Des « doutes » sur le budget", "stated_on": tomorrow},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "la météo ne peut pas être datée dans le futur" in html
    assert escape("Des « doutes » sur le budget") in html and 'value="overcast" checked' in html
    assert not Forecast.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.record_forecast(claire, workstream, "sunny", "", timezone.localdate())
    assert set(refused.value.message_dict) == {"narrative"}


def test_a_weather_older_than_the_missions_rhythm_is_marked_stale(
    workstream: Workstream, client: Client
) -> None:
    rhythm = workstream.mission.rhythm_days
    Forecast.objects.create(
        workstream=workstream, level="sunny", narrative="Au beau fixe.", stated_on=day(-rhythm)
    )
    url = reverse("initiatives:workstream", args=[workstream.mission.key, workstream.key])
    block = (
        client.get(url)
        .content.decode()
        .split(f'id="forecast-{workstream.pk}"')[1]
        .split("</div>")[0]
    )
    assert "Soleil" in block and "ancienne" not in block  # exactly the rhythm: still fresh
    Forecast.objects.create(
        workstream=workstream,
        level="stormy",
        narrative="Plus de nouvelles.",
        stated_on=day(-rhythm - 1),
    )
    block = (
        client.get(url)
        .content.decode()
        .split(f'id="forecast-{workstream.pk}"')[1]
        .split("</div>")[0]
    )
    assert "Soleil" in block  # the latest by its date is still the one shown
    Forecast.objects.filter(level="sunny").delete()
    html = client.get(url).content.decode()
    block = html.split(f'id="forecast-{workstream.pk}"')[1].split("</div>")[0]
    assert "Orage" in block and "ancienne" in block and f"({rhythm} jours)" in block
    mission = client.get(
        reverse("initiatives:mission", args=[workstream.mission.key])
    ).content.decode()
    assert "ancienne" in mission.split(f'id="forecast-{workstream.pk}"')[1].split("</div>")[0]
