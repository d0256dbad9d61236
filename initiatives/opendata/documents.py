"""What describes the files: each table's TableSchema (https://specs.frictionlessdata.io/
table-schema/, as schema.data.gouv.fr publishes them), the Data Package listing the six, and
the DCAT-AP description of the dataset, in JSON-LD, for harvesters (data.gouv.fr's among
them). Every address is absolute, from settings.SITE_URL. French: these are the data's words."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse

from .columns import Table, cell
from .tables import TABLES

SCHEMA_VERSION = "1.0.0"
LICENCE_NAME = "etalab-2.0"
LICENCE_TITLE = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
DATASET_TITLE = "Observatoire de la souveraineté numérique : missions, chantiers et jalons"
DATASET_DESCRIPTION = (
    "Les missions de l'État pour la souveraineté numérique, leurs chantiers, leurs jalons et "
    "leurs échéances (telles que les sources les écrivent et lues en fenêtres de dates), les "
    "reports d'échéances, les évaluations sur pièces, et les citations des sources qui "
    "appuient chaque fait. Fichiers produits depuis la base à chaque demande."
)
# TableSchema types whose Python values the csv module would not write as the schema reads
# them (True, a datetime with microseconds and offset, a Decimal).
_CONVERTED = {"boolean", "datetime", "number"}
# Rows fetched per round trip of the server-side cursor, and written per chunk of the answer.
CHUNK_ROWS = 2000


def absolute(viewname: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(viewname, kwargs=kwargs or None)


def csv_url(table: Table) -> str:
    return absolute("initiatives:open_data_csv", table=table.name)


def schema_url(table: Table) -> str:
    return absolute("initiatives:open_data_schema", table=table.name)


def table_schema(table: Table) -> dict[str, Any]:
    """The TableSchema of one file, with the metadata schema.data.gouv.fr's schemas carry."""
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "countryCode": "FR",
        "homepage": absolute("initiatives:open_data"),
        "path": schema_url(table),
        "resources": [{"title": table.filename, "path": csv_url(table)}],
        "version": SCHEMA_VERSION,
        "licenses": [{"name": LICENCE_NAME, "title": LICENCE_TITLE, "path": LICENCE_URL}],
        "fields": [column.field() for column in table.columns],
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }


def datapackage() -> dict[str, Any]:
    """The Data Package: the six files, each with its schema's address."""
    return {
        "profile": "tabular-data-package",
        "name": "observatoire-souverainete-numerique",
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "homepage": absolute("initiatives:open_data"),
        "version": SCHEMA_VERSION,
        "licenses": [{"name": LICENCE_NAME, "title": LICENCE_TITLE, "path": LICENCE_URL}],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": csv_url(table),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": schema_url(table),
            }
            for table in TABLES.values()
        ],
    }


def _id(url: str) -> dict[str, str]:
    return {"@id": url}


def _fr(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "fr"}


def catalogue(modified: dt.datetime | None) -> dict[str, Any]:
    """The dataset in DCAT-AP (JSON-LD): its files as distributions, each conforming to its
    schema, and the API as the data service that serves it."""
    page = absolute("initiatives:open_data")
    dataset_id = page + "#jeu-de-donnees"
    csv_type = _id("http://publications.europa.eu/resource/authority/file-type/CSV")
    distributions: list[dict[str, Any]] = [
        {
            "@id": csv_url(table),
            "@type": "dcat:Distribution",
            "dct:title": _fr(table.filename),
            "dct:description": _fr(table.description),
            "dcat:accessURL": _id(csv_url(table)),
            "dcat:downloadURL": _id(csv_url(table)),
            "dct:format": csv_type,
            "dcat:mediaType": _id("https://www.iana.org/assignments/media-types/text/csv"),
            "dct:conformsTo": _id(schema_url(table)),
            "dct:license": _id(LICENCE_URL),
        }
        for table in TABLES.values()
    ]
    api = absolute("api:schema").rsplit("schema/", 1)[0]
    distributions.append(
        {
            "@id": api,
            "@type": "dcat:Distribution",
            "dct:title": _fr("API JSON"),
            "dcat:accessURL": _id(api),
            "dct:format": _id("http://publications.europa.eu/resource/authority/file-type/JSON"),
            "dcat:mediaType": _id("https://www.iana.org/assignments/media-types/application/json"),
            "dct:license": _id(LICENCE_URL),
            "dcat:accessService": {
                "@id": api + "#service",
                "@type": "dcat:DataService",
                "dct:title": _fr("API de l'Observatoire de la souveraineté numérique"),
                "dcat:endpointURL": _id(api),
                "dcat:endpointDescription": _id(absolute("api:schema")),
                "dct:conformsTo": _id("https://spec.openapis.org/oas/v3.1.0"),
                "dcat:servesDataset": _id(dataset_id),
                "dct:license": _id(LICENCE_URL),
            },
        }
    )
    dataset: dict[str, Any] = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": dataset_id,
        "@type": "dcat:Dataset",
        "dct:title": _fr(DATASET_TITLE),
        "dct:description": _fr(DATASET_DESCRIPTION),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": settings.SITE_PUBLISHER},
        "dct:license": _id(LICENCE_URL),
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": settings.SITE_PUBLISHER,
            "vcard:hasEmail": _id(f"mailto:{settings.SITE_CONTACT_EMAIL}"),
        },
        "dcat:landingPage": _id(page),
        "dct:language": _id("http://publications.europa.eu/resource/authority/language/FRA"),
        "dct:accrualPeriodicity": _id(
            "http://publications.europa.eu/resource/authority/frequency/CONT"
        ),
        "dcat:keyword": ["souveraineté numérique", "cloud", "politiques publiques", "échéances"],
        "dcat:distribution": distributions,
    }
    if modified is not None:
        dataset["dct:modified"] = {
            "@value": cell(modified),
            "@type": "xsd:dateTime",
        }
    return dataset


def csv_chunks(table: Table, today: dt.date) -> Iterator[bytes]:
    """The file, UTF-8 without BOM, comma-separated, header first, in chunks of rows read by
    one server-side cursor: memory holds one chunk, never the table. RFC 4180 quoting: a
    cell with a comma, a quote or a line break is quoted, its quotes doubled. Nothing else
    is altered: a cell starting with `=` stays as is (these are files for programs, as on
    data.gouv.fr; prefixing it would change the data)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header())
    # The csv module writes None as an empty cell, and strings, integers and dates
    # (isoformat) as they should be: only these columns need `cell`, not every value.
    converted = [i for i, c in enumerate(table.columns) if c.type in _CONVERTED]
    rows = table.values(today).iterator(chunk_size=CHUNK_ROWS)
    written = 0
    for row in rows:
        if converted:
            row = list(row)
            for i in converted:
                row[i] = cell(row[i])
        writer.writerow(row)
        written += 1
        if written % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
