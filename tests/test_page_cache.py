"""The page cache: a cached page costs one query, and no write of any kind is ever hidden by it.

The write tests commit for real (transactional tests): the data version is bumped by database
triggers at commit, the way it happens in production."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import dataversion
from initiatives.models import Label, Milestone, Mission

from .factories import (
    CitationFactory,
    LabelFactory,
    MilestoneFactory,
    MissionFactory,
    SourceFactory,
    WorkstreamFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def build_site() -> SimpleNamespace:
    """Something on every kind of page: a labelled mission citing its source, a workstream
    with a milestone late, one ahead and one done in 2021, and a second mission."""
    source = SourceFactory()
    label = LabelFactory()
    mission = MissionFactory(
        title="Plan pour le cloud souverain", status="launched", sources=[source], labels=[label]
    )
    CitationFactory(source=source, mission=mission)
    workstream = WorkstreamFactory(mission=mission)
    milestone = MilestoneFactory(workstream=workstream, due="d'ici fin 2025")
    CitationFactory(
        source=source,
        milestone=milestone,
        quote="Les premières offres seront qualifiées d'ici fin 2025",
    )
    MilestoneFactory(workstream=workstream, due="fin 2030", read_on=dt.date(2026, 1, 1))
    MilestoneFactory(
        workstream=workstream,
        due="en 2021",
        read_on=dt.date(2021, 1, 1),
        status="done",
        progress=100,
        completed_on=dt.date(2021, 6, 1),
    )
    other = MissionFactory(sources=[SourceFactory()], labels=[LabelFactory()])
    MilestoneFactory(workstream__mission=other)
    return SimpleNamespace(
        source=source,
        label=label,
        mission=mission,
        workstream=workstream,
        milestone=milestone,
        other=other,
    )


@pytest.fixture
def site(db: None) -> SimpleNamespace:
    return build_site()


@pytest.fixture
def committed(transactional_db: None) -> SimpleNamespace:
    """The site, committed: writes bump the data version at commit, as in production."""
    return build_site()


def _pages(site: SimpleNamespace) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/", {}),
        ("/?panel=deadlines", HTMX),
        ("/missions/", {}),
        (f"/missions/?label={site.label.key}&q=cloud", HTMX),
        (f"/missions/{site.mission.key}/", {}),
        ("/frise/", {}),
        ("/frise/?year=2021", HTMX),
        (f"/jalons/{site.milestone.pk}/", {}),
        (f"/sources/{site.source.key}/", {}),
    ]


def test_a_cached_page_costs_one_query_and_is_the_same_page(
    site: SimpleNamespace, client: Client
) -> None:
    for url, headers in _pages(site):
        first = client.get(url, **headers)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url, **headers)
        assert again.status_code == first.status_code == 200, url
        assert len(queries) == 1, (url, [q["sql"] for q in queries])
        assert "initiatives_dataversion" in queries[0]["sql"]
        assert _without_tokens(again) == _without_tokens(first), url
        assert again["Content-Language"] == "fr"


def _without_tokens(response: object) -> bytes:
    import re

    return re.sub(
        rb'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"', b"T", response.content
    )  # type: ignore[attr-defined]


def test_an_orm_save_shows_on_the_next_request(committed: SimpleNamespace, client: Client) -> None:
    url = f"/missions/{committed.mission.key}/"
    assert "Titre corrigé" not in client.get(url).content.decode()
    mission = Mission.objects.get(key=committed.mission.key)
    mission.title = "Titre corrigé"
    mission.save()
    assert "Titre corrigé" in client.get(url).content.decode()


def test_a_queryset_update_shows_on_the_next_request(
    committed: SimpleNamespace, client: Client
) -> None:
    """The compare-and-swap of optimistic locking is an update(): no signal is sent."""
    milestone = committed.milestone
    url = f"/jalons/{milestone.pk}/"
    assert "Comptes rendus publiés" not in client.get(url).content.decode()
    updated = Milestone.objects.filter(pk=milestone.pk, version=milestone.version).update(
        comment="Comptes rendus publiés", version=milestone.version + 1
    )
    assert updated == 1
    assert "Comptes rendus publiés" in client.get(url).content.decode()


def test_raw_sql_and_bulk_writes_show_on_the_next_request(
    committed: SimpleNamespace, client: Client
) -> None:
    assert "Mission écrite en SQL" not in client.get("/missions/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE initiatives_mission SET title = 'Mission écrite en SQL' WHERE key = %s",
            [committed.mission.key],
        )
    assert "Mission écrite en SQL" in client.get("/missions/").content.decode()

    Mission.objects.bulk_create([Mission(key="en-masse", title="Mission ajoutée en masse")])
    assert "Mission ajoutée en masse" in client.get("/missions/").content.decode()

    Mission.objects.filter(key="en-masse").delete()
    assert "Mission ajoutée en masse" not in client.get("/missions/").content.decode()


def test_a_label_added_to_a_mission_shows_in_the_filtered_list(
    committed: SimpleNamespace, client: Client
) -> None:
    """A many-to-many row is a write like any other."""
    url = f"/missions/?label={committed.label.key}"
    before = client.get(url, **HTMX).content.decode()
    mission = Mission.objects.get(key=committed.other.key)
    assert committed.mission.title in before and mission.title not in before
    mission.labels.add(Label.objects.get(key=committed.label.key))
    assert mission.title in client.get(url, **HTMX).content.decode()


def test_a_transaction_bumps_the_version_once_at_commit(committed: SimpleNamespace) -> None:
    before = dataversion.current()
    with transaction.atomic():
        for milestone in Milestone.objects.all()[:20]:
            milestone.comment = "relu"
            milestone.save(update_fields=["comment"])
        assert dataversion.current() == before  # not before the data is visible
    assert dataversion.current() == before + 1


def test_a_rolled_back_write_leaves_the_version_alone(committed: SimpleNamespace) -> None:
    before = dataversion.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Mission.objects.filter(key=committed.mission.key).update(title="Jamais publié")
        raise RuntimeError
    assert dataversion.current() == before


def test_every_table_a_page_reads_bumps_the_version(db: None) -> None:
    """A table added later without its trigger would be cached stale: this test says so."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    ours = {t for t in tables if t.startswith("initiatives_")}
    not_shown = {
        "initiatives_deadlinealert",  # on no page
        dataversion.TABLE,
        "initiatives_writecontext",  # bookkeeping of the history triggers
        "initiatives_proconnectidentity",  # on no page
        # Shown only on pages that are never cached (the bell, /notifications/).
        "initiatives_notification",
        "initiatives_digestdelivery",  # on no page
        "initiatives_importdraft",  # admin only; applying it writes watched tables
        # Every history row is written by a trigger on a watched table, in the same
        # transaction: the bump comes with it.
        "initiatives_historyentry",
        # Readers' secret calendar addresses: on no cached page, not published data.
        "initiatives_calendartoken",
    }
    assert dataversion.watched_tables() == ours - not_shown


