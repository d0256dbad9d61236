"""The milestone row put back when an inline edit is cancelled offers "Modifier" only to whoever
may edit that milestone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from initiatives.models import Milestone, Mission

pytestmark = pytest.mark.django_db
MISSION = "mission-numerique-grands-groupes"


def row_for(user: object, milestone: Milestone) -> str:
    client = Client()
    client.force_login(user)
    url = reverse("initiatives:milestone_row", args=[milestone.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_row_offers_editing_only_to_who_may_edit(seeded: None) -> None:
    User = get_user_model()
    mine, other = list(Mission.objects.get(key=MISSION).workstreams.order_by("position")[:2])
    claire = User.objects.create_user("claire")
    mine.coordinators.add(claire)
    paul = User.objects.create_user("paul")  # coordinates another workstream
    other.coordinators.add(paul)
    milestone = Milestone.objects.filter(workstream=mine).order_by("pk").first()
    edit_url = reverse("initiatives:milestone_edit", args=[milestone.pk])

    assert f'hx-get="{edit_url}"' in row_for(claire, milestone)
    for user in (paul, User.objects.create_user("lea")):
        row = row_for(user, milestone)
        assert f'id="milestone-{milestone.pk}"' in row and milestone.title[:20] in row
        assert edit_url not in row and "Modifier" not in row
    administrator = User.objects.create_user("ana", is_staff=True)
    assert f'hx-get="{edit_url}"' in row_for(administrator, milestone)
