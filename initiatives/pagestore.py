"""Where the page cache keeps its pages: one namespace per data version.

Every cached page belongs to the data version it was rendered from (dataversion.py). Once the
database moves on, none of those pages can ever be served again, so they are not kept until
they expire: the first page stored under a newer version drops the whole namespace of the
older one. Memory thus holds the pages of one version, whatever the write rate.

- Redis (CACHE_URL, shared by every process): a hash per version,
  `observatoire:<database>:pages:v<version>`, whose
  fields are page keys. One Lua script stores a page, moves the "latest" marker and unlinks
  the superseded hash, atomically. Values are a JSON head and the body, never pickle.
- In-process (the embedded default, no Redis): a dict per process holding the latest version.

A Redis that is down or does not answer costs one timeout per process per interval: the
circuit breaker (breaker.py) skips it for CACHE_BREAKER_SECONDS after a failure, then lets one
request try again. Pages are then rendered as if uncached: slower, never wrong.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .breaker import Breaker, CacheUnavailable

__all__ = ["CacheUnavailable", "Entry", "PageStore", "store"]


@dataclass(frozen=True)
class Entry:
    status: int
    headers: dict[str, str]
    body: bytes

    def dumps(self) -> bytes:
        head = json.dumps({"status": self.status, "headers": self.headers}).encode()
        return head + b"\0" + self.body

    @classmethod
    def loads(cls, raw: bytes) -> Entry:
        head, _, body = raw.partition(b"\0")
        meta = json.loads(head)
        return cls(int(meta["status"]), dict(meta["headers"]), body)


class PageStore(Protocol):
    def get(self, version: int, key: str) -> Entry | None: ...

    def put(self, version: int, key: str, entry: Entry, seconds: int) -> None: ...

    def claim(self, version: int, key: str, seconds: int) -> bool:
        """True for the one request that renders this page; the others wait for it."""

    def release(self, version: int, key: str) -> None: ...

    def peek(self, version: int, key: str) -> tuple[Entry | None, bool]:
        """The page if stored, and whether a request is still rendering it."""


# Stores the page unless the database has already moved past its version (a slow request
# finishing late must not bring back a superseded namespace), and drops the superseded one.
# Versions are compared as decimal strings: Lua numbers are doubles, exact only to 2^53.
_PUT = """
local latest = redis.call('GET', KEYS[1])
local version = ARGV[1]
local function older(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
if latest and older(version, latest) then return 0 end
if latest ~= version then
  if latest then redis.call('UNLINK', ARGV[5] .. latest) end
end
redis.call('SET', KEYS[1], version, 'EX', ARGV[4] * 2)
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


class RedisPageStore:
    def __init__(self, url: str, breaker: Breaker, prefix: str) -> None:
        # Short timeouts: a page must not wait long on its cache. The breaker makes sure a
        # sick server costs this once per interval, not on every request.
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.CACHE_TIMEOUT_SECONDS,
            socket_timeout=settings.CACHE_TIMEOUT_SECONDS,
            # One try: redis-py's default retries three times with backoff, which would turn
            # one sick answer into seconds.
            retry=Retry(NoBackoff(), 0),
        )
        self.breaker = breaker
        self.prefix = prefix
        self._put = self.client.register_script(_PUT)

    def _namespace(self, version: int) -> str:
        return f"{self.prefix}v{version}"

    def _claim_key(self, version: int, key: str) -> str:
        return f"{self.prefix}v{version}:rendering:{key}"

    def get(self, version: int, key: str) -> Entry | None:
        raw = self.breaker.call(self.client.hget, self._namespace(version), key)
        return None if raw is None else Entry.loads(raw)

    def put(self, version: int, key: str, entry: Entry, seconds: int) -> None:
        self.breaker.call(
            self._put,
            keys=[f"{self.prefix}latest", self._namespace(version)],
            args=[str(version), key, entry.dumps(), seconds, f"{self.prefix}v"],
        )

    def claim(self, version: int, key: str, seconds: int) -> bool:
        return bool(self.breaker.call(self.client.set, self._claim_key(version, key), 1, nx=True, ex=seconds))

    def release(self, version: int, key: str) -> None:
        self.breaker.call(self.client.delete, self._claim_key(version, key))

    def peek(self, version: int, key: str) -> tuple[Entry | None, bool]:
        def both() -> list[object]:
            pipe = self.client.pipeline(transaction=False)
            pipe.hget(self._namespace(version), key)
            pipe.exists(self._claim_key(version, key))
            return pipe.execute()  # type: ignore[no-any-return]

        raw, rendering = self.breaker.call(both)
        return (None if raw is None else Entry.loads(raw)), bool(rendering)  # type: ignore[arg-type]


class LocalPageStore:
    """One process's pages (the embedded default): the latest version only, at most
    `max_entries` of them, oldest dropped first. Claims are shared by the process's threads."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.lock = threading.Lock()
        self.version: int | None = None
        self.pages: OrderedDict[str, Entry] = OrderedDict()
        self.rendering: set[tuple[int, str]] = set()

    def get(self, version: int, key: str) -> Entry | None:
        with self.lock:
            return self.pages.get(key) if version == self.version else None

    def put(self, version: int, key: str, entry: Entry, seconds: int) -> None:
        # Entries only ever belong to the latest version, which outlives any lifetime
        # worth bounding here: `seconds` matters for the shared store, where memory is shared.
        with self.lock:
            if self.version is not None and version < self.version:
                return
            if version != self.version:
                self.version, self.pages = version, OrderedDict()
            self.pages[key] = entry
            while len(self.pages) > self.max_entries:
                self.pages.popitem(last=False)

    def claim(self, version: int, key: str, seconds: int) -> bool:
        with self.lock:
            if (version, key) in self.rendering:
                return False
            self.rendering.add((version, key))
            return True

    def release(self, version: int, key: str) -> None:
        with self.lock:
            self.rendering.discard((version, key))

    def peek(self, version: int, key: str) -> tuple[Entry | None, bool]:
        with self.lock:
            entry = self.pages.get(key) if version == self.version else None
            return entry, (version, key) in self.rendering


@cache
def store() -> PageStore:
    """The process's page store, made on first use (after settings are final)."""
    if settings.CACHE_URL:
        return RedisPageStore(
            settings.CACHE_URL,
            Breaker("page cache", settings.CACHE_BREAKER_SECONDS),
            prefix=f"observatoire:{_database_fingerprint()}:pages:",
        )
    return LocalPageStore(settings.PAGE_CACHE_MAX_ENTRIES)


def _database_fingerprint() -> str:
    """Versions count per database: two databases sharing one Redis (a staging and a
    production, the test suite and the benchmark) must never compare their versions."""
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}/{db['NAME']}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: object) -> None:
    # Tests point the cache elsewhere with override_settings: the next request makes a new store.
    if setting in {"CACHE_URL", "CACHE_TIMEOUT_SECONDS", "CACHE_BREAKER_SECONDS", "PAGE_CACHE_MAX_ENTRIES"}:
        store.cache_clear()
