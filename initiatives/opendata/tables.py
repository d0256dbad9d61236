"""The six open-data tables, as data (the objects here, the records in records.py): one
object per row (tidy), codes for enumerations, stable snake_case French column names. They
publish what the pages show of the data, and no account: no assessor, no author of a change,
no e-mail, no login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, IntegerField, QuerySet
from django.db.models.functions import Cast, Round

from .. import selectors
from ..models import Assessed, Milestone, Mission
from .columns import (
    Column,
    Table,
    codes,
    day,
    diverges,
    integer,
    key,
    modified,
    period,
    text,
    url_column,
)
from .records import ASSESSMENTS, CITATIONS, SLIPS


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
        integer("position", "position", "Rang du chantier dans sa mission.", required=True),
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
    return selectors.with_current_health(Milestone.objects.all(), today).order_by("pk")


MILESTONES = Table(
    name="jalons",
    title="Jalons et échéances",
    description=(
        "Une ligne par jalon : une promesse datée d'une mission ou d'un de ses chantiers, son "
        "échéance telle que la source l'écrit et la fenêtre qu'elle désigne, son statut déclaré, "
        "sa santé au jour du téléchargement et son statut constaté."
    ),
    columns=[
        integer("id_jalon", "pk", "Identifiant du jalon (celui de son adresse).", required=True),
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
        integer("avancement", "progress", "Avancement déclaré (%).", required=True),
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


TABLES: dict[str, Table] = {
    t.name: t for t in (MISSIONS, WORKSTREAMS, MILESTONES, CITATIONS, ASSESSMENTS, SLIPS)
}
