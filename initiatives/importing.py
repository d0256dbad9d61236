"""Fixture documents: parse -> validate -> plan (a diff against the database) -> apply.

A fixture document is YAML (or JSON, which YAML reads too) in our own format, nested
mission -> workstreams -> milestones, referring to sources, actors and labels by key, with every
fact's quote inline as {source, quote}. The format is described in fixtures/README.md.

The rules that keep the data trustworthy:
- every error names the file, the path inside the document and the problem, and every error is
  reported, not only the first;
- a quote must stand verbatim in its source's text (whitespace folded);
- a fact with no quote must carry an editorial note saying where it comes from;
- a planned mission's document is the whole truth about what the mission holds: actors,
  workstreams, milestones and quotes it no longer lists are deleted, and the plan says so;
- except for what coordinators keep (status, progress, completion, comment, due words): a
  re-import merges it three ways with what the last import said, and refuses a real conflict;
- milestones are written by services.write_milestones, like every other write of them: the
  same rules, compare-and-swap, slips, health and alerts;
- assessments are a record: recorded through services.record_assessment after the
  milestones, identified by what they assess and their key; a changed one is a new revision,
  one the document no longer lists stays;
- a source whose text changes must still hold every quote of it, whichever mission cites it
  and whichever assessment stands on it;
- apply is one transaction: what is written is exactly what the plan said, or nothing.
  A plan shown for review and applied later (plan_apply) is rebuilt inside the transaction
  and refused (StalePlanError) if the database moved in between;
- importing the same documents twice changes nothing the second time.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError as RefusedWrite
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from . import history, periods, services
from .models import (
    KEY_PATTERN,
    Actor,
    Assessed,
    Assessment,
    Citation,
    DateBasis,
    Evidence,
    Involvement,
    Label,
    Milestone,
    Mission,
    Precision,
    Source,
    Workstream,
    period_error_message,
)
from .quotes import find_quote, fold_whitespace

FORMAT = "observatoire/1"
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
MAX_SOURCE_BYTES = 5_000_000  # a press release is ~10 kB; this bounds memory, not ambition

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentError:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else f"{self.file}: {self.message}"
        )


class ImportFailed(Exception):
    """The documents cannot be imported; nothing was written."""

    def __init__(self, errors: Sequence[DocumentError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class StalePlanError(Exception):
    """The database changed between the plan and its apply; nothing was written."""

    def __init__(self, current: ImportPlan) -> None:
        self.current = current
        super().__init__(_("The data changed since the preview; review the new plan."))


# --------------------------------------------------------------------------------------------
# Document schema (structure and types; cross-references are checked afterwards)
# --------------------------------------------------------------------------------------------

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LaxDate = Annotated[dt.date, Field(strict=False)]  # "2020-08-05" in the document


def _sized(model: type[Any], name: str, *, required: bool = True) -> Any:
    """A text type as long as the model's column allows: PostgreSQL would refuse more."""
    size = model._meta.get_field(name).max_length
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=int(required), max_length=size)
    ]


def _one_of(choices: type[Any]) -> Any:
    # The document accepts exactly the model's choices: one list to keep, not two.
    return Literal[tuple(choices.values)]  # type: ignore[valid-type]


def _period_shorthand(value: Any) -> Any:
    # `due: "à l'automne"` is the common case; the mapping form adds a reference or a tense.
    return {"text": value} if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CitationDoc(_Strict):
    source: Key
    quote: Text
    fact: Key | None = None


class PeriodDoc(_Strict):
    text: _sized(Milestone, "due_text")
    reference: LaxDate | None = None
    tense: Literal["future", "past"] = "future"


PeriodField = Annotated[PeriodDoc, BeforeValidator(_period_shorthand)]


class PublishedDoc(_Strict):
    date: LaxDate
    precision: Literal["day", "month", "year"]
    basis: _one_of(DateBasis)
    quote: OptionalText = ""
    note: OptionalText = ""


class SourceDoc(_Strict):
    key: Key
    title: _sized(Source, "title")
    publisher: _sized(Source, "publisher")
    url: Annotated[str, StringConstraints(pattern=r"^(https?://\S+)?$", max_length=500)] = ""
    text_file: Text
    published: PublishedDoc


class ActorDoc(_Strict):
    key: Key
    name: _sized(Actor, "name")
    kind: _one_of(Actor.Kind)
    affiliation: Key | None = None
    description: OptionalText = ""


class LabelDoc(_Strict):
    key: Key
    name: _sized(Label, "name")
    kind: _one_of(Label.Kind)
    description: OptionalText = ""


Editorial = dict[Key, Text]


def _true_or_false(value: Any) -> Any:
    # The loader reads true/false as text (no YAML booleans, see _Loader): the words, here.
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return value


Flag = Annotated[bool, BeforeValidator(_true_or_false)]


class EvidenceDoc(_Strict):
    source: Key
    quote: Text
    primary: Flag = True


class AssessmentDoc(_Strict):
    """An evidence-based rating ("statut constaté") of a milestone or a mission, named by a
    key within what it assesses; recorded through services.record_assessment."""

    key: Key
    rating: _one_of(Assessed)
    as_of: LaxDate
    rationale: Text
    evidence: list[EvidenceDoc] = []
    successor: Key | None = None  # a milestone of the same mission, or for a mission a mission


class MilestoneDoc(_Strict):
    key: Key
    title: _sized(Milestone, "title")
    due: PeriodField | None = None
    kind: _one_of(Milestone.Kind) = "deliverable"
    status: _one_of(Milestone.Status) = "planned"
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    completed_on: LaxDate | None = None
    comment: OptionalText = ""
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    assessments: list[AssessmentDoc] = []


class WorkstreamDoc(_Strict):
    key: Key
    title: _sized(Workstream, "title")
    summary: OptionalText = ""
    lead: Key | None = None
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    milestones: list[MilestoneDoc] = []


class InvolvementDoc(_Strict):
    actor: Key
    role: _one_of(Involvement.Role)
    capacity: _sized(Involvement, "capacity", required=False) = ""
    citations: list[CitationDoc] = []
    editorial: Editorial = {}


class BudgetDoc(_Strict):
    amount_eur: Annotated[Decimal, Field(strict=False, ge=0, max_digits=15, decimal_places=2)]
    qualifier: _one_of(Mission.BudgetQualifier)
    text: _sized(Mission, "budget_text")


class MissionDoc(_Strict):
    key: Key
    title: _sized(Mission, "title")
    summary: OptionalText = ""
    status: _one_of(Mission.Status) = "announced"
    launch: PeriodField | None = None
    budget: BudgetDoc | None = None
    labels: list[Key] = []
    sources: list[Key] = []
    citations: list[CitationDoc] = []
    editorial: Editorial = {}
    actors: list[InvolvementDoc] = []
    workstreams: list[WorkstreamDoc] = []
    milestones: list[MilestoneDoc] = []
    assessments: list[AssessmentDoc] = []


class DocumentDoc(_Strict):
    format: Literal["observatoire/1"]
    sources: list[SourceDoc] = []
    actors: list[ActorDoc] = []
    labels: list[LabelDoc] = []
    missions: list[MissionDoc] = []


# The facts each kind of object states, which a quote or an editorial note must support.
FACTS: dict[str, tuple[str, ...]] = {
    "mission": ("existence", "launch", "budget", "status"),
    "involvement": ("role",),
    "workstream": ("existence",),
    "milestone": ("existence", "due", "status"),
}


# --------------------------------------------------------------------------------------------
# Text from bytes
# --------------------------------------------------------------------------------------------

# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The 8-bit encodings a French text that is not UTF-8 is likely to be in, most likely first:
# what Windows writes, what old Macs wrote, what DOS wrote.
_LEGACY_ENCODINGS = (
    ("cp1252", gettext_noop("Windows-1252 (or ISO-8859-1)")),
    ("mac_roman", gettext_noop("Mac OS Roman")),
    ("cp850", gettext_noop("DOS (code page 850)")),
)
_LIKELY_SMALL = frozenset("àâäçéèêëîïôöùûüÿœæñáíóúãõåøß")  # the bulk of a text's accents
_LIKELY_OTHER = frozenset("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆÑÁÍÓÚÃÕÅØ«»‘’“”–—…€°•·\xa0")
_GUESS_SAMPLE_BYTES = 200_000


