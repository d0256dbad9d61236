"""The six open-data tables, as data: one object per row (tidy), codes for enumerations,
stable snake_case French column names. What they publish is what the pages show: no e-mail,
no login name (an assessor is named by the name the pages show, never by the login, which
may be an e-mail address), nothing of the accounts."""

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
from django.db.models.functions import Cast, Coalesce, Concat, Round, Trim

from .. import selectors
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
from .columns import (
    Column,
    Table,
    codes,
    day,
    diverges,
    key,
    modified,
    period,
    text,
    url_column,
)


def _integer(name: str, source: Any, description: str, *, required: bool = False) -> Column:
    return Column(name, "integer", description, source, required=required)


def _percent(source: Any, description: str) -> Column:
    return Column(
        "avancement",
        "integer",
        description,
        Cast(Round(source), IntegerField()),
        required=False,
    )


_ASSESSED = Column(
    "statut_constate",
    "string",
    "Statut constaté par un observateur sur pièces (voir la page Méthodologie).",
    "assessed_status",
    required=True,
    enum=codes(Assessed),
)
_ASSESSED_ON = day("date_constat", "assessed_on", "Date à laquelle vaut le statut constaté.")
_DIVERGES = Column(
    "ecart_constat",
    "boolean",
    "Vrai quand le statut déclaré et le statut constaté se contredisent.",
    diverges("status", "assessed_status"),
    required=True,
)


def _missions(today: dt.date) -> QuerySet[Any]:
    return selectors.missions_with_progress().order_by("key")


MISSIONS = Table(
    name="missions",
    title="Missions de l'État pour la souveraineté numérique",
    description=(
        "Une ligne par mission (plan, stratégie, programme) : son statut déclaré, sa date de "
        "lancement telle que les sources l'écrivent, son budget, son avancement et le statut "
        "constaté sur pièces."
    ),
    columns=[
        key("cle_mission", "key", "de la mission"),
        text("titre", "title", "Intitulé de la mission.", required=True),
        text("resume", "summary", "Résumé de la mission."),
        Column(
            "statut",
            "string",
            "Statut déclaré de la mission.",
            "status",
            required=True,
            enum=codes(Mission.Status),
        ),
        *period("lancement", "launch", "Date de lancement"),
        Column("budget_eur", "number", "Budget annoncé, en euros.", "budget_eur"),
        Column(
            "budget_qualificatif",
            "string",
            "Comment la source qualifie ce montant.",
            "budget_qualifier",
            enum=codes(Mission.BudgetQualifier),
        ),
        text("budget_libelle", "budget_text", "Le budget tel que la source l'écrit."),
        _percent(
            F("progress"),
            "Avancement (%, arrondi) : moyenne de celui de ses chantiers qui ont des livrables "
            "datés. Vide si rien à mesurer.",
        ),
        _ASSESSED,
        _ASSESSED_ON,
        _DIVERGES,
        url_column("url", "de la mission", "initiatives:mission", key="key"),
        modified("updated_at"),
    ],
    primary_key=["cle_mission"],
    rows=_missions,
)


def _workstreams(today: dt.date) -> QuerySet[Any]:
    return selectors.workstreams_with_progress().order_by("mission__key", "position")


WORKSTREAMS = Table(
    name="chantiers",
    title="Chantiers des missions",
    description="Une ligne par chantier (axe, pilier) d'une mission, avec son pilote et son avancement.",
    columns=[
        key("cle_mission", "mission__key", "de la mission"),
        key("cle_chantier", "key", "du chantier (unique dans sa mission)"),
        _integer("position", "position", "Rang du chantier dans sa mission.", required=True),
        text("titre", "title", "Intitulé du chantier.", required=True),
        text("resume", "summary", "Résumé du chantier."),
        key("cle_pilote", "lead__key", "de l'acteur qui pilote le chantier", required=False),
        text("nom_pilote", "lead__name", "Nom de l'acteur qui pilote le chantier."),
        _percent(
            F("progress"),
            "Avancement (%, arrondi) : moyenne de ses livrables datés non annulés (100 pour un "
            "livrable réalisé). Vide si rien à mesurer.",
        ),
        url_column(
            "url", "du chantier", "initiatives:workstream", mission_key="mission__key", key="key"
        ),
        modified("updated_at"),
    ],
    primary_key=["cle_mission", "cle_chantier"],
    rows=_workstreams,
)


