"""The weather ("météo") of workstreams, read with them in the same query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, OuterRef, QuerySet, Subquery

from ..models import Workstream


@dataclass(frozen=True)
class LatestForecast:
    """A workstream's latest "météo", as its pages show it."""

    level: str
    label: str
    narrative: str
    stated_on: dt.date
    stale: bool  # older than the mission's expected rhythm


def with_forecast(workstreams: QuerySet[Workstream]) -> QuerySet[Workstream]:
    """Annotate each workstream's latest forecast, in the same query: three subqueries, each
    the first row of the (workstream, -stated_on, -recorded_at) index. Read it with
    latest_forecast()."""
    from ..models import Forecast

    latest = Forecast.objects.filter(workstream=OuterRef("pk")).order_by(
        "-stated_on", "-recorded_at", "-pk"
    )
    return workstreams.annotate(
        forecast_level=Subquery(latest.values("level")[:1]),
        forecast_narrative=Subquery(latest.values("narrative")[:1]),
        forecast_on=Subquery(latest.values("stated_on")[:1], output_field=DateField()),
    )


def latest_forecast(
    workstream: Workstream, rhythm_days: int, today: dt.date
) -> LatestForecast | None:
    """The forecast with_forecast() annotated, stale when older than `rhythm_days` (the
    mission's expected rhythm); None when there is none yet."""
    from ..models import Forecast

    level = getattr(workstream, "forecast_level", None)
    if level is None:
        return None
    stated_on = workstream.forecast_on  # type: ignore[attr-defined]
    return LatestForecast(
        level=level,
        label=str(Forecast.Level(level).label),
        narrative=workstream.forecast_narrative,  # type: ignore[attr-defined]
        stated_on=stated_on,
        stale=(today - stated_on).days > rhythm_days,
    )
