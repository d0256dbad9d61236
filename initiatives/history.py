"""Who changed what, and when: every committed write to missions, workstreams and milestones.

Recorded by database triggers, as the data version is (dataversion.py), so that nothing can
write around it: ORM saves, the compare-and-swap `queryset.update()` of optimistic locking,
bulk imports, the Celery sweep, raw SQL. django-simple-history records through `post_save`
signals, which miss `update()` and bulk operations; django-pghistory uses triggers too, but on
PostgreSQL only, and the embedded default runs on SQLite. These triggers exist on both.

Each row keeps the whole old and new row as JSON; `changes()` turns a pair into field-by-field
differences for people. Who wrote, and through what (`via`: edit, admin, import, sweep…), is
set for the transaction by `acting_as()`: PostgreSQL keeps it in transaction-local settings,
SQLite (one writer at a time) in a one-row table written and cleared inside the transaction.
A write made outside `acting_as()` is still recorded, with no one and via "sql".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from .triggers import CONTEXT_TABLE, NOISE
from .triggers import RECORD as TRIGGER

# The triggers themselves are built in triggers.py and installed by the migrations.


def recorded_tables() -> set[str]:
    from . import dataversion

    return dataversion.tables_with_trigger(TRIGGER)


@contextmanager
def acting_as(user: Any, via: str) -> Iterator[None]:
    """Attribute the writes of this block (one transaction) to `user`, made through `via`."""
    actor = str(user.pk) if user is not None and getattr(user, "pk", None) else ""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT current_setting('observatoire.actor_id', true), "
                    "current_setting('observatoire.via', true), "
                    "set_config('observatoire.actor_id', %s, true), "
                    "set_config('observatoire.via', %s, true)",
                    [actor, via],
                )
                before = cursor.fetchone()[:2]
            else:
                cursor.execute(f"SELECT actor_id, via FROM {CONTEXT_TABLE} WHERE id = 1")
                found = cursor.fetchone()
                before = (str(found[0] or ""), found[1]) if found else None
                _sqlite_context(cursor, actor, via)
        yield
        with connection.cursor() as cursor:  # what an enclosing block had set, back
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT set_config('observatoire.actor_id', %s, true), "
                    "set_config('observatoire.via', %s, true)",
                    [before[0] or "", before[1] or ""],
                )
            elif before is None:
                cursor.execute(f"DELETE FROM {CONTEXT_TABLE} WHERE id = 1")
            else:
                _sqlite_context(cursor, before[0], before[1])


def _sqlite_context(cursor: Any, actor: str, via: str) -> None:
    cursor.execute(
        f"INSERT INTO {CONTEXT_TABLE} (id, actor_id, via) VALUES (1, %s, %s) "
        "ON CONFLICT(id) DO UPDATE SET actor_id = excluded.actor_id, via = excluded.via",
        [int(actor) if actor else None, via],
    )


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Field-by-field differences between two recorded rows: {column: (old, new)}."""
    old, new = old or {}, new or {}
    return {
        column: (old.get(column), new.get(column))
        for column in sorted(set(old) | set(new))
        if column not in NOISE and old.get(column) != new.get(column)
    }
