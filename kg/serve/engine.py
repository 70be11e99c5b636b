"""The Oxigraph engine behind `kg serve`: its command line, its supervised process (started again when it dies),
the connections to it, and the bounds on the work it is given (admission, the query budget per timeout).
"""

from __future__ import annotations

import http.client
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kg.errors import ServeError, StoreError
from kg.store.folder import BuildFolder
from kg.store.triplestore import TripleStore

if TYPE_CHECKING:
    from kg.serve.server import ReadOnlyProxy

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
_IDLE_REUSE = 2.0  # seconds a kept-alive engine connection may have been idle and still be reused
_RESTART_WAIT = 60.0  # seconds a request waits for an engine being started again
_MAX_RESTARTS = 20  # restarts within _RESTART_PERIOD before serve gives up
_RESTART_PERIOD = 300.0
_IN_FLIGHT_PER_CORE = 8  # queries at the engine at once per core: as many answers a second as 64 on 2 cores, p99 lower
_QUEUED_PER_CORE = 32  # requests waiting for one of those places, per core; more are answered 503
def default_max_in_flight() -> int:
    """Queries sent to the engine at once by default: `_IN_FLIGHT_PER_CORE` per core of the machine."""
    return _IN_FLIGHT_PER_CORE * (os.cpu_count() or 1)


def default_max_queued() -> int:
    """Requests waiting for the engine by default: `_QUEUED_PER_CORE` per core of the machine."""
    return _QUEUED_PER_CORE * (os.cpu_count() or 1)


def oxigraph_binary() -> str:
    """The `oxigraph` server program: next to this Python (the virtualenv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError("the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6'")
    return found


def serve_command(directory: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  timeout: float | None = 10, cors: bool = False) -> list[str]:
    """The command that serves the store of `directory` read-only, without the proxy (`serve` runs it on an
    internal port); the store is first brought in line with the folder's graph files when they changed since it
    was written (`kg.store.folder.sync`).

    Raises:
        StoreError: no store in `directory`, or it cannot be synchronised (in use by a build).
        ValueError: a port outside 1–65535 or a timeout that is not positive.

    >>> serve_command(Path("out"), port=8000)[1:4]  # doctest: +SKIP
    ['serve-read-only', '--location', 'out/store']
    """
    _check_port(port)
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    folder = BuildFolder(directory)
    location = folder.store_path
    if not location.is_dir():
        raise StoreError(f"no store in {directory}; run `kg build … --out {directory}` first")
    folder.sync()
    TripleStore.open(location, read_only=True).close()  # fails early, with a clear message, on a broken store
    command = [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}"]
    if timeout is not None:
        command += ["--timeout-s", str(max(1, round(timeout)))]
    if cors:
        command.append("--cors")
    return command


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")


class _Upstream:
    """Kept-alive connections to the engine, shared by the proxy's threads: a new TCP connection per query would
    exhaust loopback ports under load. Up to `idle` connections wait for reuse, within the 128 connections per
    core that Oxigraph's server takes."""

    def __init__(self, host: str, port: int, timeout: float | None, *, idle: int = 64) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._idle: queue.LifoQueue[tuple[http.client.HTTPConnection, float]] = queue.LifoQueue(idle)
        self.ready = threading.Event()  # cleared while a supervisor starts the engine again
        self.ready.set()
        self.generation = 0  # engine deaths so far (the supervisor counts them)
        self.planned: set[int] = set()  # the generations that began with a restart on purpose, not a death
        # set by a supervisor: stop the engine of that generation (it runs a query past its timeout), start another
        self.restart: Callable[[int], None] | None = None

    def only_restarted_since(self, generation: int) -> bool:
        """Whether every engine change since `generation` was a restart on purpose (no crash among them)."""
        return all(g in self.planned for g in range(generation + 1, self.generation + 1))

    def take(self) -> tuple[http.client.HTTPConnection, bool]:
        """A connection, and whether it was used before (the engine may have closed it since). Connections idle
        for more than `_IDLE_REUSE` seconds are closed, not reused: the engine writes an unsolicited 500 on them
        after about 10 s, which the next request would read as its answer."""
        while True:
            try:
                connection, since = self._idle.get_nowait()
            except queue.Empty:
                return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout), False
            if time.monotonic() - since <= _IDLE_REUSE:
                return connection, True
            connection.close()

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        try:
            self._idle.put_nowait((connection, time.monotonic()))
        except queue.Full:
            connection.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait()[0].close()
            except queue.Empty:
                return


