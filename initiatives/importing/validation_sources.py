"""The validator's ground: its state (the rows it builds, where each is defined, every
error) and what every fact stands on: sources and their text files, quotes and editorial
notes, dates read from the words of a quote. validation._Validator walks the documents on
top of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from .. import periods
from ..models import DateBasis, Precision, Source, period_error_message
from ..quotes import find_quote, fold_whitespace
from .decoding import UndecodableText, decode_text
from .errors import DocumentError
from .reading import Document, _upload_name
from .rows import MODEL_ORDER, Fields, NaturalKey
from .schema import FACTS, CitationDoc, PeriodDoc, SourceDoc

MAX_SOURCE_BYTES = 5_000_000  # a press release is ~10 kB; this bounds memory, not ambition


class _Checks:
    """The state and the checks every kind of object shares; validation._Validator walks the
    documents with them."""

    known: dict[str, set[str]]  # the keys of sources, actors and labels, set by run()

    def __init__(self, documents: Sequence[Document], today: dt.date) -> None:
        self.documents = documents
        self.today = today
        self.errors: list[DocumentError] = []
        # Those about quotes and the texts they are found in: reported with the structure
        # errors of a document that failed the schema (planning.reported_errors), the others
        # only once its structure is right (they may follow from what failed).
        self.quote_errors: set[DocumentError] = set()
        self.rows: dict[str, dict[NaturalKey, Fields]] = {m: {} for m in MODEL_ORDER}
        self.where: dict[tuple[str, NaturalKey], tuple[str, str]] = {}  # (file, path) defined at
        self.source_texts: dict[str, str] = {}
        self.source_dates: dict[str, dt.date] = {}
        # Successors named by assessments, checked once every mission and milestone is known:
        # (document, path, assessed natural key, successor key).
        self.successors: list[tuple[Document, str, NaturalKey, str]] = []

    # -- helpers ---------------------------------------------------------------------------
    def error(self, doc: Document, path: str, message: str, *, quote: bool = False) -> None:
        # str(): a lazy message is rendered now, in the language active for this import.
        error = DocumentError(doc.name, path, str(message))
        self.errors.append(error)
        if quote:
            self.quote_errors.add(error)

    def text_error(self, doc: Document, path: str, message: str) -> None:
        """A source's text file that cannot be read: its quotes cannot be found in it."""
        self.error(doc, path, message, quote=True)

    def error_at(self, model: str, key: NaturalKey, field: str, message: str) -> None:
        """An error about a row already planned, reported where the document defines it."""
        file, path = self.where[(model, key)]
        self.errors.append(DocumentError(file, f"{path}.{field}", str(message)))

    def add_row(self, doc: Document, path: str, model: str, key: NaturalKey, row: Fields) -> bool:
        if (model, key) in self.where:
            first = ": ".join(self.where[(model, key)])
            self.error(
                doc,
                path,
                _("duplicate key %(key)s (already defined at %(first)s)")
                % {"key": "/".join(key), "first": first},
            )
            return False
        self.where[(model, key)] = (doc.name, path)
        self.rows[model][key] = row
        return True

    def reference(self, doc: Document, path: str, model: str, key: str) -> bool:
        if key in self.known[model]:
            return True
        names = {"Source": _("source"), "Actor": _("actor"), "Label": _("label")}
        self.error(
            doc, path, _('unknown %(kind)s key "%(key)s"') % {"kind": names[model], "key": key}
        )
        return False

    # -- sources ---------------------------------------------------------------------------
    def source(self, doc: Document, path: str, source: SourceDoc) -> None:
        text = self.source_text(doc, f"{path}.text_file", source.text_file)
        published = source.published
        if published.basis == "text":
            if not published.quote:
                self.error(
                    doc,
                    f"{path}.published.quote",
                    _("a date stated in the text needs the quote that states it"),
                )
            elif text and find_quote(text, published.quote) is None:
                self.error(
                    doc,
                    f"{path}.published.quote",
                    _quote_missing(published.quote, source.key),
                    quote=True,
                )
        elif not published.note:
            self.error(
                doc,
                f"{path}.published.note",
                _("a date from public record needs a note saying where it comes from"),
            )
        row = {
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "published_on": published.date,
            "published_precision": published.precision,
            "published_basis": DateBasis(published.basis).value,
            "published_note": published.quote if published.basis == "text" else published.note,
            "text": text,
            "text_sha256": Source.sha256_of(text),
        }
        if self.add_row(doc, path, "Source", (source.key,), row):
            self.source_texts[source.key] = text
            self.source_dates[source.key] = published.date

    def source_text(self, doc: Document, path: str, name: str) -> str:
        """The text file beside the document: confined to the document's folder (a document
        must not read /etc/passwd or the .env into the database), a file, UTF-8, not huge."""
        if doc.texts is not None:
            return self.uploaded_text(doc, path, name)
        folder = doc.directory.resolve()
        text_path = (folder / name).resolve()
        if not text_path.is_relative_to(folder):
            self.text_error(
                doc,
                path,
                _("the text file must be in the document's folder: %(file)s") % {"file": name},
            )
            return ""
        if not text_path.is_file():
            self.text_error(doc, path, _("text file not found: %(file)s") % {"file": name})
            return ""
        if text_path.stat().st_size > MAX_SOURCE_BYTES:
            self.text_error(
                doc,
                path,
                _("text file is larger than %(size)s MB") % {"size": MAX_SOURCE_BYTES // 1_000_000},
            )
            return ""
        try:
            text = decode_text(text_path.read_bytes())
        except UndecodableText as exc:
            if exc.binary:
                self.text_error(doc, path, _("text file contains a NUL character"))
            else:
                self.text_error(doc, path, _("text file is not UTF-8: %(file)s") % {"file": name})
            return ""
        except OSError as exc:
            self.text_error(
                doc, path, _("text file cannot be read: %(reason)s") % {"reason": exc.strerror}
            )
            return ""
        if not text.strip():
            self.text_error(doc, path, _("text file is empty"))
        return text

    def uploaded_text(self, doc: Document, path: str, name: str) -> str:
        assert doc.texts is not None
        text = doc.texts.get(_upload_name(name))
        if text is None:
            self.text_error(
                doc, path, _("text file not uploaded with the document: %(file)s") % {"file": name}
            )
            return ""
        if not text.strip():
            self.text_error(doc, path, _("text file is empty"))
        return text

    # -- citations and provenance ------------------------------------------------------------
    def citations(
        self,
        doc: Document,
        path: str,
        kind: str,
        target: tuple[str, ...],
        citations: Sequence[CitationDoc],
        editorial: dict[str, str],
        stated: Iterable[str],
    ) -> None:
        facts = FACTS[kind]
        for fact in editorial:
            if fact not in facts:
                self.error(
                    doc,
                    f"{path}.editorial.{fact}",
                    _("unknown fact; expected one of %(facts)s") % {"facts": ", ".join(facts)},
                )
        seen: set[tuple[str, str, str]] = set()
        covered: set[str] = set(editorial)
        for i, citation in enumerate(citations):
            cpath = f"{path}.citations[{i}]"
            fact = citation.fact or ""
            # A broken citation still counts as covering its fact: its own error says what is
            # wrong, a second "no quote supports" error would only be noise.
            covered |= set(facts) if not fact else {fact}
            if fact and fact not in facts:
                self.error(
                    doc,
                    f"{cpath}.fact",
                    _("unknown fact; expected one of %(facts)s") % {"facts": ", ".join(facts)},
                )
                continue
            if not self.reference(doc, f"{cpath}.source", "Source", citation.source):
                continue
            text = self.source_texts.get(citation.source, "")
            offsets = find_quote(text, citation.quote) if text else None
            if offsets is None:
                self.error(
                    doc,
                    f"{cpath}.quote",
                    _quote_missing(citation.quote, citation.source),
                    quote=True,
                )
                continue
            quote = fold_whitespace(citation.quote)
            if (citation.source, quote, fact) in seen:
                self.error(doc, cpath, _("the same quote is cited twice"), quote=True)
                continue
            seen.add((citation.source, quote, fact))
            self.rows["Citation"][(kind, *target, citation.source, quote, fact)] = {
                "start_offset": offsets[0],
                "end_offset": offsets[1],
            }
        for fact in stated:
            if fact not in covered:
                self.error(
                    doc,
                    path,
                    _(
                        'no quote supports the fact "%(fact)s": cite the source or add an editorial note for it'
                    )
                    % {"fact": fact},
                )

    def reference_date(
        self,
        doc: Document,
        path: str,
        spec: PeriodDoc,
        citations: Sequence[CitationDoc],
        fact: str,
        fallback_sources: Sequence[str] = (),
    ) -> dt.date | None:
        if spec.reference is not None:
            return spec.reference
        # The words were written on the day their source was published: read them against it.
        for citation in citations:
            if citation.fact in (None, fact) and citation.source in self.source_dates:
                return self.source_dates[citation.source]
        for key in fallback_sources:
            if key in self.source_dates:
                return self.source_dates[key]
        self.error(
            doc,
            f"{path}.reference",
            _("no date to read the expression against: cite a source or give a reference date"),
        )
        return None

    def period(
        self,
        doc: Document,
        path: str,
        spec: PeriodDoc | None,
        citations: Sequence[CitationDoc],
        fact: str,
        editorial: dict[str, str],
        fallback_sources: Sequence[str] = (),
    ) -> dict[str, Any] | None:
        empty = {"text": "", "start": None, "end": None, "precision": "", "reference": None}
        if spec is None:
            return empty
        reference = self.reference_date(doc, path, spec, citations, fact, fallback_sources)
        if reference is None:
            return None
        try:
            period = periods.parse_period(spec.text, reference, tense=spec.tense)
        except periods.PeriodParseError as exc:
            self.error(doc, path, period_error_message(exc))
            return None
        # "Keep the words as written": unless a note says the date is editorial, the words must
        # stand in a quote that supports this date.
        if fact not in editorial and not any(
            _loose(spec.text) in _loose(c.quote) for c in citations if c.fact in (None, fact)
        ):
            self.error(
                doc,
                f"{path}.text",
                _(
                    'the words "%(text)s" are in no quote supporting the date: quote them, or add an editorial note for "%(fact)s"'
                )
                % {"text": spec.text, "fact": fact},
            )
        return {
            "text": period.text,
            "start": period.start,
            "end": period.end,
            "precision": Precision(period.precision.value).value,
            "reference": period.reference,
        }


def _loose(text: str) -> str:
    """Case, apostrophes and whitespace aside: to find a date's words inside a quote."""
    return fold_whitespace(text.replace("’", "'")).casefold()


def _quote_missing(quote: str, source: str) -> str:
    shown = fold_whitespace(quote)
    if len(shown) > 80:
        shown = shown[:77] + "…"
    return _('quote not found verbatim in source "%(source)s": "%(quote)s"') % {
        "source": source,
        "quote": shown,
    }
