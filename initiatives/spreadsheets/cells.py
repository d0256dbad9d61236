"""What one cell of a milestone sheet holds, both ways: free text a spreadsheet must not run,
whole numbers, dates as French spreadsheets write them, choices as their French labels; and
how the preview shows a changed row."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.resources import Diff

# What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection), behind
# any apostrophes already there: a text that starts so is exported with one more apostrophe.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_WHOLE = re.compile(r"[+-]?\d{1,9}")


def escape_formula(text: str) -> str:
    """Text a spreadsheet shows as written, never runs: one apostrophe more before text that
    would start a formula. unescape_formula(escape_formula(t)) == t for every text."""
    return "'" + text if _FORMULA.match(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if _ESCAPED.match(text) else text


def folded(text: str) -> str:
    """A word as a person may type it: case, accents, apostrophes and spacing aside."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


class SheetTextWidget(widgets.CharWidget):
    """Free text: exported so that no spreadsheet runs it, imported back as it was."""

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> str:
        return unescape_formula(super().clean(value, row, **kwargs))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return escape_formula("" if value is None else str(value))


class PlainIntegerWidget(widgets.IntegerWidget):
    """An integer as digits: the library formats each one for the locale, which costs a large
    preview seconds and changes nothing here. Read back as digits, or an XLSX number: the
    library's reading fails on a word with an exception's name and cuts 40.5 to 40."""

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> int | None:
        if self.is_empty(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if isinstance(value, int) or _WHOLE.fullmatch(text):
            return int(text)
        raise ValueError(_("write a whole number, such as 40"))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class FrenchDateWidget(widgets.DateWidget):
    """2021-11-30, or 30/11/2021 as a French spreadsheet writes it; exported as ISO."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")
        self.formats = ("%Y-%m-%d", "%d/%m/%Y")

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):  # XLSX cells come as datetimes
            return value.date()
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("write the date as 2021-11-30 or 30/11/2021")) from None


class ChoiceWidget(widgets.Widget):
    """A choice (a status, a kind) written as its French label, "en cours", whatever the
    language of the page that exported it: a sheet is French data, and the same file must
    import back from any page. Read back from the French or English label or the code, case,
    accents and spacing aside ("termine", "In progress", "in_progress")."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        super().__init__()
        self.choices = choices
        self._labels: dict[str, str] = {}  # code -> French label, read once
        self._codes: dict[str, str] = {}  # folded word -> code

    def labels(self) -> dict[str, str]:
        if not self._labels:
            codes: dict[str, str] = {}
            for language in ("en", "fr"):
                with translation.override(language):
                    for code, label in self.choices.choices:
                        codes[folded(str(label))] = code
                        self._labels[code] = str(label)  # French, the last language read
            self._codes = {**codes, **{folded(code): code for code in self.choices.values}}
        return self._labels

    def code(self, text: str) -> str | None:
        """The choice `text` names, or None."""
        self.labels()
        return self._codes.get(folded(text))

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> str:
        text = str(value or "").strip()
        code = self.code(text)
        if code is None:
            raise ValueError(self.unknown(text))
        return code

    def unknown(self, text: str) -> str:
        return _("“%(value)s” is not one of: %(choices)s") % {
            "value": text,
            "choices": ", ".join(self.labels().values()),
        }

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return self.labels().get(value, "" if value is None else str(value))


def _shown(value: Any) -> str:
    return escape(force_str(value)) if value not in (None, "") else "—"


class SheetDiff(Diff):
    """The preview's cells: a changed value as old → new, each whole (a character diff of
    "0" and "20" read as "020", and was a third of a 10,000-row preview), an unchanged one as
    itself, a new row's as they will be. No inline style: the admin's CSP refuses it."""

    def as_html(self) -> list[SafeString]:
        cells = []
        for old, new in zip(self.left, self.right):
            old, new = force_str(old), force_str(new)
            if self.new or old == new:
                cells.append(escape(new))
            else:
                # escape() marks its result safe; the arrow and the tags are ours.
                cells.append(mark_safe(f"<del>{_shown(old)}</del> → <ins>{_shown(new)}</ins>"))  # noqa: S308
        return cells


class NoDiff(Diff):
    """The confirmation shows no preview: it computes none."""

    def __init__(self, resource: Any, instance: Any, new: bool) -> None:
        self.left: list[Any] = []
        self.right: list[Any] = []
        self.new = new

    def compare_with(self, resource: Any, instance: Any) -> None:
        pass

    def as_html(self) -> list[str]:
        return []
