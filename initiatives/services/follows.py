"""Following missions: a signed-in user follows or stops following a mission, and the changes
people make reach the followers' bells (the daily digest lists yesterday's, see
services.send_digest; deadline alerts reach them through services.notify_alert)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .. import selectors
from ..models import FOLLOWED_TABLES, NEWS_VIA, Follow, HistoryEntry, Mission, Notification

# History entries claimed per transaction by notify_followers; it goes on until none is left.
FOLLOWERS_BATCH = 500


def _may_follow(user: Any) -> None:
    """Only a signed-in, active user follows, and only for themselves: the views pass
    `request.user`, never a user named by the request."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied


def follow(user: Any, mission: Mission) -> bool:
    """`user` follows `mission` from now on; True if they did not already. Two clicks at once
    (two tabs, a double submit) both find or make the one row: the unique constraint holds
    it, and get_or_create reads the other's row when its insert loses the race."""
    _may_follow(user)
    _, created = Follow.objects.get_or_create(user=user, mission=mission)
    return created


def unfollow(user: Any, mission: Mission) -> bool:
    """`user` no longer follows `mission`; True if they did. Their past notifications stay."""
    _may_follow(user)
    deleted, _ = Follow.objects.filter(user=user, mission=mission).delete()
    return deleted > 0


def _untold() -> Any:
    """The people's changes of missions and milestones whose followers were not told yet:
    exactly the rows of the partial index history_untold_idx."""
    return HistoryEntry.objects.filter(
        notified_at__isnull=True,
        action="update",
        via__in=NEWS_VIA,
        table_name__in=FOLLOWED_TABLES,
    )


def notify_followers(batch: int = FOLLOWERS_BATCH) -> int:
    """Tell the followers of each mission of the changes people made to it and its milestones
    since the last run: a notification under each follower's bell, never to the change's
    author, once per follower and change. Returns the number of notifications made.

    What changed comes from the history (every write of a person is there, whichever way it
    came: the edit page, the admin, a sheet, an assessment). Each entry is claimed (its
    notified_at set) in the transaction that writes its notifications: a run that fails
    leaves it to the next, and a run that comes twice finds nothing left. Two runs at once
    on PostgreSQL skip each other's locked rows; on SQLite, where one writer runs at a time,
    the unique (user, change) constraint is the guard. Costs what changed: the claim reads
    the partial index of untold entries only."""
    told = 0
    while True:
        with transaction.atomic():
            entries = list(
                _untold()
                .select_for_update(skip_locked=True)
                .only("pk", "table_name", "row_id", "action", "via", "actor", "old", "new")
                .order_by("pk")[:batch]
            )
            if not entries:
                return told
            HistoryEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
                notified_at=timezone.now()
            )
            about = {
                entry.pk: mission_id
                for entry in entries
                if selectors.followed_changes(entry) is not None
                and (mission_id := selectors.mission_of(entry)) is not None
            }
            followers: dict[int, list[int]] = {}
            for mission_id, user_id in (
                Follow.objects.filter(mission_id__in=set(about.values()), user__is_active=True)
                .order_by("user_id")
                .values_list("mission_id", "user_id")
            ):
                followers.setdefault(mission_id, []).append(user_id)
            notifications = [
                Notification(user_id=user_id, change_id=entry.pk)
                for entry in entries
                if entry.pk in about
                for user_id in followers.get(about[entry.pk], [])
                if user_id != entry.actor_id  # the author knows what they did
            ]
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
            told += len(notifications)
        if len(entries) < batch:
            return told
