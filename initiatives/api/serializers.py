"""What the API says of each object. Codes, not labels, for every enumeration (the OpenAPI
document lists each code with its meaning); dates in ISO 8601; every fact with the quotes
that support it; each object with the address of its page.

People are not published: not who assessed, edited or moved a deadline (the pages show
that to readers of the site; reusers get what was done and through what, not by whom)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from .. import models as m
from ..http import route_pieces
from ..models import Precision
from ..selectors.history import SHOWN

SOURCE_FIELDS = ("key", "title", "publisher", "url", "published_on")


def page_url(name: str, **arguments: Any) -> str:
    """A page's absolute address (http.route_pieces: reversed once per kind and process)."""
    pieces = route_pieces(f"initiatives:{name}", tuple(arguments))
    filled = "".join(p + str(v) for p, v in zip(pieces, arguments.values(), strict=False))
    return settings.SITE_URL + filled + pieces[-1]


class PeriodField(serializers.Field):
    """A date as its text gives it: the words verbatim, the window they stand for, its
    precision, and the day the words were read against (« fin 2025 », read on 17 May 2021)."""

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.update(source="*", read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, obj: Any) -> dict[str, Any] | None:
        start = getattr(obj, f"{self.prefix}_start")
        if start is None:
            return None
        reference = getattr(obj, f"{self.prefix}_reference")
        return {
            "text": getattr(obj, f"{self.prefix}_text"),
            "start": start.isoformat(),
            "end": getattr(obj, f"{self.prefix}_end").isoformat(),
            "precision": getattr(obj, f"{self.prefix}_precision"),
            "reference": reference.isoformat() if reference else None,
        }


PeriodSchema = inline_serializer(
    "Period",
    {
        "text": serializers.CharField(help_text="Les mots du texte, tels quels (« fin 2025 »)."),
        "start": serializers.DateField(help_text="Premier jour de la fenêtre."),
        "end": serializers.DateField(help_text="Dernier jour de la fenêtre."),
        "precision": serializers.ChoiceField(choices=Precision.choices),
        "reference": serializers.DateField(
            allow_null=True, help_text="Le jour par rapport auquel les mots ont été lus."
        ),
    },
)
PeriodField = extend_schema_field(PeriodSchema)(PeriodField)  # type: ignore[misc]


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Source
        fields = SOURCE_FIELDS


class QuoteSerializer(serializers.ModelSerializer):
    """A verbatim quote of a source supporting one fact (`fact` empty: the object itself)."""

    source = SourceBriefSerializer()

    class Meta:
        model = m.Citation
        fields: tuple[str, ...] = ("id", "fact", "quote", "source")


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Label
        fields = ("key", "name", "kind", "description")


class ActorSerializer(serializers.ModelSerializer):
    affiliation = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = m.Actor
        fields = ("key", "name", "kind", "affiliation", "description")


class SourceSerializer(serializers.ModelSerializer):
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.Source
        fields: tuple[str, ...] = (
            *SOURCE_FIELDS,
            *("published_precision", "published_basis", "published_note", "text_sha256"),
            *("page", "updated_at"),
        )

    def get_page(self, obj: m.Source) -> str:
        return page_url("source", key=obj.key)


class InvolvementSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="key", read_only=True)
    citations = QuoteSerializer(many=True)

    class Meta:
        model = m.Involvement
        fields = ("actor", "role", "capacity", "citations")


