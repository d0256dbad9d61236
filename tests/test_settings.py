"""Settings come from the environment, with safe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "fr" / "LC_MESSAGES"


SHOW_SETTINGS = (
    "import django; from django.conf import settings; django.setup();"
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND,"
    " settings.LANGUAGE_CODE, settings.TIME_ZONE)"
)


def settings_of(
    tmp_path: Path, code: str = SHOW_SETTINGS, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh Python with only these variables set (and no .env)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **base,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "sovereignty.settings",
            "VAR_DIR": str(tmp_path / "var"),
            # A developer's .env must not leak into what is tested here.
            "ENV_FILE": str(tmp_path / "no.env"),
            **env,
        },
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = settings_of(tmp_path, DEBUG="0")
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_embedded_default_is_sqlite_filesystem_broker_and_console_mail(tmp_path: Path) -> None:
    done = settings_of(tmp_path, DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.console.EmailBackend",
        "fr",
        "Europe/Paris",
    ]


def test_real_services_come_from_the_environment(tmp_path: Path) -> None:
    done = settings_of(
        tmp_path,
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u:p@db:5432/o",
        REDIS_URL="redis://redis:6379/0",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["django.db.backends.postgresql", "redis://redis:6379/0"]


def test_french_translations_are_compiled_and_complete(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(compiled), str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "run `make messages` and commit the .mo"
    )


def test_every_translatable_string_is_in_the_french_catalogue(tmp_path: Path) -> None:
    # xgettext extracts what makemessages would, from the code and from the templates (turned
    # into Python by Django's own templatize, as makemessages does); msgcmp fails if the
    # catalogue lacks any of it: a page half in English is what it catches.
    from django.utils.translation.template import templatize

    sources = sorted(
        str(p) for d in ("initiatives", "sovereignty") for p in (ROOT / d).rglob("*.py")
    )
    for number, path in enumerate(
        sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt"))
    ):
        converted = tmp_path / f"template-{number}.py"
        converted.write_text(
            templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8"
        )
        sources.append(str(converted))
    template = tmp_path / "extracted.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=_",
            "--keyword=gettext",
            "--keyword=gettext_lazy",
            "--keyword=ngettext:1,2",
            "--keyword=ngettext_lazy:1,2",
            "--keyword=pgettext:1c,2",
            "--keyword=npgettext:1c,2,3",
            "--keyword=gettext_noop",
            "-o",
            str(template),
            *sources,
        ],
        check=True,
    )
    compared = subprocess.run(
        ["msgcmp", "--use-untranslated", str(LOCALE / "django.po"), str(template)],
        capture_output=True,
        text=True,
    )
    assert compared.returncode == 0, f"run `make messages` and translate:\n{compared.stderr}"
