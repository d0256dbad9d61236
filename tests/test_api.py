"""The open data's JSON API (/api/v1/): what a reuser reads, filters, pages through, caches,
and is refused, in French."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

_addresses = itertools.count(1)


def reader(**extra: Any) -> Client:
    """A client with an address of its own: each test's rate counts start from zero."""
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", **extra)


def get(path: str, client: Client | None = None, **headers: Any) -> Any:
    return (client or reader()).get(path, headers=headers)


def late_milestone_with_quote() -> m.Milestone:
    """In progress, its window over: overdue; its deadline backed by a quote."""
    milestone = f.MilestoneFactory(
        due="d'ici fin 2025", status=m.Milestone.Status.IN_PROGRESS, title="Qualifier les offres"
    )
    f.CitationFactory(
        milestone=milestone,
        fact="due",
        quote="Les premières offres seront qualifiées d'ici fin 2025",
    )
    return milestone


def test_overdue_milestones_come_with_their_window_and_quotes() -> None:
    late = late_milestone_with_quote()
    f.MilestoneFactory(due="fin 2099", title="Lointain")
    response = get("/api/v1/milestones/?health=overdue")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert [row["id"] for row in body["results"]] == [late.pk]
    row = body["results"][0]
    assert row["health"] == "overdue"
    assert row["status"] == "in_progress"
    assert row["due"] == {
        "text": "d'ici fin 2025",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "precision": "year",
        "reference": "2025-03-10",
    }
    [quote] = row["citations"]
    assert quote["fact"] == "due"
    assert quote["quote"] == "Les premières offres seront qualifiées d'ici fin 2025"
    assert quote["source"]["publisher"] == "Ministère"
    assert row["mission"] == late.mission.key
    assert row["page"].endswith(f"/jalons/{late.pk}/")


def test_a_bad_filter_value_is_a_french_problem_naming_the_parameter() -> None:
    response = get("/api/v1/milestones/?health=retard&year=deux-mille")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["title"] == "Requête non valable"
    assert {error["name"] for error in problem["errors"]} == {"health", "year"}
    assert "retard" in " ".join(problem["errors"][0]["reasons"] + problem["errors"][1]["reasons"])


def test_unknown_addresses_and_writes_are_problems_too() -> None:
    assert get("/api/v1/jalons/").json()["status"] == 404
    assert get("/api/v1/jalons/")["Content-Type"] == "application/problem+json"
    missing = get("/api/v1/missions/nulle-part/")
    assert missing.status_code == 404 and missing.json()["title"] == "Introuvable"
    posted = reader().post("/api/v1/missions/", {})
    assert posted.status_code == 405
    assert posted.json()["title"] == "Méthode non permise"
    bad_cursor = get("/api/v1/milestones/?cursor=zzz")
    assert bad_cursor.status_code == 404


def test_cursor_pages_reach_every_milestone_once_in_a_stable_order() -> None:
    mission = f.MissionFactory()
    made = [f.MilestoneFactory(workstream=None, mission=mission).pk for _ in range(7)]
    seen: list[int] = []
    url: str | None = "/api/v1/milestones/?page_size=3"
    pages = 0
    while url:
        body = get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        pages += 1
    assert seen == sorted(made)
    assert pages == 3


def test_validators_answer_304_until_the_data_changes() -> None:
    milestone = late_milestone_with_quote()
    client = reader()
    first = get("/api/v1/milestones/", client)
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert get("/api/v1/milestones/", client, if_none_match=etag).status_code == 304
    # Another query is another answer, with its own tag.
    assert get("/api/v1/milestones/?status=done", client)["ETag"] != etag
    m.Milestone.objects.filter(pk=milestone.pk).update(title="Qualifier toutes les offres")
    again = get("/api/v1/milestones/", client, if_none_match=etag)
    assert again.status_code == 200
    assert again.json()["results"][0]["title"] == "Qualifier toutes les offres"


