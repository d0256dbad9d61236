"""The printable mission sheet in a real Chromium: the web page passes axe, prints without
the site's header and footer, and Chromium's own print of it fits two A4 pages; the app's PDF
pictured page by page with poppler's pdftoppm (var/screenshots/sheet-*.png)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .browser import SCREENSHOTS, shot
from .test_browser_pages import serious_violations

pytestmark = pytest.mark.browser

DECLARATION = "declaration-franco-allemande-suite-souveraine"


def pages_of(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found
    return int(found[1])


def test_sheet_page_prints_as_a_sheet(site: str, page: Page, tmp_path: Path) -> None:
    errors: list[str] = []  # a style or script the Content-Security-Policy refused
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{site}/missions/{DECLARATION}/")
    page.get_by_role("link", name="la fiche en page web").click()
    expect(page.locator("h1")).to_contain_text("Déclaration franco-allemande")
    assert serious_violations(page) == []
    expect(page.locator(".fr-header")).to_be_visible()
    shot(page, "sheet-screen")
    page.emulate_media(media="print")
    for hidden in (".fr-header", ".fr-footer", ".fr-breadcrumb", ".sheet-tools"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".sheet__notelist li").first).to_contain_text("[1] «")
    shot(page, "sheet-print")
    # What the visitor's own « Imprimer » gives: A4, two pages at most.
    printed = tmp_path / "printed.pdf"
    printed.write_bytes(page.pdf(format="A4", prefer_css_page_size=True))
    assert pages_of(printed) <= 2
    assert errors == []
    # In English too, through the header's switch.
    page.emulate_media(media="screen")
    page.click("button[name=language][value=en]")
    expect(page.locator(".sheet__kicker")).to_contain_text("Mission sheet")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert serious_violations(page) == []
    shot(page, "sheet-screen-en")


def test_pdf_pages_pictured(site: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{site}/missions/{DECLARATION}/")
    link = page.get_by_role("link", name="Fiche imprimable (PDF)")
    response = page.request.get(site + str(link.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.body())
    count = pages_of(pdf)
    assert 1 <= count <= 2
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is needed (Debian package poppler-utils: make pdf-deps)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("sheet-pdf-*.png"):
        old.unlink()
    prefix = SCREENSHOTS / "sheet-pdf"
    subprocess.run([pdftoppm, "-png", "-r", "90", str(pdf), str(prefix)], check=True)
    pictured = sorted(SCREENSHOTS.glob("sheet-pdf-*.png"))
    assert len(pictured) == count
    assert all(picture.stat().st_size > 10_000 for picture in pictured)  # not blank pages
