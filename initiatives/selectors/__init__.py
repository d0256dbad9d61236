"""Read queries that cross relations: what the pages show, in a fixed number of queries.
Selectors read; services write (HackSoft's styleguide). One module per concern:

- `health`: each health as a filter and as one SQL expression, stale stored health (the
  sweep's), progress of workstreams and missions;
- `pages`: the dashboard and its polled deadline panel, the mission, workstream, milestone
  and source pages, footnotes;
- `missions`: the mission list (filters, search, keyset cursor), the sitemap;
- `timeline`: the frise;
- `history`: history lines for people;
- `notifications`: the bell's count, a user's notifications, the digest;
- `assessments`: assessment timelines, evidence sources, successors, dashboard counts;
- `forecasts`: the weather of workstreams; `news`: dormancy ("sans nouvelles");
- `permissions`: which listed rows a user may write.

Every public name is re-exported here: callers write `selectors.health_filters(today)`.
Health is computed from status, window and today, not read from the stored column: the
stored one is only as fresh as the last sweep, and a page must never say "on track" about a
milestone whose window closed this morning."""

from .assessments import (
    assessment_successors,
    assessment_timeline,
    evidence_sources,
    milestones_by_assessment,
)
from .forecasts import LatestForecast, latest_forecast, with_forecast
from .health import (
    OPEN,
    health_expression,
    health_filters,
    missions_with_progress,
    stale_health,
    stale_health_arms,
    with_current_health,
    workstreams_with_progress,
)
from .history import SHOWN, Change, HistoryLine, history_lines, milestone_history, mission_history
from .missions import (
    MissionFilters,
    MissionPageOfList,
    mission_list,
    parse_cursor,
    search_matches,
    sitemap_missions,
)
from .news import DaysBefore, missions_without_news, with_news
from .notifications import (
    Digest,
    digest_for,
    digest_recipients,
    notifications_of,
    unread_notifications,
)
from .pages import (
    Dashboard,
    DeadlinePanel,
    Footnotes,
    MissionPage,
    Passage,
    WorkstreamPage,
    dashboard,
    deadline_panel,
    footnotes_for,
    milestone_page,
    milestone_row,
    mission_page,
    passages,
    source_page,
    workstream_page,
)
from .permissions import editable_milestone_ids, forecastable_workstream_ids
from .timeline import TIMELINE_FIRST_YEAR, Bar, Timeline, TimelineRow, timeline

__all__ = [
    "TIMELINE_FIRST_YEAR",
    "OPEN",
    "SHOWN",
    "Bar",
    "Change",
    "Dashboard",
    "DaysBefore",
    "DeadlinePanel",
    "Digest",
    "Footnotes",
    "Timeline",
    "TimelineRow",
    "HistoryLine",
    "LatestForecast",
    "MissionFilters",
    "MissionPage",
    "MissionPageOfList",
    "Passage",
    "WorkstreamPage",
    "assessment_successors",
    "assessment_timeline",
    "dashboard",
    "deadline_panel",
    "digest_for",
    "digest_recipients",
    "editable_milestone_ids",
    "evidence_sources",
    "footnotes_for",
    "forecastable_workstream_ids",
    "timeline",
    "health_expression",
    "health_filters",
    "history_lines",
    "latest_forecast",
    "milestone_history",
    "milestone_page",
    "milestone_row",
    "milestones_by_assessment",
    "mission_history",
    "mission_list",
    "mission_page",
    "missions_with_progress",
    "missions_without_news",
    "notifications_of",
    "parse_cursor",
    "passages",
    "search_matches",
    "sitemap_missions",
    "source_page",
    "stale_health",
    "stale_health_arms",
    "unread_notifications",
    "with_current_health",
    "with_forecast",
    "with_news",
    "workstream_page",
    "workstreams_with_progress",
]
