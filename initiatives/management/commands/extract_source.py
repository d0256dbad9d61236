import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from initiatives import extraction
from initiatives.import_forms import parse_published


class Command(BaseCommand):
    help = (
        "Draft a fixture document from an article (a .txt file): the same job as the admin's "
        "extraction form. Writes the draft and a copy of the text beside it, for review; "
        "imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the article, as UTF-8 text")
        parser.add_argument(
            "--published", help="YYYY-MM-DD, or YYYY-MM when only the month is known"
        )
        parser.add_argument("--publisher", default="", help="who published it")
        parser.add_argument("--url", default="", help="where it was published")
        parser.add_argument(
            "--output", help="folder for the draft (default: the current folder)", default="."
        )

    def handle(
        self,
        *args: Any,
        file: str,
        published: str | None,
        publisher: str,
        url: str,
        output: str,
        **options: Any,
    ) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(_("file not found: %(file)s") % {"file": file}) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text") % {"file": file}) from None
        if not text.strip():
            raise CommandError(_("%(file)s is empty") % {"file": file})
        if len(text) > extraction.MAX_ARTICLE_CHARS:
            raise CommandError(_("An article of 200,000 characters at most, please."))
        date: dt.date | None = None
        precision: extraction.PublishedPrecision = "day"
        if published:
            parsed = parse_published(published)
            if parsed is None:
                raise CommandError(
                    _("--published: write YYYY-MM-DD or YYYY-MM, not %(value)s")
                    % {"value": published}
                )
            date, precision = parsed
        draft = extraction.extract(
            text, published=date, precision=precision, publisher=publisher, url=url
        )
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in draft.files.items():
            (folder / name).write_text(content, encoding="utf-8")
            self.stdout.write(_("Written: %(path)s") % {"path": folder / name})
        mission = draft.document["missions"][0]
        self.stdout.write(
            _(
                "%(title)s: %(workstreams)d workstream(s), %(milestones)d milestone(s). Review it, then import it (admin, or import_initiatives --dry-run first)."
            )
            % {
                "title": mission["title"],
                "workstreams": len(mission.get("workstreams", [])),
                "milestones": len(mission.get("milestones", [])),
            }
        )
