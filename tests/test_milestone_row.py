"""The milestone row put back when an inline edit is cancelled offers "Modifier" only to whoever
may edit that milestone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from initiatives.models import Milestone

from .factories import MilestoneFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db


def row_for(user: object, milestone: Milestone) -> str:
    client = Client()
    client.force_login(user)
    url = reverse("initiatives:milestone_row", args=[milestone.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_row_offers_editing_only_to_who_may_edit(db: None) -> None:
    User = get_user_model()
    mine = WorkstreamFactory()
    other = WorkstreamFactory(mission=mine.mission)
    claire = User.objects.create_user("claire")
    mine.coordinators.add(claire)
    paul = User.objects.create_user("paul")  # coordinates another workstream
    other.coordinators.add(paul)
    milestone = MilestoneFactory(workstream=mine)
    edit_url = reverse("initiatives:milestone_edit", args=[milestone.pk])

    assert f'hx-get="{edit_url}"' in row_for(claire, milestone)
    for user in (paul, User.objects.create_user("lea")):
        row = row_for(user, milestone)
        assert f'id="milestone-{milestone.pk}"' in row and milestone.title[:20] in row
        assert edit_url not in row and "Modifier" not in row
    administrator = User.objects.create_user("ana", is_staff=True)
    assert f'hx-get="{edit_url}"' in row_for(administrator, milestone)