def test_public_read_off_keeps_the_api_for_signed_in_users(settings: Any) -> None:
    settings.PUBLIC_READ = False
    refused = get("/api/v1/missions/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "Connectez-vous" in refused.json()["detail"]
    client = reader()
    client.force_login(f.UserFactory())
    assert get("/api/v1/missions/", client).status_code == 200


def test_any_site_may_read_it_but_not_write(settings: Any) -> None:
    response = get("/api/v1/labels/", origin="https://exemple.fr")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = reader().options(
        "/api/v1/labels/",
        headers={"origin": "https://exemple.fr", "access-control-request-method": "DELETE"},
    )
    assert "DELETE" not in preflight.get("Access-Control-Allow-Methods", "")


def test_rate_limit_is_told_then_enforced_with_a_problem(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "2/minute", "user": "9/minute"}
    from rest_framework.settings import api_settings

    api_settings.reload()
    from initiatives.api import access

    access.AnonymousRate.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        client = reader()
        first = get("/api/v1/labels/", client)
        assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
        assert first["RateLimit-Policy"] == "2;w=60"
        assert get("/api/v1/labels/", client)["RateLimit-Remaining"] == "0"
        third = get("/api/v1/labels/", client)
        assert third.status_code == 429
        assert third.json()["title"] == "Trop de requêtes"
        assert int(third["Retry-After"]) > 0
        assert get("/api/v1/labels/").status_code == 200  # another address, its own count
    finally:
        settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "120/minute"}
        api_settings.reload()
        access.AnonymousRate.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_filters_match_the_pages() -> None:
    cloud = f.LabelFactory(key="cloud-api")
    labelled = f.MissionFactory(labels=[cloud])
    other = f.MissionFactory()
    in_2027 = f.MilestoneFactory(workstream=None, mission=labelled, due="T2 2027")
    f.MilestoneFactory(workstream=None, mission=other, due="T2 2028", title="Souveraineté")
    ids = lambda url: [row["id"] for row in get(url).json()["results"]]  # noqa: E731
    assert ids("/api/v1/milestones/?label=cloud-api") == [in_2027.pk]
    assert ids("/api/v1/milestones/?year=2027") == [in_2027.pk]
    assert ids("/api/v1/milestones/?due_after=2027-04-01&due_before=2027-06-30") == [in_2027.pk]
    assert [r["key"] for r in get("/api/v1/missions/?label=cloud-api").json()["results"]] == [
        labelled.key
    ]
    # French full text: stemmed, accents folded, a word's start is enough.
    assert len(ids("/api/v1/milestones/?q=souverainete")) == 1


def test_history_tells_what_changed_since_a_moment() -> None:
    milestone = f.MilestoneFactory(title="Avant")
    since = dt.datetime.now(dt.UTC).isoformat()
    m.Milestone.objects.filter(pk=milestone.pk).update(version=2)  # bookkeeping: not news
    m.Milestone.objects.filter(pk=milestone.pk).update(title="Après", version=3)
    body = reader().get("/api/v1/history/", {"since": since, "type": "milestone"}).json()
    [entry] = body["results"]
    assert entry["object_id"] == milestone.pk
    assert entry["changes"] == {"title": {"old": "Avant", "new": "Après"}}
    assert "actor" not in entry


def test_assessments_show_declared_and_assessed_side_by_side() -> None:
    milestone = late_milestone_with_quote()
    source = milestone.citations.get().source
    assessment = m.Assessment.objects.create(
        milestone=milestone, rating="stalled", as_of=dt.date(2026, 3, 1), rationale="Rien depuis."
    )
    m.Evidence.objects.create(
        assessment=assessment,
        source=source,
        quote="Les premières offres",
        start_offset=0,
        end_offset=10,
    )
    [row] = get("/api/v1/assessments/").json()["results"]
    assert (row["declared_status"], row["assessed_status"]) == ("in_progress", "stalled")
    assert row["evidence"][0]["source"]["key"] == source.key
    assert row["mission"] == milestone.mission.key


LISTS = [
    "missions",
    "workstreams",
    "milestones",
    "labels",
    "actors",
    "sources",
    "citations",
    "assessments",
    "links",
    "slips",
    "history",
]


def _some_data(times: int) -> None:
    for _ in range(times):
        milestone = late_milestone_with_quote()
        mission = milestone.mission
        f.CitationFactory(mission=mission, source=milestone.citations.get().source)
        involvement = m.Involvement.objects.create(
            mission=mission, actor=f.ActorFactory(), role="pilot"
        )
        f.CitationFactory(involvement=involvement, source=milestone.citations.get().source)
        mission.labels.add(f.LabelFactory())
        f.MissionLinkFactory(from_mission=mission)
        assessment = m.Assessment.objects.create(
            milestone=milestone, rating="engaged", as_of=dt.date(2026, 1, 1), rationale="Oui."
        )
        m.Evidence.objects.create(
            assessment=assessment,
            source=milestone.citations.get().source,
            quote="Les premières",
            start_offset=0,
            end_offset=5,
        )
        m.MilestoneSlip.objects.create(
            milestone=milestone,
            **{
                "old_text": "2025",
                "old_start": dt.date(2025, 1, 1),
                "old_end": dt.date(2025, 12, 31),
            },
            **{
                "new_text": "2026",
                "new_start": dt.date(2026, 1, 1),
                "new_end": dt.date(2026, 12, 31),
            },
        )


