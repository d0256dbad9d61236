"""Two coordinators save the same milestone at the same moment: exactly one wins, the other
gets 409, and the database holds the winner's value. Real PostgreSQL, real commits."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.models import Milestone

from .conftest import REPORT
from .factories import MilestoneFactory, UserFactory
from .test_editing import HTMX, edit_data, snapshot


@pytest.fixture
def two_coordinators(transactional_db: None) -> tuple[Milestone, list[Any]]:
    """A milestone of a workstream and its two coordinators, committed (the threads see it)."""
    milestone = MilestoneFactory()
    users = [UserFactory(username=f"coord-{i}") for i in range(2)]
    milestone.workstream.coordinators.add(*users)
    return milestone, users


def test_100_races_each_have_exactly_one_winner(
    two_coordinators: tuple[Milestone, list[Any]],
) -> None:
    milestone, users = two_coordinators
    url = reverse("initiatives:milestone_edit", args=[milestone.pk])
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    one_winner = 0
    for trial in range(100):
        base = Milestone.objects.get(pk=milestone.pk)
        barrier = threading.Barrier(2)
        statuses: dict[int, int] = {}

        def save(i: int) -> None:
            try:
                data = edit_data(
                    base, progress=(trial * 2 + i) % 100, comment=f"essai {trial} par {i}"
                )
                barrier.wait()
                statuses[i] = clients[i].post(url, data, **HTMX).status_code
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses.values()) == [200, 409], (trial, statuses)
        winner = next(i for i, status in statuses.items() if status == 200)
        saved = Milestone.objects.get(pk=milestone.pk)
        assert saved.comment == f"essai {trial} par {winner}"
        assert saved.version == base.version + 1
        one_winner += 1
    REPORT.append(
        f"concurrent edits on PostgreSQL: {one_winner}/100 races had exactly one winner (200) and one 409"
    )


text = st.text(max_size=60)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.one_of(st.sampled_from(Milestone.Status.values), text),
    progress=st.one_of(st.integers(-1000, 1000).map(str), text),
    completed_on=st.one_of(st.dates().map(str), text),
    due_text=text,
    comment=st.text(max_size=300),
    version=st.one_of(st.integers(-5, 50).map(str), text),
    htmx=st.booleans(),
)
def test_random_input_gets_200_400_or_409_and_a_refusal_changes_nothing(
    two_coordinators: tuple[Milestone, list[Any]], **data: Any
) -> None:
    milestone, users = two_coordinators
    htmx = data.pop("htmx")
    client = Client()
    client.force_login(users[0])
    before = snapshot(milestone)
    response = client.post(
        reverse("initiatives:milestone_edit", args=[milestone.pk]),
        data,
        **(HTMX if htmx else {}),
    )
    assert response.status_code in ({200, 400, 409} if htmx else {302, 400, 409})
    if response.status_code in (400, 409):
        assert snapshot(milestone) == before
