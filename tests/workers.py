"""Each pytest-xdist worker gets servers' resources of its own: a Redis database and a port
for the test ProConnect provider. (pytest-django already gives each worker its own test
database, `<name>_gw0`, `<name>_gw1`…; live servers, gunicorn and private servers take free
ports.)

Loaded with `-p tests.workers` (pyproject's addopts), before pytest-django reads the settings:
the environment has to be rewritten before Django sees it. xdist sets PYTEST_XDIST_WORKER in
a worker's environment before the worker builds its configuration, so this module, imported
then, knows which worker it is in.

Without xdist (or with `-p no:xdist`, `-n 0`) nothing changes.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

# Redis has 16 databases by default (0-15): worker k takes the suite's database minus k.
MAX_WORKERS = 4


def worker_index() -> int | None:
    """0 for gw0, 1 for gw1… None outside an xdist worker."""
    match = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else None


def redis_url_for(url: str, index: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base - index < 0:
        raise SystemExit(
            f"REDIS_URL's database ({base}) leaves no database for pytest-xdist worker "
            f"gw{index}: point REDIS_URL at a database numbered {MAX_WORKERS - 1} or more."
        )
    return urlunsplit(parts._replace(path=f"/{base - index}"))


def _rewrite_environment(index: int) -> None:
    if url := os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for(url, index)
    if port := os.environ.get("OIDC_TEST_PORT"):
        own = str(int(port) + index)
        os.environ["OIDC_TEST_PORT"] = own
        for name, value in list(os.environ.items()):
            if name.startswith("OIDC_OP_") and f":{port}/" in value:
                os.environ[name] = value.replace(f":{port}/", f":{own}/")


_index = worker_index()
if _index:  # gw0 keeps the suite's own resources
    _rewrite_environment(_index)
