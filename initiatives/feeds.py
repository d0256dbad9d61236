"""An Atom feed of each mission's recent changes, for whoever follows it in a feed reader."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors
from .models import Mission


class MissionHistoryFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, key: str) -> Mission:
        mission = Mission.objects.filter(key=key).first()
        if mission is None:
            raise Http404
        return mission

    def title(self, mission: Mission) -> str:
        return _("Changes: %(title)s") % {"title": mission.title}

    def link(self, mission: Mission) -> str:
        return reverse("initiatives:mission", args=[mission.key])

    def subtitle(self, mission: Mission) -> str:
        return _("Latest changes of the mission, its workstreams and its milestones.")

    def items(self, mission: Mission) -> list[selectors.HistoryLine]:
        return selectors.mission_history(mission)

    def item_title(self, line: selectors.HistoryLine) -> str:
        return f"{line.entry.get_action_display().capitalize()} : {line.title}"

    def item_description(self, line: selectors.HistoryLine) -> str:
        # Plain text: the syndication framework escapes it into the feed.
        return "; ".join(f"{c.label} : {c.old} → {c.new}" for c in line.changes)

    def item_link(self, line: selectors.HistoryLine) -> str:
        return f"{line.link}#change-{line.entry.pk}"

    def item_guid(self, line: selectors.HistoryLine) -> str:
        return f"observatoire-change-{line.entry.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, line: selectors.HistoryLine) -> Any:
        return line.entry.at

    def item_author_name(self, line: selectors.HistoryLine) -> str:
        actor = line.entry.actor
        if actor is None:
            return _("import or system") if line.entry.via != "admin" else _("administration")
        return actor.get_full_name() or actor.username
