"""One number that changes whenever the published data changes: the key of the page cache.

The database bumps it itself, through triggers on every table the pages read, so that no
write can forget to: ORM saves, `queryset.update()` (the compare-and-swap of optimistic
locking), bulk imports, the Celery sweep, raw SQL typed in psql.

PostgreSQL: a deferrable constraint trigger per row, fired at commit. The counter row is thus
locked last in every writing transaction, after all the data rows it wrote, so two writers
can never deadlock on it, and a reader can never see the new number before the new data
(they commit together). A per-transaction mark makes a transaction of 100,000 inserts bump
once, not 100,000 times. `SET CONSTRAINTS data_version_bump IMMEDIATE` makes the triggers
fire after each statement instead, which is what tests inside a rolled-back transaction need.

SQLite: plain row triggers. SQLite has one writer at a time, so neither deadlocks nor races
arise there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from .triggers import BUMP as TRIGGER
from .triggers import DATA_VERSION_TABLE as TABLE

# The triggers themselves are built in triggers.py and installed by the migrations.


def watched_tables() -> set[str]:
    """The tables whose writes bump the version, as the database reports them."""
    return tables_with_trigger(TRIGGER)


def tables_with_trigger(name: str) -> set[str]:
    """The tables that carry the trigger `name` (on SQLite: its `…_insert` member)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [name],
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"%{name}_insert"],
            )
        return {row[0] for row in cursor.fetchall()}


def current() -> int | None:
    """The data version, or None when the counter row is missing (a flushed database): no
    cache entry can then be trusted. One indexed single-row read."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def identity() -> str | None:
    """The data version with the moment it was bumped: unique across the database's life,
    where the number alone is not (a restored backup counts again from an older number, and
    its next write would reach a number pages were already cached under). One indexed
    single-row read; None when the row is missing."""
    stamp = read()
    return None if stamp is None else stamp.identity


@dataclass(frozen=True)
class Stamp:
    version: int
    changed_at: dt.datetime  # aware
    identity: str  # "version@changed_at", the page store's namespace


def read() -> Stamp | None:
    """The data version, when it changed and its identity, in one indexed single-row read;
    None when the row is missing."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, changed_at FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    version, changed_at = row
    raw = changed_at if isinstance(changed_at, str) else changed_at.isoformat()
    if isinstance(changed_at, str):  # SQLite
        changed_at = dt.datetime.fromisoformat(changed_at)
    if timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, dt.UTC)
    return Stamp(int(version), changed_at, f"{int(version)}@{raw}")


def fire_immediately() -> None:
    """Bump after each statement rather than at commit (PostgreSQL), for code that reads
    its own writes inside one transaction that never commits: the tests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The renames of users (migration 0012) bump too.
            cursor.execute(
                f"SET CONSTRAINTS {TRIGGER}, {TRIGGER}_names, {TRIGGER}_names_delete IMMEDIATE"
            )
