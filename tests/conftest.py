from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.browser"]  # the live site and Chromium fixtures

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(
            "The tests run against PostgreSQL: use `make test`, or set DATABASE_URL=postgres://…",
            returncode=2,
        )
    if not settings.REDIS_URL:
        pytest.exit(
            "The tests need Redis: use `make test`, or set REDIS_URL=redis://…", returncode=2
        )
    # The tests run with DEBUG off, as production does: pages need the hashed static manifest.
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A test that did not run is a missing test: any outcome other than passed or failed
    # (skips, expected failures, whatever pytest adds next) fails the run.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    ran = {"passed", "failed", "error", "warnings", ""}
    not_run = {k: len(v) for k, v in reporter.stats.items() if k not in ran and v}
    if not_run and session.exitstatus == 0:
        reporter.write_line(
            f"FAILED: tests that did not run: {not_run}; every test must run.", red=True
        )
        session.exitstatus = 1


@pytest.fixture
def seeded(db: None) -> None:
    """The curated fixtures, imported through the real importer."""
    from initiatives import importing

    importing.import_paths([FIXTURES])
