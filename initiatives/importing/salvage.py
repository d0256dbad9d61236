"""What can still be read of a document that fails the schema, so that one reading reports
its structure errors and the quote errors of the rest together (planning.reported_errors),
instead of the quotes only once the structure is right.

What failed is taken out of the loaded data, the smallest part that can be: an optional field
(a bad status falls back to the default), else the list item holding it (a milestone missing
its title, a citation missing its quote), then the schema reads the data again; a few rounds,
since taking out a required field makes its object miss it. A document whose root fails (no
format, not a mapping) is not salvaged. The list items taken out shift the others: original_path
gives a path in what remains its place in the document as written."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .schema import DocumentDoc

MAX_ROUNDS = 8  # each round takes out every part that failed; nesting needs a few
_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


@dataclass
class Salvage:
    """What remains of a document's data once what failed the schema is taken out."""

    data: dict[str, Any]
    # id() of each list in `data` -> the index each of its items had in the document.
    positions: dict[int, list[int]]

    def original_path(self, path: str) -> str:
        """Where a path of what remains (missions[0].citations[1].quote) stands in the document
        as written (missions[2].citations[1].quote, if two missions before it were taken out)."""
        out: list[str] = []
        node: Any = self.data
        for match in _STEP.finditer(path):
            index, name = match.groups()
            if index is not None and isinstance(node, list) and int(index) < len(node):
                out.append(f"[{self.positions[id(node)][int(index)]}]")
                node = node[int(index)]
                continue
            out.append(match.group(0))
            node = node.get(name) if name is not None and isinstance(node, dict) else None
        return "".join(out)


def salvage(data: Any, errors: list[Any]) -> tuple[DocumentDoc, Salvage] | None:
    """The document that remains of `data` (as loaded; changed in place) once what failed the
    schema (`errors`, pydantic's) is taken out, and how its paths map back; None when the
    document as a whole is wrong."""
    if not isinstance(data, dict):
        return None
    positions: dict[int, list[int]] = {}
    _index(data, positions, set())
    for _round in range(MAX_ROUNDS):
        containers: dict[int, Any] = {}
        steps: dict[int, set[Any]] = defaultdict(set)
        for error in errors:
            target = _target(data, tuple(error["loc"]), error["type"])
            if target is None:
                return None
            containers[id(target[0])] = target[0]
            steps[id(target[0])].add(target[1])
        for key, container in containers.items():
            # The last items first: taking one out does not move those still to go.
            for step in sorted(steps[key], reverse=True):
                del container[step]
                if isinstance(container, list):
                    del positions[key][step]
        try:
            return DocumentDoc.model_validate(data), Salvage(data, positions)
        except ValidationError as exc:
            errors = exc.errors()
        except RecursionError:
            return None
    return None


def _index(node: Any, positions: dict[int, list[int]], seen: set[int]) -> None:
    """Each list's items numbered as in the document (an alias's list once: it is the same)."""
    if not isinstance(node, dict | list) or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, list):
        positions[id(node)] = list(range(len(node)))
    for child in node.values() if isinstance(node, dict) else node:
        _index(child, positions, seen)


def _target(data: dict[str, Any], loc: tuple[Any, ...], kind: str) -> tuple[Any, Any] | None:
    """The part to take out for an error at `loc`: (its container, its key or index)."""
    chain: list[tuple[Any, Any]] = []
    node: Any = data
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            pass
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            pass
        else:
            break  # a field not written ("missing"), or pydantic's own marker ("[key]")
        chain.append((node, step))
        node = node[step]
    if kind != "missing" and chain and chain[-1][1] != "format":
        return chain[-1]
    # An object lacks a field it needs: the list item that holds it goes.
    items = [(container, step) for container, step in chain if isinstance(container, list)]
    return items[-1] if items else None
