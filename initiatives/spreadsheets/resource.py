"""The milestone sheet as a django-import-export resource: what a sheet names, read once;
each row checked by the coordinators' rules; the rows that pass written together by the one
writer (services.write_milestones) at the end of the sheet."""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.resources import Diff
from import_export.results import Result

from .. import services
from ..models import KEY_PATTERN, Milestone, Mission, Workstream
from .cells import (
    ChoiceWidget,
    FrenchDateWidget,
    NoDiff,
    PlainIntegerWidget,
    SheetDiff,
    SheetTextWidget,
    folded,
)

_KEY = re.compile(KEY_PATTERN)
# What the rules and the write read of a stored milestone (services.check_milestone_edit).
_STORED = ("version", *(name.removesuffix("_id") for name in services.milestones.WRITTEN_FIELDS))

# Each attribute's column, headed in French whatever the page's language: a sheet is data,
# and the file one page exports must import back from any other. Errors name these too.
COLUMNS = {
    "mission": "mission",
    "workstream": "chantier",
    "key": "jalon",
    "title": "titre",
    "kind": "type",
    "due_text": "échéance",
    "status": "statut",
    "progress": "avancement",
    "completed_on": "achevé le",
    "comment": "commentaire",
    "version": "version",
}


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


class SheetResult(Result):
    """The library's result, with each error under the column of its cell ("avancement", not
    PROGRESS) and the lines of the rows that failed counted in the sheet, not among the rows
    shown (the preview leaves out unchanged rows)."""

    def append_invalid_row(
        self, number: int, row: dict[str, Any], validation_error: ValidationError
    ) -> None:
        if hasattr(validation_error, "error_dict"):
            validation_error = ValidationError(
                {
                    COLUMNS.get(name, name) if name != NON_FIELD_ERRORS else name: errors
                    for name, errors in validation_error.error_dict.items()
                }
            )
        super().append_invalid_row(number, row, validation_error)

    def row_errors(self) -> list[tuple[int, list[Any]]]:
        return [(row.number, row.errors) for row in self.error_rows]


