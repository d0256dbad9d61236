"""Sheets as files: CSV as French Excel writes and reads it.

French Excel opens a CSV in columns only when it is separated by semicolons, and reads it as
UTF-8 only behind a byte-order mark: an export is both, lines ending in CRLF. An import takes
what Excel (or anyone) saves: semicolons, commas or tabs (told from the header line), with or
without a byte-order mark, CRLF or LF, UTF-8, or Windows-1252 (Excel's « CSV (séparateur :
point-virgule) »), or UTF-16 with its mark. A file that cannot be read says why, in the
page's language, with its line, never an exception's name."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import tablib
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from ..importing import UndecodableText, decode_text

DELIMITERS = (";", ",", "\t")  # a tie goes to the first: French Excel's


class SheetUnreadable(ValueError):
    """A file that is not a sheet this import reads; the message says why, for a person."""


def sheet_text(raw: bytes | str) -> str:
    """The text of an uploaded sheet."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return decode_text(raw)  # UTF-8, or UTF-16/32 behind their mark, the mark dropped
    except UndecodableText as exc:
        if not exc.binary:
            try:
                # Not UTF-8: what Excel writes for « CSV (séparateur : point-virgule) ».
                return raw.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise SheetUnreadable(
        _(
            "This file is not a CSV text. Save the sheet as “CSV UTF-8” or choose the XLSX format for an Excel workbook."
        )
    )


def delimiter_of(text: str) -> str:
    """The separator that cuts the header into the most columns. The header as a CSV record,
    not as a line: a heading Excel wrote with a line break inside quotes spans two lines."""

    def columns(delimiter: str) -> int:
        try:
            return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []))
        except csv.Error:
            return 0

    return max(DELIMITERS, key=columns)


def read_csv(text: str) -> tablib.Dataset:
    """A dataset of the sheet's text: blank lines dropped, short lines completed, empty cells
    past the last column dropped; a line with more cells than the header is an error."""
    delimiter = delimiter_of(text.lstrip("\r\n"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _dataset(reader, delimiter)
    except csv.Error as error:
        # Line ends of an old Mac (CR alone), a cell past the reader's size limit…
        raise SheetUnreadable(
            _("Line %(line)s cannot be read as CSV: %(problem)s.")
            % {"line": reader.line_num, "problem": error}
        ) from None


def _dataset(reader: Any, delimiter: str) -> tablib.Dataset:
    dataset = tablib.Dataset()
    width = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if not width:
            dataset.headers = [cell.strip() for cell in cells]
            width = len(cells)
            continue
        while len(cells) > width and not cells[-1].strip():
            cells.pop()
        if len(cells) > width:
            raise SheetUnreadable(
                _(
                    "Line %(line)s has %(count)s cells but the first line names %(width)s columns: a cell holds a “%(delimiter)s” outside quotes."
                )
                % {
                    "line": reader.line_num,
                    "count": len(cells),
                    "width": width,
                    "delimiter": _("tab") if delimiter == "\t" else delimiter,
                }
            )
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset


class SheetCSV(base_formats.CSV):
    """CSV for French Excel (see the module). Binary for the library: the import reads the
    bytes itself, whatever their encoding, and the export writes its own."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return read_csv(sheet_text(in_stream))

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        text = dataset.export("csv", delimiter=";", lineterminator="\r\n")
        return codecs.BOM_UTF8 + text.encode("utf-8")
