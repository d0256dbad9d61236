"""Read queries that cross relations: what the pages show, in a fixed number of queries.
Selectors read; services write (HackSoft's styleguide). One module per concern:

- `health`: each health as a filter and as one SQL expression, stale stored health (the
  sweep's), progress of workstreams and missions;
- `pages`: the dashboard and its polled deadline panel, the mission, workstream, milestone
  and source pages;
- `footnotes`: a page's quotes as numbered notes, one per passage; a source's text cut into
  its quoted passages;
- `missions`: the mission list (filters, search, keyset cursor), the sitemap;
- `search`: what a search reaches (the mission list's, the search page's groups by kind);
- `timeline`: the frise;
- `links`: links between missions read from either side, the lineage, the list's filter;
- `history`: history lines for people;
- `notifications`: the bell's count, a user's notifications, the digest;
- `follows`: who follows a mission, the missions one follows, the changes told to followers;
- `assessments`: assessment timelines, evidence sources, successors, dashboard counts;
- `forecasts`: the weather of workstreams; `news`: dormancy ("sans nouvelles");
- `permissions`: which listed rows a user may write, the workstreams a user coordinates;
- `coordination`: « Mes jalons », a coordinator's milestones across missions by due window.
- `published`: what the open data's API reads of each kind, with the quotes, in a fixed
  number of queries per page;
- `as_of`: the data as known at the end of a past day, rebuilt from the history; the
  comparison of a mission between two days.
- `calendars`: the dated milestones of a mission's and of a reader's calendar of deadlines,
  whose a secret calendar address is.

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
from .footnotes import (
    NOTES_SHOWN_OPEN,
    Cited,
    Footnotes,
    Note,
    Passage,
    QuotedPassage,
    SourceText,
    Supported,
    footnotes_for,
    source_text,
)
from .coordination import MilestoneGroup, MyMilestones, my_milestones
from .calendars import calendar_owner, mission_calendar, user_calendar
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
    filtered_missions,
    MissionPageOfList,
    mission_list,
    parse_cursor,
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
    MissionPage,
    WorkstreamPage,
    dashboard,
    deadline_panel,
    milestone_page,
    milestone_row,
    mission_page,
    source_page,
    workstream_page,
)
from .permissions import (
    coordinated_workstreams,
    editable_milestone_ids,
    forecastable_workstream_ids,
)
from .follows import (
    FOLLOWED_FIELDS,
    FollowedChange,
    describe_changes,
    describe_notifications,
    followed_changes,
    followed_missions,
    is_following,
    mission_of,
)
from .search import (
    PER_KIND,
    ResultGroup,
    SearchResults,
    mission_matches,
    search_matches,
    site_search,
)
from .sheets import MissionSheet, mission_sheet
from . import published
from .as_of import AsOf, Comparison, Move, compare, snapshots
from .timeline import TIMELINE_FIRST_YEAR, Bar, Timeline, TimelineRow, timeline
from .links import (
    ANY_LINK,
    Lineage,
    LineageEntry,
    LinkRow,
    link_choices,
    link_filter,
    lineage,
    links_of,
)

__all__ = [
    "calendar_owner",
    "mission_calendar",
    "user_calendar",
    "AsOf",
    "Comparison",
    "Move",
    "compare",
    "snapshots",
    # links
    "ANY_LINK",
    "Lineage",
    "LineageEntry",
    "LinkRow",
    "link_choices",
    "link_filter",
    "lineage",
    "links_of",
    # sheets
    "MissionSheet",
    "mission_sheet",
    # follows
    "FOLLOWED_FIELDS",
    "FollowedChange",
    "describe_changes",
    "describe_notifications",
    "followed_changes",
    "followed_missions",
    "is_following",
    "mission_of",
    "NOTES_SHOWN_OPEN",
    "TIMELINE_FIRST_YEAR",
    "OPEN",
    "SHOWN",
    "Bar",
    "Change",
    "Cited",
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
    "filtered_missions",
    "MissionPage",
    "MissionPageOfList",
    "MilestoneGroup",
    "MyMilestones",
    "Note",
    "Passage",
    "QuotedPassage",
    "SourceText",
    "Supported",
    "WorkstreamPage",
    "assessment_successors",
    "assessment_timeline",
    "coordinated_workstreams",
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
    "published",
    "mission_page",
    "my_milestones",
    "missions_with_progress",
    "missions_without_news",
    "notifications_of",
    "parse_cursor",
    "search_matches",
    "sitemap_missions",
    # search
    "PER_KIND",
    "ResultGroup",
    "SearchResults",
    "mission_matches",
    "site_search",
    "source_page",
    "source_text",
    "stale_health",
    "stale_health_arms",
    "unread_notifications",
    "with_current_health",
    "with_forecast",
    "with_news",
    "workstream_page",
    "workstreams_with_progress",
]
