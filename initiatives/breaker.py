"""A circuit breaker for a server the app can do without (the page cache's Redis).

A Redis that is down answers at once (connection refused); one that accepts connections but
never answers (paused, swapping, a full network buffer) makes each call wait for its timeout.
Without a breaker, every request pays that wait on every cache call, and logs a traceback for
each: a sick cache made pages 50 times slower than no cache at all, and filled the logs.

After a failure the breaker opens: for `cooldown` seconds calls fail at once with
CacheUnavailable, costing nothing. Then it lets one call through (half-open); its success
closes the breaker, its failure opens it for another interval. So a sick server costs each
process one timeout per interval, and the log one line per interval.

The state is per process (gunicorn workers each have their own) and shared by its threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What a sick or absent server raises: refused or silent connections, and its own error
# answers (out of memory, read-only replica after a failover, misconfigured persistence).
# OSError covers sockets failing below redis-py.
FAILURES = (redis.RedisError, OSError)


class CacheUnavailable(Exception):
    """The cache server is skipped for now: do without it."""


class Breaker:
    def __init__(
        self, name: str, cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.cooldown = cooldown
        self.clock = clock
        self.lock = threading.Lock()
        self.open_until = 0.0  # 0: closed
        self.trying = False  # a half-open trial call is in flight

    @property
    def is_open(self) -> bool:
        return self.open_until > 0

    def _admit(self) -> bool:
        """Let a call through, or refuse it; True when it is the half-open trial."""
        with self.lock:
            if not self.open_until:
                return False
            if self.clock() < self.open_until or self.trying:
                raise CacheUnavailable(self.name)
            # The interval is over: this call is the one that tries the server again.
            self.trying = True
            return True

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        trial = self._admit()
        try:
            result = function(*args, **kwargs)
        except FAILURES as error:
            with self.lock:
                # Calls already in flight when the server failed fail too: only the first
                # of them (or the failed trial) opens the breaker, and says so.
                opening = trial or not self.open_until
                if opening:
                    self.open_until = self.clock() + self.cooldown
                if trial:
                    self.trying = False
            if opening:
                # One line, no traceback: the cause is the server, not this code.
                logger.warning(
                    "%s unreachable (%s: %s); skipped for %g s",
                    self.name,
                    type(error).__name__,
                    error,
                    self.cooldown,
                )
            raise CacheUnavailable(self.name) from error
        except BaseException:
            # Not the server's fault (a bug, an interrupt): never leave the trial pending.
            if trial:
                with self.lock:
                    self.trying = False
            raise
        if trial:
            # Only the trial closes the breaker: a slow call admitted before the failure
            # says nothing about the server now.
            with self.lock:
                self.open_until = 0.0
                self.trying = False
            logger.warning("%s answers again", self.name)
        return result
