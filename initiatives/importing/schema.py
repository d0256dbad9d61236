"""The document schema: structure and types, as pydantic models (cross-references are
checked afterwards, by the validator). The format is described in fixtures/README.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ..models import (
    KEY_PATTERN,
    Actor,
    Assessed,
    DateBasis,
    Involvement,
    Label,
    Milestone,
    Mission,
    MissionLink,
    Source,
    Workstream,
)

FORMAT = "observatoire/1"


Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LaxDate = Annotated[dt.date, Field(strict=False)]  # "2020-08-05" in the document


def _sized(model: type[Any], name: str, *, required: bool = True) -> StringConstraints:
    """The constraints of a text as long as the model's column allows: PostgreSQL would refuse
    more. Used as `Annotated[str, _sized(...)]`, which mypy reads as `str`."""
    size = model._meta.get_field(name).max_length
    return StringConstraints(strip_whitespace=True, min_length=int(required), max_length=size)


def _one_of(choices: type[Any]) -> Any:
    # The document accepts exactly the model's choices: one list to keep, not two.
    return Literal[tuple(choices.values)]


# A Literal built from the model's choices is beyond a static checker, which sees the text.
if TYPE_CHECKING:
    DateBasisChoice: TypeAlias = str
    ActorKindChoice: TypeAlias = str
    LabelKindChoice: TypeAlias = str
    AssessedChoice: TypeAlias = str
    MilestoneKindChoice: TypeAlias = str
    MilestoneStatusChoice: TypeAlias = str
    RoleChoice: TypeAlias = str
    BudgetQualifierChoice: TypeAlias = str
    MissionStatusChoice: TypeAlias = str
    LinkKindChoice: TypeAlias = str
else:
    DateBasisChoice = _one_of(DateBasis)
    ActorKindChoice = _one_of(Actor.Kind)
    LabelKindChoice = _one_of(Label.Kind)
    AssessedChoice = _one_of(Assessed)
    MilestoneKindChoice = _one_of(Milestone.Kind)
    MilestoneStatusChoice = _one_of(Milestone.Status)
    RoleChoice = _one_of(Involvement.Role)
    BudgetQualifierChoice = _one_of(Mission.BudgetQualifier)
    MissionStatusChoice = _one_of(Mission.Status)
    LinkKindChoice = _one_of(MissionLink.Kind)


def _period_shorthand(value: Any) -> Any:
    # `due: "à l'automne"` is the common case; the mapping form adds a reference or a tense.
    return {"text": value} if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CitationDoc(_Strict):
    source: Key
    quote: Text
    fact: Key | None = None


class PeriodDoc(_Strict):
    text: Annotated[str, _sized(Milestone, "due_text")]
    reference: LaxDate | None = None
    tense: Literal["future", "past"] = "future"


PeriodField = Annotated[PeriodDoc, BeforeValidator(_period_shorthand)]


class PublishedDoc(_Strict):
    date: LaxDate
    precision: Literal["day", "month", "year"]
    basis: DateBasisChoice
    quote: OptionalText = ""
    note: OptionalText = ""


class SourceDoc(_Strict):
    key: Key
    title: Annotated[str, _sized(Source, "title")]
    publisher: Annotated[str, _sized(Source, "publisher")]
    url: Annotated[str, StringConstraints(pattern=r"^(https?://\S+)?$", max_length=500)] = ""
    text_file: Text
    published: PublishedDoc


class ActorDoc(_Strict):
    key: Key
    name: Annotated[str, _sized(Actor, "name")]
    kind: ActorKindChoice
    affiliation: Key | None = None
    description: OptionalText = ""


class LabelDoc(_Strict):
    key: Key
    name: Annotated[str, _sized(Label, "name")]
    kind: LabelKindChoice
    description: OptionalText = ""


Editorial = dict[Key, Text]


def _true_or_false(value: Any) -> Any:
    # The loader reads true/false as text (no YAML booleans, see _Loader): the words, here.
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return value


Flag = Annotated[bool, BeforeValidator(_true_or_false)]


class EvidenceDoc(_Strict):
    source: Key
    quote: Text
    primary: Flag = True


class AssessmentDoc(_Strict):
    """An evidence-based rating ("statut constaté") of a milestone or a mission, named by a
    key within what it assesses; recorded through services.record_assessment."""

    key: Key
    rating: AssessedChoice
    as_of: LaxDate
    rationale: Text
    evidence: list[EvidenceDoc] = []
    successor: Key | None = None  # a milestone of the same mission, or for a mission a mission


class MilestoneDoc(_Strict):
    key: Key
    title: Annotated[str, _sized(Milestone, "title")]
    due: PeriodField | None = None
    kind: MilestoneKindChoice = "deliverable"
    status: MilestoneStatusChoice = "planned"
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    completed_on: LaxDate | None = None
    comment: OptionalText = ""
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    assessments: list[AssessmentDoc] = []


class WorkstreamDoc(_Strict):
    key: Key
    title: Annotated[str, _sized(Workstream, "title")]
    summary: OptionalText = ""
    lead: Key | None = None
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    milestones: list[MilestoneDoc] = []


class InvolvementDoc(_Strict):
    actor: Key
    role: RoleChoice
    capacity: Annotated[str, _sized(Involvement, "capacity", required=False)] = ""
    citations: list[CitationDoc] = []
    editorial: Editorial = {}


class LinkDoc(_Strict):
    """This mission <kind> another (`to`, a mission of these documents or of the database):
    « remplace », « prolonge »…, supported like any fact by a quote or an editorial note."""

    to: Key
    kind: LinkKindChoice
    citations: list[CitationDoc] = []
    editorial: Editorial = {}


class BudgetDoc(_Strict):
    amount_eur: Annotated[Decimal, Field(strict=False, ge=0, max_digits=15, decimal_places=2)]
    qualifier: BudgetQualifierChoice
    text: Annotated[str, _sized(Mission, "budget_text")]


class MissionDoc(_Strict):
    key: Key
    title: Annotated[str, _sized(Mission, "title")]
    summary: OptionalText = ""
    status: MissionStatusChoice = "announced"
    launch: PeriodField | None = None
    budget: BudgetDoc | None = None
    labels: list[Key] = []
    sources: list[Key] = []
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    actors: list[InvolvementDoc] = []
    workstreams: list[WorkstreamDoc] = []
    milestones: list[MilestoneDoc] = []
    assessments: list[AssessmentDoc] = []
    links: list[LinkDoc] = []


class DocumentDoc(_Strict):
    format: Literal["observatoire/1"]
    sources: list[SourceDoc] = []
    actors: list[ActorDoc] = []
    labels: list[LabelDoc] = []
    missions: list[MissionDoc] = []


# The facts each kind of object states, which a quote or an editorial note must support.
FACTS: dict[str, tuple[str, ...]] = {
    "mission": ("existence", "launch", "budget", "status"),
    "involvement": ("role",),
    "workstream": ("existence",),
    "milestone": ("existence", "due", "status"),
    "link": ("existence",),
}
