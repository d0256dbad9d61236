"""The data version the page cache is keyed on, bumped by database triggers on every table the
pages read (see initiatives/dataversion.py). Deadline alerts are not shown on any page."""

from django.db import migrations, models

from initiatives import triggers

# The triggers this migration installed, written out when it was frozen (initiatives.triggers
# builds today's): replaying it installs exactly what it installed then.
TRIGGERS = {
    "postgresql": {
        "forward": [
            "INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)",
            "\nCREATE OR REPLACE FUNCTION initiatives_bump_data_version() RETURNS trigger\nLANGUAGE plpgsql AS $$\nDECLARE\n  -- Deferred triggers all fire during COMMIT, one statement: one bump per transaction.\n  mark text := txid_current()::text || '/' || statement_timestamp()::text;\nBEGIN\n  IF current_setting('initiatives.data_version_mark', true) IS DISTINCT FROM mark THEN\n    PERFORM set_config('initiatives.data_version_mark', mark, true);\n    INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, now())\n      ON CONFLICT (id) DO UPDATE\n      SET version = initiatives_dataversion.version + 1, changed_at = now();\n  END IF;\n  RETURN NULL;\nEND $$;\n",
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_source" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_source" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_actor" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_actor" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_label" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_label" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_mission" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_mission" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_mission_labels" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_mission_labels" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_mission_sources" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_mission_sources" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_involvement" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_involvement" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_workstream" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_workstream" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_workstream_coordinators" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_workstream_coordinators" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_milestone" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_milestone" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON "initiatives_citation" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION initiatives_bump_data_version()',
            'CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON "initiatives_citation" FOR EACH STATEMENT EXECUTE FUNCTION initiatives_bump_data_version()',
        ],
        "backward": [
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_source"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_source"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_actor"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_actor"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_label"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_label"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_mission"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_mission"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_mission_labels"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_mission_labels"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_mission_sources"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_mission_sources"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_involvement"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_involvement"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_workstream"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_workstream"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_workstream_coordinators"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_workstream_coordinators"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_milestone"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_milestone"',
            'DROP TRIGGER IF EXISTS data_version_bump ON "initiatives_citation"',
            'DROP TRIGGER IF EXISTS data_version_bump_truncate ON "initiatives_citation"',
        ],
    },
    "sqlite": {
        "forward": [
            "INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)",
            'CREATE TRIGGER "initiatives_source_data_version_bump_insert" AFTER INSERT ON "initiatives_source" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_source_data_version_bump_update" AFTER UPDATE ON "initiatives_source" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_source_data_version_bump_delete" AFTER DELETE ON "initiatives_source" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_actor_data_version_bump_insert" AFTER INSERT ON "initiatives_actor" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_actor_data_version_bump_update" AFTER UPDATE ON "initiatives_actor" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_actor_data_version_bump_delete" AFTER DELETE ON "initiatives_actor" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_label_data_version_bump_insert" AFTER INSERT ON "initiatives_label" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_label_data_version_bump_update" AFTER UPDATE ON "initiatives_label" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_label_data_version_bump_delete" AFTER DELETE ON "initiatives_label" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_data_version_bump_insert" AFTER INSERT ON "initiatives_mission" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_data_version_bump_update" AFTER UPDATE ON "initiatives_mission" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_data_version_bump_delete" AFTER DELETE ON "initiatives_mission" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_labels_data_version_bump_insert" AFTER INSERT ON "initiatives_mission_labels" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_labels_data_version_bump_update" AFTER UPDATE ON "initiatives_mission_labels" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_labels_data_version_bump_delete" AFTER DELETE ON "initiatives_mission_labels" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_sources_data_version_bump_insert" AFTER INSERT ON "initiatives_mission_sources" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_sources_data_version_bump_update" AFTER UPDATE ON "initiatives_mission_sources" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_mission_sources_data_version_bump_delete" AFTER DELETE ON "initiatives_mission_sources" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_involvement_data_version_bump_insert" AFTER INSERT ON "initiatives_involvement" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_involvement_data_version_bump_update" AFTER UPDATE ON "initiatives_involvement" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_involvement_data_version_bump_delete" AFTER DELETE ON "initiatives_involvement" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_data_version_bump_insert" AFTER INSERT ON "initiatives_workstream" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_data_version_bump_update" AFTER UPDATE ON "initiatives_workstream" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_data_version_bump_delete" AFTER DELETE ON "initiatives_workstream" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_coordinators_data_version_bump_insert" AFTER INSERT ON "initiatives_workstream_coordinators" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_coordinators_data_version_bump_update" AFTER UPDATE ON "initiatives_workstream_coordinators" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_workstream_coordinators_data_version_bump_delete" AFTER DELETE ON "initiatives_workstream_coordinators" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_milestone_data_version_bump_insert" AFTER INSERT ON "initiatives_milestone" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_milestone_data_version_bump_update" AFTER UPDATE ON "initiatives_milestone" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_milestone_data_version_bump_delete" AFTER DELETE ON "initiatives_milestone" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_citation_data_version_bump_insert" AFTER INSERT ON "initiatives_citation" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_citation_data_version_bump_update" AFTER UPDATE ON "initiatives_citation" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
            'CREATE TRIGGER "initiatives_citation_data_version_bump_delete" AFTER DELETE ON "initiatives_citation" BEGIN INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP) ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP; END',
        ],
        "backward": [
            'DROP TRIGGER IF EXISTS "initiatives_source_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_source_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_source_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_actor_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_actor_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_actor_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_label_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_label_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_label_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_labels_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_labels_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_labels_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_sources_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_sources_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_mission_sources_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_involvement_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_involvement_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_involvement_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_coordinators_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_coordinators_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_workstream_coordinators_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_milestone_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_milestone_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_milestone_data_version_bump_delete"',
            'DROP TRIGGER IF EXISTS "initiatives_citation_data_version_bump_insert"',
            'DROP TRIGGER IF EXISTS "initiatives_citation_data_version_bump_update"',
            'DROP TRIGGER IF EXISTS "initiatives_citation_data_version_bump_delete"',
        ],
    },
}


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0003_open_deadlines_indexes")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("version", models.BigIntegerField(default=1, verbose_name="version")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="changed at")),
            ],
            options={
                "verbose_name": "data version",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="data_version_single_row"
                    )
                ],
            },
        ),
        triggers.frozen(TRIGGERS),
    ]
