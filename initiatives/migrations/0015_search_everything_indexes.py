"""GIN indexes for the rest of what the search reaches (selectors.search): milestones, sources,
actors and labels, as 0005 did for missions, workstreams and quotes. Without them a search
stems every source text and milestone on each query: 2 to 5 s on the 10x synthetic data
(100,000 milestones), 30 to 130 ms with them.

PostgreSQL only; each expression must stay exactly the SQL Django writes for
SearchVector(..., config="fr_unaccent"), or the planner will not use it (a test checks).
Frozen: this migration holds the SQL it installs."""

from django.db import migrations

INDEXES = {
    "milestone_search_idx": (
        "initiatives_milestone",
        "COALESCE(title, '') || ' ' || COALESCE(comment, '')",
    ),
    "source_search_idx": ("initiatives_source", "COALESCE(title, '') || ' ' || COALESCE(text, '')"),
    "actor_search_idx": (
        "initiatives_actor",
        "COALESCE(name, '') || ' ' || COALESCE(description, '')",
    ),
    "label_search_idx": (
        "initiatives_label",
        "COALESCE(name, '') || ' ' || COALESCE(description, '')",
    ),
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
    dependencies = [("initiatives", "0014_follow")]
    operations = [migrations.RunPython(create, drop)]