class UndecodableText(ValueError):
    """Bytes that are not text the importer reads: binary data, or text in an encoding other
    than UTF-8, named (translated) when it can be told."""

    def __init__(self, *, binary: bool = False, encoding: str | None = None) -> None:
        self.binary = binary
        self.encoding = encoding
        super().__init__("binary data" if binary else f"not UTF-8 ({encoding or 'unknown'})")

    def message(self, name: str) -> str:
        """The reason as a sentence about the file `name` (the upload form)."""
        if self.binary:
            return _("%(name)s is not a text file (it contains binary data).") % {"name": name}
        if self.encoding:
            return _(
                "%(name)s is not encoded in UTF-8: it seems to be encoded in %(encoding)s. Save it as “UTF-8 text” and send it again."
            ) % {"name": name, "encoding": self.encoding}
        return _("%(name)s is not encoded in UTF-8: save it as “UTF-8 text” and send it again.") % {
            "name": name
        }

    def reason(self) -> str:
        """The reason as an importer's error says it, after the file's name."""
        if self.binary:
            return _("not a text file (it contains binary data)")
        if self.encoding:
            return _("not UTF-8 text (it seems to be encoded in %(encoding)s)") % {
                "encoding": self.encoding
            }
        return _("not UTF-8 text")


def decode_text(raw: bytes) -> str:
    """The text of a file: UTF-8, or UTF-16 or UTF-32 with their byte-order mark (Windows's
    "Unicode" text), the mark dropped. Otherwise UndecodableText, with the encoding the bytes
    seem to be in, so that the message can say how to save the file."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                break  # a mark and then something else: judged below like unmarked bytes
            if "\x00" in text:
                raise UndecodableText(binary=True)
            return text
    if b"\x00" in raw:
        if _unmarked_utf16(raw):
            raise UndecodableText(encoding=_("UTF-16 without a byte-order mark"))
        raise UndecodableText(binary=True)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UndecodableText(encoding=_legacy_encoding(raw)) from None


def _unmarked_utf16(raw: bytes) -> bool:
    """Mostly ASCII once read as UTF-16: text, with every other byte zero."""
    if len(raw) % 2:
        return False
    sample = raw[:_GUESS_SAMPLE_BYTES]
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and sum(c < "\x80" for c in text) >= 0.7 * len(text):
            return True
    return False


def _legacy_encoding(raw: bytes) -> str | None:
    """The 8-bit encoding in which the bytes read most like Western European text: lowercase
    accented letters count most, letters no language of ours uses count against."""
    sample = raw[:_GUESS_SAMPLE_BYTES]
    best, best_score = None, 0
    for codec, label in _LEGACY_ENCODINGS:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined
        score = sum(
            2 if c in _LIKELY_SMALL else 1 if c in _LIKELY_OTHER else -2
            for c in text
            if c >= "\x80"
        )
        if score > best_score:  # a tie keeps the likelier encoding, listed first
            best, best_score = label, score
    return _(best) if best else None


# --------------------------------------------------------------------------------------------
# Parse
# --------------------------------------------------------------------------------------------


@dataclass
class Document:
    name: str  # as shown in messages: the path given by the user
    directory: Path  # text files are read relative to it
    body: DocumentDoc
    # Uploaded with the document (the admin's import page): text files by name, read from
    # here and never from disk.
    texts: Mapping[str, str] | None = None


def documents_collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """The fixture documents among `paths`, directories searched (sorted, for a stable order),
    and the named files passed over for not being documents: `fixtures/*` names the README."""
    found: list[Path] = []
    passed_over: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _is_document(p)))
        elif _is_document(path) or not path.exists():
            found.append(path)  # a missing file is reported as such by documents_parse
        else:
            passed_over.append(path)
    # The same file named twice (`fixtures fixtures/a.yaml`) is one document, not a duplicate.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), passed_over


def _is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def documents_parse(paths: Iterable[str | Path]) -> list[Document]:
    """Read and check the structure of each document; raise ImportFailed with every error."""
    documents: list[Document] = []
    errors: list[DocumentError] = []
    files, _passed_over = documents_collect(paths)
    if not files:
        raise ImportFailed([DocumentError("-", "", _("no fixture document to import"))])
    for path in files:
        name = str(path)
        try:
            # 4 bytes a character at most (UTF-32): larger is too large whatever it says.
            size = path.stat().st_size
            if size > 4 * MAX_DOCUMENT_BYTES:
                errors.append(DocumentError(name, "", _too_large(size)))
                continue
            raw_text = decode_text(path.read_bytes())
        except FileNotFoundError:
            errors.append(DocumentError(name, "", _("file not found")))
            continue
        except UndecodableText as exc:
            errors.append(DocumentError(name, "", exc.reason()))
            continue
        except OSError as exc:
            errors.append(
                DocumentError(name, "", _("cannot be read (%(reason)s)") % {"reason": exc.strerror})
            )
            continue
        document, parse_errors = document_parse_text(raw_text, name=name, directory=path.parent)
        errors.extend(parse_errors)
        if document is not None:
            documents.append(document)
    if errors:
        raise ImportFailed(errors)
    return documents


def documents_parse_uploaded(files: Mapping[str, str]) -> list[Document]:
    """The documents among uploaded files (name -> text), their source texts read from the
    other files of the same upload; raise ImportFailed with every error."""
    texts = {_upload_name(name): text for name, text in files.items() if not _is_document(Path(name))}
    documents: list[Document] = []
    errors: list[DocumentError] = []
    for name, raw_text in sorted(files.items()):
        if not _is_document(Path(name)):
            continue
        document, parse_errors = document_parse_text(
            raw_text, name=name, directory=Path("."), texts=texts
        )
        errors.extend(parse_errors)
        if document is not None:
            documents.append(document)
    if not documents and not errors:
        errors.append(DocumentError("-", "", _("no fixture document to import")))
    if errors:
        raise ImportFailed(errors)
    return documents


def _upload_name(name: str) -> str:
    """An uploaded text's name as a document refers to it: `sources/a.txt` names `a.txt`."""
    return Path(name).name


def document_parse_text(
    raw_text: str, *, name: str, directory: Path, texts: Mapping[str, str] | None = None
) -> tuple[Document | None, list[DocumentError]]:
    if size := oversized(raw_text):
        return None, [DocumentError(name, "", _too_large(size))]
    try:
        data = _load(raw_text)
    except RecursionError:
        return None, [DocumentError(name, "", _("nested too deeply"))]
    except UnicodeEncodeError:  # a lone surrogate, which no UTF-8 file holds
        return None, [DocumentError(name, "", _("not UTF-8 text"))]
    except _Unbuildable as exc:
        where = exc.path or _("line %(line)s") % {"line": exc.node.start_mark.line + 1}
        return None, [DocumentError(name, where, _unbuildable_message(exc))]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark:
            where = _("line %(line)s") % {"line": mark.line + 1}
        elif isinstance(exc, yaml.reader.ReaderError):  # a control character, a bad byte
            where = _("character %(position)s") % {"position": _character(raw_text, exc) + 1}
        else:
            where = ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [
            DocumentError(
                name, where, _("not valid YAML or JSON: %(problem)s") % {"problem": problem}
            )
        ]
    if not isinstance(data, dict):
        return None, [
            DocumentError(name, "", _("a document must be a mapping with a 'format' key"))
        ]
    try:
        size = _expanded_size(data, {})
    except RecursionError:
        return None, [DocumentError(name, "", _("nested too deeply"))]
    if size > MAX_EXPANDED_NODES:
        # Aliases are shared while loading but walked in full by every later check: nine
        # levels of nine aliases each ("billion laughs") is a few hundred bytes that expand
        # to hundreds of millions of values.
        return None, [
            DocumentError(
                name,
                "",
                _("too large once its aliases (*name) are expanded: at most %(count)s values")
                % {"count": f"{MAX_EXPANDED_NODES:,}".replace(",", " ")},
            )
        ]
    if nul_paths := list(_nul_paths(data, "")):
        # PostgreSQL cannot store NUL in text; SQLite can: refuse it on both.
        return None, [DocumentError(name, p, _("contains a NUL character")) for p in nul_paths]
    try:
        body = DocumentDoc.model_validate(data)
    except RecursionError:
        return None, [DocumentError(name, "", _("nested too deeply"))]
    except ValidationError as exc:
        return None, [
            DocumentError(name, _loc_to_path(e["loc"]), _pydantic_message(e)) for e in exc.errors()
        ]
    return Document(name=name, directory=directory, body=body, texts=texts), []