class MissionSerializer(serializers.ModelSerializer):
    launch = PeriodField("launch")
    labels = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    actors = InvolvementSerializer(source="involvements", many=True)
    progress = serializers.FloatField(
        allow_null=True, help_text="Avancement des livrables datés, en pour cent."
    )
    citations = QuoteSerializer(many=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.Mission
        fields = (
            *("id", "key", "title", "summary", "status", "assessed_status", "assessed_on"),
            *("launch", "budget_eur", "budget_qualifier", "budget_text", "progress"),
            *("labels", "actors", "citations", "page", "updated_at"),
        )

    def get_page(self, obj: m.Mission) -> str:
        return page_url("mission", key=obj.key)


class WorkstreamSerializer(serializers.ModelSerializer):
    mission = serializers.SlugRelatedField(slug_field="key", read_only=True)
    lead = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    citations = QuoteSerializer(many=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.Workstream
        fields = (
            *("id", "key", "mission", "position", "title", "summary", "lead", "progress"),
            *("citations", "page", "updated_at"),
        )

    def get_page(self, obj: m.Workstream) -> str:
        return page_url("workstream", mission_key=obj.mission.key, key=obj.key)


class MilestoneSerializer(serializers.ModelSerializer):
    mission = serializers.SlugRelatedField(slug_field="key", read_only=True)
    workstream = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    due = PeriodField("due")
    health = serializers.ChoiceField(
        source="current_health",
        choices=m.Milestone.Health.choices,
        help_text="La santé du jalon aujourd'hui, d'après son statut, sa fenêtre et ses nouvelles.",
    )
    citations = QuoteSerializer(many=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.Milestone
        fields = (
            *("id", "key", "mission", "workstream", "title", "kind", "due", "health"),
            *("status", "assessed_status", "assessed_on", "progress", "completed_on"),
            *("comment", "citations", "page", "updated_at"),
        )

    def get_page(self, obj: m.Milestone) -> str:
        return page_url("milestone", pk=obj.pk)


class CitationSerializer(QuoteSerializer):
    """A quote with what it supports: the kind of object, its mission, and its own key."""

    supports = serializers.SerializerMethodField()

    class Meta(QuoteSerializer.Meta):
        fields = (*QuoteSerializer.Meta.fields, "start_offset", "end_offset", "supports")

    @extend_schema_field(
        inline_serializer(
            "Supported",
            {
                "type": serializers.ChoiceField(choices=[(t, t) for t in m.Citation.TARGETS]),
                "id": serializers.IntegerField(),
                "mission": serializers.CharField(),
                "key": serializers.CharField(allow_null=True),
            },
        )
    )
    def get_supports(self, obj: m.Citation) -> dict[str, Any]:
        for kind in m.Citation.TARGETS:
            target = getattr(obj, kind)
            if target is not None:
                break
        mission = {
            "mission": target,
            "link": getattr(target, "from_mission", None),
        }.get(kind) or target.mission
        key = {
            "mission": None,
            "link": getattr(getattr(target, "to_mission", None), "key", None),
            "involvement": getattr(getattr(target, "actor", None), "key", None),
        }.get(kind, getattr(target, "key", None))
        return {"type": kind, "id": target.pk, "mission": mission.key, "key": key}


class EvidenceSerializer(serializers.ModelSerializer):
    source = SourceBriefSerializer()

    class Meta:
        model = m.Evidence
        fields = ("quote", "primary", "source")


class AssessmentSerializer(serializers.ModelSerializer):
    """An observer's assessed status, beside the status the coordinators declare."""

    mission = serializers.SerializerMethodField()
    milestone = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    declared_status = serializers.SerializerMethodField()
    assessed_status = serializers.ChoiceField(source="rating", choices=m.Assessed.choices)
    evidence = EvidenceSerializer(many=True)
    successor_milestone = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    successor_mission = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )

    class Meta:
        model = m.Assessment
        fields = (
            *("id", "mission", "milestone", "declared_status", "assessed_status", "as_of"),
            *("rationale", "evidence", "successor_milestone", "successor_mission"),
            "recorded_at",
        )

    def get_mission(self, obj: m.Assessment) -> str:
        target = obj.milestone or obj.mission
        assert target is not None  # a check constraint: one of the two
        return target.mission.key if isinstance(target, m.Milestone) else target.key

    @extend_schema_field(
        serializers.ChoiceField(
            choices=sorted({*m.Mission.Status.choices, *m.Milestone.Status.choices}),
            help_text="Le statut déclaré aujourd'hui de la mission ou du jalon évalué.",
        )
    )
    def get_declared_status(self, obj: m.Assessment) -> str:
        target = obj.milestone or obj.mission
        assert target is not None
        return target.status


class LinkSerializer(serializers.ModelSerializer):
    mission = serializers.SlugRelatedField(source="from_mission", slug_field="key", read_only=True)
    linked_mission = serializers.SlugRelatedField(
        source="to_mission", slug_field="key", read_only=True
    )
    citations = QuoteSerializer(many=True)

    class Meta:
        model = m.MissionLink
        fields = ("id", "mission", "kind", "linked_mission", "citations")


_SlipWindow = inline_serializer(
    "SlipWindow",
    {
        "text": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
    },  # fmt: skip
)


class SlipSerializer(serializers.ModelSerializer):
    """A deadline moved later: the words and window before and after."""

    mission = serializers.CharField(source="milestone.mission.key")
    milestone = serializers.PrimaryKeyRelatedField(read_only=True)
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()

    class Meta:
        model = m.MilestoneSlip
        fields = ("id", "mission", "milestone", "before", "after", "via", "recorded_at")

    def _side(self, obj: m.MilestoneSlip, side: str) -> dict[str, str]:
        return {
            "text": getattr(obj, f"{side}_text"),
            "start": getattr(obj, f"{side}_start").isoformat(),
            "end": getattr(obj, f"{side}_end").isoformat(),
        }

    @extend_schema_field(_SlipWindow)
    def get_before(self, obj: m.MilestoneSlip) -> dict[str, str]:
        return self._side(obj, "old")

    @extend_schema_field(_SlipWindow)
    def get_after(self, obj: m.MilestoneSlip) -> dict[str, str]:
        return self._side(obj, "new")


# What a history entry is about, by table.
HISTORY_KINDS = {
    m.Mission._meta.db_table: "mission",
    m.Workstream._meta.db_table: "workstream",
    m.Milestone._meta.db_table: "milestone",
}


class HistorySerializer(serializers.ModelSerializer):
    """One committed write: what was written, when, through what; only the columns a reader
    follows (the pages' history shows the same), each with its value before and after."""

    type = serializers.SerializerMethodField()
    object_id = serializers.IntegerField(source="row_id")
    title = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = m.HistoryEntry
        fields = ("id", "at", "action", "type", "object_id", "title", "via", "changes")

    @extend_schema_field(serializers.ChoiceField(choices=[(k, k) for k in HISTORY_KINDS.values()]))
    def get_type(self, obj: m.HistoryEntry) -> str:
        return HISTORY_KINDS[obj.table_name]

    def get_title(self, obj: m.HistoryEntry) -> str:
        return str((obj.new or {}).get("title", ""))  # a deletion: which object, not what

    @extend_schema_field(
        {
            "type": "object",
            "description": "Par colonne changée : sa valeur avant et après (null : aucune).",
            "additionalProperties": {
                "type": "object",
                "properties": {"old": {}, "new": {}},
                "required": ["old", "new"],
            },
        }
    )
    def get_changes(self, obj: m.HistoryEntry) -> dict[str, dict[str, Any]]:
        if obj.action == m.HistoryEntry.Action.DELETE:
            return {}  # what was deleted from the site is not published again here
        old, new = obj.old or {}, obj.new or {}
        return {
            column: {"old": old.get(column), "new": new.get(column)}
            for column in SHOWN[obj.table_name]
            if old.get(column) != new.get(column)
        }
