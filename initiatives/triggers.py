"""The database triggers, as SQL: one toolkit for the data version (dataversion.py) and the
history (history.py), on PostgreSQL and on SQLite.

Everything here builds statements; nothing runs them. Migrations do not call it: each holds
the statements it installs, written out when it was made (`frozen()` runs them), so that
replaying an old migration installs what it installed then, whatever this module becomes.
`expected()` is what the current models call for; tests/test_triggers.py holds a migrated
database to it, so a model change that needs new triggers cannot go without its migration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# -- the data version -----------------------------------------------------------------------

DATA_VERSION_TABLE = "initiatives_dataversion"
BUMP = "data_version_bump"
BUMP_FUNCTION = "initiatives_bump_data_version"

# PostgreSQL: a deferrable constraint trigger per row, fired at commit, bumping once per
# transaction (dataversion.py says why).
_PG_BUMP_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {BUMP_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- Deferred triggers all fire during COMMIT, one statement: one bump per transaction.
  mark text := txid_current()::text || '/' || statement_timestamp()::text;
BEGIN
  IF current_setting('initiatives.data_version_mark', true) IS DISTINCT FROM mark THEN
    PERFORM set_config('initiatives.data_version_mark', mark, true);
    INSERT INTO {DATA_VERSION_TABLE} (id, version, changed_at) VALUES (1, 1, now())
      ON CONFLICT (id) DO UPDATE
      SET version = {DATA_VERSION_TABLE}.version + 1, changed_at = now();
  END IF;
  RETURN NULL;
END $$;
"""

_SQLITE_BUMP = (
    f"INSERT INTO {DATA_VERSION_TABLE} (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) "
    "ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP;"
)


def _quote(name: str) -> str:
    return f'"{name}"'


