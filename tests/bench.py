"""`make bench`: the pages' speed against two baselines, on PostgreSQL with synthetic data.

Serves the app with gunicorn (2 workers) and loads it with wrk (Debian's package) from a
second process. In one run it measures a bare Django hello-world view and the admin milestone
changelist (logged in) as baselines, then every public page including a deep page of the
mission list; prints req/s, p50 and p99, the SQL queries per page at 1x and 10x data and the
ratios to both baselines, and writes var/bench.json."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8899"))
BASE = f"http://127.0.0.1:{PORT}"
DURATION = os.environ.get("BENCH_DURATION", "8s")
DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatoire_bench"
)
ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijkl",
    "SECURE_COOKIES": "0",
    "BENCH_HELLO": "1",
    "ENV_FILE": "/nonexistent",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}

# Runs inside Django: the pages to measure and their SQL query counts.
PROBE = r"""
import json, sys
from urllib.parse import urlencode
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from initiatives.models import Milestone, Mission

missions = list(Mission.objects.order_by("title", "pk").values_list("pk", "title"))
deep = missions[len(missions) * 4 // 5]
milestone = Milestone.objects.filter(mission__key="mission-numerique-grands-groupes").order_by("pk").first()
pages = {
    "dashboard": "/",
    "dashboard (HTMX panel)": "/?panel=deadlines",
    "missions": "/missions/",
    "missions, deep page": "/missions/?" + urlencode({"after": "%d:%s" % deep}),
    "missions, search": "/missions/?q=cloud",
    "missions (HTMX, label)": "/missions/?label=cloud",
    "mission": "/missions/mission-numerique-grands-groupes/",
    "frise": "/frise/",
    "frise (HTMX, zoom)": "/frise/?year=2021",
    "milestone": "/jalons/%d/" % milestone.pk,
    "source": "/sources/usine-digitale-2020-08-05/",
}
client = Client(HTTP_HOST="127.0.0.1")
queries, sizes = {}, {}
for name, url in pages.items():
    htmx = {"HTTP_HX_REQUEST": "true"} if "HTMX" in name else {}
    client.get(url, **htmx)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **htmx)
    assert response.status_code == 200, (url, response.status_code)
    queries[name], sizes[name] = len(captured), len(response.content)
User = get_user_model()
admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
session = SessionStore()
session["_auth_user_id"] = str(admin.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = admin.get_session_auth_hash()
session.create()
print(json.dumps({"pages": pages, "queries": queries, "sizes": sizes, "session": session.session_key,
                  "milestones": Milestone.objects.count()}))
"""


def manage(*args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def probe() -> dict:
    return json.loads(manage("shell", "-c", PROBE).strip().splitlines()[-1])


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(
        DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def wrk(url: str, *headers: str) -> dict[str, float]:
    command = ["wrk", "-t2", "-c16", f"-d{DURATION}", "--latency", url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> int:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: install Debian's package 'wrk' (make bench does it as root).")
    ensure_database()
    manage("migrate", "--noinput")
    manage("import_initiatives", "fixtures/")
    print("Seeding 1x (100 missions × 10 workstreams × 10 milestones)…", flush=True)
    manage("seed_synthetic", "--missions", "100", "--workstreams", "10", "--milestones", "10")
    small = probe()
    print("Seeding 10x (1000 × 10 × 10: 100,000 milestones)…", flush=True)
    manage("seed_synthetic", "--missions", "1000", "--workstreams", "10", "--milestones", "10")
    large = probe()
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "sovereignty.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results = {
            "hello world (baseline)": wrk(f"{BASE}/bench/hello/"),
            "admin changelist (baseline)": wrk(
                f"{BASE}/admin/initiatives/milestone/", f"Cookie: sessionid={large['session']}"
            ),
        }
        for name, url in large["pages"].items():
            results[name] = wrk(BASE + url, *(["HX-Request: true"] if "HTMX" in name else []))
    finally:
        server.terminate()
        server.wait(timeout=20)
    hello = results["hello world (baseline)"]["rps"]
    admin = results["admin changelist (baseline)"]["rps"]
    report = {"milestones": large["milestones"], "duration": DURATION, "pages": {}}
    print(f"\n{large['milestones']} milestones; wrk -t2 -c16 -d{DURATION}; gunicorn 2 workers\n")
    print(
        f"{'page':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× admin':>8} {'% hello':>8} {'SQL 1x':>7} {'SQL 10x':>8} {'bytes':>8}"
    )
    for name, r in results.items():
        row = {
            **r,
            "vs_admin": r["rps"] / admin,
            "vs_hello": r["rps"] / hello,
            "queries_1x": small["queries"].get(name),
            "queries_10x": large["queries"].get(name),
            "bytes": large["sizes"].get(name),
        }
        report["pages"][name] = row
        print(
            f"{name:30} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {row['vs_admin']:8.1f} "
            f"{row['vs_hello'] * 100:7.0f}% {row['queries_1x'] or '':>7} {row['queries_10x'] or '':>8} {row['bytes'] or '':>8}"
        )
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\nWritten: var/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