class _Admission:
    """At most `limit` requests at the engine at once; up to `queued` more wait in line, first come first served,
    for at most `wait` seconds each. Past the line or the wait, a request is refused (the caller answers 503):
    the engine shares the machine's cores, and more queries at once only make each one slower."""

    def __init__(self, limit: int, queued: int, wait: float) -> None:
        if limit < 1 or queued < 0:
            raise ValueError(f"max_in_flight must be 1 or more and max_queued 0 or more, got {limit}, {queued}")
        self.limit, self.queued, self.wait = limit, queued, wait
        self._condition = threading.Condition()
        self.running = 0
        self._line: deque[object] = deque()

    @property
    def waiting(self) -> int:
        return len(self._line)

    def enter(self) -> bool:
        """Take a place at the engine, waiting in line if need be; False when the line is full or the wait over."""
        with self._condition:
            if self.running < self.limit and not self._line:
                self.running += 1
                return True
            if len(self._line) >= self.queued:
                return False
            ticket = object()
            self._line.append(ticket)
            deadline = time.monotonic() + self.wait
            try:
                while self._line[0] is not ticket or self.running >= self.limit:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._condition.wait(left)
                self.running += 1
                return True
            finally:
                self._line.remove(ticket)
                self._condition.notify_all()

    def leave(self) -> None:
        with self._condition:
            self.running -= 1
            self._condition.notify_all()


class _EngineDied(Exception):
    """The engine died while it had the request; nothing was sent to the client yet."""


