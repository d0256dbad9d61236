"""The open-data files (/donnees/): every CSV validates against its published TableSchema with
frictionless, follows data.gouv.fr's rules (UTF-8 without BOM, comma, header, ISO dates, codes),
is served with the data version's validators, costs the same queries whatever its length; the
Data Package, the DCAT JSON-LD and the data page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.opendata import TABLES
from tests.factories import (
    CitationFactory,
    MilestoneFactory,
    SourceFactory,
    WorkstreamFactory,
    user,
)

pytestmark = pytest.mark.django_db

TRICKY_QUOTE = 'Le plan, dit « souverain », sera "prêt"\nfin 2025.'
TRICKY_TEXT = f"Préambule. {TRICKY_QUOTE} Fin du communiqué."


@pytest.fixture
def reader(client: Client) -> Client:
    client.force_login(user("lecteur"))
    return client


def download(client: Client, url: str) -> tuple[Any, bytes]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response, body


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def edge_cases() -> dict[str, Any]:
    """Rows the fixtures lack: a quote with a comma, quotes and a line break; a title starting
    with `=`; a mission-wide milestone; an undated one; a slip; an assessment by a person
    with a name and one by an account without (its login, an e-mail, must not leak)."""
    from initiatives.models import Assessment, MilestoneSlip

    source = SourceFactory(text=TRICKY_TEXT, url="https://www.example.gouv.fr/communique")
    formula = MilestoneFactory(title='=HYPERLINK("http://x";"y")', due="fin 2025")
    CitationFactory(source=source, quote=TRICKY_QUOTE, milestone=formula, fact="due")
    whole = MilestoneFactory(workstream=None, mission=formula.mission, due=None)
    MilestoneSlip.objects.create(
        milestone=formula,
        old_text="mi-2025",
        old_start=dt.date(2025, 6, 1),
        old_end=dt.date(2025, 7, 31),
        new_text="fin 2025",
        new_start=dt.date(2025, 10, 1),
        new_end=dt.date(2025, 12, 31),
        via="edit",
    )
    named = user("observatrice")
    named.first_name, named.last_name = "Claire", "Dupont"
    named.save()
    nameless = user("anonyme@example.org")
    for who, target in ((named, formula), (nameless, whole)):
        Assessment.objects.create(
            milestone=target,
            rating="engaged",
            as_of=dt.date(2025, 4, 1),
            rationale="Un appel d'offres est publié, dit-il.",
            assessor=who,
        )
    return {"formula": formula, "whole": whole}


def test_every_file_validates_against_its_schema(
    seeded: None, reader: Client, tmp_path: Path
) -> None:
    import frictionless

    cases = edge_cases()
    bodies = {}
    for name, table in TABLES.items():
        response, body = download(reader, reverse("initiatives:open_data_csv", args=[name]))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'
        assert not body.startswith(b"\xef\xbb\xbf"), "no byte order mark"
        header = body.split(b"\r\n", 1)[0].decode()
        assert header == ",".join(table.header())
        _r, schema_body = download(reader, reverse("initiatives:open_data_schema", args=[name]))
        schema = json.loads(schema_body)
        assert schema["name"] == name and schema["missingValues"] == [""]
        assert [f["name"] for f in schema["fields"]] == table.header()
        assert all(f["description"] for f in schema["fields"])
        (tmp_path / f"{name}.csv").write_bytes(body)
        (tmp_path / f"{name}.schema.json").write_bytes(schema_body)
        resource = frictionless.Resource(
            path=f"{name}.csv",
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(
                f"{name}.schema.json", basepath=str(tmp_path)
            ),
        )
        report = frictionless.validate(resource)
        if not report.valid:
            print(report.flatten(["rowNumber", "fieldName", "type", "message"]))
        assert report.valid, name
        bodies[name] = rows_of(body)
        assert bodies[name], f"{name}.csv has rows"

    # The quote with a comma, quotes and a line break comes back whole; the formula as typed.
    quotes = {row["citation"] for row in bodies["citations"]}
    assert TRICKY_QUOTE in quotes
    formula = next(r for r in bodies["jalons"] if r["id_jalon"] == str(cases["formula"].pk))
    assert formula["titre"] == cases["formula"].title  # not escaped: data for programs
    whole = next(r for r in bodies["jalons"] if r["id_jalon"] == str(cases["whole"].pk))
    assert whole["cle_chantier"] == "" and whole["echeance_libelle"] == ""
    assert whole["sante"] == "undated"
    # Open data names no person (CRPA L312-1-2): not the assessor, by name or by login.
    assert "evaluateur" not in bodies["evaluations"][0]
    assert not any("Dupont" in str(r) or "@" in str(r) for r in bodies["evaluations"])
    slip = next(r for r in bodies["glissements"] if r["id_jalon"] == str(cases["formula"].pk))
    assert slip["retard_jours"] == "153" and slip["echeance_nouvelle_libelle"] == "fin 2025"


def test_a_known_milestone_row(seeded: None, reader: Client, settings: Any) -> None:
    from initiatives.models import Milestone

    milestone = Milestone.objects.get(key="plan-ficele")
    _r, body = download(reader, reverse("initiatives:open_data_csv", args=["jalons"]))
    row = next(r for r in rows_of(body) if r["id_jalon"] == str(milestone.pk))
    assert row["cle_mission"] == "plan-cloud-nouvelle-france-industrielle"
    assert row["cle_jalon"] == "plan-ficele"
    assert row["titre"] == "Plan Cloud ficelé"
    assert row["echeance_libelle"] == "d'ici le printemps"  # verbatim
    assert row["echeance_precision"] == "season"
    assert row["echeance_debut"] == milestone.due_start.isoformat()  # type: ignore[union-attr]
    assert row["echeance_fin"] == milestone.due_end.isoformat()  # type: ignore[union-attr]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["echeance_fin"])
    assert row["nature"] == "deliverable" and row["statut"] == "planned"
    assert row["url"] == settings.SITE_URL + reverse("initiatives:milestone", args=[milestone.pk])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", row["date_modification"])


def test_conditional_get(reader: Client) -> None:
    milestone = MilestoneFactory()
    url = reverse("initiatives:open_data_csv", args=["jalons"])
    first = reader.get(url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    schema_url = reverse("initiatives:open_data_schema", args=["jalons"])
    schema_etag = reader.get(schema_url)["ETag"]
    assert reader.get(schema_url, HTTP_IF_NONE_MATCH=schema_etag).status_code == 304

    milestone.title = "Nouveau titre"
    milestone.save()
    again = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert b"Nouveau titre" in b"".join(again.streaming_content)


def test_queries_do_not_grow_with_rows(reader: Client) -> None:
    from initiatives.models import Assessment, MilestoneSlip

    def counts() -> dict[str, int]:
        found = {}
        for name in TABLES:
            url = reverse("initiatives:open_data_csv", args=[name])
            with CaptureQueriesContext(connection) as queries:
                response = reader.get(url)
                b"".join(response.streaming_content)
            found[name] = len(queries)
        return found

    def grow(times: int) -> None:
        workstream = WorkstreamFactory()
        source = SourceFactory()
        for _ in range(times):
            m = MilestoneFactory(workstream=workstream)
            CitationFactory(source=source, milestone=m)
            Assessment.objects.create(
                milestone=m, rating="engaged", as_of=dt.date(2025, 4, 1), rationale="Vu."
            )
            MilestoneSlip.objects.create(
                milestone=m,
                old_text="2024",
                old_start=dt.date(2024, 1, 1),
                old_end=dt.date(2024, 12, 31),
                new_text="2025",
                new_start=dt.date(2025, 1, 1),
                new_end=dt.date(2025, 12, 31),
            )

    grow(2)
    once = counts()
    grow(18)
    assert counts() == once
    assert max(once.values()) <= 6, once


def test_unknown_table(reader: Client) -> None:
    assert reader.get("/donnees/inconnue.csv").status_code == 404
    assert reader.get("/donnees/inconnue/schema.json").status_code == 404


def test_datapackage_and_catalogue(reader: Client) -> None:
    _r, body = download(reader, reverse("initiatives:open_data_package"))
    package = json.loads(body)
    assert [r["name"] for r in package["resources"]] == list(TABLES)
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert all(r["schema"].endswith("/schema.json") for r in package["resources"])

    response, body = download(reader, reverse("initiatives:open_data_catalogue"))
    assert response["Content-Type"].startswith("application/ld+json")
    dataset = json.loads(body)
    assert dataset["@type"] == "dcat:Dataset"
    for name in (
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dct:license",
        "dcat:contactPoint",
        "dct:modified",
    ):
        assert dataset[name], name
    assert (
        dataset["dct:license"]["@id"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    files, api = dataset["dcat:distribution"][:-1], dataset["dcat:distribution"][-1]
    assert len(files) == len(TABLES)
    for file in files:
        assert file["dcat:downloadURL"]["@id"].endswith(".csv")
        assert file["dct:conformsTo"]["@id"].endswith("/schema.json")
        assert file["dcat:mediaType"]["@id"].endswith("text/csv")
    service = api["dcat:accessService"]
    assert service["@type"] == "dcat:DataService"
    assert service["dcat:endpointURL"]["@id"].endswith("/api/v1/")
    assert service["dcat:endpointDescription"]["@id"].endswith("/api/v1/schema/")


def test_data_page(reader: Client, settings: Any) -> None:
    settings.SITE_CONTACT_EMAIL = "donnees@example.gouv.fr"
    page = reader.get(reverse("initiatives:open_data"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Licence Ouverte 2.0" in html
    assert "120 requêtes par minute" in html and "600 requêtes par minute" in html
    assert "50" in html and "500" in html
    for url in (
        reverse("api:swagger"),
        reverse("api:redoc"),
        reverse("api:schema"),
        reverse("initiatives:healthz"),
        reverse("initiatives:open_data_package"),
        "mailto:donnees@example.gouv.fr",
        *(reverse("initiatives:open_data_csv", args=[n]) for n in TABLES),
        *(reverse("initiatives:open_data_schema", args=[n]) for n in TABLES),
    ):
        assert url in html, url
    assert 'id="conditions"' in html and "frictionless validate" in html
    assert "<q>Observatoire de la souveraineté numérique</q>" in html
    assert (
        f'<link rel="alternate" type="application/ld+json" href="{reverse("initiatives:open_data_catalogue")}"'
        in html
    )
    # Linked from every page's footer and from the site map.
    assert (
        reverse("initiatives:open_data")
        in reader.get(reverse("initiatives:sitemap")).content.decode()
    )
