"""The milestones' spreadsheets in the admin (django-import-export): the export and import
buttons of the milestone list, the dry run's page, and what a person reads when a file cannot
be read or a row changed since the preview. What a sheet holds and how a row is checked and
written is `spreadsheets`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from .spreadsheets import MilestoneResource, SheetCSV, SheetUnreadable


class MilestoneSheetAdmin(ImportExportMixin):
    # Spreadsheets (spreadsheets/): export what the list shows, import with a dry run first.
    resource_classes = [MilestoneResource]
    # CSV for French Excel (`;`, a byte-order mark), read as any spreadsheet saves it.
    formats = [SheetCSV, base_formats.XLSX]
    # The preview: rows that change (old → new), the others counted; errors under columns.
    import_template_name = "admin/initiatives/milestone/import.html"

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        # The library names the exception ("InvalidDimensions"), in English: a person needs
        # what is wrong with the file, in the page's language.
        form.add_error(
            "import_file",
            str(e)
            if isinstance(e, SheetUnreadable)
            else _(
                "This file cannot be read in the format chosen: choose CSV for a .csv file, XLSX for an Excel workbook."
            ),
        )

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # A sheet is written whole or not at all, at the confirmation too: a row refused
        # there (someone edited it after the dry run) takes the others back with it.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result: Any, request: HttpRequest) -> Any:
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            _("line %(line)s: %(problem)s")
            % {
                "line": row.number,
                "problem": "; ".join(m for ms in row.error_dict.values() for m in ms),
            }
            for row in result.invalid_rows
        ] + [
            _("line %(line)s: %(problem)s")
            % {"line": number, "problem": "; ".join(str(e.error) for e in errors)}
            for number, errors in result.row_errors()
        ]
        messages.error(
            request,
            _("Nothing was imported: the data changed since the preview. %(problems)s")
            % {"problems": " — ".join(problems)},
        )
        return HttpResponseRedirect(reverse("admin:initiatives_milestone_import"))
