"""The domain: missions, their workstreams and milestones, the actors and labels around them,
and the source texts every fact is quoted from (see ../shared/DESIGN.md, "The domain").

One module per concern, imported here in dependency order (each imports only those above
it), so that Django registers every model and `from initiatives.models import X` names
anything the package defines:

- base: natural keys, stored periods (Precision, DateBasis, their constraints and reading);
- ratings: the assessed-status scale, its definitions, divergence from the declared status;
- sources: Source, Citation, the words for the facts quotes support;
- missions: Actor, Label, Mission, Involvement, Workstream;
- milestones: Milestone, its health drift, MilestoneSlip;
- alerts: DeadlineAlert, Notification, DigestDelivery;
- assessments: Assessment, Evidence, Forecast;
- records: HistoryEntry, WriteContext, DataVersion, ImportDraft, ProConnectIdentity;
- follows: Follow (a reader following a mission);
- links: MissionLink (one mission continues, replaces… another);
- calendars: CalendarToken (the secret address of a reader's calendar of deadlines).
"""

from __future__ import annotations

from .base import (
    KEY_PATTERN,
    DateBasis,
    Precision,
    key_field,
    key_validator,
    period_error_message,
)
from .ratings import (
    AGREEING_RATINGS,
    ASSESSED_DEFINITIONS,
    Assessed,
    assessed_fields,
    assessment_diverges,
)
from .sources import Citation, Source, fact_label
from .missions import Actor, Involvement, Label, Mission, Workstream
from .milestones import HEALTH_DRIFT, Milestone, MilestoneSlip
from .alerts import DeadlineAlert, DigestDelivery, Notification
from .assessments import Assessment, Evidence, Forecast
from .records import (
    FOLLOWED_TABLES,
    NEWS_VIA,
    DataVersion,
    HistoryEntry,
    ImportDraft,
    ProConnectIdentity,
    WriteContext,
)
from .follows import Follow
from .links import INVERSE_LABELS, MissionLink, link_reading
from .calendars import CalendarToken

__all__ = [
    # base
    "KEY_PATTERN",
    "DateBasis",
    "Precision",
    "key_field",
    "key_validator",
    "period_error_message",
    # ratings
    "AGREEING_RATINGS",
    "ASSESSED_DEFINITIONS",
    "Assessed",
    "assessed_fields",
    "assessment_diverges",
    # sources
    "Citation",
    "Source",
    "fact_label",
    # missions
    "Actor",
    "Involvement",
    "Label",
    "Mission",
    "Workstream",
    # milestones
    "HEALTH_DRIFT",
    "Milestone",
    "MilestoneSlip",
    # alerts
    "DeadlineAlert",
    "DigestDelivery",
    "Notification",
    # assessments
    "Assessment",
    "Evidence",
    "Forecast",
    # records
    "FOLLOWED_TABLES",
    "NEWS_VIA",
    "DataVersion",
    "HistoryEntry",
    "ImportDraft",
    "ProConnectIdentity",
    "WriteContext",
    # follows
    "Follow",
    # links
    "INVERSE_LABELS",
    "MissionLink",
    "link_reading",
    # calendars
    "CalendarToken",
]
