"""Builders for test data: fixture documents on disk, users, and model rows (factory_boy)
for the tests that need "some mission", "some milestone", not the curated fixtures."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import factory
import yaml
from factory.django import DjangoModelFactory, Password

SOURCE_TEXT = (
    "Le ministère annonce un plan pour le cloud souverain. Les premières offres seront "
    "qualifiées d'ici fin 2025, et un bilan sera présenté au premier semestre 2026.\n"
    "Le plan est piloté par Jeanne Martin, directrice du numérique."
)


def document(**overrides: Any) -> dict[str, Any]:
    """A small valid document: one source, one actor, one label, one mission."""
    doc: dict[str, Any] = {
        "format": "observatoire/1",
        "sources": [
            {
                "key": "communique-test",
                "title": "Un plan pour le cloud souverain",
                "publisher": "Ministère",
                "text_file": "communique.txt",
                "published": {
                    "date": "2025-03-10",
                    "precision": "day",
                    "basis": "public_record",
                    "note": "Date du communiqué au registre public.",
                },
            }
        ],
        "actors": [{"key": "jeanne-martin", "name": "Jeanne Martin", "kind": "person"}],
        "labels": [{"key": "cloud", "name": "Cloud", "kind": "theme"}],
        "missions": [
            {
                "key": "plan-cloud-souverain",
                "title": "Plan pour le cloud souverain",
                "labels": ["cloud"],
                "sources": ["communique-test"],
                "citations": [
                    {
                        "source": "communique-test",
                        "quote": "Le ministère annonce un plan pour le cloud souverain.",
                    }
                ],
                "actors": [
                    {
                        "actor": "jeanne-martin",
                        "role": "pilot",
                        "capacity": "directrice du numérique",
                        "citations": [
                            {
                                "source": "communique-test",
                                "quote": "Le plan est piloté par Jeanne Martin",
                            }
                        ],
                    }
                ],
                "workstreams": [
                    {
                        "key": "qualification",
                        "title": "Qualifier les offres",
                        "citations": [
                            {
                                "source": "communique-test",
                                "quote": "Les premières offres seront qualifiées",
                            }
                        ],
                        "milestones": [
                            {
                                "key": "premieres-offres",
                                "title": "Premières offres qualifiées",
                                "due": "d'ici fin 2025",
                                "citations": [
                                    {
                                        "source": "communique-test",
                                        "quote": "Les premières offres seront  qualifiées d'ici fin 2025",
                                    }
                                ],
                            },
                            {
                                "key": "bilan",
                                "title": "Bilan du plan",
                                "due": "au premier semestre 2026",
                                "citations": [
                                    {
                                        "source": "communique-test",
                                        "quote": "un bilan sera présenté au premier semestre 2026",
                                    }
                                ],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    doc.update(overrides)
    return copy.deepcopy(doc)


def write_document(
    directory: Path, doc: dict[str, Any], name: str = "plan.yaml", text: str = SOURCE_TEXT
) -> Path:
    """Write `doc` and its source text into `directory`; return the document's path."""
    (directory / "communique.txt").write_text(text, encoding="utf-8")
    path = directory / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def user(
    username: str = "agent", *, staff: bool = False, password: str = "mot-de-passe-de-test-42"
) -> Any:
    return UserFactory(username=username, password=password, is_staff=staff, is_superuser=staff)


# ---- model rows ------------------------------------------------------------------------------
# Written with the ORM, as a test's setup: not through services.write_milestones (which a test
# of the rules calls itself), but with what the writer would store (the due window read from
# its words, the health as of today), so that what a test reads is a row the app could hold.


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = Password("mot-de-passe-de-test-42")


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = "initiatives.Source"

    key = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Communiqué {n}")
    publisher = "Ministère"
    published_on = dt.date(2025, 3, 10)
    published_precision = "day"
    published_basis = "public_record"
    published_note = "Date du communiqué au registre public."
    text = SOURCE_TEXT
    text_sha256 = factory.LazyAttribute(
        lambda o: hashlib.sha256(o.text.encode("utf-8")).hexdigest()
    )


class LabelFactory(DjangoModelFactory):
    class Meta:
        model = "initiatives.Label"

    key = factory.Sequence(lambda n: f"etiquette-{n}")
    name = factory.Sequence(lambda n: f"Étiquette {n}")
    kind = "theme"


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = "initiatives.Actor"

    key = factory.Sequence(lambda n: f"acteur-{n}")
    name = factory.Sequence(lambda n: f"Acteur {n}")
    kind = "organisation"