def _milestones(today: dt.date) -> QuerySet[Any]:
    return Milestone.objects.annotate(current_health=selectors.health_expression(today)).order_by(
        "pk"
    )


MILESTONES = Table(
    name="jalons",
    title="Jalons et échéances",
    description=(
        "Une ligne par jalon : une promesse datée d'une mission ou d'un de ses chantiers, son "
        "échéance telle que la source l'écrit et la fenêtre qu'elle désigne, son statut déclaré, "
        "sa santé au jour du téléchargement et son statut constaté."
    ),
    columns=[
        _integer("id_jalon", "pk", "Identifiant du jalon (celui de son adresse).", required=True),
        key("cle_mission", "mission__key", "de la mission"),
        key(
            "cle_chantier",
            "workstream__key",
            "du chantier",
            required=False,
            note=" Vide pour un jalon de la mission dans son ensemble.",
        ),
        key("cle_jalon", "key", "du jalon (unique dans sa mission)"),
        text("titre", "title", "Intitulé du jalon.", required=True),
        Column(
            "nature",
            "string",
            "Un livrable compte dans l'avancement, un événement non.",
            "kind",
            required=True,
            enum=codes(Milestone.Kind),
        ),
        Column(
            "statut",
            "string",
            "Statut déclaré par les coordinateurs.",
            "status",
            required=True,
            enum=codes(Milestone.Status),
        ),
        _integer("avancement", "progress", "Avancement déclaré (%).", required=True),
        Column(
            "sante",
            "string",
            "Santé du jalon au jour du téléchargement (voir la page Méthodologie).",
            "current_health",
            required=True,
            enum=codes(Milestone.Health),
        ),
        *period("echeance", "due", "Échéance"),
        day("date_achevement", "completed_on", "Date à laquelle le jalon a été réalisé."),
        text("commentaire", "comment", "Commentaire des coordinateurs."),
        _ASSESSED,
        _ASSESSED_ON,
        _DIVERGES,
        url_column("url", "du jalon", "initiatives:milestone", pk="pk"),
        modified("updated_at"),
    ],
    primary_key=["id_jalon"],
    rows=_milestones,
)


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
        _integer("id_citation", "pk", "Identifiant de la citation.", required=True),
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
        _integer("id_jalon", "milestone_id", "Identifiant du jalon."),
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
        _integer("id_evaluation", "pk", "Identifiant de l'évaluation.", required=True),
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
        _integer("id_jalon", "milestone_id", "Identifiant du jalon évalué."),
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
        text(
            "evaluateur",
            Trim(Concat("assessor__first_name", Value(" "), "assessor__last_name")),
            "Nom de l'observateur, tel que les pages le montrent. Vide pour une évaluation issue "
            "des documents de l'Observatoire ou d'un compte sans nom (l'identifiant de "
            "connexion n'est jamais publié).",
        ),
        key(
            "remplace_par_mission",
            "successor_mission__key",
            "de la mission qui remplace l'objet évalué",
            required=False,
        ),
        _integer(
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
        _integer("id_glissement", "pk", "Identifiant du glissement.", required=True),
        _integer("id_jalon", "milestone_id", "Identifiant du jalon.", required=True),
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
        _integer(
            "retard_jours",
            Func(
                F("new_end"),
                F("old_end"),
                arg_joiner=" - ",
                template="(%(expressions)s)",
                output_field=IntegerField(),
            ),
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

TABLES: dict[str, Table] = {
    t.name: t for t in (MISSIONS, WORKSTREAMS, MILESTONES, CITATIONS, ASSESSMENTS, SLIPS)
}