def oversized(text: str) -> int | None:
    """The document's size in bytes (UTF-8) if it is over MAX_DOCUMENT_BYTES, else None.
    Weighed before it is read: reading is what takes time."""
    if len(text) <= MAX_DOCUMENT_BYTES // 4:  # 4 bytes a character at most
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > MAX_DOCUMENT_BYTES else None


def size_limits(size: int) -> dict[str, str]:
    """A document's size and the caps it is over, as the messages show them."""
    return {
        "size": f"{size / 1e6:.1f}",
        "max": str(MAX_DOCUMENT_BYTES // 1_000_000),
        "values": f"{MAX_EXPANDED_NODES:,}".replace(",", " "),
    }


def _too_large(size: int) -> str:
    return (
        _(
            "too large (%(size)s MB; a fixture document weighs at most %(max)s MB, about %(values)s values): split it into several documents"
        )
        % size_limits(size)
    )


def _character(text: str, exc: yaml.reader.ReaderError) -> int:
    """The position of a reader error in characters: libyaml counts UTF-8 bytes."""
    if _FastParser is None:
        return int(exc.position)
    return len(text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "ignore"))


try:
    from yaml.cyaml import CParser as _FastParser
except ImportError:  # PyYAML built without libyaml
    _FastParser = None

if _FastParser is not None:

    class _Reader(Composer, _FastParser):  # type: ignore[misc, valid-type]
        """libyaml's scanner and parser, ~6 times faster than PyYAML's own (measured: 0.8 s
        against 4.6 s for a 1 MB document), with PyYAML's composer on top: it recurses in
        Python, so a deeply nested document raises RecursionError where libyaml's composer
        would overflow the C stack and kill the process."""

        def __init__(self, stream: str) -> None:
            _FastParser.__init__(self, stream)
            Composer.__init__(self)

else:

    class _Reader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, Composer
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            Composer.__init__(self)


class _Unbuildable(yaml.YAMLError):
    """A value the document writes but Python cannot hold: an impossible date, a number of
    more digits than Python converts, a word tagged !!int…"""

    def __init__(self, node: Node, *, too_long: bool = False) -> None:
        super().__init__(f"cannot build {node.tag} at line {node.start_mark.line + 1}")
        self.node = node
        self.too_long = too_long
        self.path = ""


def _load(text: str) -> Any:
    """The document's data, as SafeLoader reads it (with _Loader's rules). A value that
    cannot be built raises _Unbuildable with its path in the document."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        try:
            return loader.construct_document(root)
        except _Unbuildable as exc:
            exc.path = _node_path(root, exc.node)
            raise
    finally:
        loader.dispose()


_BUILD_FAILURES = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)


def _guarded(generator: Iterator[Any], node: Node) -> Iterator[Any]:
    try:
        yield from generator
    except _BUILD_FAILURES as exc:
        raise _Unbuildable(node) from exc


class _Loader(_Reader, SafeConstructor, Resolver):
    """SafeLoader that refuses duplicate keys (a silent overwrite would lose data), leaves
    dates and yes/no words as text, for the schema to read with a precise error, and reports
    the values it cannot build where they stand."""

    def __init__(self, stream: str) -> None:
        _Reader.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        pending = len(self.state_generators)
        try:
            value = super().construct_object(node, deep=deep)
        except _BUILD_FAILURES as exc:
            # SafeConstructor's own failures on a value it cannot build: `!!timestamp
            # 2026-02-30`, `!!int ''`, `!!bool peut-être`, 5,000 digits…
            raise _Unbuildable(node) from exc
        if len(self.state_generators) > pending:
            # A list or mapping is filled in later, outside this call: `!!set 2026-02-30`
            # fails then, and must still be told apart by its node.
            self.state_generators[pending] = _guarded(self.state_generators[pending], node)
        if isinstance(value, int) and value.bit_length() > 64:
            try:
                str(value)  # 0x + 20,000 digits builds, but no message could ever show it
            except ValueError:
                raise _Unbuildable(node, too_long=True) from None
        return value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Only the keys written in this mapping count: `<<: *anchor` merges may be overridden.
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain word", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no/on/off as booleans ("the Norway problem") and 2020-02-30 as a date
# that crashes the loader; our documents have no booleans and the schema reads dates itself,
# with the path of a bad one.
_TEXT_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_EXPANDED_NODES = 200_000  # our largest document has ~350 values
# Weighed before the document is read, matched to the cap on values: the curated documents
# hold a value per 23 to 47 bytes (tests/test_importing.py measures it), so the densest of
# them reaches 200,000 values at 4.6 MB. Reading takes ~1 s a MB.
MAX_DOCUMENT_BYTES = 4_000_000


def _node_path(root: Node, target: Node) -> str:
    """Where `target` first stands in the document, written as the schema's errors write it
    (missions[0].workstreams[0].title); a key stands where its value does."""
    stack: list[tuple[Node, str]] = [(root, "")]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:  # an alias: already walked where its anchor stands
            continue
        seen.add(id(node))
        children: list[tuple[Node, str]] = []
        if isinstance(node, MappingNode):
            for key, value in node.value:
                name = Truncator(key.value).chars(40) if isinstance(key, ScalarNode) else "?"
                where = f"{path}.{name}" if path else name
                children += [(key, where), (value, where)]
        elif isinstance(node, SequenceNode):
            children = [(item, f"{path}[{index}]") for index, item in enumerate(node.value)]
        stack.extend(reversed(children))  # in the document's order
    return ""


_UNBUILDABLE_KINDS = {
    "tag:yaml.org,2002:timestamp": gettext_noop("not a valid date or time: %(value)s"),
    "tag:yaml.org,2002:int": gettext_noop("not a whole number: %(value)s"),
    "tag:yaml.org,2002:float": gettext_noop("not a number: %(value)s"),
    "tag:yaml.org,2002:bool": gettext_noop("not true or false: %(value)s"),
}


def _unbuildable_message(exc: _Unbuildable) -> str:
    node = exc.node
    value = node.value if isinstance(node, ScalarNode) else ""
    limit = sys.get_int_max_str_digits()
    if exc.too_long or (
        node.tag == "tag:yaml.org,2002:int" and limit and sum(c.isdigit() for c in value) > limit
    ):
        return _("a number too large (more than %(max)s digits)") % {"max": limit}
    template = _UNBUILDABLE_KINDS.get(node.tag)
    if template is None:
        return _("cannot be read as %(tag)s: %(value)s") % {
            "tag": node.tag.replace("tag:yaml.org,2002:", "!!"),
            "value": _describe(value),
        }
    return _(template) % {"value": _describe(value)}


def _expanded_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values the document holds with every alias expanded, counting each shared
    value once per use but computing it once (linear in what was written)."""
    if not isinstance(value, dict | list):
        return 1
    known = sizes.get(id(value))
    if known is not None:
        return known
    sizes[id(value)] = MAX_EXPANDED_NODES + 1  # a cycle (an alias inside itself) is too large
    items = value.values() if isinstance(value, dict) else value
    total = 1
    for item in items:
        total += _expanded_size(item, sizes)
        if total > MAX_EXPANDED_NODES:
            break
    sizes[id(value)] = total
    return total