class MissionFactory(DjangoModelFactory):
    """A mission; MissionFactory(sources=[…], labels=[…]) for the sources it cites and its
    labels."""

    class Meta:
        model = "initiatives.Mission"
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"mission-{n}")
    title = factory.Sequence(lambda n: f"Mission d’essai {n}")

    @factory.post_generation
    def sources(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.sources.add(*extracted)

    @factory.post_generation
    def labels(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.labels.add(*extracted)


class WorkstreamFactory(DjangoModelFactory):
    """A workstream (of a new mission unless given); WorkstreamFactory(coordinators=[…]) for
    the users who coordinate it."""

    class Meta:
        model = "initiatives.Workstream"
        skip_postgeneration_save = True

    mission = factory.SubFactory(MissionFactory)
    key = factory.Sequence(lambda n: f"chantier-{n}")
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Chantier {n}")

    @factory.post_generation
    def coordinators(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.coordinators.add(*extracted)


def _due(o: Any) -> dict[str, Any]:
    """The five due columns: `due` read against `read_on`, or none (undated)."""
    from initiatives import periods

    if not o.due:
        return {
            "due_text": "",
            "due_start": None,
            "due_end": None,
            "due_precision": "",
            "due_reference": None,
        }
    return periods.parse_period(o.due, o.read_on).fields("due")


class MilestoneFactory(DjangoModelFactory):
    """A milestone of a workstream (of a new mission unless given), or of a mission as a whole
    with `workstream=None, mission=…`; due when `due` says, read on `read_on` (due=None: undated).
    Its stored health is the one the sweep would keep as of today, unless `health` is given."""

    class Meta:
        model = "initiatives.Milestone"

    class Params:
        due = "d'ici fin 2025"
        read_on = dt.date(2025, 3, 10)
        window = factory.LazyAttribute(_due)

    workstream = factory.SubFactory(WorkstreamFactory)
    mission = factory.LazyAttribute(
        lambda o: o.workstream.mission if o.workstream else MissionFactory()
    )
    key = factory.Sequence(lambda n: f"jalon-{n}")
    title = factory.Sequence(lambda n: f"Jalon d’essai {n}")
    due_text = factory.LazyAttribute(lambda o: o.window["due_text"])
    due_start = factory.LazyAttribute(lambda o: o.window["due_start"])
    due_end = factory.LazyAttribute(lambda o: o.window["due_end"])
    due_precision = factory.LazyAttribute(lambda o: o.window["due_precision"])
    due_reference = factory.LazyAttribute(lambda o: o.window["due_reference"])

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from django.conf import settings
        from django.utils import timezone

        milestone = model_class(*args, **kwargs)
        if "health" not in kwargs:
            milestone.health = milestone.health_on(
                timezone.localdate(), settings.DEADLINE_HORIZON_DAYS
            )
        milestone.save()
        return milestone


def _offsets(text: str, quote: str) -> tuple[int, int]:
    from initiatives.quotes import find_quote

    found = find_quote(text, quote)
    if found is None:
        raise ValueError(f"« {quote} » is not in the source's text")
    return found


class CitationFactory(DjangoModelFactory):
    """A verbatim quote of `source` (a new one unless given), found in its text as the
    importer finds it, supporting the one target given: CitationFactory(milestone=…), or
    mission=, workstream=, involvement=, link=."""

    class Meta:
        model = "initiatives.Citation"

    class Params:
        offsets = factory.LazyAttribute(lambda o: _offsets(o.source.text, o.quote))

    source = factory.SubFactory(SourceFactory)
    quote = "Le ministère annonce un plan pour le cloud souverain."
    start_offset = factory.LazyAttribute(lambda o: o.offsets[0])
    end_offset = factory.LazyAttribute(lambda o: o.offsets[1])


class MissionLinkFactory(DjangoModelFactory):
    """`from_mission` <kind> `to_mission` (two new missions unless given); its support is a
    CitationFactory(link=…) or an editorial note."""

    class Meta:
        model = "initiatives.MissionLink"

    from_mission = factory.SubFactory(MissionFactory)
    to_mission = factory.SubFactory(MissionFactory)
    kind = "replaces"


def at_once(call: Any, count: int) -> list[Any]:
    """Run `call()` in `count` threads released together; their results (each thread closes
    its own database connection)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(count)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def site_pages() -> list[str]:
    """One address of each kind of page on the seeded data, an unknown one included: what
    the header and production-browser tests go through."""
    from initiatives.models import Milestone

    milestone = Milestone.objects.get(key="plan-ficele")
    return [
        "/",
        "/?panel=deadlines",
        "/missions/",
        "/missions/?q=cloud&status=active",
        "/recherche/?q=Gaia-X",
        "/missions/mission-numerique-grands-groupes/",
        "/missions/mission-numerique-grands-groupes/chantiers/competences-formations/",
        f"/jalons/{milestone.pk}/",
        "/sources/dge-mission-numerique-grands-groupes/",
        "/frise/",
        "/frise/?view=table",
        "/lignee/",
        "/plan-du-site/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/donnees/",
        "/connexion/",
        "/admin/login/",
        "/page-inconnue/",
    ]
