"""`make bench`: the pages' speed against two baselines, on PostgreSQL with synthetic data.

Serves the app with gunicorn (2 workers) and loads it with wrk (Debian's package) from a
second process. In one run it measures a bare Django hello-world view and the admin milestone
changelist (logged in) as baselines, then every public page including a deep page of the
mission list, twice:

- warm: as served, from the page cache (keyed on the data version, so never stale);
- cold: with the page cache off, every request rendered: what the first reader after each
  write pays;

and a third time with the cache pointed at a server that accepts connections and never
answers (a paused Redis): the circuit breaker must keep every page at half its cold
throughput or better, and the log free of tracebacks.

It prints req/s, p50 and p99, the SQL queries per page at 1x and 10x data (rendering, and
served from the cache) and the ratios to both baselines, checks the issue's targets, and
writes var/bench.json."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.processes import SilentServer

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

# Runs inside Django: a signed-in superuser's session (`session`), for the admin baseline.
ADMIN_SESSION = r"""
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
User = get_user_model()
admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
session = SessionStore()
session["_auth_user_id"] = str(admin.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = admin.get_session_auth_hash()
session.create()
"""

# Runs inside Django: the pages to measure and their SQL query counts.
PROBE = (
    r"""
import json, sys
from urllib.parse import urlencode
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
    "frise, table": "/frise/?view=table",
    "frise (HTMX, table, zoom)": "/frise/?year=2021&view=table",
    "milestone": "/jalons/%d/" % milestone.pk,
    "source": "/sources/usine-digitale-2020-08-05/",
}
from django.test import override_settings
client = Client(HTTP_HOST="127.0.0.1")
queries, cached_queries, sizes = {}, {}, {}
for name, url in pages.items():
    htmx = {"HTTP_HX_REQUEST": "true"} if "HTMX" in name else {}
    with override_settings(PAGE_CACHE_SECONDS=0):  # what rendering the page costs
        client.get(url, **htmx)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **htmx)
    assert response.status_code == 200, (url, response.status_code)
    queries[name], sizes[name] = len(captured), len(response.content)
    client.get(url, **htmx)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, **htmx)
    cached_queries[name] = len(captured)
"""
    + ADMIN_SESSION
    + r"""
print(json.dumps({"pages": pages, "queries": queries, "cached_queries": cached_queries, "sizes": sizes, "session": session.session_key,
                  "milestones": Milestone.objects.count()}))