def _nul_paths(value: Any, path: str) -> Iterable[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")


def _loc_to_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("function-"):
            continue  # pydantic's own marker for a validator, not a place in the document
        else:
            path += f".{part}" if path else part
    return path


def _pydantic_message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "missing":
        return _("required field is missing")
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind in {"string_type"}:
        return _("expected text, got %(value)s") % {"value": _describe(error.get("input"))}
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("expected a whole number, got %(value)s") % {
            "value": _describe(error.get("input"))
        }
    if kind in {"bool_type", "bool_parsing"}:
        return _("expected true or false, got %(value)s") % {"value": _describe(error.get("input"))}
    if kind in {"list_type"}:
        return _("expected a list, got %(value)s") % {"value": _describe(error.get("input"))}
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("expected a mapping, got %(value)s") % {"value": _describe(error.get("input"))}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("expected a date as YYYY-MM-DD, got %(value)s") % {
            "value": _describe(error.get("input"))
        }
    if kind.startswith("decimal") or kind == "finite_number":
        return _("expected an amount, got %(value)s") % {"value": _describe(error.get("input"))}
    if kind == "literal_error":
        return _("must be one of %(choices)s") % {"choices": ctx.get("expected", "")}
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == KEY_PATTERN:
            return _("must be a key: lowercase letters, digits and single hyphens")
        return _("must be a web address starting with http:// or https://")
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_too_long":
        return _("is too long (at most %(max)s characters)") % {"max": ctx.get("max_length")}
    if kind in {"less_than_equal", "greater_than_equal"}:
        bound = ctx.get("le", ctx.get("ge"))
        word = _("at most") if kind == "less_than_equal" else _("at least")
        return _("must be %(word)s %(bound)s") % {"word": word, "bound": bound}
    return str(error["msg"])


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value[:60]}"'
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing")
    return Truncator(repr(value)).chars(60)  # !!binary of a megabyte is a value too


# --------------------------------------------------------------------------------------------
# Validate and plan
# --------------------------------------------------------------------------------------------

Fields = dict[str, Any]
NaturalKey = tuple[str, ...]  # a natural key: ("mission-key", "milestone-key"), …


@dataclass
class Change:
    model: str  # "Mission", "Workstream", …
    natural_key: NaturalKey
    action: Literal["create", "update", "unchanged", "delete"]
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)

    @property
    def key(self) -> str:
        return " / ".join(self.natural_key)


@dataclass
class ImportPlan:
    """What apply will do: the desired rows (natural keys for relations) and the diff."""

    rows: dict[str, dict[NaturalKey, Fields]]
    changes: list[Change]
    citation_ids: dict[NaturalKey, int] = field(default_factory=dict)
    evidence_ids: dict[NaturalKey, int] = field(default_factory=dict)
    # Where each planned row is written: (model, natural key) -> (file, path).
    where: dict[tuple[str, NaturalKey], tuple[str, str]] = field(default_factory=dict)

    def counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {m: Counter() for m in MODEL_ORDER}
        for change in self.changes:
            counts[change.model][change.action] += 1
        return counts

    @property
    def is_noop(self) -> bool:
        return all(c.action == "unchanged" for c in self.changes)

    def digest(self) -> str:
        """The signature as a short string, to carry a previewed plan through a form."""
        return hashlib.sha256(repr(self.signature()).encode("utf-8")).hexdigest()

    def signature(self) -> list[tuple[Any, ...]]:
        """A comparable form of the diff, to tell whether the database moved under a plan."""
        return [
            (
                c.model,
                c.natural_key,
                c.action,
                sorted((f, repr(o), repr(n)) for f, (o, n) in c.fields.items()),
                # What a created row will hold is part of what was shown, too.
                sorted((f, repr(v)) for f, v in self.rows[c.model][c.natural_key].items())
                if c.action == "create"
                else [],
            )
            for c in self.changes
        ]


MODEL_ORDER = (
    "Source",
    "Label",
    "Actor",
    "Mission",
    "Involvement",
    "Workstream",
    "Milestone",
    "Citation",
    # A document's assessment, identified by what it assesses and its key: created when new,
    # "unchanged" when its last revision says the same, created again (a revision, shown
    # field by field) when it says something else. The importer never deletes one; the
    # plan lists those that go with a milestone the document no longer holds.
    "Assessment",
    # Only moved: the quotes assessments stand on, found again in a source's new text.
    "Evidence",
)


