"""`make bench`, the API: the milestone list of /api/v1/ on 100,000 milestones, on PostgreSQL.

The same setting as the pages' bench (tests/bench.py: its database, gunicorn with 2 workers
and DEBUG off, wrk from another process): on the synthetic data (seeded here only when the
database holds fewer than 100,000 synthetic milestones: `make bench` runs the pages' bench
first, which leaves them), it measures

- the admin milestone changelist, signed in as a superuser: the baseline;
- the milestone list API's first page, anonymous (PUBLIC_READ on), as deployed (answers kept
  in the page store under the data version: api/answers.py) and rendered every time
  (PAGE_CACHE_SECONDS=0, what the first reader after a write pays);
- a deep page of it: the cursor of the page after the milestone at 95 % of the list, encoded
  as REST framework encodes its `next` links (checked against a real one first);
- the first page again with `If-None-Match` (each answer a 304), for information.

The API's rate limits are raised out of reach for the run (API_THROTTLE_ANON and _USER):
every request is still counted in Redis, as in production, but none is refused.
Targets: the list API as deployed ≥ 20 × the admin changelist; the deep page, rendered,
≥ 0.9 × the first page rendered (no slower, within wrk's noise on a shared machine). Writes var/bench-api.json."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.error
import urllib.request

from tests.bench import (
    ADMIN_SESSION,
    BASE,
    DURATION,
    ROOT,
    ensure_database,
    manage,
    serving,
    wrk,
)

SYNTHETIC = 100_000
TARGET_VS_ADMIN = 20.0
TARGET_DEEP = 0.9
THROTTLE = {"API_THROTTLE_ANON": "1000000/second", "API_THROTTLE_USER": "1000000/second"}

# Runs inside Django: the data's size, an admin session, and the API's URLs to measure.
PROBE = (
    ADMIN_SESSION
    + r"""
import base64, json
from urllib.parse import parse_qs, urlencode, urlsplit
from django.test import Client
from initiatives.models import Milestone

def cursor(position):
    # CursorPagination.encode_cursor: the query string "p=<last id>", in base64.
    return base64.b64encode(urlencode({"p": str(position)}).encode("ascii")).decode("ascii")

client = Client(HTTP_HOST="127.0.0.1")
first = client.get("/api/v1/milestones/").json()
[sent] = parse_qs(urlsplit(first["next"]).query)["cursor"]
assert sent == cursor(first["results"][-1]["id"]), (sent, first["results"][-1]["id"])
ids = Milestone.objects.order_by("id").values_list("id", flat=True)
total = ids.count()
position = ids[total * 95 // 100]
deep_url = "/api/v1/milestones/?" + urlencode({"cursor": cursor(position)})
deep = client.get(deep_url)
assert deep.status_code == 200 and deep.json()["results"][0]["id"] > position, deep.content[:300]
print(json.dumps({
    "milestones": total,
    "synthetic": Milestone.objects.filter(mission__key__startswith="synth-").count(),
    "session": session.session_key,
    "deep_url": deep_url,
    "deep_after": position,
    "deep_rank": total * 95 // 100,
    "page_size": len(first["results"]),
}))
"""
)


def probe() -> dict:
    return json.loads(manage("shell", "-c", PROBE).strip().splitlines()[-1])


def synthetic_milestones() -> int:
    out = manage(
        "shell",
        "-c",
        "from initiatives.models import Milestone; "
        "print(Milestone.objects.filter(mission__key__startswith='synth-').count())",
    )
    return int(out.split()[-1])


def prepare() -> dict:
    ensure_database()
    manage("collectstatic", "--noinput")  # DEBUG off: pages need the hashed static manifest
    manage("migrate", "--noinput")
    if synthetic_milestones() < SYNTHETIC:
        print("Seeding 100,000 synthetic milestones (1000 × 10 × 10)…", flush=True)
        manage("import_initiatives", "fixtures/")
        manage("seed_synthetic", "--missions", "1000", "--workstreams", "10", "--milestones", "10")
    return probe()


def etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        tag: str = response.headers["ETag"]
    request = urllib.request.Request(url, headers={"If-None-Match": tag})
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as answer:  # urllib raises on a 304
        if answer.code == 304:
            return tag
        raise
    sys.exit(f"{url}: no 304 for If-None-Match {tag}")


def main() -> int:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: install Debian's package 'wrk' (make bench does it as root).")
    data = prepare()
    api = f"{BASE}/api/v1/milestones/"
    print("Measuring the API (rate limits raised out of reach)…", flush=True)
    deep_url = BASE + data["deep_url"]
    # Cold first: every answer rendered (PAGE_CACHE_SECONDS=0), what the first reader after a
    # write pays; the deep cursor's cost is measured here, where the SQL runs every time.
    with serving(None, PUBLIC_READ="1", PAGE_CACHE_SECONDS="0", **THROTTLE):
        cold = {
            "API first page, rendered (cold)": wrk(api),
            "API deep page, rendered (cold)": wrk(deep_url),
        }
    with serving(None, PUBLIC_READ="1", **THROTTLE):
        tag = etag(api)
        results = {
            **cold,
            "API milestones, first page": wrk(api),
            "API milestones, deep page": wrk(deep_url),
            "API, If-None-Match (304)": wrk(api, f"If-None-Match: {tag}"),
            # Last: its slow requests still queued when wrk stops must not eat another's time.
            "admin changelist (baseline)": wrk(
                f"{BASE}/admin/initiatives/milestone/", f"Cookie: sessionid={data['session']}"
            ),
        }
    admin = results["admin changelist (baseline)"]["rps"]
    first = results["API milestones, first page"]["rps"]
    cold_first = results["API first page, rendered (cold)"]["rps"]
    deep = results["API deep page, rendered (cold)"]["rps"]
    vs_admin, deep_ratio = first / admin, deep / cold_first
    print(
        f"\n{data['milestones']:,} milestones ({data['synthetic']:,} synthetic); "
        f"{data['page_size']} per page; wrk -t2 -c16 -d{DURATION}; gunicorn 2 workers"
    )
    print(f"  deep page: after milestone {data['deep_after']} (rank {data['deep_rank']:,})")
    print(f"  {'':34} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, r in results.items():
        print(f"  {name:34} {r['rps']:8.1f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} {r['errors']:>6}")
    print(f"  API first page / admin changelist: {vs_admin:.1f} ×  [target ≥ {TARGET_VS_ADMIN:g}]")
    print(f"  API rendered (cold) / admin:       {cold_first / admin:.1f} ×  (for information)")
    print(f"  API deep page / first page (cold): {deep_ratio:.2f}  [target ≥ {TARGET_DEEP:g}]")
    missed = []
    if vs_admin < TARGET_VS_ADMIN:
        missed.append(f"API {vs_admin:.1f} × the admin changelist (< {TARGET_VS_ADMIN:g})")
    if deep_ratio < TARGET_DEEP:
        missed.append(f"deep page {deep:.0f} req/s, first page {cold_first:.0f} (cold)")
    if data["synthetic"] < SYNTHETIC:
        missed.append(f"only {data['synthetic']:,} synthetic milestones")
    missed += [f"{name}: {r['errors']} errors" for name, r in results.items() if r["errors"]]
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-api.json").write_text(
        json.dumps(
            {
                **data,
                "results": results,
                "vs_admin": vs_admin,
                "cold_vs_admin": cold_first / admin,
                "deep_ratio": deep_ratio,
                "targets_missed": missed,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print("API targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
