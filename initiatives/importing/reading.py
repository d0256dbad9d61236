"""Parse: fixture documents found on disk or uploaded, read (decoded, sized, loaded) and
checked against the schema, every error with its file, path and line. A document that fails
the schema is still returned, with what failed taken out (salvage), for its quotes to be
checked in the same reading."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from pydantic import ValidationError

from ..models import KEY_PATTERN
from .decoding import UndecodableText, decode_text
from .errors import DocumentError, ImportFailed
from .loading import (
    _character,
    _describe,
    _load,
    _Unbuildable,
    _unbuildable_message,
    path_lines,
    yaml_problem,
)
from .salvage import Salvage, salvage
from .schema import DocumentDoc

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


MAX_EXPANDED_NODES = 200_000  # our largest document has ~350 values
# Weighed before the document is read, matched to the cap on values: the curated documents
# hold a value per 23 to 47 bytes (tests/test_importing.py measures it), so the densest of
# them reaches 200,000 values at 4.6 MB. Reading takes ~1 s a MB.
MAX_DOCUMENT_BYTES = 4_000_000


@dataclass
class Document:
    name: str  # as shown in messages: the path given by the user
    directory: Path  # text files are read relative to it
    body: DocumentDoc
    # Uploaded with the document (the admin's import page): text files by name, read from
    # here and never from disk.
    texts: Mapping[str, str] | None = None
    text: str = ""  # the document as written: its errors' lines are read from it
    # A document that failed the schema: what remains of it once what failed is taken out
    # (its paths mapped back to the document's); None for a document that reads whole.
    salvage: Salvage | None = None


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
        raise ImportFailed(errors, readable=documents)
    return documents


def documents_parse_uploaded(files: Mapping[str, str]) -> list[Document]:
    """The documents among uploaded files (name -> text), their source texts read from the
    other files of the same upload; raise ImportFailed with every error."""
    texts = {
        _upload_name(name): text for name, text in files.items() if not _is_document(Path(name))
    }
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
        raise ImportFailed(errors, readable=documents)
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
        line = exc.node.start_mark.line + 1
        where = exc.path or _("line %(line)s") % {"line": line}
        return None, [DocumentError(name, where, _unbuildable_message(exc), line)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at: int | None = None
        if mark:
            at = mark.line + 1
            where = _("line %(line)s") % {"line": at}
        elif isinstance(exc, yaml.reader.ReaderError):  # a control character, a bad byte
            position = _character(raw_text, exc)
            at = raw_text.count("\n", 0, position) + 1
            where = _("character %(position)s") % {"position": position + 1}
        else:
            where = ""
        message = _("not valid YAML or JSON: %(problem)s") % {"problem": yaml_problem(exc)}
        return None, [DocumentError(name, where, message, at)]
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
        errors = [
            DocumentError(name, _loc_to_path(e["loc"]), _pydantic_message(e)) for e in exc.errors()
        ]
        lines = path_lines(raw_text, {e.path for e in errors})
        errors = [replace(e, line=lines.get(e.path)) for e in errors]
        salvaged = salvage(data, exc.errors())
        if salvaged is None:
            return None, errors
        partial, how = salvaged
        return Document(name, directory, partial, texts, raw_text, how), errors
    return Document(name=name, directory=directory, body=body, texts=texts, text=raw_text), []


def errors_located(
    errors: Sequence[DocumentError], documents: Iterable[Document]
) -> list[DocumentError]:
    """The errors, each with the line its path stands on in its document where known."""
    texts = {d.name: d.text for d in documents if d.text}
    paths: dict[str, set[str]] = defaultdict(set)
    for error in errors:
        if error.line is None and error.file in texts:
            paths[error.file].add(error.path)
    lines = {name: path_lines(texts[name], wanted) for name, wanted in paths.items()}
    return [
        replace(e, line=lines[e.file].get(e.path)) if e.file in lines and e.line is None else e
        for e in errors
    ]


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
    return _(
        "too large (%(size)s MB; a fixture document weighs at most %(max)s MB, about %(values)s values): split it into several documents"
    ) % size_limits(size)


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
        elif part.startswith("function-") or part == "[key]":
            # pydantic's own markers (a validator; a mapping's key, not its value), not
            # places in the document
            continue
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
        # pydantic's "'a', 'b' or 'c'" is English: its "or" too.
        choices = re.findall(r"'[^']*'", str(ctx.get("expected", "")))
        listed = (
            _("%(choices)s or %(last)s") % {"choices": ", ".join(choices[:-1]), "last": choices[-1]}
            if len(choices) > 1
            else "".join(choices)
        )
        return _("must be one of %(choices)s") % {"choices": listed}
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
    # pydantic's own message is English: say what was found, in the page's language.
    return _("not a valid value here: %(value)s") % {"value": _describe(error.get("input"))}
