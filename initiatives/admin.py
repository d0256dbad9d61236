from typing import Any, ClassVar

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import services

from .import_admin import ImportDraftAdmin
from .sheet_admin import MilestoneSheetAdmin
from .forms import CitationAdminForm, MilestoneAdminForm, MissionAdminForm
from .models import (
    Actor,
    Assessment,
    Evidence,
    Forecast,
    Citation,
    DeadlineAlert,
    DigestDelivery,
    HistoryEntry,
    ImportDraft,
    Involvement,
    Label,
    Milestone,
    MilestoneSlip,
    Mission,
    ProConnectIdentity,
    Source,
    Workstream,
)

PERIOD_READONLY = ("start", "end", "precision", "reference")

admin.site.site_header = _("Digital Sovereignty Observatory — administration")
admin.site.site_title = _("Digital Sovereignty Observatory")
admin.site.index_title = _("Data administration")


class CitationInline(admin.TabularInline):
    model = Citation
    form = CitationAdminForm
    extra = 0
    fields = ("source", "fact", "quote", "start_offset", "end_offset")
    readonly_fields = ("start_offset", "end_offset")
    autocomplete_fields = ("source",)


class MissionCitationInline(CitationInline):
    fk_name = "mission"


class WorkstreamCitationInline(CitationInline):
    fk_name = "workstream"


class MilestoneCitationInline(CitationInline):
    fk_name = "milestone"


class InvolvementCitationInline(CitationInline):
    fk_name = "involvement"


class SourceCitationInline(admin.TabularInline):
    model = Citation
    fk_name = "source"
    extra = 0
    fields = ("quote", "fact", "mission", "involvement", "workstream", "milestone", "link")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "published_on", "published_precision", "published_basis")
    list_filter = ("published_basis", "published_precision", "publisher")
    search_fields = ("key", "title", "publisher", "text")
    readonly_fields = ("text_sha256", "created_at", "updated_at")
    date_hierarchy = "published_on"
    inlines = [SourceCitationInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Quotes point into the text by offset: once a source is cited, its text changes only
        # through the importer, which checks every quote against the new text.
        return (*self.readonly_fields, "text") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        obj.text_sha256 = Source.sha256_of(obj.text)
        super().save_model(request, obj, form, change)


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "affiliation")
    list_filter = ("kind",)
    search_fields = ("key", "name", "description")
    autocomplete_fields = ("affiliation",)
    prepopulated_fields = {"key": ("name",)}


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("key", "name", "description")
    prepopulated_fields = {"key": ("name",)}


class InvolvementInline(admin.TabularInline):
    model = Involvement
    extra = 0
    fields = ("actor", "role", "capacity")
    autocomplete_fields = ("actor",)
    show_change_link = True


class WorkstreamInline(admin.TabularInline):
    model = Workstream
    extra = 0
    fields = ("position", "key", "title", "lead")
    autocomplete_fields = ("lead",)
    show_change_link = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneAdminForm
    extra = 0
    fields: ClassVar[tuple[str, ...]] = (
        "key",
        "title",
        "kind",
        "workstream",
        "due_text",
        "due_start",
        "due_end",
        "status",
        "progress",
        "completed_on",
        "base_version",
    )
    readonly_fields = ("due_start", "due_end")
    show_change_link = True


class MissionMilestoneInline(MilestoneInline):
    fk_name = "mission"
    verbose_name_plural = _("milestones (all, by due date)")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        request._milestones_of_mission = obj  # type: ignore[attr-defined]
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "workstream":
            # Only this mission's workstreams: a milestone cannot hang on another mission's.
            mission = getattr(request, "_milestones_of_mission", None)
            kwargs["queryset"] = Workstream.objects.filter(mission=mission)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WorkstreamMilestoneFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        # Django's own (private) hook, which the stubs leave out.
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        # Before validation, so the key is checked against the mission's other milestones.
        form.instance.mission_id = self.instance.mission_id
        return form


class WorkstreamMilestoneInline(MilestoneInline):
    fk_name = "workstream"
    formset = WorkstreamMilestoneFormSet
    fields = tuple(f for f in MilestoneInline.fields if f != "workstream")


