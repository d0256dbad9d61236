"""Synthetic data for benchmarks: realistic French missions, workstreams and milestones.

Like the curated data, each mission has a source text, actors with roles and labels, and each
milestone carries the verbatim quote of its sentence in that text. One milestone in twenty is
undated, and each mission's first milestone hangs on the mission itself, not a workstream."""

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from initiatives import dates, periods
from initiatives.models import (
    Actor,
    Citation,
    Involvement,
    Label,
    Milestone,
    Mission,
    Source,
    Workstream,
)

THEMES = [
    "cloud souverain",
    "identité numérique",
    "messagerie de l'État",
    "données de santé",
    "intelligence artificielle",
    "cybersécurité des hôpitaux",
    "logiciels libres",
    "e-paiement",
    "formation au numérique",
    "hébergement des données",
    "archives numériques",
    "open data",
]
ACTIONS = [
    "Déployer",
    "Qualifier",
    "Mutualiser",
    "Évaluer",
    "Sécuriser",
    "Financer",
    "Piloter",
    "Former les agents à",
    "Ouvrir",
    "Migrer vers",
]
STEPS = [
    "Lancement de l'appel à projets",
    "Choix des prestataires",
    "Premier pilote en région",
    "Bilan intermédiaire",
    "Généralisation",
    "Rapport au Parlement",
    "Qualification SecNumCloud",
    "Comité de pilotage",
    "Ouverture du service",
    "Fin de la migration",
]
# One expression form per precision, so every kind of window is exercised.
FORMS = [
    "le {day} {month} {year}",
    "{month} {year}",
    "à l'automne {year}",
    "T{quarter} {year}",
    "premier semestre {year}",
    "avant fin {year}",
    "mi-{year}",
    "d'ici le printemps {year}",
]
# French month names, as the due words of real texts spell them.
MONTHS = dates.month_names("fr")


class Command(BaseCommand):
    help = (
        "Create synthetic missions (keys synth-…) for benchmarks. Replaces earlier synthetic data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missions", type=int, default=1000)
        parser.add_argument("--workstreams", type=int, default=10)
        parser.add_argument("--milestones", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)

    @transaction.atomic
    def handle(
        self,
        *args: Any,
        missions: int,
        workstreams: int,
        milestones: int,
        seed: int,
        **options: Any,
    ) -> None:
        rng = random.Random(seed)
        today = timezone.localdate()
        Mission.objects.filter(key__startswith="synth-").delete()  # cascades to quotes
        Source.objects.filter(key__startswith="synth-").delete()
        labels = list(Label.objects.all())
        actors = list(Actor.objects.all())
        new_missions = Mission.objects.bulk_create(
            Mission(
                key=f"synth-{i:05}",
                title=f"{rng.choice(ACTIONS)} {rng.choice(THEMES)} ({i})",
                summary=f"Mission synthétique n° {i} sur {rng.choice(THEMES)}.",
                status=rng.choice(Mission.Status.values),
            )
            for i in range(missions)
        )
        if labels:
            through = Mission.labels.through
            through.objects.bulk_create(
                through(mission_id=m.pk, label_id=label.pk)
                for m in new_missions
                for label in rng.sample(labels, k=min(2, len(labels)))
            )
        if actors:
            Involvement.objects.bulk_create(
                Involvement(mission=m, actor=actor, role=rng.choice(Involvement.Role.values))
                for m in new_missions
                for actor in rng.sample(actors, k=min(2, len(actors)))
            )
        new_workstreams = Workstream.objects.bulk_create(
            Workstream(
                mission=m,
                key=f"axe-{j}",
                position=j + 1,
                title=f"{rng.choice(ACTIONS)} {rng.choice(THEMES)}",
            )
            for m in new_missions
            for j in range(workstreams)
        )
        horizon = settings.DEADLINE_HORIZON_DAYS
        by_mission: dict[int, list[Milestone]] = {}
        for ws in new_workstreams:
            for k in range(milestones):
                ms = Milestone(
                    mission_id=ws.mission_id,
                    # The mission's own first milestone, as "annonce" in the curated data.
                    workstream=None if ws.position == 1 and k == 0 else ws,
                    key=f"{ws.key}-jalon-{k}",
                    title=rng.choice(STEPS),
                    **self.due(rng, today),
                )
                ms.health = ms.health_on(today, horizon)
                by_mission.setdefault(ws.mission_id, []).append(ms)
        created = 0
        published = dt.date(today.year - 1, 6, 1)
        for chunk in _chunks(new_missions, 200):
            sources, quotes = [], []
            for mission in chunk:
                text, offsets = _source_text(mission, by_mission.get(mission.pk, []))
                sources.append(
                    Source(
                        key=f"synth-{mission.key[6:]}",
                        title=f"Communiqué : {mission.title}",
                        publisher="Ministère (données synthétiques)",
                        published_on=published,
                        text=text,
                        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    )
                )
                quotes.append(offsets)
            Source.objects.bulk_create(sources)
            Mission.sources.through.objects.bulk_create(
                Mission.sources.through(mission_id=m.pk, source_id=src.pk)
                for m, src in zip(chunk, sources, strict=True)
            )
            batch = [ms for m in chunk for ms in by_mission.get(m.pk, [])]
            created += len(Milestone.objects.bulk_create(batch))
            Citation.objects.bulk_create(
                Citation(
                    source=src,
                    milestone=ms,
                    quote=src.text[start:end],
                    start_offset=start,
                    end_offset=end,
                )
                for m, src, offsets in zip(chunk, sources, quotes, strict=True)
                for ms, (start, end) in zip(by_mission.get(m.pk, []), offsets, strict=True)
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics after a bulk load: without them PostgreSQL guesses, and
            # picked a 2-second plan for the search where the indexes answer in 40 ms.
            transaction.on_commit(_analyze)
        self.stdout.write(
            f"Synthetic data: {len(new_missions)} missions, {len(new_workstreams)} workstreams, {created} milestones."
        )

    @staticmethod
    def due(rng: random.Random, today: dt.date) -> dict[str, Any]:
        status = rng.choice(["planned", "planned", "in_progress", "done", "missed"])
        fields: dict[str, Any] = {
            "status": status,
            "progress": 100 if status == "done" else rng.randint(0, 90),
            "comment": "Échéance manquée." if status == "missed" else "",
        }
        if rng.random() < 0.05 and status != "done":
            return {**fields, "due_text": ""}  # undated: no window at all
        year = rng.randint(2013, today.year + 2)
        text = rng.choice(FORMS).format(
            day=rng.randint(1, 28), month=rng.choice(MONTHS), year=year, quarter=rng.randint(1, 4)
        )
        period = periods.parse_period(text, dt.date(year, 1, 1))
        return {
            **fields,
            **period.fields("due"),
            "completed_on": min(period.end, today) if status == "done" else None,
        }


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _source_text(
    mission: Mission, milestones: list[Milestone]
) -> tuple[str, list[tuple[int, int]]]:
    """A press release naming each milestone in a sentence; the offsets of each sentence."""
    text = f"{mission.title}.\n\n{mission.summary}\n\n"
    offsets = []
    for ms in milestones:
        sentence = (
            f"{ms.title} : {ms.due_text}." if ms.due_text else f"{ms.title}, à une date à fixer."
        )
        offsets.append((len(text), len(text) + len(sentence)))
        text += sentence + " "
    return text.rstrip() + "\n", offsets
