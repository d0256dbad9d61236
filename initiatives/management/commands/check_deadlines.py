"""`manage.py check_deadlines [--today YYYY-MM-DD]`: the deadline sweep, now, in this process."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from initiatives import services
from initiatives.models import DeadlineAlert


class Command(BaseCommand):
    help = "Recompute every milestone's health and record new due-soon and overdue alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to sweep as (YYYY-MM-DD); default: today")

    def handle(self, *args: Any, today: str | None = None, **options: Any) -> None:
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {today!r}") from exc
        result = services.deadlines_sweep(day)
        self.stdout.write(
            f"Sweep of {result.today:%Y-%m-%d}: {result.health_changed} milestone(s) changed "
            f"health, {len(result.new_alerts)} new alert(s)."
        )
        for alert in DeadlineAlert.objects.filter(pk__in=result.new_alerts).select_related(
            "milestone__mission"
        ):
            self.stdout.write(
                f"  {alert.get_kind_display():<14} {alert.deadline:%Y-%m-%d}  "
                f"{alert.milestone.mission.key} / {alert.milestone.title}"
            )