class _Gate:
    """Requests reach the engine side by side (`shared`), except a request that was in flight when the engine
    died: it is sent again alone (`exclusive`), so that if the engine dies once more, that request is certainly
    what killed it. New requests wait meanwhile."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active = 0
        self._waiting = 0
        self._solo = threading.Lock()

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            while self._waiting:
                self._condition.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1
                self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            self._waiting += 1
        try:
            with self._solo:
                with self._condition:
                    while self._active:
                        self._condition.wait()
                yield
        finally:
            with self._condition:
                self._waiting -= 1
                self._condition.notify_all()


class _QueryWindow:
    """The requests sent to the engine in the last `seconds`: Oxigraph 0.5 started with a timeout keeps a thread
    asleep for the whole timeout after every query (oxigraph/oxigraph#1874) and aborts when it cannot create one
    more, which 270 queries a second for 60 s did on this project's load test. Above `budget` the proxy refuses
    (503) instead of letting the engine die."""

    def __init__(self, seconds: float, budget: int) -> None:
        self.seconds, self.budget = seconds, budget
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float:
        """0 when the request may go (and is counted), else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            while self._times and self._times[0] <= now - self.seconds:
                self._times.popleft()
            if len(self._times) >= self.budget:
                return self._times[0] + self.seconds - now
            self._times.append(now)
            return 0.0


def engine_query_budget() -> int:
    """How many queries the engine may start within its timeout without running out of threads: on Linux each
    thread takes 4 of the process's memory maps (vm.max_map_count, 65,530 by default); half of that, for room."""
    try:
        maps = int(Path("/proc/sys/vm/max_map_count").read_text())
    except (OSError, ValueError):
        return 2_000  # macOS allows a few thousand threads per process
    return max(1_000, maps // 8)


class _Supervisor:
    """Runs the engine, and starts it again on the same port when it dies: the store is read-only, so a restart
    loses nothing. Oxigraph 0.5 aborts the whole server on some queries (a sort over date-times with and without
    a timezone: "user-provided comparison function does not correctly implement a total order"). It also stops
    the engine on purpose (`restart`) when the proxy finds it working on a query long past the timeout; such
    restarts are not deaths (no limit on them)."""

    def __init__(self, command: list[str], port: int, log: IO[bytes], proxy: ReadOnlyProxy,
                 notice: Callable[[str], None]) -> None:
        self.command, self.port, self.log, self.proxy, self.notice = command, port, log, proxy, notice
        self.engine: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.failure: str | None = None
        self.deaths: deque[float] = deque()
        self._restarting = False  # the engine is being stopped on purpose
        self._lock = threading.Lock()
        proxy.upstream.restart = self.restart

    def restart(self, generation: int) -> None:
        """Kill the engine of `generation` (if it is still the running one) so that `_watch` starts another."""
        with self._lock:
            if (self.stopping.is_set() or self._restarting or self.engine is None
                    or self.proxy.upstream.generation != generation or self.engine.poll() is not None):
                return
            self._restarting = True
            self.engine.kill()  # SIGKILL: a sort does not stop on TERM, and the store is read-only

    def start(self) -> None:
        """Start the engine and wait until it listens; then watch it on a thread."""
        self._launch()
        threading.Thread(target=self._watch, name="kg-serve-engine", daemon=True).start()

    def _launch(self) -> None:
        # its own session: a Ctrl-C in the terminal reaches this process only, which stops the engine itself
        self.engine = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self.log,
                                       start_new_session=True)
        _wait_listening(self.engine, self.port, self.log)
        self.proxy.upstream.ready.set()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            assert self.engine is not None
            code = self.engine.wait()
            if self.stopping.is_set():
                return
            upstream = self.proxy.upstream
            upstream.ready.clear()
            with self._lock:
                planned, self._restarting = self._restarting, False
            if planned:
                upstream.planned.add(upstream.generation + 1)
            upstream.generation += 1
            upstream.close()  # its kept-alive connections died with it
            if planned:
                self.notice("the Oxigraph server ran a query past the timeout without stopping it: stopped it and "
                            "starting it again")
                if self._relaunch():
                    continue
                return
            now = time.monotonic()
            self.deaths.append(now)
            while self.deaths and self.deaths[0] < now - _RESTART_PERIOD:
                self.deaths.popleft()
            message = f"the Oxigraph server stopped (exit {code}): {_panic(self.log) or _tail(self.log)}"
            if len(self.deaths) > _MAX_RESTARTS:
                self.failure = f"{message}; it stopped {len(self.deaths)} times in {_RESTART_PERIOD:g} s, given up"
                self.proxy.shutdown()
                return
            self.notice(f"{message}; starting it again")
            if not self._relaunch():
                return

    def _relaunch(self) -> bool:
        """Start the engine again; False (serve stops) when it does not start."""
        try:
            self._launch()
        except ServeError as err:
            self.failure = str(err)
            self.proxy.shutdown()
            return False
        return True

    def stop(self) -> None:
        """Stop watching and stop the engine (TERM, then KILL after 10 s)."""
        self.stopping.set()
        self.proxy.upstream.ready.set()  # no request waits for an engine that will not come
        engine = self.engine
        if engine is None:
            return
        engine.terminate()
        try:
            engine.wait(timeout=10)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(engine: subprocess.Popen[bytes], port: int, log: IO[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if engine.poll() is not None:
            raise ServeError(f"the Oxigraph server did not start (exit {engine.returncode}): {_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ServeError(f"the Oxigraph server did not listen on 127.0.0.1:{port} within {seconds:g} s")


def _panic(log: IO[bytes]) -> str | None:
    """The last panic message of the engine's log ("panicked at FILE: MESSAGE"), or None."""
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").splitlines()
    at = [i for i, line in enumerate(lines) if "panicked at" in line]
    if not at:
        return None
    return " ".join(line.strip() for line in lines[at[-1]:at[-1] + 2])


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return " / ".join(lines[-3:]) or "no message"
