"""The printable mission sheet: the mission page's data and every slip of its milestones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import MilestoneSlip
from .pages import MissionPage, mission_page


@dataclass(frozen=True)
class MissionSheet:
    page: MissionPage
    slip_count: int


def mission_sheet(key: str, today: dt.date) -> MissionSheet | None:
    """The mission page's data (selectors.mission_page), each milestone with its slips
    (`slip_list`, oldest first): one query more, whatever the number of milestones."""
    page = mission_page(key, today)
    if page is None:
        return None
    slips: dict[int, list[MilestoneSlip]] = {}
    for slip in MilestoneSlip.objects.filter(milestone__mission=page.mission).order_by(
        "milestone", "recorded_at", "pk"
    ):
        slips.setdefault(slip.milestone_id, []).append(slip)
    for milestone in page.milestones:
        milestone.slip_list = slips.get(milestone.pk, [])  # type: ignore[attr-defined]
    return MissionSheet(page, sum(len(found) for found in slips.values()))