class _Validator:
    """Walks the parsed documents, collects every error with its path, and builds the rows."""

    def __init__(self, documents: Sequence[Document], today: dt.date) -> None:
        self.documents = documents
        self.today = today
        self.errors: list[DocumentError] = []
        self.rows: dict[str, dict[NaturalKey, Fields]] = {m: {} for m in MODEL_ORDER}
        self.where: dict[tuple[str, NaturalKey], tuple[str, str]] = {}  # (file, path) defined at
        self.source_texts: dict[str, str] = {}
        self.source_dates: dict[str, dt.date] = {}
        # Successors named by assessments, checked once every mission and milestone is known:
        # (document, path, assessed natural key, successor key).
        self.successors: list[tuple[Document, str, NaturalKey, str]] = []

    # -- helpers ---------------------------------------------------------------------------
    def error(self, doc: Document, path: str, message: str) -> None:
        # str(): a lazy message is rendered now, in the language active for this import.
        self.errors.append(DocumentError(doc.name, path, str(message)))

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

    # -- entry point -----------------------------------------------------------------------
    def run(self) -> None:
        db_sources = {
            s.key: (s.text, s.published_on)
            for s in Source.objects.only("key", "text", "published_on")
        }
        for key, (text, published_on) in db_sources.items():
            self.source_texts[key] = text
            self.source_dates[key] = published_on
        self.known = {
            "Source": set(db_sources),
            "Actor": set(Actor.objects.values_list("key", flat=True)),
            "Label": set(Label.objects.values_list("key", flat=True)),
        }
        for doc in self.documents:
            for i, source in enumerate(doc.body.sources):
                self.source(doc, f"sources[{i}]", source)
        for doc in self.documents:
            for i, label in enumerate(doc.body.labels):
                self.add_row(
                    doc, f"labels[{i}]", "Label", (label.key,), label.model_dump(exclude={"key"})
                )
            for i, actor in enumerate(doc.body.actors):
                self.add_row(
                    doc, f"actors[{i}]", "Actor", (actor.key,), actor.model_dump(exclude={"key"})
                )
        for model in ("Source", "Actor", "Label"):
            self.known[model] |= {k[0] for k in self.rows[model]}
        for doc in self.documents:
            for i, actor in enumerate(doc.body.actors):
                if actor.affiliation is not None:
                    self.reference(doc, f"actors[{i}].affiliation", "Actor", actor.affiliation)
                    if actor.affiliation == actor.key:
                        self.error(
                            doc,
                            f"actors[{i}].affiliation",
                            _("an actor cannot be its own affiliation"),
                        )
            for i, mission in enumerate(doc.body.missions):
                self.mission(doc, f"missions[{i}]", mission)
        self.check_successors()

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
                    doc, f"{path}.published.quote", _quote_missing(published.quote, source.key)
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
            self.error(
                doc,
                path,
                _("the text file must be in the document's folder: %(file)s") % {"file": name},
            )
            return ""
        if not text_path.is_file():
            self.error(doc, path, _("text file not found: %(file)s") % {"file": name})
            return ""
        if text_path.stat().st_size > MAX_SOURCE_BYTES:
            self.error(
                doc,
                path,
                _("text file is larger than %(size)s MB") % {"size": MAX_SOURCE_BYTES // 1_000_000},
            )
            return ""
        try:
            text = decode_text(text_path.read_bytes())
        except UndecodableText as exc:
            if exc.binary:
                self.error(doc, path, _("text file contains a NUL character"))
            else:
                self.error(doc, path, _("text file is not UTF-8: %(file)s") % {"file": name})
            return ""
        except OSError as exc:
            self.error(
                doc, path, _("text file cannot be read: %(reason)s") % {"reason": exc.strerror}
            )
            return ""
        if not text.strip():
            self.error(doc, path, _("text file is empty"))
        return text

    def uploaded_text(self, doc: Document, path: str, name: str) -> str:
        assert doc.texts is not None
        text = doc.texts.get(_upload_name(name))
        if text is None:
            self.error(
                doc, path, _("text file not uploaded with the document: %(file)s") % {"file": name}
            )
            return ""
        if not text.strip():
            self.error(doc, path, _("text file is empty"))
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
                self.error(doc, f"{cpath}.quote", _quote_missing(citation.quote, citation.source))
                continue
            quote = fold_whitespace(citation.quote)
            if (citation.source, quote, fact) in seen:
                self.error(doc, cpath, _("the same quote is cited twice"))
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

    # -- missions and what they hold --------------------------------------------------------
    def mission(self, doc: Document, path: str, mission: MissionDoc) -> None:
        mkey = mission.key
        for i, key in enumerate(mission.labels):
            self.reference(doc, f"{path}.labels[{i}]", "Label", key)
        for i, key in enumerate(mission.sources):
            self.reference(doc, f"{path}.sources[{i}]", "Source", key)
        _check_unique_list(self, doc, f"{path}.labels", mission.labels)
        _check_unique_list(self, doc, f"{path}.sources", mission.sources)
        launch = self.period(
            doc,
            f"{path}.launch",
            mission.launch,
            mission.citations,
            "launch",
            mission.editorial,
            mission.sources,
        )
        # The default status claims nothing; any other status is a fact to support.
        stated = ["existence"] if mission.status == "announced" else ["existence", "status"]
        if mission.launch is not None:
            stated.append("launch")
        if mission.budget is not None:
            stated.append("budget")
        self.citations(doc, path, "mission", (mkey,), mission.citations, mission.editorial, stated)
        budget = mission.budget
        row = {
            "title": mission.title,
            "summary": mission.summary,
            "status": mission.status,
            **{f"launch_{k}": v for k, v in (launch or {}).items()},
            "budget_eur": budget.amount_eur if budget else None,
            "budget_qualifier": budget.qualifier if budget else "",
            "budget_text": budget.text if budget else "",
            "editorial": dict(mission.editorial),
            "labels": tuple(sorted(mission.labels)),
            "sources": tuple(sorted(mission.sources)),
        }
        if not self.add_row(doc, path, "Mission", (mkey,), row):
            return
        self.assessments(doc, path, ("mission", mkey), mission.assessments)
        for i, inv in enumerate(mission.actors):
            ipath = f"{path}.actors[{i}]"
            if not self.reference(doc, f"{ipath}.actor", "Actor", inv.actor):
                continue
            key = (mkey, inv.actor, inv.role)
            if self.add_row(
                doc,
                ipath,
                "Involvement",
                key,
                {"capacity": inv.capacity, "editorial": dict(inv.editorial)},
            ):
                self.citations(
                    doc, ipath, "involvement", key, inv.citations, inv.editorial, ["role"]
                )
        for i, ws in enumerate(mission.workstreams):
            wpath = f"{path}.workstreams[{i}]"
            if ws.lead is not None:
                self.reference(doc, f"{wpath}.lead", "Actor", ws.lead)
            row = {
                "position": i + 1,
                "title": ws.title,
                "summary": ws.summary,
                "lead": ws.lead,
                "editorial": dict(ws.editorial),
            }
            if self.add_row(doc, wpath, "Workstream", (mkey, ws.key), row):
                self.citations(
                    doc,
                    wpath,
                    "workstream",
                    (mkey, ws.key),
                    ws.citations,
                    ws.editorial,
                    ["existence"],
                )
            for j, ms in enumerate(ws.milestones):
                self.milestone(doc, f"{wpath}.milestones[{j}]", mission, ws.key, ms)
        for j, ms in enumerate(mission.milestones):
            self.milestone(doc, f"{path}.milestones[{j}]", mission, None, ms)

    def milestone(
        self,
        doc: Document,
        path: str,
        mission: MissionDoc,
        workstream: str | None,
        ms: MilestoneDoc,
    ) -> None:
        due = self.period(
            doc, f"{path}.due", ms.due, ms.citations, "due", ms.editorial, mission.sources
        )
        rules = services.milestone_rule_errors(
            status=ms.status,
            progress=ms.progress,
            completed_on=ms.completed_on,
            comment=ms.comment,
            today=self.today,
        )
        for name, message in rules.items():
            self.error(doc, f"{path}.{name}", message)
        progress = services.done_progress(ms.status, ms.progress)
        stated = ["existence", "status"] if ms.status != "planned" else ["existence"]
        if ms.due is not None:
            stated.append("due")
        row = {
            "workstream": workstream,
            "title": ms.title,
            "kind": ms.kind,
            **{f"due_{k}": v for k, v in (due or {}).items()},
            "status": ms.status,
            "progress": progress if progress is not None else 0,
            "completed_on": ms.completed_on,
            "comment": ms.comment,
            "editorial": dict(ms.editorial),
        }
        row["imported_state"] = _progress_state(row)
        key = (mission.key, ms.key)
        if self.add_row(doc, path, "Milestone", key, row):
            self.citations(doc, path, "milestone", key, ms.citations, ms.editorial, stated)
            self.assessments(doc, path, ("milestone", *key), ms.assessments)

    # -- assessments -------------------------------------------------------------------------
    def assessments(
        self, doc: Document, path: str, target: NaturalKey, assessments: Sequence[AssessmentDoc]
    ) -> None:
        """The rules services.record_assessment keeps, checked here with the document's paths
        (so that apply, which records through it, never meets a refusal), and the rows."""
        for i, item in enumerate(assessments):
            apath = f"{path}.assessments[{i}]"
            if item.as_of > self.today:
                self.error(doc, f"{apath}.as_of", _("an assessment cannot be dated in the future"))
            milestone = self.rows["Milestone"].get(target[1:]) if target[0] == "milestone" else None
            early = milestone and services.too_early_to_say_not_achieved(
                item.rating, item.as_of, milestone["status"], milestone.get("due_end")
            )
            if early:
                self.error(doc, f"{apath}.rating", early)
            evidence: list[tuple[str, str, bool]] = []
            seen: set[tuple[str, str]] = set()
            for j, quoted in enumerate(item.evidence):
                epath = f"{apath}.evidence[{j}]"
                if not self.reference(doc, f"{epath}.source", "Source", quoted.source):
                    continue
                text = self.source_texts.get(quoted.source, "")
                if not text or find_quote(text, quoted.quote) is None:
                    self.error(doc, f"{epath}.quote", _quote_missing(quoted.quote, quoted.source))
                    continue
                quote = fold_whitespace(quoted.quote)
                if (quoted.source, quote) in seen:
                    self.error(doc, epath, _("the same quote is cited twice"))
                    continue
                seen.add((quoted.source, quote))
                evidence.append((quoted.source, quote, quoted.primary))
            if Assessed.needs_evidence(item.rating) and not item.evidence:
                self.error(
                    doc,
                    f"{apath}.evidence",
                    _("this rating needs at least one piece of evidence: a source and a verbatim quote of it"),
                )
            if item.successor is not None:
                if item.rating != Assessed.SUPERSEDED:
                    self.error(
                        doc,
                        f"{apath}.successor",
                        _("only a rating “no longer relevant / replaced” points to a successor"),
                    )
                else:
                    self.successors.append((doc, f"{apath}.successor", target, item.successor))
            row = {
                "rating": item.rating,
                "as_of": item.as_of,
                "rationale": item.rationale,
                "evidence": tuple(evidence),
                "successor": item.successor,
            }
            self.add_row(doc, apath, "Assessment", (*target, item.key), row)

    def check_successors(self) -> None:
        """A milestone is replaced by a milestone of the same mission (which its document
        holds: it is the whole truth about the mission); a mission by a mission of these
        documents or of the database."""
        wanted = {key for _doc, _path, target, key in self.successors if target[0] == "mission"}
        missions = {k[0] for k in self.rows["Mission"]}
        if wanted - missions:
            missions |= set(
                Mission.objects.filter(key__in=wanted - missions).values_list("key", flat=True)
            )
        for doc, path, target, key in self.successors:
            if target[0] == "milestone":
                mission, milestone = target[1], target[2]
                if key == milestone:
                    self.error(doc, path, _("a milestone cannot replace itself"))
                elif (mission, key) not in self.rows["Milestone"]:
                    self.error(
                        doc,
                        path,
                        _('unknown milestone key "%(key)s" in mission %(mission)s')
                        % {"key": key, "mission": mission},
                    )
            elif key == target[1]:
                self.error(doc, path, _("a mission cannot replace itself"))
            elif key not in missions:
                self.error(doc, path, _('unknown mission key "%(key)s"') % {"key": key})


def _check_unique_list(
    validator: _Validator, doc: Document, path: str, keys: Sequence[str]
) -> None:
    for key, count in Counter(keys).items():
        if count > 1:
            validator.error(doc, path, _('"%(key)s" is listed twice') % {"key": key})


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


# --------------------------------------------------------------------------------------------
# The database side: existing rows in the same shape as the planned ones
# --------------------------------------------------------------------------------------------

_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "Source": (
        "title",
        "publisher",
        "url",
        "published_on",
        "published_precision",
        "published_basis",
        "published_note",
        "text",
        "text_sha256",
    ),
    "Label": ("name", "kind", "description"),
    "Actor": ("name", "kind", "description"),
    "Mission": (
        "title",
        "summary",
        "status",
        "launch_text",
        "launch_start",
        "launch_end",
        "launch_precision",
        "launch_reference",
        "budget_eur",
        "budget_qualifier",
        "budget_text",
        "editorial",
    ),
    "Involvement": ("capacity", "editorial"),
    "Workstream": ("position", "title", "summary", "editorial"),
    "Milestone": (
        "imported_state",
        "title",
        "kind",
        "due_text",
        "due_start",
        "due_end",
        "due_precision",
        "due_reference",
        "status",
        "progress",
        "completed_on",
        "comment",
        "editorial",
    ),
    "Citation": ("start_offset", "end_offset"),
}


