"""Push: copy a build folder's store to another triple store through the SPARQL 1.1 Graph Store HTTP Protocol.

`push(DIR, endpoint=URL)` sends every graph of `DIR/store` to the store's Graph Store endpoint (Oxigraph:
`http://host:7878/store`, Apache Jena Fuseki: `http://host:3030/DATASET/data`, GraphDB:
`http://host:7200/repositories/REPO/rdf-graphs/service`), each article in its own named graph (`?graph=IRI`), the
three layers in their layer graphs (`kg.store.layers`: the articles merged, the Wikidata and the inferred triples,
so that `kg.open(URL).using(...)` can choose them), and the merge of them all (each distinct triple once) to the
default graph (`?default`), as in the local store: saved queries read the remote default graph and answer as `kg query`
does (a union of the named graphs, as Oxigraph's `--union-default-graph` gives, would repeat an entity's label once
per article). Bodies are N-Triples (or Turtle), in batches of at most `batch` triples: the first batch of a graph
is a PUT (replacing that graph) with `replace`, else a POST (adding to it); the others are POSTs. With `graph`,
every selected triple goes to that one graph instead (`default`: the default graph).

Stores without a writable default graph (Virtuoso) take the merge in a named graph instead (`merged_graph`, e.g.
`MERGED_GRAPH`), which `kg query --endpoint` then reads. Credentials come from the environment (`KG_PUSH_USER`,
`KG_PUSH_PASSWORD`) or the netrc file (`NETRC`, else `~/.netrc`, the entry of the endpoint's host), never from the
command line or the URL; they answer HTTP Basic and Digest challenges (Fuseki, GraphDB: Basic; Virtuoso's
`/sparql-graph-crud-auth`: Digest). docs/triple-stores.md gives each store's endpoint and set-up.
"""

from __future__ import annotations

import enum
import netrc
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdf.serialise import RdfFormat, serialise
from kg.store.folder import BuildFolder
from kg.store.layers import MERGED_GRAPH
from kg.store.sort import sorted_unique
from kg.store.triplestore import ALL_GRAPHS, GraphSet, TripleStore

__all__ = ["DEFAULT_GRAPH", "MERGED_GRAPH", "PushFormat", "PushReport", "credentials", "graph_store_url", "push"]

#: The `graph` value that targets the remote default graph.
DEFAULT_GRAPH = "default"
#: The environment variables that hold the Graph Store endpoint's user name and password.
USER_VARIABLE, PASSWORD_VARIABLE = "KG_PUSH_USER", "KG_PUSH_PASSWORD"
BATCH = 50_000


class PushFormat(enum.Enum):
    """The RDF syntax of the request bodies."""

    NT = "nt"
    TTL = "ttl"

    @property
    def media_type(self) -> str:
        return {"nt": "application/n-triples", "ttl": "text/turtle"}[self.value]


@dataclass(frozen=True)
class PushReport:
    """What a push sent."""

    endpoint: str
    graphs: int
    triples: int
    requests: int
    seconds: float


def graph_store_url(endpoint: str, graph: str) -> str:
    """The Graph Store Protocol URL of `graph` (an IRI, or `default`) at `endpoint`.

    >>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/kg-news/graph/inferred")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fkg-news%2Fgraph%2Finferred'
    """
    query = "default" if graph == DEFAULT_GRAPH else "graph=" + urllib.parse.quote(graph, safe="")
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _batches(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


def _body(lines: list[bytes], fmt: PushFormat) -> bytes:
    data = b"".join(lines)
    if fmt is PushFormat.NT:
        return data
    return serialise((q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)), RdfFormat.TTL)


def credentials(endpoint: str) -> tuple[str, str] | None:
    """The user name and password for `endpoint`: from KG_PUSH_USER and KG_PUSH_PASSWORD, else from the netrc file's
    entry for its host (NETRC, else ~/.netrc), else None.

    Raises:
        StoreError: only one of the two variables is set, or the netrc file cannot be read.
    """
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user is not None or password is not None:
        if user is None or password is None:
            raise StoreError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE}, or neither")
        return user, password
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(urllib.parse.urlsplit(endpoint).hostname or "")
    except (netrc.NetrcParseError, OSError) as err:
        raise StoreError(f"cannot read the netrc file {path}: {err}") from err
    return (entry[0], entry[2] or "") if entry else None


