"""`make run`'s embedded default boots: SQLite and the filesystem broker under var/, no server."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        ENV_FILE=str(tmp_path / "no.env"),
        DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def background(embedded_env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(url: str, opener: urllib.request.OpenerDirector, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with opener.open(url, timeout=5) as response:
                assert response.status == 200
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_embedded_default_migrates_imports_serves_the_admin_and_runs_tasks(
    embedded_env: dict[str, str], background: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    manage(embedded_env, "migrate", "--noinput")
    assert (tmp_path / "var" / "observatoire.sqlite3").exists()
    out = manage(embedded_env, "import_initiatives", "fixtures/")
    # Commands speak the interface's language: French first.
    assert "Mission     créés 4, mis à jour 0, inchangés 0" in out, out
    again = manage(embedded_env, "import_initiatives", "fixtures/")
    assert "Milestone   créés 0, mis à jour 0, inchangés 31" in again, again
    accounts = manage(embedded_env, "seed_demo_users")
    password = re.search(r"login: admin\s+password: (\S+)", accounts).group(1)  # type: ignore[union-attr]

    port = free_port()
    background.append(
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=embedded_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    login_page = wait_for(f"{base}/admin/login/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode(
        {
            "username": "admin",
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/initiatives/mission/",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/admin/login/?next=/admin/initiatives/mission/",
        data=form,
        headers={"Referer": f"{base}/admin/login/"},
    )
    with opener.open(request, timeout=10) as response:
        missions = response.read().decode()
    for title in (
        "Mission numérique des grands groupes",
        "Stratégie nationale pour le Cloud",
        "Déclaration franco-allemande pour une suite numérique souveraine",
        "Plan Cloud de la Nouvelle France industrielle",
    ):
        assert title in missions

    # A worker on Kombu's filesystem transport runs a task sent by another process.
    background.append(
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sovereignty",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=embedded_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    result = manage(
        embedded_env,
        "shell",
        "-c",
        "from initiatives.tasks import heartbeat; print('result:', heartbeat.delay().get(timeout=60))",
    )
    assert "result: ok" in result
    assert (tmp_path / "var" / "broker" / "queue").is_dir()
    assert not (ROOT / "control").exists()  # the broker keeps all its files under VAR_DIR


def test_make_run_starts_web_worker_and_beat_together() -> None:
    lines = (ROOT / "Procfile.dev").read_text(encoding="utf-8").splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("python manage.py runserver $HOST:$PORT")
    assert processes["worker"].startswith("celery -A sovereignty worker")
    assert processes["beat"].startswith("celery -A sovereignty beat")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "honcho -f Procfile.dev start" in makefile


SQLITE_HISTORY_PROBE = r"""
import json
from django.contrib.auth import get_user_model
from django.db import connection
from initiatives import dataversion, history, services
from initiatives.models import HistoryEntry, Milestone

user = get_user_model().objects.create_user("claire-sqlite", is_staff=True)
milestone = Milestone.objects.exclude(due_end=None).order_by("pk").first()
version_before = dataversion.current()
services.milestone_update(
    user, milestone.pk,
    services.MilestoneChange("in_progress", 45, None, milestone.due_text, "relu sous SQLite"),
    base_version=milestone.version,
)
Milestone.objects.filter(pk=milestone.pk).update(progress=46)
with connection.cursor() as cursor:
    cursor.execute("UPDATE initiatives_milestone SET progress = 47 WHERE id = %s", [milestone.pk])
entries = list(HistoryEntry.objects.filter(table_name="initiatives_milestone", row_id=milestone.pk).order_by("pk"))
print(json.dumps({
    "vendor": connection.vendor,
    "entries": [[e.action, e.via, e.actor_id == user.pk, history.changes(e.old, e.new).get("progress")] for e in entries],
    "bumped": dataversion.current() - version_before,
}))
"""


TRIGGERS_PROBE = r"""
import json
from django.db import connection
from initiatives import triggers
with connection.cursor() as cursor:
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'initiatives_%'")
    installed = sorted(row[0] for row in cursor.fetchall())
print(json.dumps({"installed": installed, "expected": sorted(triggers.expected("sqlite"))}))
"""


SQLITE_PATHS_PROBE = r"""
import datetime as dt, json
from initiatives import selectors, services
from initiatives.models import DeadlineAlert, Milestone
back = services.deadlines_sweep(dt.date(2020, 6, 1))  # windows still ahead then
day = dt.date(2031, 1, 1)
first = services.deadlines_sweep(day)  # and all passed now
again = services.deadlines_sweep(day)
def titles(q):
    page = selectors.mission_list(selectors.MissionFilters(q=q), day)
    return sorted(m.key for m in page.missions)
