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
    if not settings.OIDC_ENABLED:
        pytest.exit(
            "The tests log in through a local ProConnect-like provider: use `make test`, which "
            "sets the OIDC_* variables (see the Makefile).",
            returncode=2,
        )
    # The tests run with DEBUG off, as production does: pages need the hashed static manifest.
    # Collected once, before pytest-xdist starts its workers (they share STATIC_ROOT).
    if hasattr(config, "workerinput"):
        # The list itself: xdist sends it to the controller when the worker's session ends.
        config.workeroutput["figures"] = REPORT  # type: ignore[attr-defined]
    else:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    # WhiteNoise indexes all 7,000 collected files each time a handler is built, and the test
    # client builds one per Client(): half a second per test, minutes per run. Looking files
    # up per request instead serves them alike. (Subprocesses, such as the production
    # browser test's gunicorn, index at start as production does.)
    settings.WHITENOISE_AUTOREFRESH = True
    # Real PBKDF2 hashes, with fewer rounds: a million per test user and per login was about
    # half the run. The rounds travel in the hash, so processes started by a test (gunicorn,
    # with the default hashers) still check these passwords.
    settings.PASSWORD_HASHERS = ["tests.conftest.FewRoundsPBKDF2PasswordHasher"]


from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402


class FewRoundsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000


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


_DB_FIXTURES = {"db", "transactional_db", "live_server", "seeded", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _data_version_per_test(request: pytest.FixtureRequest) -> None:
    """Each test starts from a data version no earlier test had, so that pages cached by one
    test are never served to another (their rolled-back data would share version numbers),
    and writes bump the version statement by statement inside the never-committed test
    transaction, as commits do outside tests."""
    names = set(request.fixturenames)  # the whole closure: `seeded` brings `db`
    marker = request.node.get_closest_marker("django_db")
    if not (marker or _DB_FIXTURES & names):
        return
    transactional = bool({"transactional_db", "live_server"} & names) or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    import time

    from django.db import connection

    from initiatives import dataversion

    dataversion.fire_immediately()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {dataversion.TABLE} (id, version, changed_at) VALUES (1, %s, now()) "
            "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
            # A version no earlier test had (a clock, so not even across runs sharing Redis).
            [time.time_ns()],
        )


@pytest.fixture
def uncached(settings: "pytest_django.fixtures.SettingsWrapper") -> None:  # noqa: F821
    """Pages rendered every time: for tests of what rendering costs (query counts)."""
    settings.PAGE_CACHE_SECONDS = 0


# Figures a test measures and the run reports at the end (`make test` prints them). Under
# pytest-xdist each worker sends its own to the controller, which prints them all.
REPORT: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    REPORT.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter: object) -> None:
    if REPORT:
        terminalreporter.section("figures")  # type: ignore[attr-defined]
        for line in REPORT:
            terminalreporter.write_line(line)  # type: ignore[attr-defined]
