"""Milestones as spreadsheets (CSV, XLSX) in the admin, through django-import-export and its
dry-run then confirm flow.

A row names its milestone by keys (mission, workstream, milestone) and carries what a
coordinator keeps: title, due date as written, status, progress, completion date, comment.
Writes go through services.milestone_update, the coordinators' own edit: the same rules, the
due words read by periods.py, the version compare-and-swap (a sheet exported before someone
else's edit is refused on that row, never overwrites it), history, slips and alerts. A row
that changes nothing is skipped, so exporting and importing back changes nothing. Each bad
row gets its own message; a sheet with any bad row writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import history, services
from .models import KEY_PATTERN, Milestone, Mission, Workstream

_KEY = re.compile(KEY_PATTERN)


class WorkstreamOfMissionWidget(widgets.ForeignKeyWidget):
    """A workstream by its key within the row's mission; empty: the mission as a whole."""

    def __init__(self) -> None:
        super().__init__(Workstream, field="key")

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> Workstream | None:
        key = str(value or "").strip()
        if not key:
            return None
        workstream = Workstream.objects.filter(mission__key=(row or {}).get("mission"), key=key).first()
        if workstream is None:
            raise ValueError(_("no workstream “%(key)s” in this mission") % {"key": key})
        return workstream

    def render(self, value: Workstream | None, obj: Any = None, **kwargs: Any) -> str:
        return value.key if value else ""


class FrenchDateWidget(widgets.DateWidget):
    """2021-11-30, or 30/11/2021 as a French spreadsheet writes it; exported as ISO."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")
        self.formats = ("%Y-%m-%d", "%d/%m/%Y")

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):  # XLSX cells come as datetimes
            return value.date()
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("write the date as 2021-11-30 or 30/11/2021")) from None


class MilestoneResource(resources.ModelResource):
    mission = fields.Field(
        column_name="mission", attribute="mission", widget=widgets.ForeignKeyWidget(Mission, field="key")
    )
    workstream = fields.Field(column_name="chantier", attribute="workstream", widget=WorkstreamOfMissionWidget())
    key = fields.Field(column_name="jalon", attribute="key")
    title = fields.Field(column_name="titre", attribute="title")
    due_text = fields.Field(column_name="échéance", attribute="due_text")
    status = fields.Field(column_name="statut", attribute="status")
    progress = fields.Field(column_name="avancement", attribute="progress", widget=widgets.IntegerWidget())
    completed_on = fields.Field(column_name="achevé le", attribute="completed_on", widget=FrenchDateWidget())
    comment = fields.Field(column_name="commentaire", attribute="comment")
    # The version the sheet was exported at: a row edited since is refused, not overwritten.
    version = fields.Field(column_name="version", attribute="version", widget=widgets.IntegerWidget())

    class Meta:
        model = Milestone
        fields = ("mission", "workstream", "key", "title", "due_text", "status", "progress", "completed_on", "comment", "version")
        import_id_fields = ("mission", "key")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self) -> Any:
        return Milestone.objects.select_related("mission", "workstream").order_by("mission__key", "workstream__position", "due_end", "key")

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, str] = {}
        mission_key = str(row.get("mission") or "").strip()
        key = str(row.get("jalon") or "").strip()
        if not mission_key:
            errors["mission"] = _("the mission key is missing")
        elif not Mission.objects.filter(key=mission_key).exists():
            errors["mission"] = _("no mission “%(key)s”") % {"key": mission_key}
        if not _KEY.fullmatch(key):
            errors["key"] = _("“%(key)s” is not a key (lowercase words and digits joined by hyphens)") % {"key": key}
        status = str(row.get("statut") or "").strip() or Milestone.Status.PLANNED
        if status not in Milestone.Status.values:
            errors["status"] = _("unknown status “%(status)s” (one of: %(choices)s)") % {
                "status": status,
                "choices": ", ".join(Milestone.Status.values),
            }
        if errors:
            raise ValidationError(errors)
        row["mission"], row["jalon"], row["statut"] = mission_key, key, status
        for column in ("titre", "échéance", "commentaire"):
            row[column] = str(row.get(column) or "").strip()
        if row.get("avancement") in (None, ""):
            row["avancement"] = 100 if status == Milestone.Status.DONE else 0

    def skip_row(self, instance: Milestone, original: Milestone, row: dict[str, Any], import_validation_errors: Any = None) -> bool:
        # The sheet's version is how old the row is, not a change to make.
        sheet_version, instance.version = instance.version, original.version
        try:
            return super().skip_row(instance, original, row, import_validation_errors)
        finally:
            instance.version = sheet_version

    def save_instance(self, instance: Milestone, is_create: bool, row: dict[str, Any], **kwargs: Any) -> None:
        user = kwargs.get("user")
        today = timezone.localdate()
        if is_create:
            if not instance.title:
                raise ValidationError({"title": _("a new milestone needs a title")})
            with history.acting_as(user, "admin"):
                created = Milestone.objects.create(
                    mission=instance.mission,
                    workstream=instance.workstream,
                    key=instance.key,
                    title=instance.title,
                    # A fact with no quote says where it comes from.
                    editorial={"existence": _("Added from a spreadsheet by %(user)s on %(day)s.") % {"user": user, "day": today.isoformat()}},
                )
            instance.pk, base_version = created.pk, created.version
        else:
            base_version = instance.version
            current_workstream = Milestone.objects.filter(pk=instance.pk).values_list("workstream_id", flat=True).first()
            if instance.workstream_id != current_workstream:
                # Moving a milestone between workstreams changes who coordinates it: the
                # milestone's own admin page does that, not a sheet.
                raise ValidationError(
                    {"workstream": _("a milestone does not change workstream through a sheet: use its page in the administration")}
                )
        change = services.MilestoneChange(
            status=instance.status,
            progress=instance.progress,
            completed_on=instance.completed_on,
            due_text=instance.due_text,
            comment=instance.comment,
        )
        try:
            saved = services.milestone_update(user, instance.pk, change, base_version=base_version, today=today, via="admin")
        except services.EditConflict as conflict:
            raise ValidationError(
                {"version": _("changed since this sheet was exported (version %(sheet)s, now %(now)s): export again")
                 % {"sheet": base_version, "now": conflict.current.version}}
            ) from None
        if not is_create and instance.title and saved.title != instance.title:
            with history.acting_as(user, "admin"):
                Milestone.objects.filter(pk=saved.pk, version=saved.version).update(title=instance.title)
