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
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "initiatives_historyentry"
CONTEXT_TABLE = "initiatives_writecontext"
TRIGGER = "history_record"
# Columns whose change alone is no change for a reader: kept in the rows, not compared.
NOISE = ("updated_at",)

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION initiatives_record_history() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor bigint := nullif(current_setting('observatoire.actor_id', true), '')::bigint;
  via text := coalesce(nullif(current_setting('observatoire.via', true), ''), 'sql');
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, NEW.id, 'insert', clock_timestamp(), actor, via, NULL, to_jsonb(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    IF (to_jsonb(OLD) - 'updated_at') = (to_jsonb(NEW) - 'updated_at') THEN
      RETURN NULL;
    END IF;
    INSERT INTO {TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, NEW.id, 'update', clock_timestamp(), actor, via, to_jsonb(OLD),
            to_jsonb(NEW));
  ELSE
    INSERT INTO {TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, OLD.id, 'delete', clock_timestamp(), actor, via, to_jsonb(OLD), NULL);
  END IF;
  RETURN NULL;
END $$;
"""


def install(
    schema_editor: BaseDatabaseSchemaEditor, tables: dict[str, tuple[list[str], list[str]]]
) -> None:
    """Record every write to these tables. `tables` maps each table to (its columns, those of
    them holding JSON): SQLite has no row-to-JSON function, so its triggers name them."""
    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
                "FOR EACH ROW EXECUTE FUNCTION initiatives_record_history()"
            )
        return
    context = f"(SELECT {{}} FROM {CONTEXT_TABLE} WHERE id = 1)"
    actor, via = context.format("actor_id"), f"coalesce({context.format('via')}, 'sql')"
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    for table, (columns, json_columns) in tables.items():

        def row(alias: str, *, compared: bool = False) -> str:
            pairs = ", ".join(
                f"'{c}', " + (f"json({alias}.{quote(c)})" if c in json_columns else f"{alias}.{quote(c)}")
                for c in columns
                if not (compared and c in NOISE)
            )
            return f"json_object({pairs})"

        insert = f"INSERT INTO {TABLE} (table_name, row_id, action, at, actor_id, via, old, new) VALUES"
        bodies = {
            "insert": f"{insert} ('{table}', NEW.id, 'insert', {now}, {actor}, {via}, NULL, {row('NEW')});",
            "update": f"{insert} ('{table}', NEW.id, 'update', {now}, {actor}, {via}, {row('OLD')}, {row('NEW')});",
            "delete": f"{insert} ('{table}', OLD.id, 'delete', {now}, {actor}, {via}, {row('OLD')}, NULL);",
        }
        for event, body in bodies.items():
            when = (
                f" WHEN {row('OLD', compared=True)} IS NOT {row('NEW', compared=True)}"
                if event == "update"
                else ""
            )
            schema_editor.execute(
                f"CREATE TRIGGER {quote(f'{table}_{TRIGGER}_{event}')} AFTER {event.upper()} "
                f"ON {quote(table)} FOR EACH ROW{when} BEGIN {body} END"
            )


def uninstall(schema_editor: BaseDatabaseSchemaEditor, tables: list[str]) -> None:
    quote = schema_editor.quote_name
    for table in tables:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{table}_{TRIGGER}_{event}')}")


def columns_of(schema_editor: BaseDatabaseSchemaEditor, table: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        return [
            column.name
            for column in schema_editor.connection.introspection.get_table_description(cursor, table)
        ]


def columns_for(apps: Any, model_names: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """What install() needs for these models of `apps` (a migration's historical models):
    each table with its columns and those of them holding JSON, as of that migration."""
    found = {}
    for name in model_names:
        meta = apps.get_model("initiatives", name)._meta
        fields = meta.concrete_fields
        found[meta.db_table] = (
            [f.column for f in fields],
            [f.column for f in fields if f.get_internal_type() == "JSONField"],
        )
    return found


def reinstall_on_sqlite(schema_editor: BaseDatabaseSchemaEditor, apps: Any, model_names: list[str]) -> None:
    """After a migration changed these tables' columns. SQLite rebuilds a table to add a
    NOT NULL column, which drops its triggers, and its history triggers name every column:
    both triggers are made again. PostgreSQL keeps its triggers, which read whole rows."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from . import dataversion

    tables = columns_for(apps, model_names)
    uninstall(schema_editor, list(tables))
    install(schema_editor, tables)
    dataversion.uninstall(schema_editor, list(tables))
    dataversion.install(schema_editor, list(tables))


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
