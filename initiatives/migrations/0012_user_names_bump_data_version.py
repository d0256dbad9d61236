"""Pages show people's names (coordinators, who changed what, who is logged in): renaming a
user must bump the data version, or cached pages keep the old name. Only a change of a name
does: a login (last_login) or a password change must not empty the page cache.

The SQL is written out here, not imported from dataversion.py, so that replaying this
migration later runs what it ran when it was written.
"""

from django.db import migrations

NAMES = ("username", "first_name", "last_name")
CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in NAMES)

PG_FORWARD = [
    # A WHEN clause cannot name NEW for DELETE: one trigger per event.
    "CREATE CONSTRAINT TRIGGER data_version_bump_names AFTER UPDATE OF username, first_name, "
    "last_name ON auth_user DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    f"WHEN ({CHANGED}) EXECUTE FUNCTION initiatives_bump_data_version()",
    "CREATE CONSTRAINT TRIGGER data_version_bump_names_delete AFTER DELETE ON auth_user "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS data_version_bump_names ON auth_user",
    "DROP TRIGGER IF EXISTS data_version_bump_names_delete ON auth_user",
]
SQLITE_BUMP = (
    "INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) "
    "ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP;"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER auth_user_data_version_bump_names AFTER UPDATE OF username, first_name, "
    f"last_name ON auth_user WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} "
    f"BEGIN {SQLITE_BUMP} END",
    f"CREATE TRIGGER auth_user_data_version_bump_names_delete AFTER DELETE ON auth_user BEGIN {SQLITE_BUMP} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS auth_user_data_version_bump_names",
    "DROP TRIGGER IF EXISTS auth_user_data_version_bump_names_delete",
]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("initiatives", "0011_importdraft_preview"),
    ]

    operations = [migrations.RunPython(forward, backward)]
