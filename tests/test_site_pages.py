"""The pages every State site has (legal notice, personal data, accessibility statement), in
French and in English, naming what each deployment configures; and the data's French marked
as such on English pages (WCAG 3.1.2), so that a screen reader reads it with a French voice."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from .factories import CitationFactory, MilestoneFactory, MissionFactory, SourceFactory
from .factories import WorkstreamFactory

pytestmark = pytest.mark.django_db

# Values with markup in them: a page must show them as text, never as HTML.
CONFIGURED = {
    "SITE_PUBLISHER": "Ministère <b>des Essais</b> & «\u00a0Tests\u00a0»",
    "SITE_PUBLICATION_DIRECTOR": "Jeanne <i>Martin</i>",
    "SITE_HOST_NAME": 'Hébergeur "Exemple" SAS',
    "SITE_HOST_ADDRESS": "1 rue de l'Exemple <script>alert(1)</script>, 75000 Paris",
    "SITE_CONTACT_EMAIL": "contact@example.gouv.fr",
}
PAGES = {
    "/mentions-legales/": ("Mentions légales", "Legal notice"),
    "/donnees-personnelles/": ("Données personnelles", "Personal data"),
    "/accessibilite/": ("Déclaration d’accessibilité", "Accessibility statement"),
}


def english(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@override_settings(**CONFIGURED)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_legal_pages_name_the_configured_publisher_host_and_contact_escaped(
    client: Client, language: str
) -> None:
    if language == "en":
        english(client)
    for path, titles in PAGES.items():
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert response["Content-Language"] == language
        title = titles[0] if language == "fr" else titles[1]
        assert f"<h1>{escape(title, quote=False)}</h1>" in html, path
        # The contact, as a link, on every one of them.
        assert 'href="mailto:contact@example.gouv.fr"' in html, path
        assert escape(CONFIGURED["SITE_PUBLISHER"]) in html, path
        assert "<b>des Essais</b>" not in html and "<script>alert" not in html, path
    legal = client.get("/mentions-legales/").content.decode()
    for name in ("SITE_PUBLICATION_DIRECTOR", "SITE_HOST_NAME", "SITE_HOST_ADDRESS"):
        assert escape(CONFIGURED[name]) in legal, name


def test_personal_data_page_says_what_is_stored_and_which_cookies(client: Client) -> None:
    html = client.get("/donnees-personnelles/").content.decode()
    # Accounts, ProConnect's identity, failed logins with the cool-off of the settings, the
    # notifications; the three cookies by their real names; the rights and the CNIL.
    assert "adresse électronique" in html
    assert "SIRET" in html and "ProConnect" in html
    assert "supprimées une fois passées 15 minutes" in html
    assert "récapitulatifs quotidiens" in html
    for cookie in ("sessionid", "csrftoken", "django_language"):
        assert f"<code>{cookie}</code>" in html
    assert "aucun bandeau de cookies" in html
    assert "CNIL" in html and "rectifier" in html


def test_accessibility_statement_gives_a_contact_and_the_remedies(client: Client) -> None:
    with override_settings(SITE_CONTACT_EMAIL="accessibilite@example.gouv.fr"):
        html = client.get("/accessibilite/").content.decode()
    assert 'href="mailto:accessibilite@example.gouv.fr"' in html
    assert "Retour d’information et contact" in html and "Voies de recours" in html
    assert "Défenseur des droits" in html
    assert "Libre réponse 71120" in html


def test_every_page_links_to_the_legal_pages_in_its_footer_and_the_sitemap(
    client: Client,
) -> None:
    footer = client.get("/methodologie/").content.decode().split('class="fr-footer"')[1]
    assert 'href="/mentions-legales/">Mentions légales</a>' in footer
    assert 'href="/donnees-personnelles/">Données personnelles</a>' in footer
    sitemap = client.get("/plan-du-site/").content.decode().split("<main")[1].split("</main>")[0]
    assert 'href="/mentions-legales/"' in sitemap and 'href="/donnees-personnelles/"' in sitemap


@override_settings(PUBLIC_READ=False)
def test_the_legal_pages_are_open_to_visitors_when_reading_needs_an_account(
    client: Client,
) -> None:
    # Linked from the login page's footer: readable before anyone gives their data.
    assert client.get("/").status_code == 302
    for path in PAGES:
        assert client.get(path).status_code == 200, path


# ---- the data's French on English pages -----------------------------------------------------


class Languages(HTMLParser):
    """The language each piece of text of the body is in: the nearest lang attribute above
    it. (The <title> in the head mixes the data's words and the interface's: no markup can
    tell them apart there.)"""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        # Up to the element it closes (implied ends included); a stray one closes nothing.
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(tag == "body" for tag, _ in self.stack):
            lang = next((lang for _, lang in reversed(self.stack) if lang), None)
            self.texts.append((data.strip(), lang))

    def of(self, text: str) -> set[str | None]:
        """The languages of the places where `text` stands as a whole (a title, a quote,
        not an English sentence that names it)."""
        return {lang for data, lang in self.texts if data.strip("«» ") == text}

    def containing(self, text: str) -> set[str | None]:
        return {lang for data, lang in self.texts if text in data}


def languages(html: str) -> Languages:
    parser = Languages()
    parser.feed(html)
    return parser


@pytest.fixture
def french_data() -> dict[str, Any]:
    source = SourceFactory(title="Communiqué sur le plan pour le cloud souverain")
    mission = MissionFactory(
        title="Plan pour le cloud souverain",
        summary="Faire émerger des offres de cloud qualifiées.",
        sources=[source],
    )
    workstream = WorkstreamFactory(mission=mission, title="Qualifier les offres")
    milestone = MilestoneFactory(workstream=workstream, title="Premières offres qualifiées")
    CitationFactory(
        source=source,
        mission=mission,
        quote="Le ministère annonce un plan pour le cloud souverain.",
    )
    return {"source": source, "mission": mission, "milestone": milestone}


def test_french_titles_summaries_and_quotes_are_marked_french_on_english_pages(
    client: Client, french_data: dict[str, Any]
) -> None:
    english(client)
    mission_page = client.get(f"/missions/{french_data['mission'].key}/")
    assert mission_page["Content-Language"] == "en"
    page = languages(mission_page.content.decode())
    assert page.of("Progress") == {"en"}  # the interface stays English
    for text in (
        "Plan pour le cloud souverain",
        "Faire émerger des offres de cloud qualifiées.",
        "Qualifier les offres",
        "Premières offres qualifiées",
        "Le ministère annonce un plan pour le cloud souverain.",
        "Communiqué sur le plan pour le cloud souverain",
    ):
        assert page.of(text) == {"fr"}, text

    source_page = languages(client.get(f"/sources/{french_data['source'].key}/").content.decode())
    assert source_page.of("Communiqué sur le plan pour le cloud souverain") == {"fr"}
    assert source_page.containing("Jeanne Martin, directrice du numérique") == {"fr"}  # its text

    milestone = french_data["milestone"]
    milestone_page = languages(client.get(f"/jalons/{milestone.pk}/").content.decode())
    assert milestone_page.of("Premières offres qualifiées") == {"fr"}
    assert milestone_page.of("d'ici fin 2025") == {"fr"}  # the due words, as written

    for path in ("/missions/", "/", "/plan-du-site/"):
        listing = languages(client.get(path).content.decode())
        assert listing.of("Plan pour le cloud souverain") == {"fr"}, path
    frise = languages(client.get("/frise/?view=table").content.decode())
    assert frise.of("Qualifier les offres") == {"fr"}
    assert frise.of("Premières offres qualifiées") == {"fr"}


def test_french_pages_carry_no_redundant_language_marks(
    client: Client, french_data: dict[str, Any]
) -> None:
    html = client.get(f"/missions/{french_data['mission'].key}/").content.decode()
    assert '<html lang="fr"' in html
    assert '<span lang="fr">' not in html
    assert languages(html).of("Plan pour le cloud souverain") == {"fr"}
