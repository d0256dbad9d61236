"""docker-compose.yml and the Dockerfile: no Docker engine here, so what they say is checked
against the project itself: the services and their health, and that every module, Celery app,
management command, path and URL they name really exists."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery.app.utils import find_app
from django.core.management import get_commands
from django.urls import resolve

import sovereignty
from initiatives import views

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, one a line: comments dropped, `\\` continuations joined."""
    result: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        result.append(pending + line)
        pending = ""
    return result


def instructions(dockerfile: list[str], keyword: str) -> list[str]:
    """The arguments of every `KEYWORD …` instruction."""
    prefix = keyword.upper() + " "
    return [line[len(prefix) :].strip() for line in dockerfile if line.startswith(prefix)]


def steps(command: list[str] | str) -> list[list[str]]:
    """The programs a service runs: a `sh -c "a && b && exec c"` chain counts as three."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] != ["sh", "-c"]:
        return [argv]
    result = []
    for part in argv[2].split("&&"):
        words = shlex.split(part)
        result.append(words[1:] if words[0] == "exec" else words)
    return result


def all_steps(services: dict[str, Any], dockerfile: list[str]) -> list[list[str]]:
    found = [step for name in APP_SERVICES for step in steps(services[name]["command"])]
    found += [json.loads(cmd) for cmd in instructions(dockerfile, "CMD")]
    return found


def gunicorn_target(argv: list[str]) -> str:
    assert argv[0] == "gunicorn"
    return next(arg for arg in argv[1:] if ":" in arg and not arg.startswith("-"))


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def web_healthcheck(services: dict[str, Any]) -> str:
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "slim has no curl: the check is Python's urllib"
    return test[3]


# ---- services and their health -----------------------------------------------------------


def test_compose_runs_database_broker_web_worker_and_beat(services: dict[str, Any]) -> None:
    assert set(services) == {"db", "redis", "cache", "web", "worker", "beat"}


def test_database_is_postgres_16_and_broker_is_redis_7(services: dict[str, Any]) -> None:
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["cache"]["image"].startswith("redis:7")


def test_the_page_cache_is_bounded_and_can_never_evict_a_queued_task(services: dict[str, Any]) -> None:
    env = services["web"]["environment"]
    assert env["CACHE_URL"].startswith("redis://cache:")
    broker, cache = services["redis"]["command"], services["cache"]["command"]
    assert option(broker, "--maxmemory-policy") == "noeviction"
    assert option(cache, "--maxmemory-policy") == "allkeys-lru"
    assert option(cache, "--maxmemory")


def test_cookies_are_secure_unless_told_otherwise(services: dict[str, Any]) -> None:
    assert services["web"]["environment"]["SECURE_COOKIES"] == "${SECURE_COOKIES:-1}"


def test_db_redis_and_web_have_healthchecks_and_celery_processes_do_not(
    services: dict[str, Any],
) -> None:
    for name in ("db", "redis", "cache", "web"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    for name in ("worker", "beat"):
        assert "healthcheck" not in services[name], name


def test_database_healthcheck_asks_postgres_over_tcp_for_our_database(
    services: dict[str, Any],
) -> None:
    test = services["db"]["healthcheck"]["test"]
    env = services["db"]["environment"]
    assert test[1] == "pg_isready"
    # Over TCP: the image's init-time server listens on the socket only, then restarts.
    assert option(test, "-h") == "127.0.0.1"
    assert option(test, "-U") == env["POSTGRES_USER"]
    assert option(test, "-d") == env["POSTGRES_DB"]


def test_broker_healthcheck_pings_redis(services: dict[str, Any]) -> None:
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_database_data_lives_on_a_declared_named_volume(compose: dict[str, Any]) -> None:
    mounts = [v.split(":") for v in compose["services"]["db"]["volumes"]]
    assert ["pgdata", "/var/lib/postgresql/data"] in mounts
    assert "pgdata" in compose["volumes"]


def test_app_services_wait_for_a_healthy_database_and_broker(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        for dependency in ("db", "redis", "cache"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_worker_and_beat_start_after_web_has_migrated(services: dict[str, Any]) -> None:
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_beat_runs_at_most_once(services: dict[str, Any]) -> None:
    # Two beats would send every scheduled task twice.
    assert services["beat"].get("deploy", {}).get("replicas", 1) <= 1
    assert "scale" not in services["beat"]


def test_every_service_comes_back_after_a_crash(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name


# ---- configuration -----------------------------------------------------------------------


def test_app_services_share_one_build_and_one_environment(services: dict[str, Any]) -> None:
    web = services["web"]
    assert web["build"] == "."
    for name in ("worker", "beat"):
        assert services[name]["build"] == web["build"]
        assert services[name]["environment"] == web["environment"]


def test_app_environment_points_at_the_compose_database_and_broker(
    services: dict[str, Any],
) -> None:
    env = services["web"]["environment"]
    db_env = services["db"]["environment"]
    expected = (
        f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}"
        f"@db:5432/{db_env['POSTGRES_DB']}"
    )
    assert env["DATABASE_URL"] == expected
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["DEBUG"] == "0"


def test_missing_secret_key_stops_compose_instead_of_starting(services: dict[str, Any]) -> None:
    # ${VAR:?message} makes compose itself refuse to run without it.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", services["web"]["environment"]["SECRET_KEY"])


def test_every_variable_compose_sets_is_one_settings_reads(services: dict[str, Any]) -> None:
    settings_source = (ROOT / "sovereignty" / "settings.py").read_text(encoding="utf-8")
    for name in services["web"]["environment"]:
        assert f'"{name}"' in settings_source, name


# ---- what the commands name exists -------------------------------------------------------


def test_gunicorn_serves_our_wsgi_application_in_compose_and_in_the_image(
    services: dict[str, Any], dockerfile: list[str]
) -> None:
    gunicorns = [step for step in all_steps(services, dockerfile) if step[0] == "gunicorn"]
    assert len(gunicorns) == 2, "web's command and the image's CMD"
    targets = {gunicorn_target(argv) for argv in gunicorns}
    assert targets == {"sovereignty.wsgi:application"}
    module_name, attribute = targets.pop().split(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)
    for argv in gunicorns:
        assert option(argv, "--bind") == "0.0.0.0:8000"
        assert option(argv, "--workers") == "2"
        assert option(argv, "--access-logfile") == "-"


def test_celery_commands_load_our_celery_app(services: dict[str, Any]) -> None:
    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        (argv,) = steps(services[name]["command"])
        assert argv[0] == "celery"
        assert argv[argv.index("-A") + 2] == subcommand
        # The lookup `celery -A NAME` itself does.
        assert find_app(option(argv, "-A")) is sovereignty.celery_app


def test_beat_keeps_its_schedule_in_the_image_var_dir(
    services: dict[str, Any], dockerfile: list[str]
) -> None:
    (argv,) = steps(services["beat"]["command"])
    var_dir = re.search(r"\bVAR_DIR=(\S+)", " ".join(instructions(dockerfile, "ENV")))
    assert var_dir is not None
    assert Path(option(argv, "--schedule")).parent == Path(var_dir.group(1))


def test_every_manage_py_command_is_a_real_django_command(
    services: dict[str, Any], dockerfile: list[str]
) -> None:
    commands = get_commands()
    named = [
        argv[2] for argv in all_steps(services, dockerfile) if argv[:2] == ["python", "manage.py"]
    ]
    assert {"migrate", "import_initiatives"} <= set(named)
    for command in named:
        assert command in commands, command


def test_web_imports_the_fixtures_directory_that_ships_with_the_project(
    services: dict[str, Any],
) -> None:
    imports = [
        argv[3:]
        for argv in steps(services["web"]["command"])
        if argv[:3] == ["python", "manage.py", "import_initiatives"]
    ]
    assert imports == [["fixtures/"]]
    assert (ROOT / "fixtures").is_dir()
    assert list((ROOT / "fixtures").glob("*.yaml"))


def test_web_migrates_before_it_serves(services: dict[str, Any]) -> None:
    programs = [argv[:3] for argv in steps(services["web"]["command"])]
    assert programs[0] == ["python", "manage.py", "migrate"]
    assert programs[-1][0] == "gunicorn"


def test_web_healthcheck_hits_the_healthz_view_on_gunicorn_port(
    services: dict[str, Any],
) -> None:
    code = web_healthcheck(services)
    compile(code, "<healthcheck>", "exec")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\"]*)", code)
    assert url is not None
    port, path = url.groups()
    gunicorn = steps(services["web"]["command"])[-1]
    assert option(gunicorn, "--bind").endswith(f":{port}")
    assert f"{port}:{port}" in services["web"]["ports"]
    assert resolve(path).func is views.healthz


def test_web_healthcheck_command_passes_against_a_live_server(
    services: dict[str, Any], live_server: Any, transactional_db: None
) -> None:
    # The very code docker runs, aimed at a live server instead of 127.0.0.1:8000. The live
    # server allows the Host "localhost", as ALLOWED_HOSTS allows its first entry in compose.
    code = web_healthcheck(services).replace("http://127.0.0.1:8000", live_server.url)
    env = {**os.environ, "ALLOWED_HOSTS": "localhost"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 0, result.stderr


# ---- the image ---------------------------------------------------------------------------


def test_image_is_python_311_slim_and_runs_as_a_non_root_user(dockerfile: list[str]) -> None:
    (base,) = instructions(dockerfile, "FROM")
    assert base == "python:3.11-slim"
    users = instructions(dockerfile, "USER")
    assert users, "no USER: the app would run as root"
    assert users[-1] not in {"root", "0"}
    assert "EXPOSE 8000" in dockerfile


def test_image_installs_from_pyproject_and_collects_static_with_a_build_only_key(
    dockerfile: list[str],
) -> None:
    text = "\n".join(dockerfile)
    assert "pip install ." in text
    assert "requirements" not in text
    collectstatic = r"^RUN SECRET_KEY=\S+ DEBUG=0 python manage.py collectstatic --noinput$"
    assert re.search(collectstatic, text, re.MULTILINE)
    # The throwaway key must not become the image's key.
    assert not any("SECRET_KEY" in line for line in instructions(dockerfile, "ENV"))


def test_local_env_file_stays_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ".venv" in ignored
