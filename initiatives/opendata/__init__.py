"""The open data as files (/donnees/): six tidy CSV tables following data.gouv.fr's guide to
tabular data, each with its TableSchema, a Data Package listing them, a DCAT-AP description
for harvesters, and the page that says what is published and on what terms.

- `columns`: what a column and a table are, and how a cell becomes text;
- `tables`: the six tables, as data (file name, French title and description, columns);
- `documents`: the TableSchema, the Data Package, the DCAT JSON-LD, the streamed CSV;
- `views`: the page and the files (conditional GET from the data version)."""

from .columns import Column, Table, cell
from .documents import catalogue, csv_chunks, datapackage, table_schema
from .tables import TABLES

__all__ = [
    "TABLES",
    "Column",
    "Table",
    "catalogue",
    "cell",
    "csv_chunks",
    "datapackage",
    "table_schema",
]