class SavesMilestonesAdmin(admin.ModelAdmin):
    """Milestones edited inline get the same care as on their own page (version, health)."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Milestone:
            formset.save()
            return
        parent = form.instance
        _save_milestone_formset(
            request,
            formset,
            mission_id=parent.pk if isinstance(parent, Mission) else parent.mission_id,
            workstream_id=None if isinstance(parent, Mission) else parent.pk,
        )


@admin.register(Mission)
class MissionAdmin(SavesMilestonesAdmin):
    form = MissionAdminForm
    list_display = ("title", "status", "launch_text", "launch_start", "budget_text")
    list_filter = ("status", "labels", "launch_precision", "sources")
    search_fields = ("key", "title", "summary")
    filter_horizontal = ("labels", "sources")
    readonly_fields = tuple(f"launch_{f}" for f in PERIOD_READONLY) + ("created_at", "updated_at")
    fieldsets = (
        (
            None,
            {"fields": ("key", "title", "summary", "status", "labels", "sources", "rhythm_days")},
        ),
        (_("Launch"), {"fields": ("launch_text", *(f"launch_{f}" for f in PERIOD_READONLY))}),
        (_("Budget"), {"fields": ("budget_eur", "budget_qualifier", "budget_text")}),
        (_("Provenance"), {"fields": ("editorial", "created_at", "updated_at")}),
    )
    inlines = [InvolvementInline, WorkstreamInline, MissionMilestoneInline, MissionCitationInline]


@admin.register(Involvement)
class InvolvementAdmin(admin.ModelAdmin):
    list_display = ("actor", "role", "mission", "capacity")
    list_filter = ("role", "mission")
    search_fields = ("actor__name", "mission__title", "capacity")
    autocomplete_fields = ("actor", "mission")
    inlines = [InvolvementCitationInline]


@admin.register(Workstream)
class WorkstreamAdmin(SavesMilestonesAdmin):
    list_display = ("title", "mission", "position", "lead")
    list_filter = ("mission",)
    list_select_related = ("mission", "lead")
    search_fields = ("key", "title", "summary", "mission__title")
    autocomplete_fields = ("mission", "lead")
    filter_horizontal = ("coordinators",)
    inlines = [WorkstreamMilestoneInline, WorkstreamCitationInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a workstream to another mission would strand its milestones on the old one.
        return ("mission",) if obj else ()


@admin.register(Milestone)
class MilestoneAdmin(MilestoneSheetAdmin, admin.ModelAdmin):
    form = MilestoneAdminForm
    list_display = (
        "title",
        "mission",
        "workstream",
        "due_text",
        "due_end",
        "due_precision",
        "status",
        "health",
        "progress",
    )
    list_filter = ("health", "kind", "status", "assessed_status", "due_precision", "mission")
    list_select_related = ("mission", "workstream")
    search_fields = ("key", "title", "due_text", "comment", "mission__title", "workstream__title")
    autocomplete_fields = ("mission", "workstream")
    date_hierarchy = "due_end"
    readonly_fields = tuple(f"due_{f}" for f in PERIOD_READONLY) + (
        "health",
        "news_on",
        "version",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("mission", "workstream", "key", "title", "kind", "base_version")}),
        (_("Due"), {"fields": ("due_text", *(f"due_{f}" for f in PERIOD_READONLY))}),
        (
            _("Progress"),
            {
                "fields": (
                    "status",
                    "progress",
                    "completed_on",
                    "comment",
                    "health",
                    "news_on",
                    "version",
                )
            },
        ),
        (_("Provenance"), {"fields": ("editorial", "created_at", "updated_at")}),
    )
    inlines = [MilestoneCitationInline]

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        # Through the one writer (rules, compare-and-swap, slips, health, alerts), not save().
        _write_milestone_forms(request, [form])


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    form = CitationAdminForm
    list_display = ("excerpt", "source", "fact", "target")
    list_filter = ("source", "fact")
    list_select_related = ("source", "mission", "involvement__actor", "workstream", "milestone")
    search_fields = ("quote",)
    autocomplete_fields = ("source", "mission", "workstream", "milestone", "involvement")
    readonly_fields = ("start_offset", "end_offset")

    @admin.display(description=_("quote"))
    def excerpt(self, obj: Citation) -> str:
        return format_html("« {} »", Truncator(obj.quote).chars(90))

    @admin.display(description=_("supports"))
    def target(self, obj: Citation) -> str:
        return str(obj.mission or obj.involvement or obj.workstream or obj.milestone)


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(admin.ModelAdmin):
    list_display = (
        "milestone",
        "kind",
        "due_text",
        "deadline",
        "created_at",
        "notified_at",
        "resolution",
    )
    list_filter = ("kind", "resolution", "notified_at", "resolved_at")
    list_select_related = ("milestone",)
    search_fields = ("milestone__title",)
    readonly_fields = (
        "milestone",
        "kind",
        "due_text",
        "deadline",
        "created_at",
        "notified_at",
        "resolved_at",
        "resolution",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Alerts are facts recorded by the sweep, never typed in.
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """Which daily digests went out: read-only, sent by the worker."""

    list_display = ("day", "user", "overdue", "due_soon", "sent_at")
    list_filter = ("day",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "day", "overdue", "due_soon", "sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyRecord(admin.ModelAdmin):
    """A record (the history, assessments, weather): read here, never typed in or changed,
    since the pages show, copy and count what it says."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyRecord):
    """What the triggers recorded: read-only, as a record must be."""

    list_display = ("at", "table_name", "row_id", "action", "actor", "via")
    list_filter = ("table_name", "action", "via")
    list_select_related = ("actor",)
    search_fields = ("=row_id",)
    date_hierarchy = "at"


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("source", "quote", "primary")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyRecord):
    list_display = ("__str__", "milestone", "mission", "assessor", "recorded_at")
    list_filter = ("rating",)
    list_select_related = ("milestone", "mission", "assessor")
    search_fields = ("rationale", "milestone__title", "mission__title")
    inlines = [EvidenceInline]


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyRecord):
    list_display = ("workstream", "level", "stated_on", "author")
    list_filter = ("level",)
    list_select_related = ("workstream", "author")


