"""« Telles que connues le » (`?au=`): the dashboard, a mission, a milestone and the frise as
they stood at the end of a past day, rebuilt from the history; the comparison of a mission
between two days. The history is built step by step: each write goes through the services
(the one writer of milestones, the one writer of assessments), then its history entries,
slips and assessments are dated to a day of 2021, as if written then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from initiatives import services
from initiatives.models import (
    Assessed,
    Assessment,
    HistoryEntry,
    Milestone,
    MilestoneSlip,
)
from tests import factories

pytestmark = pytest.mark.django_db

PARIS_NOON = dt.time(12, 0)


def dated(day: dt.date, since: int) -> int:
    """Date the history entries, slips and assessments recorded after entry `since` to noon
    of `day`, Paris time; returns the last entry's id."""
    at = timezone.make_aware(dt.datetime.combine(day, PARIS_NOON))
    HistoryEntry.objects.filter(pk__gt=since).update(at=at)
    MilestoneSlip.objects.filter(recorded_at__gt=at).update(recorded_at=at)
    Assessment.objects.filter(recorded_at__gt=at).update(recorded_at=at)
    return HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def write(milestone: Milestone, day: dt.date, **change: Any) -> None:
    """A coordinator's edit through the one writer, as on `day`."""
    current = Milestone.objects.get(pk=milestone.pk)
    edit = services.check_milestone(
        current, services.MilestoneChange(**change), base_version=current.version, today=day
    )
    services.write_milestones(_admin(), [edit], via="edit", today=day)


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username="administratrice").first()
    return found or factories.user("administratrice", staff=True)


@pytest.fixture
def story() -> dict[str, Any]:
    """A mission written over 2021: created 10 January; « Référentiel » started 15 March
    (40 %); its deadline moved later and it was assessed 18 May; « Doctrine » deleted and
    « Label » added 1 September."""
    mark = dated(dt.date(2021, 1, 1), 0)  # whatever the database held before: earlier still
    mission = factories.MissionFactory(key="strategie-cloud", title="Stratégie nationale cloud")
    workstream = factories.WorkstreamFactory(mission=mission, title="Cloud de confiance")
    referentiel = factories.MilestoneFactory(
        workstream=workstream,
        title="Référentiel SecNumCloud",
        due="fin 2021",
        read_on=dt.date(2021, 1, 10),
    )
    doctrine = factories.MilestoneFactory(
        workstream=workstream,
        title="Doctrine cloud au centre",
        due="juin 2021",
        read_on=dt.date(2021, 1, 10),
    )
    mark = dated(dt.date(2021, 1, 10), mark)
    write(referentiel, dt.date(2021, 3, 15), status="in_progress", progress=40)
    mark = dated(dt.date(2021, 3, 15), mark)
    write(referentiel, dt.date(2021, 5, 18), due_text="fin 2022", due_retyped=True)
    services.record_assessment(
        None,
        Milestone.objects.get(pk=referentiel.pk),
        services.AssessmentInput(
            rating=Assessed.NO_EVIDENCE,
            as_of=dt.date(2021, 5, 18),
            rationale="Aucun texte public ne dit où en est le référentiel.",
        ),
        today=dt.date(2021, 5, 18),
    )
    mark = dated(dt.date(2021, 5, 18), mark)
    Milestone.objects.filter(pk=doctrine.pk).delete()
    label = factories.MilestoneFactory(
        workstream=workstream,
        title="Label cloud de confiance",
        due="fin 2022",
        read_on=dt.date(2021, 9, 1),
    )
    dated(dt.date(2021, 9, 1), mark)
    return {"mission": mission, "referentiel": referentiel, "doctrine": doctrine, "label": label}


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_the_mission_as_known_on_each_day_of_its_history(client: Client, story: Any) -> None:
    url = "/missions/strategie-cloud/"
    before_start = page(client, url + "?au=2021-02-01")
    assert "Données telles que connues le 1er février 2021" in before_start
    assert "revenir à aujourd’hui" in before_start or "revenir à aujourd'hui" in before_start
    assert "Référentiel SecNumCloud" in before_start
    assert "Doctrine cloud au centre" in before_start  # deleted since: back from its history
    assert "Label cloud de confiance" not in before_start  # created later: absent
    assert "« fin 2021 »" in before_start
    assert "Prévu" in before_start and "En cours" not in before_start

    started = page(client, url + "?au=2021-04-01")
    assert "En cours" in started and "40 %" in started
    assert "Aucune échéance n’avait été repoussée à cette date." in started

    may = page(client, url + "?au=2021-05-18")  # the end of the day: that day's writes count
    assert "« fin 2022 »" in may and "« fin 2021 »" in may  # the slip, from one to the other
    assert "Aucun élément probant" in may

    september = page(client, url + "?au=2021-09-02")
    assert "Label cloud de confiance" in september
    assert "Doctrine cloud au centre" not in september

    today = page(client, url)
    assert "Données telles que connues" not in today
    assert "Label cloud de confiance" in today