print(json.dumps({
    "back": back.health_changed,
    "first": first.health_changed,
    "again": [again.health_changed, len(again.new_alerts)],
    "stale": Milestone.objects.filter(selectors.stale_health(day)).count(),
    "open_alerts": DeadlineAlert.objects.filter(resolved_at__isnull=True).count(),
    "cloud": titles("cloud"),
    "accented": titles("numérique"),
    "upper": titles("CLOUD"),
    "nothing": titles("zzzzzz"),
}))
"""


def test_history_and_data_version_triggers_work_on_the_embedded_sqlite(
    embedded_env: dict[str, str],
) -> None:
    """The embedded default records every write too: the same triggers, SQLite's dialect."""
    import json

    manage(embedded_env, "migrate", "--noinput")
    # The migrations' frozen SQL installed exactly what the current models call for.
    found = json.loads(manage(embedded_env, "shell", "-c", TRIGGERS_PROBE).strip().splitlines()[-1])
    assert found["installed"] == found["expected"]
    manage(embedded_env, "import_initiatives", "fixtures/")
    result = json.loads(
        manage(embedded_env, "shell", "-c", SQLITE_HISTORY_PROBE).strip().splitlines()[-1]
    )
    assert result["vendor"] == "sqlite"
    # (The import updates some milestones too: the assessments the fixtures carry.)
    edits = [entry for entry in result["entries"] if entry[0] == "update" and entry[1] != "import"]
    assert [entry[1:3] for entry in edits] == [["edit", True], ["sql", False], ["sql", False]]
    assert [entry[3][1] for entry in edits] == [45, 46, 47]
    assert result["bumped"] >= 3
    # The embedded paths of the sweep and the search: SQLite's own SQL, not PostgreSQL's.
    paths = json.loads(
        manage(embedded_env, "shell", "-c", SQLITE_PATHS_PROBE).strip().splitlines()[-1]
    )
    assert paths["back"] > 0 and paths["first"] > 0  # health follows the day, both ways
    assert paths["again"] == [0, 0] and paths["stale"] == 0  # a second sweep finds nothing
    assert paths["open_alerts"] > 0
    assert "strategie-nationale-cloud" in paths["cloud"] and paths["nothing"] == []
    # A substring match there, case and accents folded (PostgreSQL also stems).
    assert "declaration-franco-allemande-suite-souveraine" in paths["accented"]
    assert paths["upper"] == paths["cloud"]


SQLITE_SEARCH_PROBE = r"""
import datetime as dt, json
from django.db import connection
from django.test.utils import CaptureQueriesContext
from initiatives import selectors
out = {"vendor": connection.vendor}
for q in ["Gaia-X", "gaia", "STRATEGIE", "l’etat", "numerique souveraine", "x" * 200, "&|!:*"]:
    with CaptureQueriesContext(connection) as queries:
        results = selectors.site_search(q)
    listed = selectors.mission_list(selectors.MissionFilters(q=q), dt.date(2026, 1, 1))
    out[q[:10]] = {
        "queries": len(queries),
        "groups": {
            group.kind: [
                group.total,
                [str(row.title_html) for row in group.rows],
                [str(row.passage_html) for row in group.rows],
                [getattr(row, "via_source_key", None) for row in group.rows],
            ]
            for group in results.groups
        },
        "listed": sorted(mission.key for mission in listed.missions),
    }
print(json.dumps(out))
"""


def test_search_on_the_embedded_sqlite_folds_case_and_accents_and_marks_passages(
    embedded_env: dict[str, str],
) -> None:
    """Without PostgreSQL's dictionaries: every word a substring of the folded text, found
    in every kind, the passage marked in Python, in a fixed number of queries."""
    import json

    manage(embedded_env, "migrate", "--noinput")
    manage(embedded_env, "import_initiatives", "fixtures/")
    found = json.loads(
        manage(embedded_env, "shell", "-c", SQLITE_SEARCH_PROBE).strip().splitlines()[-1]
    )
    assert found["vendor"] == "sqlite"
    # The issue: Gaia-X is only in the text of a source of this mission.
    for q in ("Gaia-X", "gaia"):
        missions = found[q]["groups"]["missions"]
        assert missions[0] == 1 and missions[3] == ["usine-digitale-2020-08-05"]
        assert "nommé <mark>Gaia-X</mark> :" in missions[2][0] or q == "gaia"
        assert "nommé <mark>Gaia</mark>-X :" in missions[2][0] or q != "gaia"
        assert found[q]["groups"]["sources"][0] == 1
        assert found[q]["listed"] == ["mission-numerique-grands-groupes"]
    # Case and accents folded on both sides, marked as written.
    strategy = found["STRATEGIE"]
    assert "<mark>Stratégie</mark> nationale pour le Cloud" in strategy["groups"]["missions"][1]
    assert "strategie-nationale-cloud" in strategy["listed"]
    assert set(strategy["groups"]) >= {"missions", "workstreams", "milestones", "sources"}
    # A typographic apostrophe typed or read is one apostrophe.
    assert any("<mark>l’État</mark>" in p for p in found["l’etat"]["groups"]["citations"][2])
    assert any("<mark>l&#x27;État</mark>" in t for t in found["l’etat"]["groups"]["milestones"][1])
    # Every word, each marked.
    both = found["numerique "]
    assert (
        "suite <mark>numérique</mark> <mark>souveraine</mark>" in both["groups"]["missions"][1][0]
    )
    assert "declaration-franco-allemande-suite-souveraine" in both["listed"]
    assert found["x" * 10]["groups"] == {} and found["&|!:*"]["groups"] == {}
    assert max(result["queries"] for result in found.values() if isinstance(result, dict)) <= 8
