"""Writes with rules: services write, selectors read (HackSoft's styleguide). One module per
concern:

- `milestones`: the one writer of milestones (MilestoneChange, KEEP, check_milestone,
  write_milestones, delete_milestones), its rules, its compare-and-swap and conflicts;
- `assessments`: record_assessment, the only writer of assessments and evidence, and who
  may assess (can_assess, can_assess_target);
- `forecasts`: the weather of a workstream (record_forecast);
- `deadlines`: the sweep, and the alerts it and the writer record and resolve;
- `notifications`: an alert told to its coordinators, notifications marked read, the daily
  digest, mail in French, and tasks enqueued by name after commit;
- `follows`: follow and unfollow a mission, and people's changes told to its followers;
- `calendars`: a reader's secret calendar address, made on first need, reset on demand.

Permissions are checked here as well as in the views: a crafted request that reaches a
service for another workstream's milestone is refused, and nothing changes. Every public
name is re-exported here: callers write `services.write_milestones(...)`. Services never
import initiatives.tasks; the tasks import services."""

from django.core.exceptions import PermissionDenied, ValidationError

from .assessments import (
    AssessmentInput,
    EvidenceQuote,
    can_assess,
    can_assess_target,
    coordinates,
    record_assessment,
    rating_rule_errors,
    too_early_to_say_not_achieved,
)
from .calendars import calendar_token, reset_calendar_token
from .deadlines import SweepResult, deadlines_sweep, record_alerts, resolve_alerts
from .follows import FOLLOWERS_BATCH, follow, notify_followers, unfollow
from .forecasts import can_record_forecast, record_forecast
from .milestones import (
    KEEP,
    CheckedEdit,
    EditConflict,
    MilestoneChange,
    can_edit_milestone,
    check_milestone,
    check_milestone_edit,
    delete_milestones,
    done_progress,
    last_change_of,
    milestone_rule_errors,
    milestone_update,
    write_milestones,
)
from .notifications import (
    DIGEST_LINES,
    NOTIFY_ALERT_TASK,
    SEND_DIGEST_TASK,
    enqueue_notifications,
    enqueue_on_commit,
    mark_notifications_read,
    notify_alert,
    send_digest,
    send_digests,
    send_french_mail,
)

__all__ = [
    "calendar_token",
    "reset_calendar_token",
    "DIGEST_LINES",
    "FOLLOWERS_BATCH",
    "follow",
    "notify_followers",
    "unfollow",
    "KEEP",
    "NOTIFY_ALERT_TASK",
    "SEND_DIGEST_TASK",
    "AssessmentInput",
    "CheckedEdit",
    "EditConflict",
    "EvidenceQuote",
    "MilestoneChange",
    "PermissionDenied",
    "SweepResult",
    "ValidationError",
    "can_assess",
    "can_assess_target",
    "can_edit_milestone",
    "can_record_forecast",
    "check_milestone",
    "check_milestone_edit",
    "coordinates",
    "deadlines_sweep",
    "delete_milestones",
    "done_progress",
    "enqueue_notifications",
    "enqueue_on_commit",
    "last_change_of",
    "mark_notifications_read",
    "milestone_rule_errors",
    "milestone_update",
    "notify_alert",
    "record_alerts",
    "record_assessment",
    "record_forecast",
    "resolve_alerts",
    "send_digest",
    "send_digests",
    "send_french_mail",
    "rating_rule_errors",
    "too_early_to_say_not_achieved",
    "write_milestones",
]
