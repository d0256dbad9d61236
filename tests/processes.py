"""Real processes for the fault tests: a Redis of their own (to stop and pause without
touching the suite's), gunicorn and a Celery worker on the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], Any], *, timeout: float, interval: float = 0.05) -> Any:
    """Ask `condition` every `interval` seconds until it holds, for `timeout` seconds at
    most: its value, truthy, or False when the deadline passed. Instead of a fixed sleep,
    which is either too long (slow) or too short (flaky)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """wait_until, failing the test with what it waited for when the deadline passes."""
    value = wait_until(predicate, timeout=timeout, interval=0.1)
    if not value:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")
    return value


class RedisServer:
    """A redis-server on a free port, keeping nothing on disk: stop, start, pause, resume."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "redis-server to start")

    def _answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 0.2) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server must wake to exit
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGCONT)


def database_url() -> str:
    """The test database, as a URL for processes started by a test (transactional tests:
    what they see is committed)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment(redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "ENV_FILE": "/nonexistent",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 1) -> Iterator[str]:
    """The app served by gunicorn; yields its base URL."""
    port = free_port()
    # Its log goes to a file, read only if it fails to start: a pipe nobody reads fills up
    # and hangs a gunicorn whose workers keep failing to boot.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "sovereignty.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(lambda: _status(base + "/healthz") == 200, 30, "gunicorn to answer")
        except Exception:
            log.seek(0)
            raise AssertionError(
                "gunicorn did not answer; its log:\n" + log.read()[-4000:].decode(errors="replace")
            ) from None
        yield base
    finally:
        process.terminate()
        process.wait(20)
        log.close()


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker (prefork, one child) in its own process; its log in `log`."""
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "sovereignty",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "INFO"},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # cold shutdown: nothing left to finish here
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if log:
            output.close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def sent_mails(directory: Path) -> list[str]:
    """What the file mail backend wrote: one file per connection, messages in it."""
    return [p.read_text() for p in sorted(directory.glob("*.log"))]


class SilentServer:
    """A TCP server that accepts connections and never answers: a Redis that is paused,
    swapping or behind a full network buffer, as a client sees it. Runs in a thread of the
    test process; `with SilentServer() as url:`."""

    def __init__(self) -> None:
        import threading

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)  # held open, never read, never answered

    def __enter__(self) -> str:
        self.thread.start()
        return f"redis://127.0.0.1:{self.port}/0"

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(5)
        for connection in self.accepted:
            connection.close()
        self.listener.close()


def wait_until_broker_idle(redis_url: str, timeout: float = 30, queue: str = "celery") -> None:
    """Until every task sent has run: nothing waits in the queue, and nothing taken is
    unacknowledged (tasks acknowledge after running, acks_late). A duplicate delivery, were
    there one, would be one of these: once both are empty twice in a row, none can follow.
    Replaces a fixed sleep that hoped to be long enough."""
    import redis

    client = redis.Redis.from_url(redis_url)

    def idle() -> bool:
        return client.llen(queue) == 0 and client.hlen("unacked") == 0

    # Twice, 0.2 s apart: Kombu moves a message from the queue to `unacked` in two steps.
    wait_for(
        lambda: idle() and (time.sleep(0.2) is None) and idle(), timeout, "the worker to be idle"
    )


class PostgresServer:
    """A PostgreSQL cluster of the test's own, in a temporary folder, on a free port: to
    restart without touching the machine's shared server (which other runs are using).
    Debian's binaries; run as the `postgres` user when the tests run as root (initdb refuses
    root)."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            raise AssertionError("PostgreSQL's server binaries are needed (Debian: postgresql)")
        self.bin = bins[-1].parent
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="observatoire-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/observatoire"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        self._ctl("start")
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "observatoire",
        )

    def _ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-m",
            "fast",
            "-l",
            str(self.folder / "log"),
            action,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop")
        shutil.rmtree(self.folder, ignore_errors=True)
