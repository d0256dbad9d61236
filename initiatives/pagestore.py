"""Where the page cache keeps its pages: one namespace per data version.

Every cached page belongs to the data version it was rendered from (dataversion.identity():
the version number with the moment it was bumped, unique even across a restored backup).
Once the database moves on, none of those pages can ever be served again, so they are not
kept until they expire: the first page stored under another version drops the whole namespace
of the previous one. A namespace holds at most PAGE_CACHE_MAX_ENTRIES pages and lives at most
PAGE_CACHE_SECONDS from its first page.

- Redis (CACHE_URL, shared by every process): a hash per version,
  `observatoire:<database>:pages:v<version>`, whose fields are page keys. One Lua script
  stores a page, moves the "latest" marker, unlinks the previous hash and releases the
  render claim, atomically. Values are a JSON head and the body, never pickle.
- In-process (the embedded default, no Redis): the latest version's pages, least recently
  used dropped first.

A request that read the version just before a write may store its page after the write: it
then swaps the namespace back for a moment, and the next request of the new version swaps it
forward. That costs a few misses, never a stale page: a page is only ever read under the
version its reader just read from the database.

Any error of the cache server (down, silent, out of memory, read-only replica) goes through
the circuit breaker (breaker.py): CacheUnavailable, the page rendered as if uncached.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.backoff import NoBackoff
from redis.retry import Retry

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
    def get(self, version: str, key: str) -> Entry | None: ...

    def claim(self, version: str, key: str, seconds: int) -> str | None:
        """A token for the one request that renders this page; None for the others, which
        wait for it."""

    def put(self, version: str, key: str, entry: Entry, seconds: int, claim: str | None) -> None:
        """Store the page, and release `claim` if it is still ours."""

    def release(self, version: str, key: str, claim: str) -> None:
        """Give up a claim without storing (the page was not cacheable)."""

    def peek(self, version: str, key: str) -> tuple[Entry | None, bool]:
        """The page if stored, and whether a request is still rendering it."""


# KEYS: latest marker, this version's hash, the claim. ARGV: version, field, value, lifetime,
# hash prefix, most entries, claim token ('' for none).
_PUT = """
if ARGV[7] ~= '' and redis.call('GET', KEYS[3]) == ARGV[7] then
  redis.call('DEL', KEYS[3])
end
local latest = redis.call('GET', KEYS[1])
if latest ~= ARGV[1] then
  if latest then redis.call('UNLINK', ARGV[5] .. latest) end
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]) * 2)
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0
   and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[6]) then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4], 'NX')
return 1
"""

# Deletes a claim only if it is still the one we took: a render slower than the claim's
# lifetime must not delete the claim another request took after it expired.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisPageStore:
    def __init__(self, url: str, breaker: Breaker, prefix: str, max_entries: int) -> None:
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
        self.max_entries = max_entries
        self._put = self.client.register_script(_PUT)
        self._release = self.client.register_script(_RELEASE)

    def namespace(self, version: str) -> str:
        return f"{self.prefix}v{version}"

    def _claim_key(self, version: str, key: str) -> str:
        return f"{self.prefix}v{version}:rendering:{key}"

    def get(self, version: str, key: str) -> Entry | None:
        raw = self.breaker.call(self.client.hget, self.namespace(version), key)
        if raw is None:
            return None
        assert isinstance(raw, bytes)  # the client does not decode responses
        return Entry.loads(raw)

    def claim(self, version: str, key: str, seconds: int) -> str | None:
        token = secrets.token_hex(8)
        taken = self.breaker.call(
            self.client.set, self._claim_key(version, key), token, nx=True, ex=seconds
        )
        return token if taken else None

    def put(self, version: str, key: str, entry: Entry, seconds: int, claim: str | None) -> None:
        self.breaker.call(
            self._put,
            keys=[f"{self.prefix}latest", self.namespace(version), self._claim_key(version, key)],
            args=[
                version,
                key,
                entry.dumps(),
                seconds,
                f"{self.prefix}v",
                self.max_entries,
                claim or "",
            ],
        )

    def release(self, version: str, key: str, claim: str) -> None:
        self.breaker.call(self._release, keys=[self._claim_key(version, key)], args=[claim])

    def peek(self, version: str, key: str) -> tuple[Entry | None, bool]:
        def both() -> list[object]:
            pipe = self.client.pipeline(transaction=False)
            pipe.hget(self.namespace(version), key)
            pipe.exists(self._claim_key(version, key))
            return pipe.execute()

        raw, rendering = self.breaker.call(both)
        return (None if raw is None else Entry.loads(raw)), bool(rendering)  # type: ignore[arg-type]


class LocalPageStore:
    """One process's pages (the embedded default): the latest version only, at most
    `max_entries` of them, the least recently used dropped first. Claims are shared by the
    process's threads and expire like the shared store's."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self.lock = threading.Lock()
        self.version: str | None = None
        self.born = 0.0
        self.pages: OrderedDict[str, Entry] = OrderedDict()
        self.claims: dict[tuple[str, str], tuple[str, float]] = {}

    def get(self, version: str, key: str) -> Entry | None:
        with self.lock:
            if version != self.version or self.clock() - self.born >= settings.PAGE_CACHE_SECONDS:
                return None
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def claim(self, version: str, key: str, seconds: int) -> str | None:
        with self.lock:
            now = self.clock()
            held = self.claims.get((version, key))
            if held is not None and held[1] > now:
                return None
            token = secrets.token_hex(8)
            self.claims[(version, key)] = (token, now + seconds)
            return token

    def put(self, version: str, key: str, entry: Entry, seconds: int, claim: str | None) -> None:
        with self.lock:
            self._release(version, key, claim)
            if version != self.version or self.clock() - self.born >= seconds:
                self.version, self.born, self.pages = version, self.clock(), OrderedDict()
                self.claims = {k: v for k, v in self.claims.items() if k[0] == version}
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > self.max_entries:
                self.pages.popitem(last=False)

    def release(self, version: str, key: str, claim: str) -> None:
        with self.lock:
            self._release(version, key, claim)

    def _release(self, version: str, key: str, claim: str | None) -> None:
        if claim is not None and self.claims.get((version, key), ("",))[0] == claim:
            del self.claims[(version, key)]

    def peek(self, version: str, key: str) -> tuple[Entry | None, bool]:
        entry = self.get(version, key)
        with self.lock:
            held = self.claims.get((version, key))
            return entry, held is not None and held[1] > self.clock()


def _database_fingerprint() -> str:
    """Versions count per database: two databases sharing one Redis (a staging and a
    production, the test suite and the benchmark) must never compare their versions."""
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}/{db['NAME']}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


@cache
def store() -> PageStore:
    """The process's page store, made on first use (after settings are final)."""
    if settings.CACHE_URL:
        return RedisPageStore(
            settings.CACHE_URL,
            Breaker("page cache", settings.CACHE_BREAKER_SECONDS),
            prefix=f"observatoire:{_database_fingerprint()}:pages:",
            max_entries=settings.PAGE_CACHE_MAX_ENTRIES,
        )
    return LocalPageStore(settings.PAGE_CACHE_MAX_ENTRIES)


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: object) -> None:
    # Tests point the cache elsewhere with override_settings: the next request makes a new store.
    if setting in {
        "CACHE_URL",
        "CACHE_TIMEOUT_SECONDS",
        "CACHE_BREAKER_SECONDS",
        "PAGE_CACHE_MAX_ENTRIES",
    }:
        store.cache_clear()