def _fields(obj: Any, model: str) -> Fields:
    return {name: getattr(obj, name) for name in _MODEL_FIELDS[model]}


def _citations_of(mission_keys: Iterable[str], source_keys: Iterable[str] = ()) -> Any:
    """Every citation of the given missions (and of what they hold) or of the given sources,
    in one query."""
    keys = list(mission_keys)
    return Citation.objects.filter(
        Q(mission__key__in=keys)
        | Q(involvement__mission__key__in=keys)
        | Q(workstream__mission__key__in=keys)
        | Q(milestone__mission__key__in=keys)
        | Q(source__key__in=list(source_keys))
    ).select_related(
        "source",
        "mission",
        "involvement__mission",
        "involvement__actor",
        "workstream__mission",
        "milestone__mission",
    )


def _citation_key(cit: Citation) -> tuple[str, ...]:
    if cit.mission_id:
        target: tuple[str, ...] = ("mission", cit.mission.key)
    elif cit.involvement_id:
        inv = cit.involvement
        target = ("involvement", inv.mission.key, inv.actor.key, inv.role)
    elif cit.workstream_id:
        target = ("workstream", cit.workstream.mission.key, cit.workstream.key)
    else:
        target = ("milestone", cit.milestone.mission.key, cit.milestone.key)
    return (*target, cit.source.key, cit.quote, cit.fact)


def _existing_rows(
    rows: dict[str, dict[NaturalKey, Fields]],
) -> tuple[dict[str, dict[NaturalKey, Fields]], dict[NaturalKey, int]]:
    """Read, in a fixed number of queries, the rows the plan touches, keyed like the plan:
    what the planned missions hold, and every quote of a source whose text changes.
    Also returns the primary keys of those citations, which apply updates or deletes."""
    existing: dict[str, dict[NaturalKey, Fields]] = {m: {} for m in MODEL_ORDER}
    keys = {m: [k[0] for k in rows[m]] for m in ("Source", "Label", "Actor", "Mission")}
    for src in Source.objects.filter(key__in=keys["Source"]):
        existing["Source"][(src.key,)] = _fields(src, "Source")
    for label in Label.objects.filter(key__in=keys["Label"]):
        existing["Label"][(label.key,)] = _fields(label, "Label")
    for actor in Actor.objects.filter(key__in=keys["Actor"]).select_related("affiliation"):
        row = _fields(actor, "Actor")
        row["affiliation"] = actor.affiliation.key if actor.affiliation else None
        existing["Actor"][(actor.key,)] = row
    missions = Mission.objects.filter(key__in=keys["Mission"]).prefetch_related("labels", "sources")
    for mission in missions:
        row = _fields(mission, "Mission")
        row["labels"] = tuple(sorted(lbl.key for lbl in mission.labels.all()))
        row["sources"] = tuple(sorted(src.key for src in mission.sources.all()))
        existing["Mission"][(mission.key,)] = row
    in_missions = {"mission__key__in": keys["Mission"]}
    for inv in Involvement.objects.filter(**in_missions).select_related("mission", "actor"):
        existing["Involvement"][(inv.mission.key, inv.actor.key, inv.role)] = _fields(
            inv, "Involvement"
        )
    for ws in Workstream.objects.filter(**in_missions).select_related("mission", "lead"):
        row = _fields(ws, "Workstream")
        row["lead"] = ws.lead.key if ws.lead else None
        existing["Workstream"][(ws.mission.key, ws.key)] = row
    for ms in Milestone.objects.filter(**in_missions).select_related("mission", "workstream"):
        row = _fields(ms, "Milestone")
        row["workstream"] = ms.workstream.key if ms.workstream else None
        existing["Milestone"][(ms.mission.key, ms.key)] = row
    changed_sources = _changed_sources(rows, existing)
    citation_ids: dict[NaturalKey, int] = {}
    for cit in _citations_of(keys["Mission"], changed_sources):
        key = _citation_key(cit)
        existing["Citation"][key] = _fields(cit, "Citation")
        citation_ids[key] = cit.pk
    existing["Assessment"] = _existing_assessments(keys["Mission"])
    return existing, citation_ids


def _changed_sources(
    rows: dict[str, dict[NaturalKey, Fields]], existing: dict[str, dict[NaturalKey, Fields]]
) -> list[str]:
    return [
        k[0]
        for k, row in existing["Source"].items()
        if row["text_sha256"] != rows["Source"][k]["text_sha256"]
    ]


def _assessment_target(assessment: Assessment) -> NaturalKey:
    if assessment.milestone_id:
        return ("milestone", assessment.milestone.mission.key, assessment.milestone.key)
    return ("mission", assessment.mission.key)


def _existing_assessments(mission_keys: list[str]) -> dict[NaturalKey, Fields]:
    """The assessments of the planned missions and of their milestones, keyed like the plan's
    (what they assess, then their key), in two queries whatever their number: for a key, its
    last revision, which the document's is compared with. A person's (no key) is named by its
    id: the plan lists it only if it goes with its milestone."""
    in_missions = Q(mission__key__in=mission_keys) | Q(milestone__mission__key__in=mission_keys)
    found = (
        Assessment.objects.filter(in_missions)
        .select_related("mission", "milestone__mission", "successor_milestone", "successor_mission")
        .order_by("recorded_at", "pk")
    )
    evidence: dict[int, list[tuple[str, str, bool]]] = {}
    quotes = Evidence.objects.filter(
        Q(assessment__mission__key__in=mission_keys)
        | Q(assessment__milestone__mission__key__in=mission_keys)
    ).order_by("pk")
    for assessment_id, source, quote, primary in quotes.values_list(
        "assessment_id", "source__key", "quote", "primary"
    ):
        evidence.setdefault(assessment_id, []).append((source, fold_whitespace(quote), primary))
    rows: dict[NaturalKey, Fields] = {}
    for assessment in found:  # oldest first: a key's last revision is written last
        successor = assessment.successor_milestone or assessment.successor_mission
        rows[(*_assessment_target(assessment), assessment.key or f"#{assessment.pk}")] = {
            "rating": assessment.rating,
            "as_of": assessment.as_of,
            "rationale": assessment.rationale,
            "evidence": tuple(evidence.get(assessment.pk, ())),
            "successor": successor.key if successor else None,
        }
    return rows


def _requote_evidence(
    validator: _Validator, changed_sources: list[str], gone: Iterable[NaturalKey]
) -> tuple[dict[NaturalKey, Fields], dict[NaturalKey, int]]:
    """The quotes assessments stand on, of any mission and by anyone, found again in the new
    text of a source: moved (the plan says so), or the new text is refused. Those of the
    milestones the import deletes (`gone`) go with them. Planned rows go into the validator;
    returns the rows as they stand, and their ids."""
    gone = set(gone)
    existing: dict[NaturalKey, Fields] = {}
    ids: dict[NaturalKey, int] = {}
    quotes = Evidence.objects.filter(source__key__in=changed_sources).select_related(
        "source", "assessment__mission", "assessment__milestone__mission"
    )
    for item in quotes:
        assessment = item.assessment
        target = _assessment_target(assessment)
        if target[0] == "milestone" and target[1:] in gone:
            continue
        key = (
            *target,
            assessment.key or f"#{assessment.pk}",
            item.source.key,
            fold_whitespace(item.quote),
            f"#{item.pk}",
        )
        existing[key] = {"start_offset": item.start_offset, "end_offset": item.end_offset}
        ids[key] = item.pk
        offsets = find_quote(validator.source_texts[item.source.key], item.quote)
        if offsets is None:
            validator.error_at(
                "Source",
                (item.source.key,),
                "text_file",
                _quote_missing(item.quote, item.source.key)
                + _(" (evidence of an assessment in mission %(mission)s)") % {"mission": target[1]},
            )
            continue
        validator.rows["Evidence"][key] = {"start_offset": offsets[0], "end_offset": offsets[1]}
    return existing, ids


