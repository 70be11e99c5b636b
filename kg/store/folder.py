"""The build folder: its files, the named graphs of its layers, its store's staleness, and how it opens for
queries, in one place (`BuildFolder`).

A build folder (`kg build … --out DIR`) holds the graph files of its layers (`graph.ttl`, `wikidata.ttl`,
`inferred.ttl`; names and graphs in `kg.store.layers`), the embedded store `DIR/store` that mirrors them (each
article in its own graph, each layer in its layer graph, their merge in the default graph), `store.json` and
`report.json`. `DIR/store.json` records the size and modification time of the graph files when the store was last
brought in line with them (`record_files`); the store answers queries only while they still match, so a graph file
rewritten on its own (`kg reason DIR`) is never shadowed by an older store: `open_for_queries` then reads the files.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import NoBuildError, StoreError
from kg.rdf.serialise import RdfFormat, write_atomic
from kg.store.dumps import export
from kg.store.folderlock import write_lock
from kg.store.layers import GRAPH_FILE, LAYERS, MIRRORED_FILES, REPORT_FILE, STAMP_FILE, STORE_DIR, GraphSet
from kg.store.triplestore import LAYER_NODES, TripleStore, recover

__all__ = ["BuildFolder", "QueryData", "file_prefixes", "open_query_store", "record_files", "stale_files",
           "sync"]

_PREFIX_LINE = re.compile(r"^@prefix\s+([\w.-]*):\s*<([^>]*)>\s*\.\s*$")


@dataclass(frozen=True)
class QueryData:
    """A build folder ready for queries: a store with each layer in its layer graph and their merge in the default
    graph, the layers it holds, and whether it is the folder's own store (else the files loaded in memory)."""

    store: ox.Store
    layers: tuple[str, ...]
    from_store: bool


