"""The database keeps the rules even when code forgets them: constraints, not only forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from initiatives import periods
from initiatives.models import Citation, Milestone, Mission, Precision, Source, Workstream

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission() -> Mission:
    return Mission.objects.create(key="m", title="Mission")


def refused(**fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(**fields)


def test_period_window_must_not_end_before_it_starts(mission: Mission) -> None:
    refused(
        mission=mission,
        key="a",
        title="A",
        due_text="fin 2021",
        due_start=dt.date(2021, 12, 31),
        due_end=dt.date(2021, 10, 1),
        due_precision="quarter",
        due_reference=dt.date(2021, 1, 1),
    )


def test_period_is_all_or_nothing(mission: Mission) -> None:
    refused(
        mission=mission,
        key="a",
        title="A",
        due_text="fin 2021",
        due_start=None,
        due_end=dt.date(2021, 12, 31),
        due_precision="quarter",
        due_reference=dt.date(2021, 1, 1),
    )
    refused(
        mission=mission,
        key="b",
        title="B",
        due_text="",
        due_start=dt.date(2021, 10, 1),
        due_end=dt.date(2021, 12, 31),
        due_precision="quarter",
        due_reference=dt.date(2021, 1, 1),
    )


def test_progress_stays_within_0_and_100(mission: Mission) -> None:
    refused(mission=mission, key="a", title="A", progress=101)
    refused(mission=mission, key="b", title="B", status="done", progress=60)


def test_keys_are_unique_where_they_are_natural(mission: Mission) -> None:
    Milestone.objects.create(mission=mission, key="a", title="A")
    refused(mission=mission, key="a", title="Encore A")
    Workstream.objects.create(mission=mission, key="w", position=1, title="W")
    with pytest.raises(IntegrityError), transaction.atomic():
        Workstream.objects.create(mission=mission, key="w2", position=1, title="Même position")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.create(key="m", title="Doublon")


def test_citation_supports_exactly_one_object(mission: Mission) -> None:
    source = Source.objects.create(
        key="s",
        title="S",
        publisher="P",
        published_on=dt.date(2020, 1, 1),
        published_precision="day",
        published_basis="text",
        text="abc",
        text_sha256="0" * 64,
    )
    ws = Workstream.objects.create(mission=mission, key="w", position=1, title="W")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            source=source, quote="abc", start_offset=0, end_offset=3, mission=mission, workstream=ws
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, quote="abc", start_offset=0, end_offset=3)
    Citation.objects.create(source=source, quote="abc", start_offset=0, end_offset=3, workstream=ws)


def test_precision_choices_match_the_period_reader() -> None:
    assert [p.value for p in periods.Precision] == list(Precision.values)


@pytest.mark.parametrize(
    ("status", "due_end", "news_on", "expected"),
    [
        # Planned, window ended, nothing said since: not known to be late.
        ("planned", dt.date(2026, 11, 22), None, "no_news"),
        ("planned", dt.date(2026, 11, 22), dt.date(2026, 11, 22), "no_news"),
        # Someone said something of it after the window ended: known late.
        ("planned", dt.date(2026, 11, 22), dt.date(2026, 11, 23), "overdue"),
        ("in_progress", dt.date(2026, 11, 22), None, "overdue"),
        ("in_progress", dt.date(2026, 11, 23), None, "due_soon"),
        ("planned", dt.date(2026, 12, 23), None, "due_soon"),
        ("planned", dt.date(2026, 12, 24), None, "on_track"),
        ("missed", dt.date(2026, 1, 1), None, "missed"),
        ("missed", dt.date(2027, 1, 1), None, "missed"),
        ("done", dt.date(2020, 1, 1), None, "done"),
        ("cancelled", dt.date(2020, 1, 1), None, "cancelled"),
        ("planned", None, None, "undated"),
    ],
)
def test_health_follows_status_window_news_and_today(
    status: str, due_end: dt.date | None, news_on: dt.date | None, expected: str
) -> None:
    milestone = Milestone(status=status, due_end=due_end, news_on=news_on)
    assert milestone.health_on(dt.date(2026, 11, 23), horizon_days=30) == expected
