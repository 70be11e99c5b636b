"""Serve: a read-only SPARQL endpoint over a build folder's store, with a query page, by the Oxigraph server.

`kg serve DIR` runs `oxigraph serve-read-only` (the `oxigraph` command of the PyPI package of the same name) on
`DIR/store`: SPARQL queries at `/query` (GET or POST, the SPARQL 1.1 protocol), the graphs at `/store` (Graph Store
Protocol, reads only), and a YASGUI query page at `/`, served by the engine itself, no internet needed. Updates
and uploads are refused (HTTP 403). The default graph of a query is the store's default graph: every triple of the
articles, Wikidata and inferred graphs once, as `kg query` reads it; `GRAPH ?g { … }` reaches each article's
graph. Queries running longer than `timeout` seconds are stopped; the engine has no limit
on the size of a result.

It listens on 127.0.0.1 by default: reachable from this machine only. Do not write to the store (`kg build
--append`, `kg remove`) while it is served: a read-only reader next to a writer is undefined behaviour in
Oxigraph; stop the server, write, start it again.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from kg.errors import StoreError
from kg.triplestore import STORE_DIR, TripleStore, sync

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "oxigraph_binary", "serve_command"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


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
                  timeout: float | None = 60, cors: bool = False) -> list[str]:
    """The command that serves the store of `directory` read-only; the store is first brought in line with the
    folder's graph files when they changed since it was written (`kg.triplestore.sync`).

    Raises:
        StoreError: no store in `directory`, or it cannot be synchronised (in use by a build).
        ValueError: a port outside 1–65535 or a timeout that is not positive.

    >>> serve_command(Path("out"), port=8000)[1:4]  # doctest: +SKIP
    ['serve-read-only', '--location', 'out/store']
    """
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    location = directory / STORE_DIR
    if not location.is_dir():
        raise StoreError(f"no store in {directory}; run `kg build … --out {directory}` first")
    sync(directory)
    TripleStore.open(location, read_only=True).close()  # fails early, with a clear message, on a broken store
    command = [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}"]
    if timeout is not None:
        command += ["--timeout-s", str(max(1, round(timeout)))]
    if cors:
        command.append("--cors")
    return command