@dataclass(frozen=True)
class BuildFolder:
    """A build folder: every command and `kg.open` find its files and open its store through this object.

    >>> folder = BuildFolder(Path("out"))
    >>> folder.file(GraphSet.INFERRED), folder.store_path
    (PosixPath('out/inferred.ttl'), PosixPath('out/store'))
    """

    path: Path

    def file(self, layer: GraphSet | str) -> Path:
        """The Turtle file of a layer (`asserted`: graph.ttl)."""
        return self.path / GraphSet(layer).file

    @property
    def graph_file(self) -> Path:
        return self.path / GRAPH_FILE

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def stamp_file(self) -> Path:
        return self.path / STAMP_FILE

    @property
    def report_file(self) -> Path:
        return self.path / REPORT_FILE

    def layers(self) -> tuple[str, ...]:
        """The layers whose files the folder holds, in order (asserted first)."""
        return tuple(layer for layer in LAYERS if self.file(layer).is_file())

    def require_build(self) -> None:
        """Raises NoBuildError when the folder holds no `graph.ttl`."""
        if not self.graph_file.is_file():
            raise NoBuildError(f"no graph.ttl in {self.path}; run `kg build … --out {self.path}` first")

    def prefixes(self) -> dict[str, str]:
        """The prefixes the folder's graph files declare (the first file wins)."""
        return file_prefixes(self.file(layer) for layer in self.layers())

    def stale_files(self) -> list[str]:
        """The graph files changed since the store was brought in line with them (all when unknown)."""
        try:
            recorded = json.loads(self.stamp_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return list(MIRRORED_FILES)
        current = _stamps(self.path)
        return [name for name in MIRRORED_FILES if recorded.get(name) != current[name]]

    def record_files(self) -> None:
        """Record that the store now holds what the graph files hold."""
        write_atomic(self.stamp_file, json.dumps(_stamps(self.path), indent=1).encode("utf-8"))

    def open_query_store(self) -> ox.Store | None:
        """The store opened read-only for queries, or None when there is none, it is stale, or it predates the
        layer graphs (see `open_for_queries`)."""
        from kg.store.commit import recover_folder

        recover_folder(self.path)
        recover(self.store_path)
        if not self.store_path.is_dir() or self.stale_files():
            return None
        try:
            store = ox.Store.read_only(str(self.store_path))
        except OSError:
            return None
        return store if TripleStore(store).has_layers() else None

    def open_for_queries(self) -> QueryData:
        """The folder ready for queries: its store when it holds what the graph files hold (no file is parsed),
        else the files loaded into an in-memory store in the same graphs (each layer in its graph, their merge in
        the default graph).

        Raises:
            NoBuildError: no graph.ttl.
            StoreError: a graph file cannot be parsed.
        """
        self.require_build()
        layers = self.layers()
        store = self.open_query_store()
        if store is not None:
            return QueryData(store, layers, True)
        memory = ox.Store()
        for layer in layers:
            path = self.file(layer)
            for graph in (LAYER_NODES[GraphSet(layer)], ox.DefaultGraph()):
                try:
                    memory.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
                except (SyntaxError, OSError, ValueError) as err:
                    raise StoreError(f"cannot load {path}: {err}") from err
        return QueryData(memory, layers, False)

    def sync(self) -> list[str]:
        """Bring the store in line with the graph files; the files that were read (see `sync`)."""
        return sync(self.path)


def file_prefixes(paths: Iterable[Path]) -> dict[str, str]:
    """The `@prefix` lines at the top of Turtle files, prefix → namespace (the first file wins)."""
    prefixes: dict[str, str] = {}
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                m = _PREFIX_LINE.match(line)
                if m is None:
                    break
                prefixes.setdefault(m.group(1), m.group(2))
    return prefixes


def _stamps(directory: Path) -> dict[str, list[int] | None]:
    stamps: dict[str, list[int] | None] = {}
    for name in MIRRORED_FILES:
        try:
            stat = (directory / name).stat()
            stamps[name] = [stat.st_size, stat.st_mtime_ns]
        except FileNotFoundError:
            stamps[name] = None
    return stamps


def record_files(directory: Path) -> None:
    """Record that the store of `directory` now holds what its graph files hold."""
    BuildFolder(directory).record_files()


def stale_files(directory: Path) -> list[str]:
    """The graph files of `directory` changed since the store was brought in line with them (all when unknown)."""
    return BuildFolder(directory).stale_files()


def open_query_store(directory: Path) -> ox.Store | None:
    """The store of a build folder opened read-only for queries, or None when there is none or it is stale.

    Stale: `graph.ttl`, `wikidata.ttl` or `inferred.ttl` changed since the store was last written (e.g. by a
    `kg reason` run on its own), or the store predates its layer graphs; the caller then reads the files instead.
    Query its default graph (the merge of all graphs, as the files merged), or the union of its layer graphs, not
    the union of all its named graphs, which repeats shared triples.
    """
    return BuildFolder(directory).open_query_store()


def _same_bytes(path: Path, other: IO[bytes]) -> bool:
    other.seek(0)
    with path.open("rb") as handle:
        while True:
            a, b = handle.read(1 << 20), other.read(1 << 20)
            if a != b:
                return False
            if not a:
                return True


def sync(directory: Path) -> list[str]:
    """Bring the store of the build folder `directory` in line with its graph files; the files that were read.

    `wikidata.ttl` and `inferred.ttl` rewritten since the store was (by `kg reason DIR` on its own) are loaded
    into their graphs. A `graph.ttl` that changed must still be what the store's article graphs hold. A store
    written before the asserted layer graph existed gets it.

    Raises:
        StoreError: `graph.ttl` no longer matches the store (build again), or the store is in use.
    """
    from kg.store.commit import recover_folder

    recover_folder(directory)
    stale = stale_files(directory)
    if not stale and _has_layers(directory / STORE_DIR):
        return []
    with write_lock(directory, "sync"), TripleStore.open(directory / STORE_DIR) as store:
        if GRAPH_FILE in stale:
            with tempfile.TemporaryFile() as tmp:
                export(store, tmp, RdfFormat.TTL, [GraphSet.ASSERTED])
                if not (directory / GRAPH_FILE).is_file() or not _same_bytes(directory / GRAPH_FILE, tmp):
                    raise StoreError(f"{directory / GRAPH_FILE} is not what {directory / STORE_DIR} holds; "
                                     f"build again with `kg build … --out {directory}`")
        store.refresh(directory)
    record_files(directory)
    return stale


def _has_layers(path: Path) -> bool:
    """Whether the store at `path` keeps its layer graphs (or there is no store to bring in line)."""
    if not path.is_dir():
        return True
    try:
        return TripleStore(ox.Store.read_only(str(path))).has_layers()
    except OSError:
        return False
