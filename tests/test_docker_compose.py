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
from urllib.parse import urlsplit

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


# ---- what compose would run -----------------------------------------------------------------

# What compose reads from the environment when nothing is set but the one required variable.
REQUIRED_ONLY = {"SECRET_KEY": "a-key-from-the-environment"}
# The servers the app reaches, named by the variables that point it at them.
SERVERS = {"database": "DATABASE_URL", "broker": "REDIS_URL", "cache": "CACHE_URL"}
SECRET = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, as `docker compose config`
    resolves them (a required variable that is missing is an error)."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if operator in (":?", "?") and not environ.get(name):
            raise KeyError(f"{name}: {argument}")
        if operator in (":-", "-"):
            return environ.get(name) or argument
        return environ.get(name, "")

    return re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", one, value)


def environment(service: dict[str, Any], environ: dict[str, str] = REQUIRED_ONLY) -> dict[str, str]:
    variables = service.get("environment", {})
    assert isinstance(variables, dict), "environment as a mapping"
    return {name: interpolate(str(value), environ) for name, value in variables.items()}


def servers(services: dict[str, Any]) -> dict[str, str]:
    """Role -> the compose service the app's URLs point at."""
    env = environment(services["web"])
    return {role: urlsplit(env[variable]).hostname or "" for role, variable in SERVERS.items()}


def app_services(services: dict[str, Any]) -> list[str]:
    """The services built from this project (web, worker, beat)."""
    return [name for name, service in services.items() if "build" in service]


def test_compose_file_parses_into_services_compose_can_start(compose: dict[str, Any]) -> None:
    """The one parse test: YAML with its anchors merged, nothing at the top level compose
    would not read, and every service either built here or pulled."""
    extensions = {key for key in compose if key.startswith("x-")}
    assert set(compose) - extensions <= {
        "services",
        "volumes",
        "networks",
        "secrets",
        "configs",
        "name",
    }
    for name, service in compose["services"].items():
        assert ("build" in service) != ("image" in service), name
    assert set(app_services(compose["services"])) == set(APP_SERVICES)


def test_every_server_the_app_needs_is_a_service_with_a_healthcheck(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    roles = servers(services)
    for role, name in roles.items():
        assert name in services, f"{role}: {name} is not a service"
        assert services[name]["healthcheck"]["test"][0] == "CMD", role
    assert services[roles["database"]]["image"].startswith("postgres:")  # triggers, GIN indexes
    assert services[roles["broker"]]["image"].startswith("redis:")
    assert services[roles["cache"]]["image"].startswith("redis:")
    assert roles["broker"] != roles["cache"], "pages must never share memory with queued tasks"
    # The app's credentials are the database's own, and its health is asked of that
    # database, over TCP (the image's init-time server listens on the socket only).
    url = urlsplit(environment(services["web"])["DATABASE_URL"])
    db = environment(services[roles["database"]])
    assert (url.username, url.password, url.path.lstrip("/")) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        db["POSTGRES_DB"],
    )
    check = services[roles["database"]]["healthcheck"]["test"]
    assert check[1] == "pg_isready" and option(check, "-h") == "127.0.0.1"
    assert (option(check, "-U"), option(check, "-d")) == (db["POSTGRES_USER"], db["POSTGRES_DB"])
    # The data outlives the containers: a named volume, declared.
    mounts = [v.split(":") for v in services[roles["database"]]["volumes"]]
    (volume,) = [source for source, target in mounts if target == "/var/lib/postgresql/data"]
    assert volume in compose["volumes"]
    # The web answers its own healthcheck (checked below against the code), and every
    # process comes back after a crash.
    assert services["web"]["healthcheck"]["test"][0] == "CMD"
    for name, service in services.items():
        assert service["restart"] in {"unless-stopped", "always"}, name


def test_app_processes_start_once_their_servers_are_healthy_and_the_schema_exists(
    services: dict[str, Any],
) -> None:
    for name in app_services(services):
        for role, server in servers(services).items():
            assert services[name]["depends_on"][server]["condition"] == "service_healthy", (
                name,
                role,
            )
    # Web migrates before it serves (below), so "web healthy" means the tables exist.
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_the_broker_never_drops_a_task_and_the_cache_is_bounded(services: dict[str, Any]) -> None:
    roles = servers(services)
    broker, cache = services[roles["broker"]]["command"], services[roles["cache"]]["command"]
    # A full broker refuses new tasks rather than evicting queued ones.
    assert option(broker, "--maxmemory-policy") == "noeviction"
    # The page cache drops its least recently used pages at its bound, and keeps nothing on disk.
    assert option(cache, "--maxmemory-policy") == "allkeys-lru"
    assert int(option(cache, "--maxmemory").removesuffix("mb")) > 0
    assert option(cache, "--save") == ""


def test_secrets_come_from_the_environment_and_the_key_is_required(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for variable, value in service.get("environment", {}).items():
            if SECRET.search(variable):
                assert str(value).startswith("${"), f"{name}: {variable} is written in the file"
    raw = services["web"]["environment"]
    # The database password is one variable, in the server and in the app's URL alike.
    password = urlsplit(
        interpolate(raw["DATABASE_URL"], {"POSTGRES_PASSWORD": "from-env", **REQUIRED_ONLY})
    ).password
    assert password == "from-env"
    assert (
        environment(services["db"], {"POSTGRES_PASSWORD": "from-env"})["POSTGRES_PASSWORD"]
        == "from-env"
    )
    # No SECRET_KEY: compose itself refuses to start (${VAR:?message}), with no default.
    with pytest.raises(KeyError, match="SECRET_KEY"):
        environment(services["web"], {})
    # What the file sets without the environment is safe for production.
    env = environment(services["web"])
    assert (env["DEBUG"], env["SECURE_COOKIES"]) == ("0", "1")


def test_only_the_web_port_is_published(services: dict[str, Any]) -> None:
    """The database and the Redis servers are reached on compose's network only."""
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert set(published) == {"web"}
    for name in servers(services).values():
        assert "ports" not in services[name], name


def test_beat_runs_at_most_once(services: dict[str, Any]) -> None:
    # Two beats would send every scheduled task twice.
    assert services["beat"].get("deploy", {}).get("replicas", 1) <= 1
    assert "scale" not in services["beat"]


def test_app_services_share_one_build_and_one_environment(services: dict[str, Any]) -> None:
    web = services["web"]
    assert web["build"] == "."
    for name in ("worker", "beat"):
        assert services[name]["build"] == web["build"]
        assert services[name]["environment"] == web["environment"]


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
