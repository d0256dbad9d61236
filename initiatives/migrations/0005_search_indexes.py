"""GIN indexes on the expressions the mission search matches (selectors.missions._search), so that a
search reads index entries instead of stemming every title, summary and quote each time.

PostgreSQL only; each expression must stay exactly the SQL Django writes for
SearchVector(..., config="fr_unaccent"), or the planner will not use it (a test checks)."""

from django.db import migrations

INDEXES = {
    "mission_search_idx": (
        "initiatives_mission",
        "COALESCE(title, '') || ' ' || COALESCE(summary, '')",
    ),
    "workstream_search_idx": (
        "initiatives_workstream",
        "COALESCE(title, '') || ' ' || COALESCE(summary, '')",
    ),
    "citation_search_idx": ("initiatives_citation", "COALESCE(quote, '')"),
}


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, document) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('fr_unaccent'::regconfig, {document}))"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0004_data_version")]
    operations = [migrations.RunPython(create, drop)]
