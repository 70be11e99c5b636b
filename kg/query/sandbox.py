"""Queries from users run where an engine abort cannot take the caller down: a forked child process.

Oxigraph 0.5 (pyoxigraph and its server) panics, and the process aborts (SIGABRT, exit 134), when a query sorts
`xsd:dateTime` values some of which have a timezone and some not: "user-provided comparison function does not
correctly implement a total order" (docs/robustness.md has a minimal reproduction). In a notebook that kills the
kernel. `kg.open(...).query` and the notebook magics therefore run SPARQL text written by the user in a child
process forked for the query (copy-on-write: the store is not copied) and read its answer back through a pipe; a
child that aborts becomes a `QueryError`. Saved queries, which the project controls, and the project's own data
(dates and times in one convention) run in the process itself. `kg.open(..., isolate=False)` opts out.

Only where `os.fork` exists (Linux, macOS); elsewhere the query runs in the process.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import signal
from collections.abc import Callable
from typing import TypeVar

from kg.errors import QueryError

__all__ = ["ENGINE_ABORT", "isolated"]

T = TypeVar("T")
ENGINE_ABORT = ("the SPARQL engine aborted on this query ({how}); it ran in a child process, so this one goes on. "
                "Oxigraph 0.5 aborts when it sorts date-times with and without a timezone together "
                "(docs/robustness.md): give them all a timezone, or sort on STR(?value)")


def isolated(function: Callable[[], T], *, label: str = "query") -> T:
    """`function()` run in a forked child process; its result, or the exception it raised, raised here.

    Raises:
        QueryError: the child died without an answer (the engine aborted, or it was killed).
    """
    if not hasattr(os, "fork"):
        return function()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave without running the parent's exit handlers
        code = 0
        try:
            faulthandler.disable()  # an abort here is expected: no Python traceback of the parent's threads
            os.close(read)
            try:
                outcome: tuple[bool, object] = (True, function())
            except BaseException as err:  # handed to the parent
                outcome = (False, err)
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        how = f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status) else \
            f"exit {os.WEXITSTATUS(status)}"
        raise QueryError(f"{label}: {ENGINE_ABORT.format(how=how)}")
    ok, value = pickle.loads(data)
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]
