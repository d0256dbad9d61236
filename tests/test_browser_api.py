"""The API's documents in a real browser: Swagger UI and Redoc render the OpenAPI document
from the site's own files, with no request leaving the site."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .browser import shot

pytestmark = pytest.mark.browser

# Redoc's footer asks for its maker's logo whatever its options; the CSP's img-src refuses it
# before any connection is made (the browser reports the refusal, asserted below).
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    ("path", "name", "ready", "refused_logo"),
    [
        ("/api/v1/docs/", "api-swagger", ".swagger-ui .opblock-tag", []),
        ("/api/v1/redoc/", "api-redoc", "h1", [REDOCLY_LOGO]),
    ],
)
def test_api_documents_render_from_our_own_files(
    bare_page: Page, bare_site: str, path: str, name: str, ready: str, refused_logo: list[str]
) -> None:
    page, site = bare_page, bare_site
    outside: list[str] = []
    refused: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((site, "data:", "blob:")) else outside.append(r.url),
    )
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site + path)
    page.wait_for_selector(ready, timeout=20_000)
    page.locator("text=Les jalons >> visible=true").first.wait_for(timeout=20_000)
    shot(page, name)
    assert outside == refused_logo
    assert len(refused) == len(refused_logo)
    assert all(url in text for url, text in zip(refused_logo, refused))