@pytest.mark.parametrize("name", LISTS)
def test_every_list_costs_at_most_six_queries_whatever_the_data(name: str) -> None:
    counts = []
    for times in (1, 9):  # 1x, then 10x in all
        _some_data(times)
        client = reader()
        with CaptureQueriesContext(connection) as queries:
            response = get(f"/api/v1/{name}/", client)
        assert response.status_code == 200, response.content
        assert response.json()["results"]
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts


def test_the_schema_is_valid_openapi_3_1_in_french() -> None:
    from drf_spectacular.validation import validate_schema

    response = get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    validate_schema(schema)
    assert "/api/v1/milestones/" in schema["paths"]
    assert schema["info"]["license"]["name"] == "Licence Ouverte 2.0"
    assert schema["info"]["contact"]["email"]
    assert schema["info"]["termsOfService"].endswith("/donnees/#conditions")


def test_a_kept_answer_costs_one_query_and_is_still_counted_and_checked(settings: Any) -> None:
    late_milestone_with_quote()
    client = reader()
    first = get("/api/v1/milestones/", client)
    with CaptureQueriesContext(connection) as queries:
        again = get("/api/v1/milestones/", client)
    assert again.json() == first.json()
    assert len(queries) == 1  # the data version: the answer comes from the store
    assert int(again["RateLimit-Remaining"]) == int(first["RateLimit-Remaining"]) - 1
    settings.PUBLIC_READ = False
    assert get("/api/v1/milestones/", client).status_code == 403


def test_a_misspelt_parameter_or_a_bad_page_is_refused_not_ignored() -> None:
    f.MilestoneFactory()
    typo = get("/api/v1/milestones/?healt=overdue")
    assert typo.status_code == 400
    assert [e["name"] for e in typo.json()["errors"]] == ["healt"]
    assert get("/api/v1/milestones/?page_size=0").status_code == 400
    assert get("/api/v1/milestones/?page_size=abc").status_code == 400
    assert get("/api/v1/slips/?milestone=1.9").status_code == 400
    # A cursor made by hand whose position is no id: an unknown page, not a 500.
    import base64

    forged = base64.b64encode(b"p=abc").decode()
    assert get(f"/api/v1/milestones/?cursor={forged}").status_code == 404


def test_a_304_only_ever_stands_for_a_200_the_reader_may_have(settings: Any) -> None:
    f.MilestoneFactory()
    client = reader()
    etag = get("/api/v1/milestones/", client)["ETag"]
    # Errors carry no validators: nothing to hold, nothing to revalidate.
    refused = get("/api/v1/milestones/?health=bogus", client)
    assert refused.status_code == 400 and not refused.has_header("ETag")
    assert not get("/api/v1/nope/", client).has_header("ETag")
    assert get("/api/v1/milestones/", client, if_none_match="*").status_code == 200
    settings.PUBLIC_READ = False
    # The tag of an answer read while the data was public: access is checked first.
    assert get("/api/v1/milestones/", client, if_none_match=etag).status_code == 403


def test_what_was_deleted_is_not_served_again_and_sources_come_without_their_text() -> None:
    kept_one = f.MilestoneFactory(title="Gardé")
    gone = f.MilestoneFactory(title="Retiré du site")
    gone_id = gone.pk
    gone.delete()
    body = reader().get("/api/v1/history/", {"type": "milestone"}).json()
    about_gone = [e for e in body["results"] if e["object_id"] == gone_id]
    assert [(e["action"], e["title"], e["changes"]) for e in about_gone] == [("delete", "", {})]
    assert any(e["object_id"] == kept_one.pk for e in body["results"])
    assert "Retiré du site" not in get("/api/v1/history/").content.decode()
    source = f.SourceFactory()
    detail = get(f"/api/v1/sources/{source.key}/").json()
    assert "text" not in detail and detail["text_sha256"] == source.text_sha256
