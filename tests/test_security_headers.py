"""What the Mozilla HTTP Observatory grades (A+ needs all of it), on every page, with the
production settings of .env.production.example; and Django's own deployment check on that
same file, with no warning."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from .factories import site_pages

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,  # all three follow SECURE_COOKIES
}
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
def test_every_page_sends_what_an_a_plus_grade_needs(seeded: None) -> None:
    with override_settings(**PRODUCTION):
        client = Client(**HTTPS)
        for path in site_pages():
            response = client.get(path)
            assert response.status_code in (200, 404), path
            csp = directives(response["Content-Security-Policy"])
            assert csp["default-src"] == ["'none'"], path
            for name in ("script-src", "style-src"):
                assert csp[name] == ["'self'"], (path, name)  # no unsafe-inline, no unsafe-eval
            assert csp["frame-ancestors"] == ["'none'"]
            assert csp["object-src"] == ["'none'"]
            assert csp["base-uri"] == ["'none'"]
            assert "'self'" in csp["form-action"]
            assert (
                response["Strict-Transport-Security"]
                == "max-age=31536000; includeSubDomains; preload"
            )
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"
            assert response["Cross-Origin-Opener-Policy"] == "same-origin"
            policy = response["Permissions-Policy"]
            for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
                assert f"{feature}=()" in policy, (path, feature)
            html = response.content.decode()
            assert "{#" not in html and "{%" not in html, path  # no template text leaks
            # What the policy forbids is not in the page either: it would only be refused.
            assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
            assert " style=" not in html and "<style" not in html, path
            # Our pages (the admin's are Django's own): integrity on every file we link.
            if not path.startswith("/admin/"):
                for tag in re.findall(r"<(?:script|link rel=\"stylesheet\")[^>]*>", html):
                    assert 'integrity="sha384-' in tag, (path, tag)
        # Plain HTTP goes to HTTPS, for good.
        plain = Client().get("/missions/")
        assert plain.status_code == 301
        assert plain["Location"].startswith("https://")


@pytest.mark.django_db
def test_cookies_are_secure_http_only_and_same_site(seeded: None) -> None:
    from .factories import user

    user("lea", password="mot-de-passe-de-lea-42")
    with override_settings(**PRODUCTION):
        client = Client(**HTTPS)
        login = client.get("/connexion/")
        csrf = login.cookies["csrftoken"]
        assert csrf["secure"] and csrf["samesite"] == "Lax"
        response = client.post(
            "/connexion/",
            {
                "username": "lea",
                "password": "mot-de-passe-de-lea-42",
                "csrfmiddlewaretoken": csrf.value,
            },
        )
        session = response.cookies["sessionid"]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
        assert csrf["httponly"]
        token = client.cookies["csrftoken"].value  # a login rotates it
        switch = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
        language = switch.cookies["django_language"]
        assert language["secure"] and language["httponly"] and language["samesite"] == "Lax"


def test_check_deploy_has_no_warning_with_the_production_example() -> None:
    # Only the example file and a real key: none of the test run's own variables.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": str(ROOT / ".env.production.example"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "VAR_DIR": os.environ.get("VAR_DIR", str(ROOT / "var")),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout
