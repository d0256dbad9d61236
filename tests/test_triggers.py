"""The triggers a migrated database holds are the ones the current models call for
(initiatives.triggers.expected): a model change that needs new triggers (a new table a page
reads, a new column the SQLite history must name) cannot land without the migration that
installs them, and the migrations, which hold their SQL frozen, replay what they installed.
PostgreSQL here; SQLite in tests/test_embedded.py, on the embedded default's database."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from initiatives import triggers

pytestmark = pytest.mark.django_db


def _pg_function_body(statement: str) -> str:
    return statement.split("$$", 2)[1].strip()


def test_the_migrated_postgresql_triggers_are_the_current_ones() -> None:
    expected = triggers.expected("postgresql")
    wanted = {
        (table, name)
        for statement in expected
        for name, table in re.findall(
            r'CREATE (?:CONSTRAINT )?TRIGGER (\w+) .*? ON "(\w+)"', statement
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname LIKE 'initiatives_%%'"
        )
        installed = set(cursor.fetchall())
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname IN (%s, %s)",
            [triggers.BUMP_FUNCTION, triggers.RECORD_FUNCTION],
        )
        functions = {name: source.strip() for name, source in cursor.fetchall()}
    assert installed == wanted
    bodies = {
        re.search(r"FUNCTION (\w+)\(", s).group(1): _pg_function_body(s)
        for s in expected
        if s.lstrip().startswith("CREATE OR REPLACE FUNCTION")
    }
    assert functions == bodies
