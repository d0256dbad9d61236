"""No internal code names in the pages: what a reader sees (and what a screen reader says) is
French words, never the enum values, fact names or codes the data is stored with."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from initiatives.models import Milestone, Mission, Source, Workstream

pytestmark = pytest.mark.django_db

# Stored values that once leaked into French pages: fact names, statuses, healths, kinds,
# roles, bases, actions. Matched as whole words, case included ("Statut" is French).
CODES = (
    "launch",
    "due",
    "existence",
    "status",
    "role",
    "budget",
    "in_progress",
    "on_track",
    "due_soon",
    "no_news",
    "overdue",
    "planned",
    "done",
    "missed",
    "cancelled",
    "undated",
    "deliverable",
    "event",
    "announced",
    "launched",
    "completed",
    "abandoned",
    "coordinator",
    "announcer",
    "pilot",
    "support",
    "public_record",
    "not_assessed",
    "not_started",
    "engaged",
    "stalled",
    "partial",
    "achieved",
    "not_achieved",
    "superseded",
    "no_evidence",
    "create",
    "update",
    "delete",
    "import",
    "edit",
    "admin",
    "sheet",
    "assessment",
)
# French words too: a code among them leaks only where it stands alone as a name, « due ».
FRENCH_TOO = {"existence", "budget", "support", "import"}


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, and the labels
    announced or shown on hover (aria-label, title, alt)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def leaks(text: str) -> list[str]:
    found = []
    for code in CODES:
        if code in FRENCH_TOO:
            pattern = rf"«\s*{code}\s*»|\({code}\)"
        else:
            pattern = rf"(?<![\w/#.-]){re.escape(code)}(?![\w/-])"
        for match in re.finditer(pattern, text):
            found.append(text[max(match.start() - 40, 0) : match.end() + 40].replace("\n", " "))
    return found


def main_pages() -> list[str]:
    workstream = Workstream.objects.select_related("mission").order_by("pk").first()
    assert workstream is not None
    milestones = Milestone.objects.order_by("pk")
    return [
        "/",
        "/missions/",
        *(f"/missions/{key}/" for key in Mission.objects.values_list("key", flat=True)),
        f"/missions/{workstream.mission.key}/chantiers/{workstream.key}/",
        *(f"/jalons/{pk}/" for pk in milestones.values_list("pk", flat=True)),
        *(f"/sources/{key}/" for key in Source.objects.values_list("key", flat=True)),
        "/frise/",
        "/frise/?view=table",
        "/methodologie/",
    ]


def test_main_pages_show_no_internal_code_in_french(seeded: None, client: Client) -> None:
    found = {}
    for url in main_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "fr"
        text = visible_text(response.content.decode())
        if problems := leaks(text):
            found[url] = problems
    assert found == {}


def test_the_check_would_see_a_leak() -> None:
    # The fact name the issue saw: « étaye « launch » ».
    assert leaks(visible_text("<p>étaye « launch »</p>")) != []
    assert leaks(visible_text('<a title="on_track">x</a>')) != []
    assert leaks(visible_text("<p>Note éditoriale (existence)</p>")) != []
    # Words and addresses that merely contain a code are not leaks.
    assert (
        leaks(visible_text('<p>« existence du chantier », budget, dues</p><a href="/x#due">y</a>'))
        == []
    )
