"""The open-data tables of records: the quotes (citations), the assessments with their
revisions, the deadline slips. Same rules as tables.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ..models import (
    Assessed,
    Assessment,
    Citation,
    Involvement,
    Milestone,
    MilestoneSlip,
    Mission,
    MissionLink,
    Precision,
)
from .columns import Column, Table, codes, day, diverges, integer, key, modified, text


class DaysBetween(Func):
    """The first date minus the second, in days: date minus date on PostgreSQL; SQLite stores
    dates as text, where `-` would subtract the years."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra)  # fmt: skip


def _target(kind: str) -> Q:
    return Q(**{f"{kind}__isnull": False})


_TARGET_CODES = [
    ("mission", "la mission elle-même"),
    ("involvement", "le rôle d'un acteur dans la mission"),
    ("workstream", "un chantier"),
    ("milestone", "un jalon"),
    ("link", "un lien entre deux missions"),
]
_FACT_CODES = [
    ("existence", "l'existence de l'objet"),
    ("launch", "le lancement"),
    ("budget", "le budget"),
    ("status", "le statut"),
    ("due", "l'échéance"),
    ("role", "le rôle"),
]


def _citations(today: dt.date) -> QuerySet[Any]:
    return Citation.objects.order_by("pk")


def _citation_target() -> Any:
    return Case(
        *(When(_target(kind), then=Value(kind)) for kind in Citation.TARGETS),
        output_field=CharField(),
    )


CITATIONS = Table(
    name="citations",
    title="Citations des sources",
    description=(
        "Une ligne par citation : un extrait verbatim d'une source (communiqué, rapport, texte "
        "officiel) qui appuie un fait d'une mission, d'un chantier, d'un jalon, du rôle d'un "
        "acteur ou d'un lien entre missions. Les extraits sont courts et attribués : chaque "
        "ligne nomme sa source, son éditeur et son adresse."
    ),
    columns=[
        integer("id_citation", "pk", "Identifiant de la citation.", required=True),
        key("cle_source", "source__key", "de la source"),
        text("titre_source", "source__title", "Titre de la source.", required=True),
        text("editeur_source", "source__publisher", "Éditeur de la source.", required=True),
        Column(
            "url_source",
            "string",
            "Adresse de la source.",
            "source__url",
            format="uri",
        ),
        day(
            "date_publication_source",
            "source__published_on",
            "Date de publication de la source (premier jour si elle n'est connue qu'au mois ou à l'année).",
            required=True,
        ),
        Column(
            "precision_date_publication",
            "string",
            "Finesse de la date de publication.",
            "source__published_precision",
            required=True,
            enum=codes(Precision),
        ),
        text("citation", "quote", "L'extrait, verbatim.", required=True),
        Column(
            "fait",
            "string",
            "Le fait que l'extrait appuie ; vide : l'objet dans son ensemble.",
            "fact",
            enum=_FACT_CODES,
        ),
        Column(
            "objet_type",
            "string",
            "Ce que l'extrait appuie.",
            _citation_target,
            required=True,
            enum=_TARGET_CODES,
        ),
        key(
            "cle_mission",
            Coalesce(
                "mission__key",
                "workstream__mission__key",
                "milestone__mission__key",
                "involvement__mission__key",
                "link__from_mission__key",
            ),
            "de la mission de l'objet (pour un lien : la mission d'où il part)",
        ),
        key(
            "cle_chantier",
            Coalesce("workstream__key", "milestone__workstream__key"),
            "du chantier",
            required=False,
        ),
        key("cle_jalon", "milestone__key", "du jalon", required=False),
        integer("id_jalon", "milestone_id", "Identifiant du jalon."),
        key(
            "cle_acteur",
            "involvement__actor__key",
            "de l'acteur (rôle d'un acteur)",
            required=False,
        ),
        Column(
            "role_acteur",
            "string",
            "Rôle de l'acteur dans la mission.",
            "involvement__role",
            enum=codes(Involvement.Role),
        ),
        Column(
            "type_lien",
            "string",
            "Nature du lien entre les deux missions.",
            "link__kind",
            enum=codes(MissionLink.Kind),
        ),
        key(
            "cle_mission_liee",
            "link__to_mission__key",
            "de la mission où mène le lien",
            required=False,
        ),
        modified(
            "source__updated_at",
            "Date et heure (UTC, ISO 8601) de la dernière modification de la source : les "
            "citations sont importées avec elle et n'ont pas d'horodatage propre.",
        ),
    ],
    primary_key=["id_citation"],
    rows=_citations,
)