def test_renaming_a_coordinator_shows_on_the_next_request_and_a_login_empties_nothing(
    committed: SimpleNamespace, client: Client
) -> None:
    from .factories import user

    person = user("claire", password="mot-de-passe-de-claire-42")
    workstream = committed.workstream
    workstream.coordinators.add(person)
    url = f"/missions/{committed.mission.key}/chantiers/{workstream.key}/"
    assert "claire" in client.get(url).content.decode()
    version = dataversion.identity()
    Client().force_login(person)  # writes last_login
    assert dataversion.identity() == version
    person.first_name, person.last_name = "Claire", "Dubois"
    person.save()
    assert "Claire Dubois" in client.get(url).content.decode()


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(
    site: SimpleNamespace,
) -> None:
    """The switch is a POST form: with a token cached for someone else it would fail."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/missions/")
    page = second.get("/missions/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert "csrf-placeholder" not in page.content.decode()
    switched = second.post(
        reverse("set_language"),
        {"language": "en", "csrfmiddlewaretoken": token},
        HTTP_REFERER="/missions/",
    )
    assert switched.status_code == 302
    assert "<h1>Missions</h1>" in second.get("/missions/").content.decode()
    assert second.get("/").headers["Content-Language"] == "en"
    assert first.get("/").headers["Content-Language"] == "fr"


def test_what_depends_on_the_user_is_never_shared(site: SimpleNamespace, client: Client) -> None:
    assert "Administration" not in client.get("/").content.decode()
    staff = get_user_model().objects.create_user("admin-test", password="x", is_staff=True)
    other = Client()
    other.force_login(staff)
    assert "Administration" in other.get("/").content.decode()
    assert "Administration" not in client.get("/").content.decode()


def test_a_new_day_recomputes_health(
    site: SimpleNamespace, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing was written, but a deadline that was ahead yesterday is overdue today."""
    milestone = site.milestone
    Milestone.objects.filter(pk=milestone.pk).update(status="in_progress")  # late, once ended
    url = f"/jalons/{milestone.pk}/"
    day_before = milestone.due_end - dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day_before)
    badge = '<span class="fr-badge fr-badge--sm fr-badge--error health-overdue">en retard</span>'
    assert badge not in client.get(url).content.decode()
    day_after = milestone.due_end + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day_after)
    assert badge in client.get(url).content.decode()


