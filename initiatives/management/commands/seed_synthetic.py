"""Synthetic data for benchmarks: realistic French missions, workstreams and milestones."""

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from initiatives import periods
from initiatives.models import Label, Milestone, Mission, Workstream

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
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


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
        Mission.objects.filter(key__startswith="synth-").delete()
        labels = list(Label.objects.all())
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
        batch: list[Milestone] = []
        created = 0
        for ws in new_workstreams:
            for k in range(milestones):
                year = rng.randint(2013, today.year + 2)
                text = rng.choice(FORMS).format(
                    day=rng.randint(1, 28),
                    month=rng.choice(MONTHS),
                    year=year,
                    quarter=rng.randint(1, 4),
                )
                period = periods.parse_period(text, dt.date(year, 1, 1))
                status = rng.choice(["planned", "planned", "in_progress", "done", "missed"])
                ms = Milestone(
                    mission_id=ws.mission_id,
                    workstream=ws,
                    key=f"{ws.key}-jalon-{k}",
                    title=rng.choice(STEPS),
                    due_text=text,
                    due_start=period.start,
                    due_end=period.end,
                    due_precision=period.precision.value,
                    due_reference=period.reference,
                    status=status,
                    progress=100 if status == "done" else rng.randint(0, 90),
                    completed_on=min(period.end, today) if status == "done" else None,
                    comment="Échéance manquée." if status == "missed" else "",
                )
                ms.health = ms.health_on(today, horizon)
                batch.append(ms)
                if len(batch) >= 5000:
                    created += len(Milestone.objects.bulk_create(batch))
                    batch = []
        created += len(Milestone.objects.bulk_create(batch))
        self.stdout.write(
            f"Synthetic data: {len(new_missions)} missions, {len(new_workstreams)} workstreams, {created} milestones."
        )
