from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from initiatives import importing


class Command(BaseCommand):
    help = "Import fixture documents (YAML or JSON; directories are searched): parse, validate, plan, apply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="fixture documents or directories")
        parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")

    def handle(
        self, *args: Any, paths: list[str], dry_run: bool, verbosity: int, **options: Any
    ) -> None:
        documents, passed_over = importing.documents_collect(paths)
        if verbosity >= 1:
            for path in passed_over:
                self.stdout.write(
                    _("Not a fixture document, passed over: %(path)s") % {"path": path}
                )
        try:
            plan = importing.import_paths(documents, dry_run=dry_run)
        except importing.ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)d error(s); nothing was imported.") % {"count": len(exc.errors)}
            ) from None
        if dry_run or verbosity >= 2:
            for change in plan.changes:
                if change.action == "unchanged" and verbosity < 3:
                    continue
                self.stdout.write(f"{change.action:9} {change.model:11} {change.key}")
                for name, (old, new) in change.fields.items():
                    self.stdout.write(f"{'':21} {name}: {_short(old)} -> {_short(new)}")
        header = _("Dry run: nothing written.") if dry_run else _("Imported.")
        self.stdout.write(header)
        for model, counts in plan.counts().items():
            line = _(
                "%(model)-11s created %(created)d, updated %(updated)d, unchanged %(unchanged)d"
            ) % {
                "model": model,
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
            }
            if counts["delete"]:
                line += _(", deleted %(deleted)d") % {"deleted": counts["delete"]}
            self.stdout.write(line)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "…"
