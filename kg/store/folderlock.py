"""One writer at a time per build folder: a lock file (`DIR/kg.lock`) held for a whole writing command.

Every command that writes a build folder (a fresh build, `--append`, `kg remove`, `kg reason`) takes the lock
before it touches anything and keeps it to the end. Two writers at once corrupted the store: a fresh build swaps
a new store in while an append still writes the old one, and RocksDB's manifest no longer matches its files. The
second writer is refused at once (`FolderBusyError`) with the holder named: its process id, host, what it is doing
and since when, read from the lock file.

The lock is an advisory `flock` on the lock file: the kernel releases it when its process ends, even by SIGKILL, so
a killed build never leaves the folder locked. It is re-entrant within one thread (a build calls the reasoner,
which takes the lock too); another thread or process is refused.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with write_lock(folder, "build"):
...     with write_lock(folder, "reason"):  # the same thread: re-entrant
...         holder(folder)["action"]
'build'
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import FolderBusyError, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one writer is the user's duty
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_FILE", "FolderBusyError", "holder", "is_locked", "write_lock"]

LOCK_FILE = "kg.lock"
_held = threading.local()  # per thread: {resolved folder: (open lock file, depth)}


def _table() -> dict[Path, tuple[IO[str], int]]:
    if not hasattr(_held, "locks"):
        _held.locks = {}
    return _held.locks  # type: ignore[no-any-return]


def holder(directory: Path) -> dict[str, object]:
    """What the lock file of `directory` says about its last holder (empty when unknown)."""
    try:
        data = json.loads((directory / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(directory: Path) -> str:
    info = holder(directory)
    if not info:
        return "a kg command that is starting"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info.get("started", 0))))  # type: ignore[arg-type]
    return f"kg {info.get('action', '?')} (process {info.get('pid', '?')} on {info.get('host', '?')}, since {since})"


def is_locked(directory: Path) -> bool:
    """Whether another thread or process is writing `directory` now."""
    try:
        with write_lock(directory, "check"):
            return False
    except FolderBusyError:
        return True


@contextmanager
def write_lock(directory: Path, action: str) -> Iterator[None]:
    """Hold the write lock of the build folder `directory` (created if needed) for the `with` block.

    `action` says what the holder does ("build", "build --append", "remove", "reason"), for the message another
    writer gets.

    Raises:
        FolderBusyError: another thread or process holds the lock; the message names it.
        StoreError: the lock file cannot be created.
    """
    key = directory.resolve()
    table = _table()
    if key in table:
        handle, depth = table[key]
        table[key] = (handle, depth + 1)
        try:
            yield
        finally:
            handle, depth = table[key]
            if depth > 1:
                table[key] = (handle, depth - 1)
            else:
                del table[key]
                handle.close()
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = (directory / LOCK_FILE).open("a+", encoding="utf-8")
    except OSError as err:
        raise StoreError(f"cannot create the lock file {directory / LOCK_FILE}: {err}") from err
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise FolderBusyError(f"the build folder {directory} is being written by {_describe(directory)}; "
                              "one writer at a time: try again when it has finished") from None
    if action != "check":
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "action": action,
                                 "started": time.time()}))
        handle.flush()
    table[key] = (handle, 1)
    try:
        yield
    finally:
        table.pop(key, None)
        handle.close()
