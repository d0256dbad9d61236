"""The shape of an open-data table: its columns, as TableSchema describes them, and how each
cell is read from the database and written into the CSV file.

A table is data (tables.py): a name, French title and description, columns, a primary key and
the queryset its rows come from. Every cell is selected by the one query of the file (an ORM
lookup across joins, or an SQL expression), so a file costs the same number of queries
whatever its length; only the rendering of values into text is done in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.translation import override

from ..http import route_pieces
from ..models import AGREEING_RATINGS, Assessed


@dataclass(frozen=True)
class Column:
    """One column: its stable French snake_case name, its TableSchema type and format, its
    French description, its constraints, and what it reads."""

    name: str
    type: str
    description: str
    # An ORM lookup ("mission__key"), an expression, or a function of no argument that
    # returns one (what must be built per request: addresses read the routes and settings).
    source: Any
    required: bool = False
    # Codes and their French meaning: the cell holds the code, the schema says what it means.
    enum: Sequence[tuple[str, str]] = ()
    format: str = ""
    pattern: str = ""
    unique: bool = False

    def field(self) -> dict[str, Any]:
        """The column as a TableSchema field descriptor."""
        descriptor: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.format:
            descriptor["format"] = self.format
        description = self.description
        if self.enum:
            meanings = " ; ".join(f"« {code} » : {meaning}" for code, meaning in self.enum)
            description = f"{description} Codes : {meanings}."
        descriptor["description"] = description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = [code for code, _meaning in self.enum]
        if self.pattern:
            constraints["pattern"] = self.pattern
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


@dataclass(frozen=True)
class Table:
    """One CSV file: `rows(today)` is the ordered queryset of its objects."""

    name: str
    title: str
    description: str
    columns: Sequence[Column]
    primary_key: Sequence[str]
    rows: Callable[[dt.date], models.QuerySet[Any]]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def values(self, today: dt.date) -> models.QuerySet[Any]:
        """The file's rows as tuples, one per object, in the columns' order: one query."""
        sources = [c.source for c in self.columns]
        sources = [
            s() if callable(s) and not hasattr(s, "resolve_expression") else s for s in sources
        ]
        return self.rows(today).values_list(*sources)

    def header(self) -> list[str]:
        return [c.name for c in self.columns]


# ---- cells into text -------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A value as the CSV writes it: empty for no value, ISO 8601 for dates and times (UTC,
    to the second), `true`/`false`, numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# ---- column helpers ----------------------------------------------------------------------------


def codes(choices: type[models.TextChoices]) -> list[tuple[str, str]]:
    """The codes of an enumeration with their French labels (the pages' words)."""
    with override("fr"):
        return [(str(value), str(label)) for value, label in choices.choices]


def key(name: str, source: Any, what: str, *, required: bool = True, note: str = "") -> Column:
    from ..models import KEY_PATTERN

    return Column(
        name,
        "string",
        f"Clé {what} : identifiant stable (minuscules, chiffres et tirets).{note}",
        source,
        required=required,
        pattern=KEY_PATTERN.strip("^$"),
    )


def text(name: str, source: Any, description: str, *, required: bool = False) -> Column:
    return Column(name, "string", description, source, required=required)


def integer(name: str, source: Any, description: str, *, required: bool = False) -> Column:
    return Column(name, "integer", description, source, required=required)


def day(name: str, source: Any, description: str, *, required: bool = False) -> Column:
    return Column(name, "date", description, source, required=required)


def modified(source: Any, description: str = "") -> Column:
    return Column(
        "date_modification",
        "datetime",
        description or "Date et heure (UTC, ISO 8601) de la dernière modification de la ligne.",
        source,
        required=True,
    )


def period(prefix: str, source: str, what: str) -> list[Column]:
    """A fuzzy date as four columns: the words verbatim, the window they are read as, and
    how coarse they are (models.base: the four parts are all set or all empty)."""
    from ..models import Precision

    return [
        text(
            f"{prefix}_libelle",
            f"{source}_text",
            f"{what}, telle que la source l'écrit (par exemple « fin 2025 »). Vide si aucune.",
        ),
        day(
            f"{prefix}_debut",
            f"{source}_start",
            "Premier jour de la fenêtre que désignent ces mots (AAAA-MM-JJ).",
        ),
        day(
            f"{prefix}_fin",
            f"{source}_end",
            "Dernier jour de la fenêtre que désignent ces mots (AAAA-MM-JJ).",
        ),
        Column(
            f"{prefix}_precision",
            "string",
            "Finesse de ces mots.",
            f"{source}_precision",
            enum=codes(Precision),
        ),
    ]


def diverges(status: str, assessed: str) -> Case:
    """Whether the declared status and the assessed one disagree (ratings.assessment_diverges,
    in SQL): false when not assessed."""
    whens = [
        When(
            Q(**{status: declared})
            & ~Q(**{f"{assessed}__in": sorted(agreeing)})
            & ~Q(**{assessed: Assessed.NOT_ASSESSED}),
            then=Value(True),
        )
        for declared, agreeing in AGREEING_RATINGS.items()
    ]
    return Case(*whens, default=Value(False), output_field=BooleanField())


def page_url(viewname: str, **lookups: str) -> Concat:
    """The absolute address (settings.SITE_URL) of an object's page, built by the database
    from the route: reversed once per process (http.route_pieces), not once per row."""
    first, *pieces = route_pieces(viewname, tuple(lookups))
    texts = [settings.SITE_URL + first, *pieces]
    parts: list[Any] = []
    for text, lookup in zip(texts, lookups.values(), strict=False):
        parts += [Value(text), Cast(F(lookup), CharField())]
    parts.append(Value(texts[-1]))
    return Concat(*parts, output_field=CharField())


def url_column(name: str, what: str, viewname: str, **lookups: str) -> Column:
    return Column(
        name,
        "string",
        f"Adresse de la page {what} sur le site de l'Observatoire.",
        lambda: page_url(viewname, **lookups),
        required=True,
        format="uri",
    )