def test_nothing_can_be_edited_in_the_past(client: Client, story: Any) -> None:
    client.force_login(_admin())
    past = page(client, f"/jalons/{story['referentiel'].pk}/?au=2021-04-01")
    assert "/modifier/" not in past and "/evaluer/" not in past
    assert "En cours" in past
    assert "/modifier/" in page(client, f"/jalons/{story['referentiel'].pk}/")


def test_a_milestone_deleted_since_comes_back_and_one_not_yet_created_is_absent(
    client: Client, story: Any
) -> None:
    doctrine = page(client, f"/jalons/{story['doctrine'].pk}/?au=2021-02-01")
    assert "Doctrine cloud au centre" in doctrine and "« juin 2021 »" in doctrine
    page(client, f"/jalons/{story['doctrine'].pk}/", status=404)
    absent = page(client, f"/jalons/{story['label'].pk}/?au=2021-02-01", status=404)
    assert "Données telles que connues le 1er février 2021" in absent


def test_the_milestone_lists_its_slips_recorded_by_then(client: Client, story: Any) -> None:
    pk = story["referentiel"].pk
    assert "« fin 2021 » → « fin 2022 »" not in page(client, f"/jalons/{pk}/?au=2021-05-17")
    may = page(client, f"/jalons/{pk}/?au=2021-05-18")
    assert "« fin 2021 » → « fin 2022 »" in may
    assert "Aucun élément probant" in may


def test_health_is_the_one_of_that_day(client: Client, story: Any) -> None:
    """Planned, due June 2021, nothing said: due soon in May, past with no news in July."""
    pk = story["doctrine"].pk
    assert "health-due_soon" in page(client, f"/jalons/{pk}/?au=2021-06-10")
    assert "health-no_news" in page(client, f"/jalons/{pk}/?au=2021-07-15")


def test_the_dashboard_and_the_frise_as_known_on_a_day(client: Client, story: Any) -> None:
    today = page(client, "/")
    assert 'name="au"' in today  # the form that leads to the past, without JavaScript
    assert "/missions/strategie-cloud/comparer/" in page(client, "/missions/strategie-cloud/")
    board = page(client, "/?au=2021-02-01")
    assert "Données telles que connues le 1er février 2021" in board
    assert "Stratégie nationale cloud" in board
    assert 'href="/missions/strategie-cloud/?au=2021-02-01"' in board
    frise = page(client, "/frise/?au=2021-02-01&view=table")
    assert "Doctrine cloud au centre" in frise and "Label cloud de confiance" not in frise
    assert 'name="au" value="2021-02-01"' in frise
    assert f'href="/jalons/{story["doctrine"].pk}/?au=2021-02-01"' in frise  # stays in the past
    later = page(client, "/frise/?au=2021-09-02&view=table")
    assert "Label cloud de confiance" in later and "Doctrine cloud au centre" not in later
    # A day long before the frise's first year still draws its axis (2013 and on), empty.
    early = page(client, "/frise/?au=1990-06-01")
    assert ">2013<" in early and "Doctrine cloud au centre" not in early


def test_a_day_before_the_history_says_so(client: Client, story: Any) -> None:
    board = page(client, "/?au=2020-06-01")
    said = board.split('id="as-of-before-history">')[1].split("</p>")[0]
    assert "L’historique des modifications commence le" in said and "janvier 2021" in said
    assert "Stratégie nationale cloud" not in board  # its creation is recorded later
    assert "commence le" in page(client, "/?au=1999-12-31")  # long before: the same banner


@pytest.mark.parametrize(
    ("au", "words"),
    [
        ("2021-13-45", "Cette date ne peut pas être lue"),
        ("hier", "Cette date ne peut pas être lue"),
        ("2999-01-01", "Cette date est dans le futur"),
    ],
)
@pytest.mark.parametrize("url", ["/", "/missions/strategie-cloud/", "/frise/"])
def test_a_bad_or_future_date_is_a_clear_400(
    client: Client, story: Any, au: str, words: str, url: str
) -> None:
    assert words in page(client, f"{url}?au={au}", status=400)


def test_a_bad_date_for_a_milestone_is_a_400_too(client: Client, story: Any) -> None:
    page(client, f"/jalons/{story['referentiel'].pk}/?au=2021-02-30", status=400)


