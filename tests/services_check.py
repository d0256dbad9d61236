"""Before the suite: say plainly which service is missing, instead of 100 failing tests.

Run by `make test` as `python -m tests.services_check`; exits non-zero when PostgreSQL, Redis
or Chromium cannot be used."""

from __future__ import annotations

import os
import shutil
import sys
from urllib.parse import urlsplit

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def check_postgres(url: str) -> str | None:
    import psycopg

    parts = urlsplit(url)
    # Connect to the maintenance database: the test database does not exist yet.
    dsn = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL is unreachable at {parts.hostname}:{parts.port or 5432} ({exc.__class__.__name__}: {str(exc).strip().splitlines()[0]})"
    return None


def check_redis(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        parts = urlsplit(url)
        return f"Redis is unreachable at {parts.hostname}:{parts.port or 6379} ({exc})"
    return None


def check_chromium() -> str | None:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        return (
            "Chromium is missing: install Debian's package 'chromium' (make test does it as root)."
        )
    return None


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    problems: list[tuple[str, str]] = []
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append(("PostgreSQL", "DATABASE_URL must point at PostgreSQL for the tests."))
    elif (problem := check_postgres(database_url)) is not None:
        problems.append(("PostgreSQL", problem))
    if not redis_url.startswith("redis://"):
        problems.append(("Redis", "REDIS_URL must point at Redis for the tests."))
    elif (problem := check_redis(redis_url)) is not None:
        problems.append(("Redis", problem))
    if (problem := check_chromium()) is not None:
        problems.append(("Chromium", problem))
    if not problems:
        print("Services: PostgreSQL, Redis and Chromium are ready.")
        return 0
    print("make test needs real services, and these are missing:", file=sys.stderr)
    for name, problem in problems:
        print(f"  - {problem}", file=sys.stderr)
        if name in START_HINTS:
            print(f"    start it with: {START_HINTS[name]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
