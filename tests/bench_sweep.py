"""`make bench`, second part: the deadline sweep over 1,000,000 milestones on PostgreSQL.

Builds (once) a database of 1,000,000+ milestones: the synthetic generator's 100,000, then
copied nine times in SQL, history triggers off for that load only. Then, in one run, it times
`SELECT count(*)` over the milestone table and the sweep:

- steady: a sweep on a day that changes nothing, every alert already sent (every 15
  minutes, most of the time);
- next day: a sweep on the following day, whose deadlines move some milestones (the one
  that records alerts and enqueues their notifications);

and counts the sweep's SQL statements there and on the curated fixtures (31 milestones): the
same number at both sizes. The alerts of the days ahead are deleted at the end, so every run
measures the same thing. Targets: steady sweep ≤ 5 × count(*); statements constant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BASE_URL = os.environ.get(
    "BENCH_SWEEP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatoire_sweep"
)
SMALL_URL = BASE_URL + "_small"
TARGET_ROWS = 1_000_000
TARGET_RATIO = 5.0

# Runs inside Django, on the database of DATABASE_URL: prints the figures as JSON.
MEASURE = r"""
import datetime as dt, json, statistics, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from initiatives import services

def timed(call, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter(); result = call(); times.append(time.perf_counter() - start)
    return statistics.median(times), result

def count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM initiatives_milestone")
        return cursor.fetchone()[0]

from initiatives.models import DeadlineAlert

today = timezone.localdate()
started = timezone.now()
services.deadlines_sweep(today)  # settle on today (data loaded on another day)
# The steady state: a worker has sent every alert, so the outbox is empty.
DeadlineAlert.objects.filter(notified_at__isnull=True).update(notified_at=timezone.now())
count_s, rows = timed(count, 7)
steady_s, steady = timed(lambda: services.deadlines_sweep(today), 5)
with CaptureQueriesContext(connection) as queries:
    services.deadlines_sweep(today)
next_s, moved = timed(lambda: services.deadlines_sweep(today + dt.timedelta(days=1)), 1)
with CaptureQueriesContext(connection) as next_queries:
    services.deadlines_sweep(today + dt.timedelta(days=2))
# Back to today, without the alerts of the days ahead, so that every run measures the same.
DeadlineAlert.objects.filter(created_at__gte=started).delete()
services.deadlines_sweep(today)
print(json.dumps({
    "rows": rows, "count_s": count_s, "steady_s": steady_s, "steady_changed": steady.health_changed,
    "next_s": next_s, "next_changed": moved.health_changed, "next_alerts": len(moved.new_alerts),
    "statements": len(queries), "statements_next_day": len(next_queries),
    "sql": [(float(q["time"]), q["sql"][:90]) for q in queries],
}))
"""

LOAD_COPIES = r"""
from django.db import connection
from initiatives.models import Milestone
columns = [f.column for f in Milestone._meta.concrete_fields if f.column not in ("id", "key")]
listed = ", ".join(columns)
with connection.cursor() as cursor:
    # A bulk load for the benchmark only: no history or data-version triggers, no FK checks.
    cursor.execute("SET session_replication_role = replica")
    cursor.execute(
        f"INSERT INTO initiatives_milestone (key, {listed}) "
        f"SELECT m.key || '-copie-' || n, {', '.join('m.' + c for c in columns)} "
        "FROM initiatives_milestone m CROSS JOIN generate_series(1, 9) n "
        "WHERE m.key NOT LIKE '%%-copie-%%'"
    )
    cursor.execute("SET session_replication_role = DEFAULT")
    cursor.execute("VACUUM ANALYZE initiatives_milestone")
print(Milestone.objects.count())
"""


def env_for(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        # The next-day sweep enqueues its notifications: onto a Redis database of their own.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijkl",
        "ENV_FILE": "/nonexistent",
        "LOG_LEVEL": "WARNING",
    }


def manage(url: str, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env_for(url), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def ensure_database(url: str) -> bool:
    """Create the database if missing; True if it was created."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(
        url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def rows(url: str) -> int:
    return int(
        manage(
            url,
            "shell",
            "-c",
            "from initiatives.models import Milestone; print(Milestone.objects.count())",
        ).split()[-1]
    )


def build(url: str) -> None:
    ensure_database(url)
    manage(url, "migrate", "--noinput")
    if rows(url) >= TARGET_ROWS:
        return
    manage(url, "flush", "--noinput")
    print("Building the sweep database: 100,000 synthetic milestones…", flush=True)
    manage(url, "import_initiatives", "fixtures/")
    manage(url, "seed_synthetic", "--missions", "1000", "--workstreams", "10", "--milestones", "10")
    print("…copied nine times in SQL (about a minute)…", flush=True)
    manage(url, "shell", "-c", LOAD_COPIES)


def measure(url: str) -> dict:
    return json.loads(manage(url, "shell", "-c", MEASURE).strip().splitlines()[-1])


def purge_queue() -> None:
    import redis

    redis.Redis.from_url(env_for("")["REDIS_URL"]).flushdb()


def main() -> int:
    build(BASE_URL)
    ensure_database(SMALL_URL)
    manage(SMALL_URL, "migrate", "--noinput")
    manage(SMALL_URL, "import_initiatives", "fixtures/")
    small = measure(SMALL_URL)
    large = measure(BASE_URL)
    purge_queue()
    ratio = large["steady_s"] / large["count_s"]
    print(f"\nDeadline sweep on PostgreSQL ({large['rows']:,} milestones)")
    print(
        f"  SELECT count(*) over the milestones   {large['count_s'] * 1000:8.1f} ms (median of 7)"
    )
    print(
        f"  sweep, steady (no change)             {large['steady_s'] * 1000:8.1f} ms (median of 5)  = {ratio:.2f} × count(*)  [target ≤ {TARGET_RATIO:g}]"
    )
    print(
        f"  sweep, next day                       {large['next_s'] * 1000:8.1f} ms  ({large['next_changed']:,} health changes, {large['next_alerts']:,} alerts recorded and enqueued)"
    )
    print(
        f"  statements per sweep: {small['statements']} at {small['rows']:,} milestones, {large['statements']} at {large['rows']:,} "
        f"({large['statements_next_day']} on a day with changes)  [target: constant]"
    )
    print(f"  its statements, steady, at {large['rows']:,} milestones:")
    for seconds, sql in large["sql"]:
        print(f"    {seconds * 1000:7.1f} ms  {sql}")
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-sweep.json").write_text(
        json.dumps({"small": small, "large": large, "ratio": ratio}, indent=2)
    )
    missed = []
    if large["rows"] < TARGET_ROWS:
        missed.append(f"only {large['rows']:,} milestones")
    if ratio > TARGET_RATIO:
        missed.append(f"sweep {ratio:.2f} × count(*) > {TARGET_RATIO:g}")
    if not (small["statements"] == large["statements"] == large["statements_next_day"]):
        missed.append("statement count grows with the data")
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print("Sweep targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
