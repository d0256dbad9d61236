"""Milestones as spreadsheets (CSV, XLSX) in the admin, through django-import-export and its
dry-run then confirm flow.

A row names its milestone by keys (mission, workstream, milestone) and carries what a
coordinator keeps: title, due date as written, status, progress, completion date, comment.
Each row is checked by services.check_milestone_edit, the rules of the coordinators' own edit
(the due words read by periods.py, the version the sheet was exported at: a row edited since
is refused, never overwritten); the rows that pass are written together at the end of the
sheet by services.write_milestones (compare-and-swap, history, slips, alerts). A row that
changes nothing is skipped, so exporting and importing back changes nothing. Each bad row gets
its own message; a sheet with any bad row writes nothing.

Speed: what a sheet names (missions, workstreams, milestones) is read in three queries per
sheet, not per row, and the writes are batched, so a sheet of SPREADSHEET_MAX_ROWS rows is
previewed and confirmed well within a web worker's timeout (tests/bench_spreadsheet.py).
A longer sheet is refused before any row is read.

Text a spreadsheet would run (a cell starting with =, +, -, @, a tab or a carriage return:
CSV injection) is exported behind an apostrophe, which Excel and LibreOffice show as text, and
the apostrophe is taken off again on import, so the round trip keeps the text as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from diff_match_patch import diff_match_patch
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.resources import Diff
from import_export.results import Result

from . import services
from .models import KEY_PATTERN, Milestone, Mission, Workstream

_KEY = re.compile(KEY_PATTERN)
# What the rules and the write read of a stored milestone (services.check_milestone_edit).
_STORED = ("version", *(name.removesuffix("_id") for name in services.milestones.WRITTEN_FIELDS))
# What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection), behind
# any apostrophes already there: a text that starts so is exported with one more apostrophe.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def escape_formula(text: str) -> str:
    """Text a spreadsheet shows as written, never runs: one apostrophe more before text that
    would start a formula. unescape_formula(escape_formula(t)) == t for every text."""
    return "'" + text if _FORMULA.match(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if _ESCAPED.match(text) else text


class SheetTextWidget(widgets.CharWidget):
    """Free text: exported so that no spreadsheet runs it, imported back as it was."""

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> str:
        return unescape_formula(super().clean(value, row, **kwargs))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return escape_formula("" if value is None else str(value))


class SheetDiff(Diff):
    """The preview's cells, styled as the library's: a changed value struck out before the new
    one, whole (the library's character diff was a third of a 10,000-row preview), an
    unchanged one as itself."""

    def as_html(self) -> list[str]:
        if self.new:
            return super().as_html()
        dmp = diff_match_patch()
        cells = []
        for old, new in zip(self.left, self.right):
            old, new = force_str(old), force_str(new)
            if old == new:
                diff = [(dmp.DIFF_EQUAL, new)]
            else:
                diff = [(dmp.DIFF_DELETE, old), (dmp.DIFF_INSERT, new)]
            cells.append(mark_safe(dmp.diff_prettyHtml(diff)))  # noqa: S308 (it escapes the text)
        return cells


class NoDiff(Diff):
    def __init__(self, resource: Any, instance: Any, new: bool) -> None:
        self.left: list[Any] = []
        self.right: list[Any] = []
        self.new = new

    def compare_with(self, resource: Any, instance: Any) -> None:
        pass

    def as_html(self) -> list[str]:
        return []


class PlainIntegerWidget(widgets.IntegerWidget):
    """An integer as digits: the library formats each one for the locale, which costs a large
    preview seconds and changes nothing here."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


@dataclass
class Sheet:
    """What a sheet names, read once for the whole sheet, and the edits its rows passed."""

    today: dt.date
    missions: dict[str, Mission] = field(default_factory=dict)
    workstreams: dict[tuple[str, str], Workstream] = field(
        default_factory=dict
    )  # (mission key, key)
    milestones: dict[tuple[str, str], Milestone] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # where each key was first seen
    # Each checked edit, with the line it came from and the row's instance (a created
    # milestone's id goes back to it, for the admin's log).
    edits: list[tuple[services.CheckedEdit, int, dict[str, Any], Milestone]] = field(
        default_factory=list
    )

    @classmethod
    def read(cls, dataset: Any, today: dt.date) -> Sheet:
        def column(name: str) -> list[str]:
            if name not in (dataset.headers or ()):
                return []
            return [str(v or "").strip() for v in dataset[name]]

        sheet = cls(today)
        # Only what the rows show: a mission's key and a workstream's, each milestone's
        # stored values for the rules (copied once per row, so kept light).
        named_missions = Mission.objects.filter(key__in=set(column("mission"))).only("key")
        sheet.missions = {m.key: m for m in named_missions}
        by_id = {m.pk: m for m in sheet.missions.values()}
        workstreams = {
            w.pk: w for w in Workstream.objects.filter(mission__in=by_id).only("mission", "key")
        }
        sheet.workstreams = {(by_id[w.mission_id].key, w.key): w for w in workstreams.values()}
        keys: dict[int, set[str]] = {}
        for mission_key, key in zip(column("mission"), column("jalon")):
            if mission_key in sheet.missions:
                keys.setdefault(sheet.missions[mission_key].pk, set()).add(key)
        named = Q(pk__in=[])
        for mission_id, mission_keys in keys.items():
            named |= Q(mission_id=mission_id, key__in=mission_keys)
        for milestone in Milestone.objects.filter(named).only(*_STORED):
            # The sheet's own mission and workstream objects: no query per row to show them.
            milestone.mission = by_id[milestone.mission_id]
            ws_id = milestone.workstream_id
            milestone.workstream = workstreams.get(ws_id) if ws_id is not None else None
            sheet.milestones[(milestone.mission.key, milestone.key)] = milestone
        return sheet


def _shallow_copy(milestone: Milestone) -> Milestone:
    """A copy of a milestone whose deep copy is shallow too. import_row deep-copies each row's
    milestone to compare the row with; its values are immutable and its mission and workstream
    never changed, so a shallow copy compares the same, ten times cheaper (deep copies were a
    tenth of a 10,000-row import)."""
    row_copy = copy.copy(milestone)

    def shallow_deepcopy(memo: dict[int, Any]) -> Milestone:
        twin = copy.copy(row_copy)
        del twin.__dict__["__deepcopy__"]  # the twin's own deep copies are ordinary again
        return twin

    row_copy.__deepcopy__ = shallow_deepcopy  # type: ignore[attr-defined]
    return row_copy


class MissionWidget(widgets.ForeignKeyWidget):
    """A mission by its key, among those the sheet names (read once, before the rows)."""

    def __init__(self) -> None:
        super().__init__(Mission, field="key")
        self.sheet: Sheet | None = None

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> Mission | None:
        key = str(value or "").strip()
        if not key:
            return None
        assert self.sheet is not None  # set by MilestoneResource.before_import
        mission = self.sheet.missions.get(key)
        if mission is None:
            raise ValueError(_("no mission “%(key)s”") % {"key": key})
        return mission


class WorkstreamOfMissionWidget(widgets.ForeignKeyWidget):
    """A workstream by its key within the row's mission; empty: the mission as a whole."""

    def __init__(self) -> None:
        super().__init__(Workstream, field="key")
        self.sheet: Sheet | None = None

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> Workstream | None:
        key = str(value or "").strip()
        if not key:
            return None
        assert self.sheet is not None  # set by MilestoneResource.before_import
        mission = (row or {}).get("mission")
        workstream = None if mission is None else self.sheet.workstreams.get((mission, key))
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
    mission = fields.Field(column_name="mission", attribute="mission", widget=MissionWidget())
    workstream = fields.Field(
        column_name="chantier", attribute="workstream", widget=WorkstreamOfMissionWidget()
    )
    key = fields.Field(column_name="jalon", attribute="key")
    title = fields.Field(column_name="titre", attribute="title", widget=SheetTextWidget())
    due_text = fields.Field(column_name="échéance", attribute="due_text", widget=SheetTextWidget())
    status = fields.Field(column_name="statut", attribute="status")
    progress = fields.Field(
        column_name="avancement", attribute="progress", widget=PlainIntegerWidget()
    )
    completed_on = fields.Field(
        column_name="achevé le", attribute="completed_on", widget=FrenchDateWidget()
    )
    comment = fields.Field(column_name="commentaire", attribute="comment", widget=SheetTextWidget())
    # The version the sheet was exported at: a row edited since is refused, not overwritten.
    version = fields.Field(column_name="version", attribute="version", widget=PlainIntegerWidget())

    class Meta:
        model = Milestone
        fields = (
            "mission",
            "workstream",
            "key",
            "title",
            "due_text",
            "status",
            "progress",
            "completed_on",
            "comment",
            "version",
        )
        import_id_fields = ("mission", "key")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        # Rows are checked one by one and written together at the end (after_import): no
        # savepoint per row, nothing for the library's own bulk writes to do.
        use_bulk = True

    sheet: Sheet | None = None
    dry_run = True

    def get_diff_class(self) -> type[Diff]:
        # The confirmation shows no preview: it does not compute one.
        return SheetDiff if self.dry_run else NoDiff

    def get_queryset(self) -> Any:
        return Milestone.objects.select_related("mission", "workstream").order_by(
            "mission__key", "workstream__position", "due_end", "key"
        )

    def import_data(self, dataset: Any, dry_run: bool = False, **kwargs: Any) -> Result:
        self.dry_run = dry_run
        limit = settings.SPREADSHEET_MAX_ROWS
        if len(dataset) <= limit:
            return super().import_data(dataset, dry_run=dry_run, **kwargs)
        # Refused before any row is read, on the first line over the limit.
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        result.append_invalid_row(
            limit + 1,
            dict(zip(dataset.headers or (), dataset[limit])),
            ValidationError(
                _(
                    "This sheet has %(count)s rows; an import takes at most %(limit)s. "
                    "Split it into several sheets."
                )
                % {
                    "count": number_format(len(dataset), force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                }
            ),
        )
        return result

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self.sheet = Sheet.read(dataset, timezone.localdate())
        self.fields["mission"].widget.sheet = self.sheet
        self.fields["workstream"].widget.sheet = self.sheet

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        assert self.sheet is not None
        errors: dict[str, str] = {}
        mission_key = str(row.get("mission") or "").strip()
        key = str(row.get("jalon") or "").strip()
        if not mission_key:
            errors["mission"] = _("the mission key is missing")
        elif mission_key not in self.sheet.missions:
            errors["mission"] = _("no mission “%(key)s”") % {"key": mission_key}
        if not _KEY.fullmatch(key):
            errors["key"] = _(
                "“%(key)s” is not a key (lowercase words and digits joined by hyphens)"
            ) % {"key": key}
        else:
            line = kwargs.get("row_number", 0)
            first = self.sheet.lines.setdefault((mission_key, key), line)
            if first != line:
                errors["key"] = _("this milestone is already on line %(line)s of the sheet") % {
                    "line": first
                }
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

    def get_instance(self, instance_loader: Any, row: dict[str, Any]) -> Milestone | None:
        assert self.sheet is not None
        stored = self.sheet.milestones.get((row["mission"], row["jalon"]))
        # A copy takes the row's values; the stored milestone stays as read, for the rules.
        return _shallow_copy(stored) if stored else None

    def skip_row(
        self,
        instance: Milestone,
        original: Milestone,
        row: dict[str, Any],
        import_validation_errors: Any = None,
    ) -> bool:
        # The sheet's version is how old the row is, not a change to make.
        sheet_version, instance.version = instance.version, original.version
        try:
            return super().skip_row(instance, original, row, import_validation_errors)
        finally:
            instance.version = sheet_version

    def save_instance(
        self, instance: Milestone, is_create: bool, row: dict[str, Any], **kwargs: Any
    ) -> None:
        assert self.sheet is not None
        user = kwargs.get("user")
        if is_create:
            if not instance.title:
                raise ValidationError({"title": _("a new milestone needs a title")})
            milestone = Milestone(
                mission=instance.mission,
                workstream=instance.workstream,
                key=instance.key,
                title=instance.title,
                # A fact with no quote says where it comes from.
                editorial={
                    "existence": _("Added from a spreadsheet by %(user)s on %(day)s.")
                    % {"user": user, "day": self.sheet.today.isoformat()}
                },
            )
        else:
            milestone = self.sheet.milestones[(row["mission"], row["jalon"])]
            if instance.workstream_id != milestone.workstream_id:
                # Moving a milestone between workstreams changes who coordinates it: the
                # milestone's own admin page does that, not a sheet.
                raise ValidationError(
                    {
                        "workstream": _(
                            "a milestone does not change workstream through a sheet: use its page in the administration"
                        )
                    }
                )
        change = services.MilestoneChange(
            status=instance.status,
            progress=instance.progress,
            completed_on=instance.completed_on,
            due_text=instance.due_text,
            comment=instance.comment,
            title=instance.title or services.KEEP,  # an empty cell keeps the title
        )
        try:
            edit = services.check_milestone_edit(
                user, milestone, change, base_version=instance.version, today=self.sheet.today
            )
        except services.EditConflict as conflict:
            raise ValidationError(
                {"version": self._conflict_message(instance.version, conflict)}
            ) from None
        self.sheet.edits.append((edit, kwargs.get("row_number", 0), row, instance))

    def after_import(self, dataset: Any, result: Result, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if (
            self.sheet is None
            or not self.sheet.edits
            or result.has_errors()
            or result.has_validation_errors()
        ):
            return  # nothing to write, or the import is refused and rolled back whole
        try:
            services.write_milestones(
                kwargs.get("user"),
                [edit for edit, *_rest in self.sheet.edits],
                via="sheet",
                today=self.sheet.today,
            )
        except services.EditConflict as conflict:
            # Someone saved a row between its check and the write: that row is refused (and
            # with it the sheet, which rolls back).
            for edit, line, row, _instance in self.sheet.edits:
                if edit.milestone.pk == conflict.current.pk:
                    error = ValidationError(
                        {"version": self._conflict_message(edit.milestone.version, conflict)}
                    )
                    result.append_invalid_row(line, row, error)
            return
        for edit, _line, _row, instance in self.sheet.edits:
            instance.pk = edit.milestone.pk  # a created milestone's id, for the admin's log

    @staticmethod
    def _conflict_message(sheet_version: int | None, conflict: services.EditConflict) -> str:
        return _(
            "changed since this sheet was exported (version %(sheet)s, now %(now)s): export again"
        ) % {
            "sheet": sheet_version,
            "now": conflict.current.version,
        }