def _diff(
    rows: dict[str, dict[NaturalKey, Fields]], existing: dict[str, dict[NaturalKey, Fields]]
) -> list[Change]:
    changes: list[Change] = []
    for model in MODEL_ORDER:
        for key, new in rows[model].items():
            old = existing[model].get(key)
            if old is None:
                changes.append(Change(model, key, "create"))
                continue
            diff = {f: (old[f], v) for f, v in new.items() if old[f] != v}
            if model == "Assessment":
                # An assessment is a record: what it says now is a new revision beside the
                # last, shown field by field against it.
                changes.append(Change(model, key, "create" if diff else "unchanged", diff))
                continue
            changes.append(Change(model, key, "update" if diff else "unchanged", diff))
    # A planned mission's document is the whole truth about what the mission holds: the
    # actors, workstreams, milestones and quotes it no longer lists go (the plan shows them).
    for model in ("Citation", "Milestone", "Workstream", "Involvement"):
        for key in sorted(existing[model].keys() - rows[model].keys()):
            changes.append(Change(model, key, "delete"))
    # Assessments are never deleted for leaving a document, but a milestone that goes takes
    # its assessments (anyone's) with it: the plan says so.
    gone = existing["Milestone"].keys() - rows["Milestone"].keys()
    for key in sorted(existing["Assessment"]):
        if key[0] == "milestone" and key[1:3] in gone:
            changes.append(Change("Assessment", key, "delete"))
    return changes


def plan_build(documents: Sequence[Document], *, today: dt.date | None = None) -> ImportPlan:
    """Validate the documents against each other and the database, and diff them with it."""
    validator = _Validator(documents, today or timezone.localdate())
    validator.run()
    if validator.errors:
        raise ImportFailed(validator.errors)
    rows = validator.rows
    existing, citation_ids = _existing_rows(rows)
    _merge_progress(validator, existing["Milestone"])
    _requote_other_missions(validator, existing["Citation"])
    existing["Evidence"], evidence_ids = _requote_evidence(
        validator,
        _changed_sources(rows, existing),
        existing["Milestone"].keys() - rows["Milestone"].keys(),
    )
    if validator.errors:
        raise ImportFailed(validator.errors)
    return ImportPlan(
        rows=rows,
        changes=_diff(rows, existing),
        citation_ids=citation_ids,
        evidence_ids=evidence_ids,
        where=validator.where,
    )


# What coordinators edit: a re-import merges these three ways (_merge_coordinated).
COORDINATED_FIELDS = ("status", "progress", "completed_on", "comment", "due_text")
_DUE_WINDOW = ("due_start", "due_end", "due_precision", "due_reference")


def _progress_state(row: Fields) -> dict[str, Any]:
    """The coordinated fields of a milestone row, as stored in `imported_state` (JSON)."""
    # A row whose date could not be read has no due fields: it is refused anyway.
    state = {f: row.get(f, "") for f in COORDINATED_FIELDS}
    state["completed_on"] = state["completed_on"].isoformat() if state["completed_on"] else None
    return state


def _merge_progress(validator: _Validator, existing: dict[NaturalKey, Fields]) -> None:
    """Three-way merge of the fields coordinators edit. For each field: if the document did not
    change it since the last import, the database's value stays (a coordinator's edit is kept);
    if only the document changed it, the document wins; if both changed it differently, it is
    a conflict, refused with an error rather than silently overwritten. A field the last
    import did not record (imported before it was merged) counts as unchanged in the
    document: a person's edit is never lost to a guess. The due words carry their window."""
    for key, row in validator.rows["Milestone"].items():
        old = existing.get(key)
        if old is None:
            continue
        base, ours, theirs = old["imported_state"], row["imported_state"], _progress_state(old)
        for name in COORDINATED_FIELDS:
            was = base.get(name, ours[name])
            if ours[name] == theirs[name] or ours[name] == was:
                row[name] = old[name]  # same, or only the database moved: keep it
                if name == "due_text":
                    row.update({f: old[f] for f in _DUE_WINDOW})
            elif theirs[name] != was:
                validator.error_at(
                    "Milestone",
                    key,
                    name,
                    _(
                        "changed in the database since the last import (now %(db)s) and in this document (%(doc)s): update the document or the milestone"
                    )
                    % {"db": theirs[name], "doc": ours[name]},
                )
        row["progress"] = services.done_progress(row["status"], row["progress"])
        # A merge of two valid states can be invalid (the document says done, a coordinator
        # had cleared the completion date): refuse it like any other bad milestone.
        merged = services.milestone_rule_errors(
            status=row["status"],
            progress=row["progress"],
            completed_on=row["completed_on"],
            comment=row["comment"],
            today=validator.today,
        )
        for name, message in merged.items():
            validator.error_at(
                "Milestone",
                key,
                name,
                _("after keeping the edits made since the last import: %(problem)s")
                % {"problem": message},
            )


def _requote_other_missions(validator: _Validator, existing: dict[NaturalKey, Fields]) -> None:
    """A source whose text changes must still hold every quote of it, including the quotes of
    missions this import does not touch: find them again, or refuse the new text."""
    rows = validator.rows
    planned_missions = {k[0] for k in rows["Mission"]}
    for key in existing:
        if key in rows["Citation"] or _citation_mission(key) in planned_missions:
            continue
        source, quote = key[-3], key[-2]
        offsets = find_quote(validator.source_texts[source], quote)
        if offsets is None:
            cited_by = _(" (cited by mission %(mission)s)") % {"mission": _citation_mission(key)}
            validator.error_at(
                "Source", (source,), "text_file", _quote_missing(quote, source) + cited_by
            )
            continue
        rows["Citation"][key] = {"start_offset": offsets[0], "end_offset": offsets[1]}


def _citation_mission(key: NaturalKey) -> str:
    return key[1]  # (kind, mission key, …, source, quote, fact)


# --------------------------------------------------------------------------------------------
# Apply
# --------------------------------------------------------------------------------------------


def plan_apply(
    documents: Sequence[Document],
    plan: ImportPlan | str,
    *,
    today: dt.date | None = None,
    user: Any = None,
    authorize: Callable[[ImportPlan], None] | None = None,
) -> ImportPlan:
    """Write the plan (or the plan of that digest) in one transaction. The plan is built again
    inside the transaction: if the database moved since `plan` was shown, nothing is written
    and StalePlanError carries the new plan. `authorize` sees that plan before it is written,
    and raises to stop it (the admin's permission check)."""
    today = today or timezone.localdate()
    expected = plan if isinstance(plan, str) else plan.digest()
    try:
        with history.acting_as(user, "import"):
            current = plan_build(documents, today=today)
            if authorize is not None:
                authorize(current)
            if current.digest() != expected:
                raise StalePlanError(current)
            _Writer(current, today, user).write()
    except services.EditConflict:
        # Someone saved a milestone between this transaction's read and its write: nothing
        # was written; the plan as it stands now is shown again.
        raise StalePlanError(plan_build(documents, today=today)) from None
    return current