class MilestoneResource(resources.ModelResource):
    mission = fields.Field(
        column_name=COLUMNS["mission"], attribute="mission", widget=MissionWidget()
    )
    workstream = fields.Field(
        column_name=COLUMNS["workstream"],
        attribute="workstream",
        widget=WorkstreamOfMissionWidget(),
    )
    key = fields.Field(column_name=COLUMNS["key"], attribute="key")
    title = fields.Field(column_name=COLUMNS["title"], attribute="title", widget=SheetTextWidget())
    kind = fields.Field(
        column_name=COLUMNS["kind"], attribute="kind", widget=ChoiceWidget(Milestone.Kind)
    )
    due_text = fields.Field(
        column_name=COLUMNS["due_text"], attribute="due_text", widget=SheetTextWidget()
    )
    status = fields.Field(
        column_name=COLUMNS["status"], attribute="status", widget=ChoiceWidget(Milestone.Status)
    )
    progress = fields.Field(
        column_name=COLUMNS["progress"], attribute="progress", widget=PlainIntegerWidget()
    )
    completed_on = fields.Field(
        column_name=COLUMNS["completed_on"], attribute="completed_on", widget=FrenchDateWidget()
    )
    comment = fields.Field(
        column_name=COLUMNS["comment"], attribute="comment", widget=SheetTextWidget()
    )
    # The version the sheet was exported at: a row edited since is refused, not overwritten.
    version = fields.Field(
        column_name=COLUMNS["version"], attribute="version", widget=PlainIntegerWidget()
    )

    class Meta:
        model = Milestone
        fields = tuple(COLUMNS)
        import_id_fields = ("mission", "key")
        skip_unchanged = True
        # The preview lists the rows that change; it counts the others (result.totals).
        report_skipped = False
        use_transactions = True
        # Rows are checked one by one and written together at the end (after_import): no
        # savepoint per row, nothing for the library's own bulk writes to do.
        use_bulk = True

    sheet: Sheet | None = None
    dry_run = True

    def get_diff_class(self) -> type[Diff]:
        # The confirmation shows no preview: it does not compute one.
        return SheetDiff if self.dry_run else NoDiff

    def get_result_class(self) -> type[Result]:
        return SheetResult

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
        # Headers as people write them: "Statut", "avancement (%)", "progress" or "clé".
        aliases = header_aliases()
        dataset.headers = [
            aliases.get(folded(str(h or "")), str(h or "").strip()) for h in dataset.headers or ()
        ]
        self.sheet = Sheet.read(dataset, timezone.localdate())
        self.fields["mission"].widget.sheet = self.sheet
        self.fields["workstream"].widget.sheet = self.sheet

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        assert self.sheet is not None
        errors: dict[str, str] = {}
        mission_key = str(row.get(COLUMNS["mission"]) or "").strip()
        key = str(row.get(COLUMNS["key"]) or "").strip()
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
        # Statuses and kinds as French labels (or English ones, or codes), the default for an
        # empty cell: read here for the rules below, written back as labels for the widgets.
        status_cell = str(row.get(COLUMNS["status"]) or "").strip()
        status_widget = self._choices("status")
        status = status_widget.code(status_cell) if status_cell else Milestone.Status.PLANNED
        if status is None:
            errors["status"] = _("unknown status “%(status)s” (one of: %(choices)s)") % {
                "status": status_cell,
                "choices": ", ".join(status_widget.labels().values()),
            }
        if COLUMNS["kind"] in row:  # an older sheet has no kind: the milestone keeps its own
            kind_cell = str(row.get(COLUMNS["kind"]) or "").strip()
            kind_widget = self._choices("kind")
            stored = self.sheet.milestones.get((mission_key, key))
            kind = (
                kind_widget.code(kind_cell)
                if kind_cell
                else (stored.kind if stored else Milestone.Kind.DELIVERABLE)
            )
            if kind is None:
                errors["kind"] = _("unknown kind “%(kind)s” (one of: %(choices)s)") % {
                    "kind": kind_cell,
                    "choices": ", ".join(kind_widget.labels().values()),
                }
            else:
                row[COLUMNS["kind"]] = kind_widget.render(kind)
        if errors:
            raise ValidationError(errors)
        # The cells as the sheet says them (a row refused for another cell shows them).
        row[COLUMNS["mission"]], row[COLUMNS["key"]] = mission_key, key
        row[COLUMNS["status"]] = status_widget.render(status)
        for name in ("title", "due_text", "comment"):
            row[COLUMNS[name]] = str(row.get(COLUMNS[name]) or "").strip()
        if row.get(COLUMNS["progress"]) in (None, ""):
            row[COLUMNS["progress"]] = 100 if status == Milestone.Status.DONE else 0

    def _choices(self, name: str) -> ChoiceWidget:
        widget = self.fields[name].widget
        assert isinstance(widget, ChoiceWidget)
        return widget

    def import_row(self, row: dict[str, Any], instance_loader: Any, **kwargs: Any) -> Any:
        result = super().import_row(row, instance_loader, **kwargs)
        result.number = kwargs.get("row_number")  # the preview lists some rows: say which
        return result

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
            kind=instance.kind,
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


def header_aliases() -> dict[str, str]:
    """Each column's name, as folded words, from what a person may head it with: the column's
    own name, or its field's name in French or English ("clé", "progress (%)", "due_text")."""
    aliases: dict[str, str] = {}
    for attribute, column in COLUMNS.items():
        verbose = getattr(Milestone._meta.get_field(attribute), "verbose_name", attribute)
        names = [attribute]
        for language in ("en", "fr"):
            with translation.override(language):
                names.append(str(verbose))
        aliases.update({folded(name): column for name in [*names, column]})
    return aliases