def bump_install(vendor: str, tables: Sequence[str]) -> list[str]:
    """Make every write to these tables bump the data version."""
    if vendor == "postgresql":
        statements = [_PG_BUMP_FUNCTION]
        for table in tables:
            statements += [
                f"CREATE CONSTRAINT TRIGGER {BUMP} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {_quote(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION {BUMP_FUNCTION}()",
                # Constraint triggers cannot watch TRUNCATE; a statement trigger can.
                f"CREATE TRIGGER {BUMP}_truncate AFTER TRUNCATE ON {_quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {BUMP_FUNCTION}()",
            ]
        return statements
    return [
        f"CREATE TRIGGER {_quote(f'{table}_{BUMP}_{event.lower()}')} "
        f"AFTER {event} ON {_quote(table)} BEGIN {_SQLITE_BUMP} END"
        for table in tables
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def bump_uninstall(vendor: str, tables: Sequence[str]) -> list[str]:
    if vendor == "postgresql":
        return [
            statement
            for table in tables
            for statement in (
                f"DROP TRIGGER IF EXISTS {BUMP} ON {_quote(table)}",
                f"DROP TRIGGER IF EXISTS {BUMP}_truncate ON {_quote(table)}",
            )
        ]
    return [
        f"DROP TRIGGER IF EXISTS {_quote(f'{table}_{BUMP}_{event}')}"
        for table in tables
        for event in ("insert", "update", "delete")
    ]


# -- the history ----------------------------------------------------------------------------

HISTORY_TABLE = "initiatives_historyentry"
CONTEXT_TABLE = "initiatives_writecontext"
RECORD = "history_record"
RECORD_FUNCTION = "initiatives_record_history"
# Columns whose change alone is no change for a reader: kept in the rows, not compared.
NOISE = ("updated_at",)

_PG_RECORD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {RECORD_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor bigint := nullif(current_setting('observatoire.actor_id', true), '')::bigint;
  via text := coalesce(nullif(current_setting('observatoire.via', true), ''), 'sql');
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {HISTORY_TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, NEW.id, 'insert', clock_timestamp(), actor, via, NULL, to_jsonb(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    IF (to_jsonb(OLD) - 'updated_at') = (to_jsonb(NEW) - 'updated_at') THEN
      RETURN NULL;
    END IF;
    INSERT INTO {HISTORY_TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, NEW.id, 'update', clock_timestamp(), actor, via, to_jsonb(OLD),
            to_jsonb(NEW));
  ELSE
    INSERT INTO {HISTORY_TABLE} (table_name, row_id, action, at, actor_id, via, old, new)
    VALUES (TG_TABLE_NAME, OLD.id, 'delete', clock_timestamp(), actor, via, to_jsonb(OLD), NULL);
  END IF;
  RETURN NULL;
END $$;
"""

# Each recorded table: its columns, and those of them holding JSON (SQLite has no
# row-to-JSON function, so its triggers name every column).
Columns = dict[str, tuple[list[str], list[str]]]


def record_install(vendor: str, tables: Columns) -> list[str]:
    """Record every write to these tables in the history."""
    if vendor == "postgresql":
        return [_PG_RECORD_FUNCTION] + [
            f"CREATE TRIGGER {RECORD} AFTER INSERT OR UPDATE OR DELETE ON {_quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {RECORD_FUNCTION}()"
            for table in tables
        ]
    context = f"(SELECT {{}} FROM {CONTEXT_TABLE} WHERE id = 1)"
    actor, via = context.format("actor_id"), f"coalesce({context.format('via')}, 'sql')"
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    statements = []
    for table, (columns, json_columns) in tables.items():

        def row(alias: str, *, compared: bool = False) -> str:
            pairs = ", ".join(
                f"'{c}', "
                + (f"json({alias}.{_quote(c)})" if c in json_columns else f"{alias}.{_quote(c)}")
                for c in columns
                if not (compared and c in NOISE)
            )
            return f"json_object({pairs})"

        insert = f"INSERT INTO {HISTORY_TABLE} (table_name, row_id, action, at, actor_id, via, old, new) VALUES"
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
            statements.append(
                f"CREATE TRIGGER {_quote(f'{table}_{RECORD}_{event}')} AFTER {event.upper()} "
                f"ON {_quote(table)} FOR EACH ROW{when} BEGIN {body} END"
            )
    return statements


def record_uninstall(vendor: str, tables: Sequence[str]) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {RECORD} ON {_quote(table)}" for table in tables]
    return [
        f"DROP TRIGGER IF EXISTS {_quote(f'{table}_{RECORD}_{event}')}"
        for table in tables
        for event in ("insert", "update", "delete")
    ]


def columns_for(models: Sequence[Any]) -> Columns:
    """What record_install needs of these models (current, or a migration's historical ones)."""
    found = {}
    for model in models:
        fields = model._meta.concrete_fields
        found[model._meta.db_table] = (
            [f.column for f in fields],
            [f.column for f in fields if f.get_internal_type() == "JSONField"],
        )
    return found


# -- what the current models call for, and what migrations run -----------------------------

# The tables whose writes bump the data version: every table a page reads.
WATCHED = (
    "initiatives_source",
    "initiatives_actor",
    "initiatives_label",
    "initiatives_mission",
    "initiatives_mission_labels",
    "initiatives_mission_sources",
    "initiatives_involvement",
    "initiatives_workstream",
    "initiatives_workstream_coordinators",
    "initiatives_milestone",
    "initiatives_citation",
    "initiatives_milestoneslip",
    "initiatives_assessment",
    "initiatives_evidence",
    "initiatives_forecast",
    # The mission page shows its reader whether they follow it: a follow is a deliberate
    # click, rare next to reads, so it may cost the cached pages (see migration 0014).
    "initiatives_follow",
    "initiatives_missionlink",
)
# The tables whose every write is kept in the history.
RECORDED = ("Mission", "Workstream", "Milestone")


def expected(vendor: str) -> list[str]:
    """The trigger statements the models call for, as the migrations leave them (their
    columns in the order the migrations add them: SQLite's history triggers name them in
    that order). Users' names aside: migration 0012 watches auth_user's name columns only,
    with its own SQL."""
    from django.db.migrations.loader import MigrationLoader

    apps = MigrationLoader(None, ignore_no_migrations=True).project_state().apps
    models = [apps.get_model("initiatives", name) for name in RECORDED]
    return bump_install(vendor, WATCHED) + record_install(vendor, columns_for(models))


def frozen(statements: dict[str, dict[str, list[str]]]) -> Any:
    """The RunPython operation of a migration that holds its trigger SQL: statements[vendor]
    is {"forward": [...], "backward": [...]}, run as written."""
    from django.db import migrations

    def run(direction: str) -> Callable[[Any, Any], None]:
        def go(apps: Any, schema_editor: Any) -> None:
            for statement in statements[schema_editor.connection.vendor][direction]:
                schema_editor.execute(statement)

        return go

    return migrations.RunPython(run("forward"), run("backward"))