@admin.register(MilestoneSlip)
class MilestoneSlipAdmin(admin.ModelAdmin):
    list_display = ("milestone", "old_text", "new_text", "recorded_at", "recorded_by", "via")
    list_filter = ("via",)
    list_select_related = ("milestone", "recorded_by")
    readonly_fields = [f.name for f in MilestoneSlip._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded by services.write_milestones


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "uid", "siret", "updated_at")
    search_fields = ("user__email", "uid", "siret")
    readonly_fields = ("user", "uid", "siret", "updated_at")


def _write_milestone_forms(
    request: HttpRequest,
    forms: list[Any],
    *,
    mission_id: int | None = None,
    workstream_id: int | None = None,
) -> None:
    """Write what the admin's milestone forms checked (MilestoneAdminForm.clean), through the
    one writer, then point each form's instance at the saved row."""
    edits = [form.checked for form in forms if form.checked is not None]
    for form in forms:
        edit = form.checked
        if edit is None or edit.milestone.pk is not None:
            continue
        # A parent added with its milestones was saved after they were checked: its id now.
        if mission_id is not None:
            edit.values["mission_id"] = mission_id
        if workstream_id is not None:  # the workstream page's inline: its own milestones
            edit.values["workstream_id"] = workstream_id
    services.write_milestones(request.user, edits, via="admin")
    for form in forms:
        if form.checked is not None:
            form.instance.pk = form.checked.milestone.pk
            form.instance.refresh_from_db()


def _save_milestone_formset(
    request: HttpRequest, formset: Any, *, mission_id: int, workstream_id: int | None
) -> None:
    """The inline milestones of a mission or workstream page, through the one writer; what
    the admin's history message reads of a saved formset is set as formset.save() would."""
    deleted = [form.instance for form in formset.deleted_forms if form.instance.pk]
    services.delete_milestones(request.user, [obj.pk for obj in deleted], via="admin")
    changed = [
        form
        for form in formset.forms
        if form.has_changed() and form not in formset.deleted_forms and form.checked is not None
    ]
    new = [form for form in changed if form.instance.pk is None]
    _write_milestone_forms(request, changed, mission_id=mission_id, workstream_id=workstream_id)
    formset.new_objects = [form.instance for form in new]
    formset.changed_objects = [
        (form.instance, form.changed_data) for form in changed if form not in new
    ]
    formset.deleted_objects = deleted


# The import page (upload, extraction, preview, apply) lives in its own module.
admin.site.register(ImportDraft, ImportDraftAdmin)