"""
)


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
    manage("collectstatic", "--noinput")  # DEBUG off: pages need the hashed static manifest
    manage("import_initiatives", "fixtures/")
    print("Seeding 1x (100 missions × 10 workstreams × 10 milestones)…", flush=True)
    manage("seed_synthetic", "--missions", "100", "--workstreams", "10", "--milestones", "10")
    small = probe()
    print("Seeding 10x (1000 × 10 × 10: 100,000 milestones)…", flush=True)
    manage("seed_synthetic", "--missions", "1000", "--workstreams", "10", "--milestones", "10")
    large = probe()
    print("Measuring (warm: page cache on)…", flush=True)
    with serving():
        results = {
            "hello world (baseline)": wrk(f"{BASE}/bench/hello/"),
            "admin changelist (baseline)": wrk(
                f"{BASE}/admin/initiatives/milestone/", f"Cookie: sessionid={large['session']}"
            ),
        }
        warm = {}
        for name, url in large["pages"].items():
            prime(BASE + url, htmx_header(name))  # warm: the measured requests are cache hits
            warm[name] = wrk(BASE + url, *htmx_header(name))
    print("Measuring (cold: page cache off, every request rendered)…", flush=True)
    with serving(PAGE_CACHE_SECONDS="0"):
        cold = {name: wrk(BASE + url, *htmx_header(name)) for name, url in large["pages"].items()}
    print("Measuring (sick cache: a Redis that accepts connections and never answers)…", flush=True)
    sick_log = ROOT / "var" / "bench-sick-cache.log"
    with (
        SilentServer() as silent_url,
        serving(log=sick_log, CACHE_URL=silent_url, LOG_LEVEL="WARNING"),
    ):
        sick = {name: wrk(BASE + url, *htmx_header(name)) for name, url in large["pages"].items()}
    sick_lines = sick_log.read_text(encoding="utf-8").splitlines()
    hello = results["hello world (baseline)"]["rps"]
    admin = results["admin changelist (baseline)"]["rps"]
    report: dict = {
        "milestones": large["milestones"],
        "duration": DURATION,
        "baselines": results,
        "warm": {},
        "cold": {},
    }
    print(f"\n{large['milestones']} milestones; wrk -t2 -c16 -d{DURATION}; gunicorn 2 workers")
    for name, r in results.items():
        print(
            f"  {name:28} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms"
        )
    failures: list[str] = []
    for mode, measured in (("warm", warm), ("cold", cold)):
        print(
            f"\n{mode}: {'page':28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'× admin':>8} "
            f"{'% hello':>7} {'SQL 1x':>6} {'SQL 10x':>7} {'cached':>6} {'bytes':>7}"
        )
        for name, r in measured.items():
            row = {
                **r,
                "vs_admin": r["rps"] / admin,
                "vs_hello": r["rps"] / hello,
                "queries_1x": small["queries"][name],
                "queries_10x": large["queries"][name],
                "queries_cached": large["cached_queries"][name],
                "bytes": large["sizes"][name],
            }
            report[mode][name] = row
            print(
                f"      {name:28} {r['rps']:7.0f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} "
                f"{row['vs_admin']:8.1f} {row['vs_hello'] * 100:6.0f}% {row['queries_1x']:>6} "
                f"{row['queries_10x']:>7} {row['queries_cached']:>6} {row['bytes']:>7}"
            )
            if mode == "warm":
                if row["vs_admin"] < 20:
                    failures.append(f"{name}: {row['vs_admin']:.1f}× the admin changelist (< 20×)")
                if row["vs_hello"] < 0.2:
                    failures.append(f"{name}: {row['vs_hello']:.0%} of hello world (< 20%)")
                if max(row["queries_1x"], row["queries_10x"]) > 8:
                    failures.append(f"{name}: {row['queries_10x']} queries (> 8)")
                if row["queries_1x"] != row["queries_10x"]:
                    failures.append(f"{name}: queries grow with the data")
                if "HTMX" in name and row["bytes"] >= 15 * 1024:
                    failures.append(f"{name}: {row['bytes']} bytes (≥ 15 KB)")
    print(f"\nsick cache: {'page':28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'× cold':>7}")
    report["sick_cache"] = {}
    for name, r in sick.items():
        ratio = r["rps"] / cold[name]["rps"]
        report["sick_cache"][name] = {**r, "vs_cold": ratio}
        print(
            f"            {name:28} {r['rps']:7.0f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} {ratio:7.2f}"
        )
        if ratio < 0.5:
            failures.append(f"sick cache: {name} at {ratio:.0%} of its no-cache throughput (< 50%)")
    breaker_lines = [line for line in sick_lines if "initiatives.breaker" in line]
    tracebacks = sum("Traceback" in line for line in sick_lines)
    report["sick_cache_log"] = {
        "lines": len(sick_lines),
        "breaker_lines": len(breaker_lines),
        "tracebacks": tracebacks,
    }
    print(
        f"  its log: {len(sick_lines)} lines, {len(breaker_lines)} from the breaker, {tracebacks} tracebacks"
    )
    if tracebacks:
        failures.append(f"sick cache: {tracebacks} tracebacks logged")
    # Where the page is computed: warm, both are the same cache hit and differ by noise only.
    first, deep = cold["missions"]["rps"], cold["missions, deep page"]["rps"]
    # "No slower": within the run-to-run noise of wrk on a shared 2-core machine (a fresh
    # clone measured 106 against 112 req/s, 5.4 %, for the same page twice).
    if deep < first * 0.90:
        failures.append(f"cold: deep page {deep:.0f} req/s, first page {first:.0f}")
    report["targets_missed"] = failures
    print("\nTargets: every page (warm) ≥ 20× admin and ≥ 20% of hello, ≤ 8 queries at 1x and")
    print("10x, HTMX partials < 15 KB; a deep page (cold: computed) no slower than the first;")
    print("with a sick cache, every page ≥ 50% of its no-cache throughput and no traceback.")
    print("  all met" if not failures else "\n".join(f"  MISSED: {f}" for f in failures))
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\nWritten: var/bench.json")
    return 1 if failures else 0


def prime(url: str, headers: list[str]) -> None:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    urllib.request.urlopen(request, timeout=30).read()


def htmx_header(name: str) -> list[str]:
    return ["HX-Request: true"] if "HTMX" in name else []


@contextlib.contextmanager
def serving(log: Path | None = None, **extra_env: str) -> Iterator[None]:
    output = open(log, "w", encoding="utf-8") if log else None  # noqa: SIM115 (closed below)
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
        env={**ENV, **extra_env},
        stderr=output,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)
        if output:
            output.close()


if __name__ == "__main__":
    sys.exit(main())