class _Writer:
    """Writes what the plan marks created, updated or deleted, parents before children."""

    def __init__(self, plan: ImportPlan, today: dt.date, user: Any = None) -> None:
        self.plan = plan
        self.user = user
        self.rows = plan.rows
        self.today = today
        self.todo = {
            (c.model, c.natural_key) for c in plan.changes if c.action in {"create", "update"}
        }
        self.gone = {(c.model, c.natural_key) for c in plan.changes if c.action == "delete"}
        self.pks: dict[str, dict[NaturalKey, int]] = {m: {} for m in MODEL_ORDER}

    def wanted(self, model: str) -> Iterable[tuple[NaturalKey, Fields]]:
        return ((k, r) for k, r in self.rows[model].items() if (model, k) in self.todo)

    def write(self) -> None:
        for model in (Source, Label, Actor, Mission):
            self.upsert_by_key(model)
        self.actor_affiliations()
        self.mission_relations()
        self.involvements()
        self.workstreams()
        self.milestones()
        self.citations()
        self.evidence()
        self.assessments()
        # Last, once milestones have moved to the workstreams they now belong to.
        services.delete_milestones(
            self.user, [self.pks["Milestone"][k] for m, k in self.gone if m == "Milestone"], via="import"
        )
        for model in (Workstream, Involvement):
            name = model.__name__
            model.objects.filter(
                pk__in=[self.pks[name][k] for m, k in self.gone if m == name]
            ).delete()

    def ids(self, model: type[Any], field: str, values: Iterable[str]) -> dict[NaturalKey, int]:
        return {
            (v,): pk
            for v, pk in model.objects.filter(**{f"{field}__in": list(values)}).values_list(
                field, "pk"
            )
        }

    def upsert_by_key(self, model: type[Any]) -> None:
        name = model.__name__
        objects = model.objects.in_bulk([k[0] for k in self.rows[name]], field_name="key")
        for key, row in self.wanted(name):
            obj = objects.get(key[0]) or model(key=key[0])
            for f in _MODEL_FIELDS[name]:
                setattr(obj, f, row[f])
            obj.save()
            objects[key[0]] = obj
        self.pks[name] = {(k,): obj.pk for k, obj in objects.items()}

    def actor(self, key: str | None) -> int | None:
        if key is None:
            return None
        if (key,) not in self.pks["Actor"]:
            self.pks["Actor"].update(self.ids(Actor, "key", [key]))
        return self.pks["Actor"][(key,)]

    def actor_affiliations(self) -> None:
        for key, row in self.wanted("Actor"):
            Actor.objects.filter(pk=self.pks["Actor"][key]).update(
                affiliation_id=self.actor(row["affiliation"])
            )

    def mission_relations(self) -> None:
        keys = {k for r in self.rows["Mission"].values() for k in r["labels"]}
        labels = self.ids(Label, "key", keys)
        keys = {k for r in self.rows["Mission"].values() for k in r["sources"]}
        sources = self.ids(Source, "key", keys)
        for key, row in self.wanted("Mission"):
            mission = Mission(pk=self.pks["Mission"][key])
            mission.labels.set([labels[(k,)] for k in row["labels"]])
            mission.sources.set([sources[(k,)] for k in row["sources"]])

    def involvements(self) -> None:
        existing = {
            (inv.mission.key, inv.actor.key, inv.role): inv
            for inv in Involvement.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission", "actor"
            )
        }
        for key, row in self.wanted("Involvement"):
            inv = existing.get(key) or Involvement(
                mission_id=self.pks["Mission"][key[:1]], actor_id=self.actor(key[1]), role=key[2]
            )
            for f in _MODEL_FIELDS["Involvement"]:
                setattr(inv, f, row[f])
            inv.save()
            existing[key] = inv
        self.pks["Involvement"] = {k: inv.pk for k, inv in existing.items()}

    def mission_pks(self) -> list[int]:
        return list(self.pks["Mission"].values())

    def workstreams(self) -> None:
        existing = {
            (ws.mission.key, ws.key): ws
            for ws in Workstream.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission"
            )
        }
        wanted = list(self.wanted("Workstream"))
        # Positions are unique per mission: park the moving and the leaving rows out of the
        # way first, so that swapping two workstreams does not collide half-way.
        moving = [existing[k].pk for k, _row in wanted if k in existing]
        moving += [existing[k].pk for m, k in self.gone if m == "Workstream"]
        for offset, pk in enumerate(moving, start=1):
            Workstream.objects.filter(pk=pk).update(position=30000 + offset)
        for key, row in wanted:
            ws = existing.get(key) or Workstream(
                mission_id=self.pks["Mission"][key[:1]], key=key[1]
            )
            for f in _MODEL_FIELDS["Workstream"]:
                setattr(ws, f, row[f])
            ws.lead_id = self.actor(row["lead"])
            ws.save()
            existing[key] = ws
        self.pks["Workstream"] = {k: ws.pk for k, ws in existing.items()}

    def milestones(self) -> None:
        existing = {
            (ms.mission.key, ms.key): ms
            for ms in Milestone.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission"
            )
        }
        edits = []
        for key, row in self.wanted("Milestone"):
            ms = existing.get(key) or Milestone(mission_id=self.pks["Mission"][key[:1]], key=key[1])
            ws = row["workstream"]
            change = services.MilestoneChange(
                **{f: row[f] for f in _MODEL_FIELDS["Milestone"] if not f.startswith("due_")},
                due={f: row[f] for f in ("due_text", *_DUE_WINDOW)} if row["due_text"] else None,
                workstream_id=self.pks["Workstream"][(key[0], ws)] if ws else None,
                news=False,
            )
            # The plan was built from these very rows, in this transaction: the version read
            # here is the base (a form opened before the import is refused afterwards).
            edits.append(services.check_milestone(ms, change, base_version=ms.version, today=self.today))
            existing[key] = ms
        services.write_milestones(self.user, edits, via="import", today=self.today)
        self.pks["Milestone"] = {k: ms.pk for k, ms in existing.items()}

    def citations(self) -> None:
        ids = self.plan.citation_ids
        gone = [
            ids[c.natural_key]
            for c in self.plan.changes
            if c.model == "Citation" and c.action == "delete"
        ]
        Citation.objects.filter(pk__in=gone).delete()
        sources = self.ids(Source, "key", {key[-3] for key in self.rows["Citation"]})
        new: list[Citation] = []
        for key, row in self.wanted("Citation"):
            if key in ids:  # same quote, moved in a changed source text
                Citation.objects.filter(pk=ids[key]).update(**row)
                continue
            kind, *rest = key
            target, (source, quote, fact) = tuple(rest[:-3]), rest[-3:]
            model = {
                "mission": "Mission",
                "involvement": "Involvement",
                "workstream": "Workstream",
                "milestone": "Milestone",
            }[kind]
            new.append(
                Citation(
                    source_id=sources[(source,)],
                    quote=quote,
                    fact=fact,
                    **{f"{kind}_id": self.pks[model][target]},
                    **row,
                )
            )
        Citation.objects.bulk_create(new)

    def evidence(self) -> None:
        """The quotes of assessments, moved in a changed source text."""
        for key, row in self.wanted("Evidence"):
            Evidence.objects.filter(pk=self.plan.evidence_ids[key]).update(**row)

    def assessments(self) -> None:
        """New assessments and revisions, through services.record_assessment (its rules, its
        copy of the current rating on what it assesses), as the import: no user."""
        for key, row in self.wanted("Assessment"):
            kind, mission = key[0], key[1]
            successor = row["successor"]
            if kind == "milestone":
                target: Milestone | Mission = Milestone.objects.get(
                    pk=self.pks["Milestone"][(mission, key[2])]
                )
                successors = {
                    "successor_milestone_id": self.pks["Milestone"][(mission, successor)]
                    if successor
                    else None
                }
            else:
                target = Mission.objects.get(pk=self.pks["Mission"][(mission,)])
                successors = {
                    "successor_mission_id": Mission.objects.get(key=successor).pk
                    if successor
                    else None
                }
            given = services.AssessmentInput(
                rating=row["rating"],
                as_of=row["as_of"],
                rationale=row["rationale"],
                evidence=[
                    services.EvidenceQuote(source_key=source, quote=quote, primary=primary)
                    for source, quote, primary in row["evidence"]
                ],
                key=key[-1],
                **successors,
            )
            try:
                services.record_assessment(None, target, given, today=self.today, via="import")
            except RefusedWrite as exc:  # the validator checks the same rules: a bug
                file, path = self.plan.where.get(("Assessment", key), ("-", " / ".join(key)))
                raise ImportFailed(
                    [DocumentError(file, path, str(m)) for m in exc.messages]
                ) from exc


# --------------------------------------------------------------------------------------------
# One call for the command
# --------------------------------------------------------------------------------------------


def import_paths(
    paths: Iterable[str | Path], *, dry_run: bool = False, today: dt.date | None = None
) -> ImportPlan:
    """Parse, validate, plan and (unless dry_run) apply, in one transaction: what is written is
    what the plan says, or nothing. Raises ImportFailed."""
    documents = documents_parse(paths)
    today = today or timezone.localdate()
    if dry_run:
        return plan_build(documents, today=today)
    with history.acting_as(None, "import"):
        plan = plan_build(documents, today=today)
        _Writer(plan, today).write()
    return plan
