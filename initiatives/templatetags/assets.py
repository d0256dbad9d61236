"""Stylesheets and scripts with Subresource Integrity computed from the files as served.

django-dsfr ships fixed SRI hashes of its pristine files, but the production storage
(whitenoise's CompressedManifestStaticFilesStorage) rewrites the `url()`s inside CSS to their
hashed names: the served bytes no longer match those hashes, and browsers refuse the
stylesheet. Here the hash is computed from the very file the storage serves, so it holds in
development (plain files found by the finders) and in production (the rewritten, hashed copy
in STATIC_ROOT) alike.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _served_bytes(path: str) -> bytes:
    """The bytes a browser receives for `path`: the stored (hashed) copy when the storage
    has a manifest, else the source file the finders serve."""
    stored_name = getattr(staticfiles_storage, "stored_name", None)
    if stored_name is not None:
        with staticfiles_storage.open(stored_name(path)) as stored:
            return stored.read()
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file not found: {path}")
    with open(found, "rb") as source:
        return source.read()


@lru_cache(maxsize=64)
def _integrity_cached(path: str) -> str:
    return _integrity_of(path)


@receiver(setting_changed)
def _forget_integrities(*, setting: str, **kwargs: object) -> None:
    # Another storage serves other bytes (the plain files rather than the rewritten, hashed
    # copies): a hash kept from the first would make browsers refuse the second's files.
    # Django resets `staticfiles_storage` on the same signal.
    if setting in {"STORAGES", "STATIC_ROOT", "STATIC_URL"}:
        _integrity_cached.cache_clear()


def _integrity_of(path: str) -> str:
    digest = hashlib.sha384(_served_bytes(path)).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def integrity(path: str) -> str:
    """The SRI value of a static file. Cached per process in production, where files only
    change with a deployment (a new process); read afresh in development, where they are
    being edited."""
    return _integrity_of(path) if settings.DEBUG else _integrity_cached(path)


@register.simple_tag
def stylesheet(path: str) -> SafeString:
    return format_html(
        '<link rel="stylesheet" href="{}" integrity="{}">', static(path), integrity(path)
    )


@register.simple_tag
def script(
    path: str, module: bool = False, nomodule: bool = False, defer: bool = False
) -> SafeString:
    """A script from our own origin: never inline, so the Content-Security-Policy can forbid
    inline scripts altogether."""
    flags = " ".join(
        name
        for name, on in (('type="module"', module), ("nomodule", nomodule), ("defer", defer))
        if on
    )
    return format_html(
        '<script src="{}" integrity="{}"{}></script>',
        static(path),
        integrity(path),
        SafeString(" " + flags) if flags else "",
    )