def test_pages_are_served_when_the_cache_server_is_down(
    site: SimpleNamespace, client: Client, settings: object
) -> None:
    settings.CACHE_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]  # nothing listens there
    for url, headers in _pages(site):
        assert client.get(url, **headers).status_code == 200, url


def test_errors_are_not_cached(site: SimpleNamespace, client: Client) -> None:
    assert client.get("/missions/cle-inconnue/").status_code == 404
    Mission.objects.create(key="cle-inconnue", title="Arrivée après coup")
    assert client.get("/missions/cle-inconnue/").status_code == 200


def test_readers_arriving_together_after_a_write_render_the_page_once(
    committed: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first readers after an edit all miss the cache at once; one renders, the others
    wait for its page instead of each computing the whole dashboard again."""
    from initiatives import pagecache, selectors

    from .factories import at_once
    from .processes import wait_until

    renders: list[int] = []
    waiting: list[int] = []
    real_dashboard, real_wait = selectors.dashboard, pagecache._wait_for

    def wait_for_the_page(*args: object) -> object:
        waiting.append(1)
        return real_wait(*args)

    def slow_dashboard(today: dt.date) -> object:
        renders.append(1)
        # A dashboard over a large database: still rendering when the other five readers
        # arrive. It holds until they all wait for its page (or 3 s, if they never do:
        # then each renders its own, and the count below says so).
        wait_until(lambda: len(waiting) == 5, timeout=3)
        return real_dashboard(today)

    monkeypatch.setattr(selectors, "dashboard", slow_dashboard)
    monkeypatch.setattr(pagecache, "_wait_for", wait_for_the_page)
    statuses = at_once(lambda: Client().get("/").status_code, 6)
    assert statuses == [200] * 6
    assert (len(renders), len(waiting)) == (1, 5)


def test_unknown_reordered_or_empty_parameters_share_one_entry(
    site: SimpleNamespace, client: Client
) -> None:
    """`?utm_source=…` and friends cannot fill the cache: only what the view reads counts,
    and the view never sees the rest (its links do not carry it)."""
    label = site.label.key
    first = client.get(f"/missions/?q=cloud&label={label}")
    assert first.status_code == 200
    assert site.mission.title in first.content.decode()
    variants = [
        f"/missions/?label={label}&q=cloud",
        f"/missions/?q=cloud&label={label}&utm_source=lettre&fbclid=abc",
        f"/missions/?q=cloud&label={label}&status=&health=",
    ]
    for url in variants:
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert again.status_code == 200
        assert len(queries) == 1, (url, [q["sql"] for q in queries])  # served from the entry
        assert "utm_source" not in again.content.decode() and "fbclid" not in again.content.decode()
    # Repeated parameters: the view reads the last, and so does the key.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/missions/?q=autre&q=cloud&label={label}").status_code == 200
    assert len(queries) == 1


def test_a_newer_version_drops_the_namespace_of_the_older(
    committed: SimpleNamespace, client: Client
) -> None:
    import redis
    from django.conf import settings

    from initiatives.pagestore import store

    server = redis.Redis.from_url(settings.CACHE_URL)
    namespace = store().namespace  # type: ignore[attr-defined]
    before = dataversion.identity()
    assert client.get("/").status_code == 200
    assert client.get("/missions/").status_code == 200
    assert server.hlen(namespace(before)) == 2
    Label.objects.create(key="nouveau", name="Nouveau")  # commits: the version moves on
    after = dataversion.identity()
    assert after != before
    assert client.get("/").status_code == 200
    assert not server.exists(namespace(before))  # dropped, not left to expire
    assert server.hlen(namespace(after)) == 1
    assert 0 < server.ttl(namespace(after)) <= settings.PAGE_CACHE_SECONDS


def test_a_restored_database_never_gets_pages_cached_before_the_restore(
    committed: SimpleNamespace, client: Client
) -> None:
    """A backup restored counts versions again from an older number: its next write reaches
    a number pages were cached under, with other data. The moment of the bump tells them apart."""
    mission = committed.mission.key
    url = f"/missions/{mission}/"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {dataversion.TABLE} SET version = 5000, changed_at = now() - interval '1 day'"
        )
    assert client.get(url).status_code == 200  # cached under version 5000
    Mission.objects.filter(key=mission).update(title="Titre d'avant la restauration")
    with connection.cursor() as cursor:  # the restore: data and counter as they were before
        cursor.execute(
            f"UPDATE {dataversion.TABLE} SET version = 4999, changed_at = now() - interval '2 days'"
        )
    Mission.objects.filter(key=mission).update(title="Titre après la restauration")  # to 5000
    assert "Titre après la restauration" in client.get(url).content.decode()


def test_pages_are_served_when_the_cache_server_answers_errors(
    site: SimpleNamespace, client: Client, settings: object
) -> None:
    """A Redis out of memory (noeviction) or turned read-only answers every write with an
    error: pages are rendered as if uncached."""
    import redis

    from .processes import RedisServer

    server = RedisServer()
    server.start()
    try:
        admin = redis.Redis.from_url(server.url)
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", "1")
        settings.CACHE_URL = server.url  # type: ignore[attr-defined]
        for url, headers in _pages(site):
            assert client.get(url, **headers).status_code == 200, url
    finally:
        server.stop()


def test_a_late_render_of_an_older_version_is_never_served_as_the_newer(db: None) -> None:
    """A slow request that read the version before a write stores its page after it: readers
    of the new version never get that page, and the old namespace goes with the next store."""
    from initiatives.pagestore import Entry, store

    pages = store()
    old, new = "41@earlier", "42@later"
    fresh = Entry(200, {"Content-Type": "text/html"}, b"<p>fresh</p>")
    late = Entry(200, {"Content-Type": "text/html"}, b"<p>late</p>")
    pages.put(new, "page", fresh, 60, None)
    pages.put(old, "page", late, 60, None)
    assert pages.get(new, "page") != late
    pages.put(new, "page", fresh, 60, None)
    assert pages.get(new, "page") == fresh
    assert pages.get(old, "page") is None


def test_a_silent_cache_server_costs_one_timeout_and_one_log_line_per_interval(
    site: SimpleNamespace, client: Client, settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis that accepts connections and never answers: the first request waits for the
    timeout, the next ones skip the cache at once, one warning line says so, no traceback."""
    import logging
    import time

    from .processes import SilentServer

    with SilentServer() as url:
        settings.CACHE_URL = url  # type: ignore[attr-defined]
        settings.CACHE_TIMEOUT_SECONDS = 0.3  # type: ignore[attr-defined]
        settings.CACHE_BREAKER_SECONDS = 60.0  # type: ignore[attr-defined]
        caplog.set_level(logging.WARNING)
        waited = []
        for _ in range(10):
            started = time.monotonic()
            with CaptureQueriesContext(connection):
                assert client.get("/missions/").status_code == 200
            waited.append(time.monotonic() - started)
        lines = [r for r in caplog.records if r.name == "initiatives.breaker"]
        assert len(lines) == 1 and "skipped for 60 s" in lines[0].getMessage()
        assert all(r.exc_info is None for r in caplog.records)
        assert waited[0] >= 0.3  # the one timeout
        # The others never waited for the server: each costs what rendering costs.
        assert sum(waited[1:]) < waited[0] + 9 * 0.3, waited


def test_the_breaker_lets_one_call_try_again_after_its_interval() -> None:
    import redis

    from initiatives.breaker import Breaker, CacheUnavailable

    now = [0.0]
    breaker = Breaker("test cache", cooldown=30, clock=lambda: now[0])
    calls: list[str] = []

    def sick() -> None:
        calls.append("sick")
        raise redis.TimeoutError("Timeout reading from socket")

    with pytest.raises(CacheUnavailable):
        breaker.call(sick)
    for _ in range(5):  # open: nobody reaches the server
        with pytest.raises(CacheUnavailable):
            breaker.call(sick)
    assert calls == ["sick"]
    now[0] = 31.0  # the interval is over: one call tries, and fails again
    with pytest.raises(CacheUnavailable):
        breaker.call(sick)
    assert calls == ["sick", "sick"]
    now[0] = 45.0  # still within the new interval
    with pytest.raises(CacheUnavailable):
        breaker.call(sick)
    now[0] = 62.0  # the server is back: the trial succeeds and the breaker closes
    assert breaker.call(lambda: "page") == "page"
    assert not breaker.is_open
    assert breaker.call(lambda: "page") == "page"