def test_the_comparison_lists_what_moved_slipped_and_was_assessed(
    client: Client, story: Any
) -> None:
    found = page(client, "/missions/strategie-cloud/comparer/?du=2021-02-01&au=2021-06-01")
    moved = found.split('id="moved"')[1].split('id="slipped"')[0]
    assert "Référentiel SecNumCloud" in moved
    assert "prévu" in moved and "en cours" in moved and "40 %" in moved
    slipped = found.split('id="slipped"')[1].split('id="assessed"')[0]
    assert "« fin 2021 » → « fin 2022 »" in slipped
    assessed = found.split('id="assessed"')[1]
    assert "Aucun texte public ne dit où en est le référentiel." in assessed
    quiet = page(client, "/missions/strategie-cloud/comparer/?du=2021-06-01&au=2021-08-01")
    assert "Référentiel SecNumCloud" not in quiet.split('id="moved"')[1].split('id="slipped"')[0]
    page(client, "/missions/strategie-cloud/comparer/?du=2021-02-01&au=demain", status=400)


@pytest.mark.parametrize(
    "url",
    [
        "/?au=2021-05-18",
        "/missions/strategie-cloud/?au=2021-05-18",
        "MILESTONE",
        "/frise/?au=2021-05-18",
        "/missions/strategie-cloud/comparer/?du=2021-02-01&au=2021-06-01",
    ],
)
def test_each_past_page_takes_at_most_ten_queries(
    client: Client, story: Any, uncached: None, url: str, django_assert_max_num_queries: Any
) -> None:
    factories.MilestoneFactory.create_batch(5, workstream=story["referentiel"].workstream)
    if url == "MILESTONE":
        url = f"/jalons/{story['referentiel'].pk}/?au=2021-05-18"
    with django_assert_max_num_queries(10):
        page(client, url)


def test_the_cache_keeps_each_day_apart(client: Client, story: Any) -> None:
    url = "/missions/strategie-cloud/"
    assert "En cours" not in page(client, url + "?au=2021-02-01")
    assert "En cours" in page(client, url + "?au=2021-04-01")
    assert "En cours" not in page(client, url + "?au=2021-02-01")


def test_as_known_today_is_what_the_pages_show_today(seeded: None) -> None:
    """On the curated data, the rebuild of today agrees with the live selectors: the same
    missions, the same statuses, progress and health of every milestone."""
    from initiatives import selectors
    from initiatives.selectors import as_of

    today = timezone.localdate()
    (snapshot,) = as_of.snapshots([today])
    live = {m.pk: m for m in selectors.with_current_health(Milestone.objects.all(), today)}
    assert {m.pk for m in snapshot.milestones} == set(live)
    for m in snapshot.milestones:
        assert (m.status, m.progress, as_of.health(m), m.due_text) == (
            live[m.pk].status,
            live[m.pk].progress,
            live[m.pk].current_health,  # type: ignore[attr-defined]
            live[m.pk].due_text,
        ), m.title
    progress = {m.pk: m.progress for m in selectors.missions_with_progress()}  # type: ignore[attr-defined]
    assert {m.pk: m.progress for m in snapshot.missions} == pytest.approx(progress)  # type: ignore[attr-defined]


SQLITE_AS_OF_PROBE = r"""
import datetime as dt, json
from django.test import Client
from django.utils import timezone
from initiatives.models import HistoryEntry, Milestone
from initiatives.selectors import as_of

today = timezone.localdate()
milestone = Milestone.objects.exclude(due_end=None).order_by("pk").first()
Milestone.objects.filter(pk=milestone.pk).update(progress=47, status="in_progress")
HistoryEntry.objects.filter(table_name="initiatives_milestone", row_id=milestone.pk, action="update", new__progress=47).update(at=timezone.now() + dt.timedelta(days=1))
(now,) = as_of.snapshots([today])
found = as_of.compare(milestone.mission_id, today, today)
client = Client(HTTP_HOST="localhost")
print(json.dumps({
    "vendor": __import__("django.db").db.connection.vendor,
    "same": sorted(m.pk for m in now.milestones) == sorted(Milestone.objects.values_list("pk", flat=True)),
    "progress": next(m.progress for m in now.milestones if m.pk == milestone.pk),
    "moves": len(found.moves),
    "page": client.get(f"/jalons/{milestone.pk}/?au={today}").status_code,
}))
"""


def test_the_rebuild_works_on_the_embedded_sqlite(tmp_path: Any) -> None:
    """The embedded default (SQLite) rebuilds a past day too: the same queries, its dialect.
    A write dated tomorrow is not known today: the row stands as it was before it."""
    import json

    from tests.test_embedded import embedded_env, manage

    env = embedded_env.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    manage(env, "migrate", "--noinput")
    manage(env, "import_initiatives", "fixtures/")
    result = json.loads(manage(env, "shell", "-c", SQLITE_AS_OF_PROBE).strip().splitlines()[-1])
    assert result["vendor"] == "sqlite"
    assert result["same"] and result["moves"] == 0 and result["page"] == 200
    assert result["progress"] != 47
