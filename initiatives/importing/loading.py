"""YAML into Python data: libyaml's parser under PyYAML's composer, SafeLoader's rules with
no duplicate keys, no booleans and no dates, and a value that cannot be built reported
where it stands in the document. Also: YAML's own problems in the page's language
(yaml_problem), and the line where each path of a document stands (path_lines)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from types import GeneratorType
from typing import Any, cast

import yaml
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver


try:
    from yaml._yaml import CParser as _FastParser  # where yaml.cyaml takes it from

    _LIBYAML = True
except ImportError:  # PyYAML built without libyaml
    _LIBYAML = False

if _LIBYAML:

    class _Reader(Composer, _FastParser):
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
            # _guarded is a generator function: what it returns is a GeneratorType.
            guarded = _guarded(self.state_generators[pending], node)
            self.state_generators[pending] = cast("GeneratorType[Any, Any, Any]", guarded)
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


def _character(text: str, exc: yaml.reader.ReaderError) -> int:
    """The position of a reader error in characters: libyaml counts UTF-8 bytes."""
    if not _LIBYAML:
        return int(exc.position)
    return len(text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "ignore"))


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


# libyaml's and PyYAML's problems (English, and written for YAML's authors), in the page's
# words: a message must not be half French, half English. The loader's own problems
# (_Loader.construct_mapping) are here too. The English msgids of the last three are the
# problems' own words.
_YAML_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (
            r"mapping values are not allowed",
            gettext_noop(
                "a colon followed by a space inside a value: put the value in quotes, or check the indentation"
            ),
        ),
        (
            r"did not find expected '-' indicator",
            gettext_noop("a line of a list is not indented like the items around it"),
        ),
        (
            r"did not find expected key|could not find expected ':'",
            gettext_noop(
                "a line is not indented like the keys around it, or a key lacks its colon"
            ),
        ),
        (
            r"cannot start any token",
            gettext_noop(
                "a value cannot start with this character (a tab, @ or `): put the value in quotes, and indent with spaces"
            ),
        ),
        (
            r"did not find expected ',' or '\]'",
            gettext_noop("a list in brackets is not closed: a “]” or a comma is missing"),
        ),
        (
            r"did not find expected ',' or '\}'",
            gettext_noop("a mapping in braces is not closed: a “}” or a comma is missing"),
        ),
        (
            r"found unexpected end of stream",
            gettext_noop(
                "the document ends inside a quoted value or a bracket: a closing quote or bracket is missing"
            ),
        ),
        (
            r"found unknown escape character",
            gettext_noop(
                "an unknown backslash sequence in a value in double quotes: use single quotes, or double the backslash"
            ),
        ),
        (
            r"found undefined alias '?(?P<name>[^']*)'?",
            gettext_noop("the alias *%(name)s names no anchor &%(name)s written before it"),
        ),
        (r"second occurrence", gettext_noop("the same anchor (&name) is written twice")),
        (
            r"but found another document",
            gettext_noop("a second document in the same file (after a line ---): one per file"),
        ),
        (
            r"could not determine a constructor for the tag '?(?P<name>[^']*)'?",
            gettext_noop("the tag %(name)s is not one a document may use"),
        ),
        (r"^duplicate key (?P<key>.+)$", gettext_noop("duplicate key %(key)s")),
        (r"^a key must be a plain word$", gettext_noop("a key must be a plain word")),
        (r"^failed to convert base64 data", gettext_noop("failed to convert base64 data")),
    )
)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What is wrong at the place a YAML error marks, in the page's language."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        )
        return _("a character a document cannot hold (U+%(code)s): delete it") % {
            "code": f"{code:04X}"
        }
    problem = str(getattr(exc, "problem", None) or exc)
    for pattern, message in _YAML_PROBLEMS:
        match = pattern.search(problem)
        if match:
            return _(message) % match.groupdict()
    return _("not readable here: check the indentation, the colons and the quotes")


def path_lines(text: str, paths: Iterable[str]) -> dict[str, int]:
    """The line (from 1) where each of `paths` stands in the document `text`, written as the
    schema's errors write them (missions[0].workstreams[1].title): a key's line for a value of
    a mapping, an item's for a list's. A path that is not written (a field missing) gets the
    line of the nearest part of it that is; one with none is left out. Composes the document
    again, for documents with errors only: about a second a megabyte."""
    wanted: dict[str, str] = {}  # each prefix of a path -> the path
    for path in paths:
        for end in _ends(path):
            wanted.setdefault(path[:end], path)
    if not wanted:
        return {}
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):
        return {}
    finally:
        loader.dispose()
    found: dict[str, int] = {}
    stack: list[tuple[Node, str, int]] = [(root, "", 0)] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, path, line = stack.pop()
        if path in wanted:
            found.setdefault(path, line + 1)
        if id(node) in seen:  # an alias: walked where its anchor stands
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                name = Truncator(key.value).chars(40) if isinstance(key, ScalarNode) else "?"
                where = f"{path}.{name}" if path else name
                if where in wanted:
                    stack.append((value, where, key.start_mark.line))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                where = f"{path}[{index}]"
                if where in wanted:
                    stack.append((item, where, item.start_mark.line))
    lines: dict[str, int] = {}
    for path in set(wanted.values()):
        for end in reversed(_ends(path)):
            if path[:end] in found:
                lines[path] = found[path[:end]]
                break
    return lines


def _ends(path: str) -> list[int]:
    """Where each part of a path ends: "a[0].b" -> 1, 4, 6 ("a", "a[0]", "a[0].b")."""
    if not path:
        return []
    return [i for i, c in enumerate(path) if c in ".[" and i] + [len(path)]
