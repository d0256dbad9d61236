"""The data version the page cache is keyed on, bumped by database triggers on every table the
pages read (see initiatives/dataversion.py). Deadline alerts are not shown on any page."""

from django.db import migrations, models

from initiatives import dataversion

WATCHED = [
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
]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(
        "INSERT INTO initiatives_dataversion (id, version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)"
    )
    dataversion.install(schema_editor, WATCHED)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    dataversion.uninstall(schema_editor, WATCHED)


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
        migrations.RunPython(install, uninstall),
    ]