def _opener(endpoint: str) -> urllib.request.OpenerDirector:
    """An opener that answers Basic and Digest challenges with the endpoint's `credentials`, if any."""
    found = credentials(endpoint)
    if found is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, *found)
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                       urllib.request.HTTPDigestAuthHandler(passwords))


def _send(opener: urllib.request.OpenerDirector, url: str, method: str, body: bytes, fmt: PushFormat,
          timeout: float, graph: str) -> None:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": f"{fmt.media_type}; charset=utf-8"})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode("utf-8", "replace").strip()
        err.close()
        raise StoreError(f"{method} of graph {graph} to {url.partition('?')[0]} failed: HTTP {err.code} "
                         f"{err.reason}{': ' + detail if detail else ''}") from err
    except (urllib.error.URLError, OSError) as err:
        raise StoreError(f"cannot reach the Graph Store endpoint {url.partition('?')[0]}: {err}") from err


def push(directory: Path, *, endpoint: str, graph: str | None = None, replace: bool = False,
         graphs: Iterable[GraphSet] = ALL_GRAPHS, fmt: PushFormat = PushFormat.NT, batch: int = BATCH,
         default_graph: bool = True, merged_graph: str = DEFAULT_GRAPH, timeout: float = 120) -> PushReport:
    """Send the store of the build folder `directory` to the Graph Store endpoint `endpoint`.

    Args:
        directory: a folder written by `kg build` (with `store/`).
        endpoint: the remote store's Graph Store Protocol URL, e.g. `http://127.0.0.1:7878/store`.
        graph: one target graph IRI for every triple (or `default`); None keeps each graph's own name.
        replace: replace each target graph (PUT) instead of adding to it (POST).
        graphs: which graph sets to send.
        fmt: N-Triples or Turtle bodies.
        batch: the most triples in one request.
        default_graph: also send the merge of the sent graphs to `merged_graph` (without `graph`).
        merged_graph: where that merge goes: `default` (the remote default graph) or a graph IRI (`MERGED_GRAPH`
            for stores without a writable default graph, such as Virtuoso).

    Raises:
        StoreError: no store, an invalid graph IRI, or the endpoint refused a request (the message names it).
        ValueError: `batch` < 1.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    for name in (graph, merged_graph):
        if name is not None and name != DEFAULT_GRAPH:
            try:
                ox.NamedNode(name)
            except ValueError as err:
                raise StoreError(f"invalid graph IRI {name!r}: {err}") from err
    if urllib.parse.urlsplit(endpoint).username is not None:
        raise StoreError(f"credentials in the endpoint URL are not used: give them in {USER_VARIABLE} and "
                         f"{PASSWORD_VARIABLE} or in a netrc file")
    graphs = tuple(graphs)
    opener = _opener(endpoint)
    started = time.perf_counter()
    requests = triples = 0
    with TripleStore.open(BuildFolder(directory).store_path, read_only=True) as store:
        names = store.graph_names(graphs)
        merged = sorted_unique(line for name in names for line in store.graph_lines(name))
        if graph is None:
            targets = [(name.value, sorted_unique(store.graph_lines(name))) for name in names]
            if GraphSet.ASSERTED in graphs and store.article_graphs():  # the asserted layer: the articles merged
                asserted = sorted_unique(line for name in store.article_graphs() for line in store.graph_lines(name))
                targets.append((GraphSet.ASSERTED.graph, asserted))
            if default_graph:
                targets.append((merged_graph, merged))
        else:
            targets = [(graph, merged)]
        for target, lines in targets:
            url = graph_store_url(endpoint, target)
            for i, chunk in enumerate(_batches(lines, batch)):
                _send(opener, url, "PUT" if replace and i == 0 else "POST", _body(chunk, fmt), fmt, timeout, target)
                requests += 1
                triples += len(chunk)
    return PushReport(endpoint, len(targets), triples, requests, round(time.perf_counter() - started, 2))
