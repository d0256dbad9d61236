"""Milestones as spreadsheets (CSV, XLSX) in the admin, through django-import-export and its
dry-run then confirm flow.

A row names its milestone by keys (mission, workstream, milestone) and carries what a
coordinator keeps: title, kind, due date as written, status, progress, completion date,
comment. Columns are headed in French (resource.COLUMNS), statuses and kinds written as their
French labels ("en cours", "livrable"), whatever the page's language: a sheet is data, and the
file one page exports imports back from any other. An import also takes the codes, the
English labels and the fields' names as headers. A CSV is written for French Excel (`;`, a
byte-order mark, CRLF) and read as any spreadsheet saves it (files.py).

Each row is checked by services.check_milestone_edit, the rules of the coordinators' own edit
(the due words read by periods.py, the version the sheet was exported at: a row edited since
is refused, never overwritten); the rows that pass are written together at the end of the
sheet by services.write_milestones (compare-and-swap, history, slips, alerts). A row that
changes nothing is skipped, so exporting and importing back changes nothing; the preview lists
the rows that change, each changed cell as old → new, and counts the others. Each bad row
gets its own message under its column's name; a sheet with any bad row writes nothing.

Speed: what a sheet names (missions, workstreams, milestones) is read in three queries per
sheet, not per row, and the writes are batched, so a sheet of SPREADSHEET_MAX_ROWS rows is
previewed and confirmed well within a web worker's timeout (tests/bench_spreadsheet.py).
A longer sheet is refused before any row is read.

Text a spreadsheet would run (a cell starting with =, +, -, @, a tab or a carriage return:
CSV injection) is exported behind an apostrophe, which Excel and LibreOffice show as text, and
the apostrophe is taken off again on import, so the round trip keeps the text as it was.

Modules: cells (what a cell holds both ways, the preview's diff), files (CSV for French
Excel), resource (the sheet, its rows and its result). Every name is re-exported here.
"""

from __future__ import annotations

from .cells import (
    ChoiceWidget,
    FrenchDateWidget,
    NoDiff,
    PlainIntegerWidget,
    SheetDiff,
    SheetTextWidget,
    escape_formula,
    folded,
    unescape_formula,
)
from .files import SheetCSV, SheetUnreadable, delimiter_of, read_csv, sheet_text
from .resource import (
    COLUMNS,
    MilestoneResource,
    MissionWidget,
    Sheet,
    SheetResult,
    WorkstreamOfMissionWidget,
    header_aliases,
)

__all__ = [
    "COLUMNS",
    "ChoiceWidget",
    "FrenchDateWidget",
    "MilestoneResource",
    "MissionWidget",
    "NoDiff",
    "PlainIntegerWidget",
    "Sheet",
    "SheetCSV",
    "SheetDiff",
    "SheetResult",
    "SheetTextWidget",
    "SheetUnreadable",
    "WorkstreamOfMissionWidget",
    "delimiter_of",
    "escape_formula",
    "folded",
    "header_aliases",
    "read_csv",
    "sheet_text",
    "unescape_formula",
]
