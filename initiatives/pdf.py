"""HTML → PDF with WeasyPrint, which reads nothing but this site's own static files.

WeasyPrint fetches what a page names (stylesheets, fonts, images) through a URL fetcher. Ours
answers only URLs under the site's STATIC_URL, from the files the staticfiles storage serves
(the hashed copies in STATIC_ROOT in production, the finders' files otherwise), and refuses
everything else: a sheet never reaches the network, whatever its data holds.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint tells each step of every rendering at INFO, and fontTools each font it unpacks:
# a line per step per sheet in the server's log. Warnings (a refused URL) still show.
for _name in ("weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def static_bytes(name: str) -> bytes | None:
    """The bytes served for static `name` (as the HTML names it), or None: the stored copy
    when the storage keeps one (the hashed names of production's manifest), else the file
    the finders serve. A name that leaves the static folders is None, whichever way."""
    # As templatetags.assets reads them: a manifest storage serves its stored copies (what
    # the HTML names); otherwise the server serves the finders' files, not STATIC_ROOT's.
    manifest = hasattr(staticfiles_storage, "stored_name")
    try:
        if manifest and staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as stored:
                return bytes(stored.read())
        found = finders.find(name)
    except (SuspiciousFileOperation, ValueError):
        return None
    return Path(found).read_bytes() if isinstance(found, str) else None


class StaticOnlyFetcher(URLFetcher):
    """Serves `<base_url><STATIC_URL>…` from local static files; refuses any other URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__(allowed_protocols=())
        self.prefix = urlsplit(base_url)._replace(path="/" + settings.STATIC_URL.lstrip("/"))

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        prefix = self.prefix
        if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or not (
            parts.path.startswith(prefix.path)
        ):
            raise ValueError(f"not a static file of this site: {url}")
        name = unquote(parts.path[len(prefix.path) :])
        if ".." in Path(name).parts:
            raise ValueError(f"not a static file of this site: {url}")
        body = static_bytes(name)
        if body is None:
            raise ValueError(f"no such static file: {name}")
        return URLFetcherResponse(url, body, {"Content-Type": _content_type(name)})


def _content_type(name: str) -> str:
    suffix = Path(name).suffix
    return {
        ".css": "text/css; charset=utf-8",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(suffix, "application/octet-stream")


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of `html`, its relative URLs read against `base_url` (the site's root)."""
    pdf = HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url))
    return pdf.write_pdf()
