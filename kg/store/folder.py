"""The store as the mirror of a build folder's graph files.

`DIR/store.json` records the size and modification time of `graph.ttl`, `wikidata.ttl` and `inferred.ttl` when
the store was last brought in line with them (`record_files`); `open_query_store` uses the store only while they
still match, so a graph file rewritten on its own (`kg reason DIR`) is never shadowed by an older store.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdf.serialise import write_atomic
from kg.store.dumps import ExportFormat, export
from kg.store.folderlock import write_lock
from kg.store.triplestore import MIRRORED_FILES, STAMP_FILE, STORE_DIR, GraphSet, TripleStore, recover


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
    write_atomic(directory / STAMP_FILE, json.dumps(_stamps(directory), indent=1).encode("utf-8"))


def stale_files(directory: Path) -> list[str]:
    """The graph files of `directory` changed since the store was brought in line with them (all when unknown)."""
    try:
        recorded = json.loads((directory / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return list(MIRRORED_FILES)
    current = _stamps(directory)
    return [name for name in MIRRORED_FILES if recorded.get(name) != current[name]]

def open_query_store(directory: Path) -> ox.Store | None:
    """The store of a build folder opened read-only for queries, or None when there is none or it is stale.

    Stale: `graph.ttl`, `wikidata.ttl` or `inferred.ttl` changed since the store was last written (e.g. by a
    `kg reason` run on its own); the caller then reads the files instead. Query its default graph (the merge of
    all graphs, as the files merged), not the union of its named graphs, which repeats shared triples.
    """
    from kg.store.commit import recover_folder

    recover_folder(directory)
    path = directory / STORE_DIR
    recover(path)
    if not path.is_dir() or stale_files(directory):
        return None
    try:
        return ox.Store.read_only(str(path))
    except OSError:
        return None


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
    into their graphs. A `graph.ttl` that changed must still be what the store's article graphs hold.

    Raises:
        StoreError: `graph.ttl` no longer matches the store (build again), or the store is in use.
    """
    from kg.store.commit import recover_folder

    recover_folder(directory)
    stale = stale_files(directory)
    if not stale:
        return []
    with write_lock(directory, "sync"), TripleStore.open(directory / STORE_DIR) as store:
        if "graph.ttl" in stale:
            with tempfile.TemporaryFile() as tmp:
                export(store, tmp, ExportFormat.TTL, [GraphSet.ASSERTED])
                if not (directory / "graph.ttl").is_file() or not _same_bytes(directory / "graph.ttl", tmp):
                    raise StoreError(f"{directory / 'graph.ttl'} is not what {directory / STORE_DIR} holds; "
                                     f"build again with `kg build … --out {directory}`")
        store.refresh(directory)
    record_files(directory)
    return stale
