from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class SiteConfig:
    """What django-dsfr's templates read from SITE_CONFIG, without its per-request database
    query: our header and footer are fixed, and translated like the rest of the interface."""

    site_title: StrOrPromise
    site_tagline: StrOrPromise
    footer_brand_html: str
    footer_description: StrOrPromise


SITE = SiteConfig(
    site_title=_("Digital Sovereignty Observatory"),
    site_tagline=_(
        "French State digital-sovereignty initiatives, their deadlines and their sources"
    ),
    footer_brand_html="République<br>française",
    footer_description=_(
        "Every fact shown here comes from a public source text and links to the quote that supports it."
    ),
)


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_CONFIG": SITE, "OIDC_ENABLED": settings.OIDC_ENABLED}
