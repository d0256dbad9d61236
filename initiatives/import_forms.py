"""The administrators' import forms: files to upload (fixture documents and the texts they
cite), one document typed in, an article to draft a document from. They read and check what
was sent; planning and applying are the importer's (initiatives.importing)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import importing

if TYPE_CHECKING:
    from .extraction import PublishedPrecision

# -- uploads ----------------------------------------------------------------------------------

IMPORT_SUFFIXES = (".yaml", ".yml", ".json", ".txt")
IMPORT_MAX_FILES = 20
IMPORT_MAX_FILE_BYTES = 5_000_000  # a press release is ~10 kB, a fixture document ~20 kB
IMPORT_MAX_TOTAL_BYTES = 20_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pattern of Django's "Uploading multiple files")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def read_text_upload(upload: Any, *, max_bytes: int = IMPORT_MAX_FILE_BYTES) -> str:
    """An uploaded file's text, or a ValidationError saying in plain words what is wrong with
    it: too big, binary, not UTF-8 (naming the encoding it seems to be in). UTF-16 and UTF-32
    are read by their byte-order mark, which is dropped; Windows line ends are folded."""
    name = upload.name
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("%(name)s is too large (%(size)s MB; at most %(max)s MB)."),
            params={
                "name": name,
                "size": f"{upload.size / 1e6:.1f}",
                "max": max_bytes // 1_000_000,
            },
            code="too_large",
        )
    raw = upload.read(max_bytes + 1)
    try:
        # UTF-8, or UTF-16/32 with a byte-order mark; else the encoding it seems to be in.
        text = importing.decode_text(raw)
    except importing.UndecodableText as exc:
        raise forms.ValidationError(
            exc.message(name), code="binary" if exc.binary else "encoding"
        ) from None
    return text.replace("\r\n", "\n")


class ImportUploadForm(forms.Form):
    # The form's metaclass moves declared fields into base_fields: `self.files` stays the
    # uploads' MultiValueDict, which the stubs cannot tell from this class attribute.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files"),
        help_text=_(
            "Fixture documents (.yaml, .yml, .json) and the source texts they cite (.txt), "
            "%(count)s files and %(size)s MB at most."
        )
        % {"count": IMPORT_MAX_FILES, "size": IMPORT_MAX_TOTAL_BYTES // 1_000_000},
    )

    def clean_files(self) -> dict[str, str]:
        uploads = self.cleaned_data["files"]
        if len(uploads) > IMPORT_MAX_FILES:
            raise forms.ValidationError(
                _("%(count)s files sent; at most %(max)s at a time."),
                params={"count": len(uploads), "max": IMPORT_MAX_FILES},
                code="too_many",
            )
        if sum(u.size for u in uploads) > IMPORT_MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("The files weigh more than %(max)s MB together."),
                params={"max": IMPORT_MAX_TOTAL_BYTES // 1_000_000},
                code="too_large",
            )
        files: dict[str, str] = {}
        errors: list[forms.ValidationError] = []
        for upload in uploads:
            name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
            if not name.lower().endswith(IMPORT_SUFFIXES):
                errors.append(
                    forms.ValidationError(
                        _("%(name)s: only .yaml, .yml, .json and .txt files are accepted."),
                        params={"name": name},
                        code="type",
                    )
                )
                continue
            if name in files:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s is sent twice."), params={"name": name}, code="duplicate"
                    )
                )
                continue
            try:
                files[name] = read_text_upload(upload)
            except forms.ValidationError as exc:
                errors.append(exc)
                continue
            # Weighed before anything parses it: a document over the cap is refused at once.
            if not name.lower().endswith(".txt") and (size := importing.oversized(files[name])):
                errors.append(
                    forms.ValidationError(
                        _(
                            "%(name)s is too large for a fixture document (%(size)s MB; at most %(max)s MB, about %(values)s values): split it into several documents."
                        ),
                        params={"name": name, **importing.size_limits(size)},
                        code="too_large",
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        if not any(not n.lower().endswith(".txt") for n in files):
            raise forms.ValidationError(
                _("Send at least one fixture document (.yaml, .yml or .json)."), code="no_document"
            )
        return files


class ImportDocumentForm(forms.Form):
    """A document of a draft, corrected by hand on the preview page."""

    name = forms.CharField(widget=forms.HiddenInput, max_length=200)
    text = forms.CharField(
        label=_("Document"),
        strip=False,
        # Below Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), so the form, not the request
        # parser, says it is too long; a fixture document is ~20 kB.
        max_length=1_000_000,
        widget=forms.Textarea(
            attrs={"rows": 24, "spellcheck": "false", "class": "vLargeTextField"}
        ),
    )


_PUBLISHED_FORMS: tuple[tuple[str, PublishedPrecision, str], ...] = (
    (r"\d{4}-\d{2}-\d{2}", "day", ""),
    (r"\d{4}-\d{2}", "month", "-01"),
    (r"\d{4}", "year", "-01-01"),
)


def parse_published(value: str) -> tuple[dt.date, PublishedPrecision] | None:
    """ "2020-08-05", "2014-01" or "2014": the publication date and its precision."""
    value = value.strip()
    for pattern, precision, fill in _PUBLISHED_FORMS:
        if re.fullmatch(pattern, value):
            try:
                return dt.date.fromisoformat(value + fill), precision
            except ValueError:
                return None
    return None


class ExtractionForm(forms.Form):
    """An article pasted or uploaded, with what is known of its publication."""

    text = forms.CharField(
        label=_("Article text"),
        required=False,
        strip=False,
        max_length=200_000,  # extraction.MAX_ARTICLE_CHARS: an article is ~10 kB
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"}),
        help_text=_("Paste the article as it reads on the page, or send it as a .txt file below."),
    )
    file = forms.FileField(
        label=_("or a .txt file"), required=False, widget=forms.FileInput(attrs={"accept": ".txt"})
    )
    published = forms.CharField(
        label=_("Published on"),
        required=False,
        max_length=10,
        help_text=_(
            "YYYY-MM-DD, or YYYY-MM when only the month is known. Empty: found in the text."
        ),
    )
    publisher = forms.CharField(label=_("Publisher"), required=False, max_length=200)
    url = forms.URLField(
        label=_("Address (URL)"), required=False, max_length=500, assume_scheme="https"
    )

    def clean_published(self) -> tuple[dt.date, str] | None:
        value = self.cleaned_data["published"]
        if not value.strip():
            return None
        parsed = parse_published(value)
        if parsed is None:
            raise forms.ValidationError(
                _("Write the date as YYYY-MM-DD (2020-08-05) or YYYY-MM (2014-01)."), code="date"
            )
        if parsed[0] > timezone.localdate():
            raise forms.ValidationError(_("The publication date is in the future."), code="future")
        return parsed

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        upload = cleaned.get("file")
        if upload:
            if not upload.name.lower().endswith(".txt"):
                self.add_error("file", _("Only a .txt file is accepted."))
                return cleaned
            try:
                cleaned["text"] = read_text_upload(upload, max_bytes=1_000_000)
            except forms.ValidationError as exc:
                self.add_error("file", exc)
                return cleaned
        text = cleaned.get("text") or ""
        if len(text) > 200_000:
            self.add_error(
                "file" if upload else "text", _("An article of 200,000 characters at most, please.")
            )
            return cleaned
        if "\x00" in text:
            self.add_error("text", _("The text contains binary data."))
        elif not text.strip():
            self.add_error("text", _("Paste the article's text, or send it as a .txt file."))
        return cleaned