def _assessments(today: dt.date) -> QuerySet[Any]:
    newer = Assessment.objects.filter(
        Q(milestone_id=OuterRef("milestone_id")) | Q(mission_id=OuterRef("mission_id"))
    ).filter(
        Q(as_of__gt=OuterRef("as_of"))
        | Q(as_of=OuterRef("as_of"), recorded_at__gt=OuterRef("recorded_at"))
        | Q(as_of=OuterRef("as_of"), recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    return Assessment.objects.annotate(
        declared=Coalesce("milestone__status", "mission__status"),
        current=~Exists(newer),
    ).order_by("pk")


ASSESSMENTS = Table(
    name="evaluations",
    title="Évaluations sur pièces",
    description=(
        "Une ligne par évaluation d'un jalon ou d'une mission, révisions comprises : le statut "
        "constaté par un observateur à une date, à côté du statut que déclarent les "
        "coordinateurs, et sa justification. La plus récente d'un objet est l'évaluation courante."
    ),
    columns=[
        integer("id_evaluation", "pk", "Identifiant de l'évaluation.", required=True),
        Column(
            "objet_type",
            "string",
            "Ce qui est évalué.",
            Case(
                When(milestone__isnull=False, then=Value("milestone")),
                default=Value("mission"),
                output_field=CharField(),
            ),
            required=True,
            enum=[("milestone", "un jalon"), ("mission", "une mission")],
        ),
        key("cle_mission", Coalesce("mission__key", "milestone__mission__key"), "de la mission"),
        key("cle_chantier", "milestone__workstream__key", "du chantier du jalon", required=False),
        key("cle_jalon", "milestone__key", "du jalon évalué", required=False),
        integer("id_jalon", "milestone_id", "Identifiant du jalon évalué."),
        Column(
            "statut_declare",
            "string",
            "Statut que déclarent aujourd'hui les coordinateurs de l'objet évalué.",
            "declared",
            required=True,
            enum=codes(Milestone.Status) + codes(Mission.Status),
        ),
        Column(
            "statut_constate",
            "string",
            "Statut constaté par l'observateur (voir la page Méthodologie).",
            "rating",
            required=True,
            enum=codes(Assessed),
        ),
        day("date_constat", "as_of", "Date à laquelle vaut ce constat.", required=True),
        Column(
            "ecart_constat",
            "boolean",
            "Vrai quand ce constat contredit le statut déclaré aujourd'hui.",
            diverges("declared", "rating"),
            required=True,
        ),
        Column(
            "evaluation_courante",
            "boolean",
            "Vrai pour l'évaluation la plus récente de l'objet (celle que les pages montrent).",
            "current",
            required=True,
        ),
        text("justification", "rationale", "La justification de l'observateur.", required=True),
        key(
            "remplace_par_mission",
            "successor_mission__key",
            "de la mission qui remplace l'objet évalué",
            required=False,
        ),
        integer(
            "remplace_par_jalon",
            "successor_milestone_id",
            "Identifiant du jalon qui remplace l'objet évalué.",
        ),
        text("cle_evaluation", "key", "Clé de l'évaluation dans les documents de l'Observatoire."),
        modified(
            "recorded_at", "Date et heure (UTC, ISO 8601) de l'enregistrement de l'évaluation."
        ),
    ],
    primary_key=["id_evaluation"],
    rows=_assessments,
)


def _slips(today: dt.date) -> QuerySet[Any]:
    return MilestoneSlip.objects.order_by("pk")


SLIPS = Table(
    name="glissements",
    title="Glissements d'échéances",
    description=(
        "Une ligne par report d'une échéance à plus tard : l'échéance d'avant et celle d'après, "
        "telles qu'écrites et lues en fenêtres, et le retard en jours."
    ),
    columns=[
        integer("id_glissement", "pk", "Identifiant du glissement.", required=True),
        integer("id_jalon", "milestone_id", "Identifiant du jalon.", required=True),
        key("cle_mission", "milestone__mission__key", "de la mission"),
        key("cle_chantier", "milestone__workstream__key", "du chantier", required=False),
        key("cle_jalon", "milestone__key", "du jalon"),
        text(
            "echeance_precedente_libelle",
            "old_text",
            "L'échéance d'avant, telle qu'écrite.",
            required=True,
        ),
        day(
            "echeance_precedente_debut",
            "old_start",
            "Premier jour de l'échéance d'avant.",
            required=True,
        ),
        day(
            "echeance_precedente_fin",
            "old_end",
            "Dernier jour de l'échéance d'avant.",
            required=True,
        ),
        text(
            "echeance_nouvelle_libelle",
            "new_text",
            "La nouvelle échéance, telle qu'écrite.",
            required=True,
        ),
        day(
            "echeance_nouvelle_debut",
            "new_start",
            "Premier jour de la nouvelle échéance.",
            required=True,
        ),
        day(
            "echeance_nouvelle_fin",
            "new_end",
            "Dernier jour de la nouvelle échéance.",
            required=True,
        ),
        integer(
            "retard_jours",
            DaysBetween(F("new_end"), F("old_end")),
            "Retard, en jours, entre la fin de l'ancienne fenêtre et celle de la nouvelle.",
            required=True,
        ),
        text(
            "canal",
            "via",
            "Par où le report a été saisi : « edit » (page du jalon), « admin » "
            "(administration), « sheet » (tableur), « import » (documents de l'Observatoire).",
            required=True,
        ),
        modified("recorded_at", "Date et heure (UTC, ISO 8601) de l'enregistrement du report."),
    ],
    primary_key=["id_glissement"],
    rows=_slips,
)
