"""The printable mission sheet: its PDF, printed by WeasyPrint, read back with poppler's
pdftotext and pdfinfo; its web page; what WeasyPrint may fetch."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import selectors
from initiatives.models import Mission
from initiatives.pdf import StaticOnlyFetcher

from .factories import MilestoneFactory, WorkstreamFactory, user
from .test_views import add_milestones

DECLARATION = "declaration-franco-allemande-suite-souveraine"


def poppler(tool: str, *args: str) -> str:
    executable = shutil.which(tool)
    assert executable, f"{tool} is needed (Debian package poppler-utils: make pdf-deps)"
    return subprocess.run([executable, *args], check=True, capture_output=True, text=True).stdout


def pdf_of(client: Client, key: str, folder: Path) -> Path:
    response = client.get(reverse("initiatives:mission_sheet_pdf", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = folder / f"{key}.pdf"
    path.write_bytes(response.content)
    return path


def pages_of(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.M)[1])  # type: ignore[index]


def pdf_text(content: bytes) -> str:
    return words(poppler_stdin("pdftotext", content))


def poppler_stdin(tool: str, content: bytes) -> str:
    executable = shutil.which(tool)
    assert executable, f"{tool} is needed (Debian package poppler-utils: make pdf-deps)"
    done = subprocess.run([executable, "-", "-"], input=content, check=True, capture_output=True)
    return done.stdout.decode()


def words(text: str) -> str:
    """The text as one line: pdftotext breaks lines where the page does."""
    return " ".join(text.split())


def test_pdf_sheet_of_the_franco_german_declaration(
    seeded: None, client: Client, tmp_path: Path
) -> None:
    pdf = pdf_of(client, DECLARATION, tmp_path)
    assert pages_of(pdf) <= 2
    text = words(poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-"))
    mission = Mission.objects.get(key=DECLARATION)
    assert mission.title in text
    assert "Fiche de mission" in text
    for heading in ("Faits essentiels", "Acteurs", "Chantiers et jalons", "Sources"):
        assert heading in text
    # Declared and assessed status side by side, the actors, progress over deliverables.
    assert "Statut déclaré" in text and "Statut constaté" in text
    assert "Stéphanie Schaer" in text
    assert "livrables datés seulement" in text or "pas de livrable daté" in text
    # Every quoted passage is a numbered note, with its quote and its source.
    page = selectors.mission_page(DECLARATION, timezone.localdate())
    assert page is not None and len(page.footnotes.notes) > 3
    for note in page.footnotes.notes:
        assert f"[{note.number}] « {words(note.quote)} »" in text
        assert words(note.source.title) in text
    assert "Le gouvernement français a annoncé hier une déclaration commune d’intention" in text


def test_pdf_is_set_in_marianne(seeded: None, client: Client, tmp_path: Path) -> None:
    fonts = poppler("pdffonts", str(pdf_of(client, DECLARATION, tmp_path)))
    assert "Marianne" in fonts


def test_every_curated_mission_fits_two_pages(seeded: None, client: Client, tmp_path: Path) -> None:
    keys = list(Mission.objects.order_by("key").values_list("key", flat=True))
    assert len(keys) >= 4
    too_long = {key: n for key in keys if (n := pages_of(pdf_of(client, key, tmp_path))) > 2}
    assert too_long == {}


def test_the_sheet_gives_the_mission_lineage_from_both_sides(seeded: None, client: Client) -> None:
    """The curated link: the 2021 Cloud strategy continues the 2014 plan Cloud."""
    later = pdf_text(
        client.get(
            reverse("initiatives:mission_sheet_pdf", args=["strategie-nationale-cloud"])
        ).content
    )
    assert "Lignée • Prolonge : Plan Cloud de la Nouvelle France industrielle" in later
    earlier = pdf_text(
        client.get(
            reverse(
                "initiatives:mission_sheet_pdf", args=["plan-cloud-nouvelle-france-industrielle"]
            )
        ).content
    )
    assert "Lignée • Prolongé par : Stratégie nationale pour le Cloud" in earlier


def test_pdf_in_english_through_the_language(seeded: None, client: Client, tmp_path: Path) -> None:
    client.cookies["django_language"] = "en"
    text = words(poppler("pdftotext", str(pdf_of(client, DECLARATION, tmp_path)), "-"))
    assert "Mission sheet" in text and "Declared status" in text


def test_pdf_is_rendered_once_per_data_version(seeded: None, client: Client) -> None:
    url = reverse("initiatives:mission_sheet_pdf", args=[DECLARATION])
    first = client.get(url).content
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first
    assert len(queries) <= 2  # the data version, the session at most: nothing rendered
    # A write makes a new data version: the next sheet shows the new milestone.
    mission = Mission.objects.get(key=DECLARATION)
    MilestoneFactory(
        mission=mission, workstream=None, title="Jalon ajouté après coup", due="fin 2031"
    )
    text = pdf_text(client.get(url).content)
    assert "Jalon ajouté après coup" in text


def test_pdf_is_rendered_once_for_every_reader_not_once_per_user(
    seeded: None, client: Client
) -> None:
    """The PDF shows no user: one WeasyPrint rendering (seconds of CPU) serves visitors and
    every signed-in reader alike."""
    url = reverse("initiatives:mission_sheet_pdf", args=[DECLARATION])
    first = client.get(url).content
    for name in ("lectrice", "coordinateur"):
        reader = Client()
        reader.force_login(user(name))
        with CaptureQueriesContext(connection) as queries:
            again = reader.get(url)
        assert again.content == first
        assert not any("initiatives_milestone" in q["sql"] for q in queries.captured_queries)


def test_html_sheet_shows_milestones_slips_and_weather(seeded: None, client: Client) -> None:
    workstream = WorkstreamFactory(title="Chantier de la fiche")
    milestone = MilestoneFactory(workstream=workstream, title="Livrable qui glisse")
    milestone.slips.create(
        old_text="fin 2025",
        old_start=dt.date(2025, 10, 1),
        old_end=dt.date(2025, 12, 31),
        new_text="mi-2026",
        new_start=dt.date(2026, 6, 1),
        new_end=dt.date(2026, 6, 30),
        via="edit",
    )
    html = client.get(reverse("initiatives:mission_sheet", args=[workstream.mission.key]))
    assert html.status_code == 200
    body = html.content.decode()
    assert "Livrable qui glisse" in body
    assert "« fin 2025 » → « mi-2026 » (+181 jours)" in body
    assert "1 échéance repoussée" in body
    assert "pas encore donnée par ses coordinateurs" in body
    assert reverse("initiatives:mission_sheet_pdf", args=[workstream.mission.key]) in body


@pytest.mark.parametrize("extra", [0, 300])
def test_html_sheet_query_count_is_fixed(
    seeded: None, uncached: None, client: Client, extra: int
) -> None:
    mission = Mission.objects.get(key="mission-numerique-grands-groupes")
    add_milestones(extra, mission.workstreams.first())
    url = reverse("initiatives:mission_sheet", args=[mission.key])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The mission page's seven and the slips, whatever the number of milestones.
    assert len(queries) == 8


def test_mission_page_links_to_its_sheet(seeded: None, client: Client) -> None:
    body = client.get(reverse("initiatives:mission", args=[DECLARATION])).content.decode()
    assert reverse("initiatives:mission_sheet_pdf", args=[DECLARATION]) in body
    assert "Fiche imprimable (PDF)" in body


@pytest.mark.parametrize("suffix", ["fiche/", "fiche.pdf"])
def test_unknown_mission_sheet_is_404(seeded: None, client: Client, suffix: str) -> None:
    assert client.get(f"/missions/inconnue/{suffix}").status_code == 404
    assert client.post(f"/missions/{DECLARATION}/{suffix}").status_code in (403, 405)


def test_weasyprint_reads_only_this_sites_static_files() -> None:
    fetcher = StaticOnlyFetcher("http://127.0.0.1:8000/")
    css = fetcher.fetch("http://127.0.0.1:8000/static/css/print-sheet.css")
    assert b"@page" in css.read()
    for url in (
        "https://example.org/static/css/print-sheet.css",  # another site
        "http://127.0.0.1:8000/media/secret.txt",  # not a static file
        "http://127.0.0.1:8000/static/../sovereignty/settings.py",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/css/absent.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
