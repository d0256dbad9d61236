"""What the importer reports: every error with its file and path, and the two ways an
import stops with nothing written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .planning import ImportPlan


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
