"""`make bench`, spreadsheets: a 10,000-row milestone sheet through the admin's import.

On its own PostgreSQL database (observatoire_bench_sheet, built once: 10,000 synthetic
milestones), as an administrator, through the admin's own pages (Django's test client, the
same views, resource and services a browser reaches): exports every milestone as CSV, changes
every row (status, progress and comment; the due words of one row in ten, which slips some),
then times the import's dry run (the preview page) and its confirmation (the writes), and
checks that every row was written once, with its history. Then the same with XLSX. Writes
var/bench-sheet.json.

Target: each step under 30 s, gunicorn's worker timeout. Exits non-zero if one is over, or
if the sheet was not written as sent.

    .venv/bin/python -m tests.bench_spreadsheet [--rows N] [--formats csv,xlsx] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get(
    "BENCH_SHEET_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatoire_bench_sheet"
)
ROWS = 10_000
LIMIT_SECONDS = 30.0  # gunicorn's default worker timeout
FORMATS = {"csv": "0", "xlsx": "1"}  # their index in MilestoneAdmin.formats


def configure() -> None:
    os.environ.update(
        {
            "DATABASE_URL": DB_URL,
            # The sheet waits in Redis between the two steps, as in production; the alerts'
            # notifications are enqueued there too, and purged at the end.
            "REDIS_URL": os.environ.get("BENCH_SHEET_REDIS_URL", "redis://127.0.0.1:6379/12"),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijkl",
            "ENV_FILE": "/nonexistent",
            "LOG_LEVEL": "WARNING",
            "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "testserver",  # the test client's host
            "DJANGO_SETTINGS_MODULE": "sovereignty.settings",
        }
    )
    os.environ.setdefault("VAR_DIR", str(ROOT / "var"))


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(
        DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build() -> None:
    from django.core.management import call_command

    from initiatives.models import Milestone

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed names
    if Milestone.objects.count() == ROWS:  # the export is the sheet: exactly ROWS rows
        return
    print(f"Building the spreadsheet database: {ROWS:,} synthetic milestones…", flush=True)
    call_command("flush", "--noinput", verbosity=0)
    call_command("seed_synthetic", missions=100, workstreams=10, milestones=10, verbosity=0)


# Statuses as the export writes them: French labels.
PLANNED, IN_PROGRESS, CLOSED = "prévu", "en cours", ("terminé", "annulé", "manqué")


def edited(rows: list[dict[str, str]], stamp: str) -> list[dict[str, str]]:
    """Every row changed as a coordinator would; the due words of one in ten moved."""
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        row["commentaire"] = (
            f"Point d'étape {stamp}, ligne {i + 1} : budget confirmé ; calendrier tenu."
        )
        if row["statut"] in (PLANNED, IN_PROGRESS):
            row["statut"] = IN_PROGRESS
            row["avancement"] = str((int(row["avancement"] or 0) + 1) % 100)
        if i % 10 == 0 and row["statut"] not in CLOSED:
            row["échéance"] = "T4 2031" if row["échéance"] != "T4 2031" else "T1 2032"
        out.append(row)
    return out


def as_file(rows: list[dict[str, str]], fmt: str) -> bytes:
    headers = list(rows[0])
    if fmt == "csv":  # as French Excel saves it: semicolons, CRLF, a byte-order mark
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=headers, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row[h] for h in headers])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def timed(profile: bool, label: str, call: Any) -> tuple[float, Any]:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    result = call()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler:
        print(f"\n--- profile: {label} ---")
        name = re.sub(r"\W+", "-", label).strip("-")
        profiler.dump_stats(Path(os.environ["VAR_DIR"]) / f"bench-sheet-{name}.prof")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return seconds, result


def run(fmt: str, limit: int | None, profile: bool) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from initiatives.models import HistoryEntry, Milestone
    from initiatives.spreadsheets import MilestoneResource

    user, _ = get_user_model().objects.get_or_create(
        username="bench-sheet", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    fields = {f"milestoneresource_{name}": "on" for name in MilestoneResource._meta.fields}
    export_s, response = timed(
        False,
        "export",
        lambda: client.post(
            reverse("admin:initiatives_milestone_export"),
            {"format": "0", "resource": "0", **fields},
        ),
    )
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[
        :limit
    ]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S") + f" ({fmt})"
    content = as_file(edited(rows, stamp), fmt)
    history_before = HistoryEntry.objects.count()

    upload = SimpleUploadedFile(f"jalons.{fmt}", content)
    dry_s, response = timed(
        profile,
        f"dry run ({fmt})",
        lambda: client.post(
            reverse("admin:initiatives_milestone_import"),
            {"format": FORMATS[fmt], "resource": "0", "import_file": upload},
        ),
    )
    page = response.content.decode()
    hidden = dict(
        re.findall(
            r'<input type="hidden" name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"',
            page,
        )
    )
    if response.status_code != 200 or "import_file_name" not in hidden:
        errors = re.findall(r'<ul class="errorlist">(.*?)</ul>', page, re.S)[:5]
        sys.exit(
            f"the dry run offered no confirmation ({response.status_code}): {errors or page[:2000]}"
        )
    confirm_s, response = timed(
        profile,
        f"confirmation ({fmt})",
        lambda: client.post(reverse("admin:initiatives_milestone_process_import"), hidden),
    )
    if response.status_code != 302 or response["Location"] != reverse(
        "admin:initiatives_milestone_changelist"
    ):
        sys.exit(f"the confirmation failed ({response.status_code}): {response.content[:2000]!r}")
    written = Milestone.objects.filter(comment__startswith=f"Point d'étape {stamp},").count()
    recorded = HistoryEntry.objects.count() - history_before
    return {
        "format": fmt,
        "rows": len(rows),
        "export_s": export_s,
        "dry_s": dry_s,
        "confirm_s": confirm_s,
        "written": written,
        "recorded": recorded,
        "bytes": len(content),
    }


def purge_queue() -> None:
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=None, help="import only the first N rows of the export"
    )
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile statistics of each step"
    )
    args = parser.parse_args()
    configure()
    ensure_database()
    import django

    django.setup()
    build()
    results = [run(fmt, args.rows, args.profile) for fmt in args.formats.split(",")]
    purge_queue()
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-sheet.json").write_text(json.dumps(results, indent=2))

    missed = []
    print(
        f"\nSpreadsheet import through the admin, PostgreSQL (limit {LIMIT_SECONDS:g} s per step; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
    )
    for r in results:
        print(
            f"  {r['format'].upper():4} {r['rows']:,} rows ({r['bytes'] / 1e6:.1f} MB), export of every milestone {r['export_s']:.1f} s"
        )
        for step in ("dry", "confirm"):
            seconds = r[f"{step}_s"]
            name = "dry run (preview)" if step == "dry" else "confirmation (writes)"
            print(f"       {name:24} {seconds:6.1f} s   {r['rows'] / seconds:7.0f} rows/s")
            if seconds > LIMIT_SECONDS:
                missed.append(f"{r['format']} {name} {seconds:.1f} s")
        print(f"       written {r['written']:,} rows, {r['recorded']:,} history entries")
        if r["written"] != r["rows"] or r["recorded"] < r["rows"]:
            missed.append(f"{r['format']}: {r['written']:,} of {r['rows']:,} rows written")
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print("Spreadsheet targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
