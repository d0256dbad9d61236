"""Builders for test data: fixture documents on disk, and users."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

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
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username,
        password=password,
        is_staff=staff,
        is_superuser=staff,
        email=f"{username}@example.org",
    )


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
        "/missions/mission-numerique-grands-groupes/",
        "/missions/mission-numerique-grands-groupes/chantiers/competences-formations/",
        f"/jalons/{milestone.pk}/",
        "/sources/dge-mission-numerique-grands-groupes/",
        "/frise/",
        "/frise/?view=table",
        "/plan-du-site/",
        "/accessibilite/",
        "/connexion/",
        "/admin/login/",
        "/page-inconnue/",
    ]
