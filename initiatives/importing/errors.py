"""What the importer reports: every error with its file, path and line, and the two ways an
import stops with nothing written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .planning import ImportPlan


@dataclass(frozen=True)
class DocumentError:
    file: str
    path: str
    message: str
    line: int | None = None  # where the path stands in the file (1-based), when known

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else f"{self.file}: {self.message}"
        )


class ImportFailed(Exception):
    """The documents cannot be imported; nothing was written."""

    def __init__(self, errors: Sequence[DocumentError], *, readable: Sequence[Any] = ()) -> None:
        self.errors = list(errors)
        # The documents that could still be read (reading.Document), those that failed the
        # schema with what failed taken out: planning.reported_errors checks their quotes too.
        self.readable = list(readable)
        super().__init__("\n".join(str(e) for e in self.errors))


class StalePlanError(Exception):
    """The database changed between the plan and its apply; nothing was written."""

    def __init__(self, current: ImportPlan) -> None:
        self.current = current
        super().__init__(_("The data changed since the preview; review the new plan."))
