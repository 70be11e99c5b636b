"""Reasoning and validation on a remote SPARQL 1.1 store, where the graph lives once it outgrows one machine.

`reason_endpoint(URL)` runs the fast reasoner's updates (`kg.reason.fastpath`) on the store itself, over the SPARQL 1.1
Protocol: the asserted triples (the article graphs and the Wikidata graph `kg push` writes) are copied into a scratch
graph, closed there, and the new, useful triples (`kg.reason.reasoning.useful`, as a FILTER) replace the inferred
graph (`kg.store.triplestore.INFERRED_GRAPH`) in one last update, which also swaps them in the merge of all graphs
`kg push` wrote (the default graph, or `MERGED_GRAPH`); the scratch graphs are then dropped. No triple travels to
this machine, and running it again gives the same graphs. Until that last update nothing `kg push` wrote is
touched, so a failure midway leaves the store's graphs as they were (only scratch graphs, dropped by the next run).

`validate_endpoint(URL)` cannot run pySHACL on the store: it fetches the asserted triples (one CONSTRUCT) and
validates them here, as `kg validate DIR` validates `graph.ttl`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
from rdflib import RDF

from kg.errors import ReasoningError, StoreError
from kg.reason.fastpath import fast_plan, run, within
from kg.reason.reasoning import Reasoner, ReasoningReport
from kg.reason.validation import ValidationReport, validate_store
from kg.reason.vocabulary import Vocabulary, ontology, rules
from kg.store.layers import GRAPHS_NS, GraphSet
from kg.store.push import DEFAULT_GRAPH, credentials
from kg.store.triplestore import ARTICLE_GRAPH_PREFIX, INFERRED_GRAPH

__all__ = ["WORK_GRAPH", "reason_endpoint", "update_url", "validate_endpoint"]

#: The scratch graphs of a run: the copy of the asserted triples being closed, and the copy of those that were there.
WORK_GRAPH = f"{GRAPHS_NS}reasoning/work"
SCRATCH_GRAPH = f"{GRAPHS_NS}reasoning/asserted"
#: The asserted triples: the article graphs (`kg push`) and the asserted layer graph (`kg push`, `load_commands`).
_ASSERTED_INPUT = f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPH_PREFIX}") || ?g = <{GraphSet.ASSERTED.graph}>)'
#: What is reasoned over: those and the Wikidata graph, as `kg reason DIR` reads graph.ttl and wikidata.ttl.
_INPUT = f"{_ASSERTED_INPUT[:-1]} || ?g = <{GraphSet.WIKIDATA.graph}>)"


def update_url(endpoint: str) -> str:
    """Where a store takes updates, guessed from its query endpoint: `…/query` → `…/update` (Oxigraph, Fuseki),
    else the same URL (Virtuoso's and GraphDB's `/sparql`-style endpoints take both).

    >>> update_url("http://127.0.0.1:7878/query"), update_url("http://127.0.0.1:8890/sparql")
    ('http://127.0.0.1:7878/update', 'http://127.0.0.1:8890/sparql')
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.path.endswith("/query"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
    return endpoint


class _Endpoint:
    """A SPARQL 1.1 Protocol endpoint: queries to `url`, updates to `update`; every error names the URL."""

    def __init__(self, url: str, update: str | None, timeout: float) -> None:
        self.url, self.update_url, self.timeout = url, update or update_url(url), timeout
        found = credentials(self.update_url)
        handlers: list[urllib.request.BaseHandler] = []
        if found is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for target in (self.url, self.update_url):
                passwords.add_password(None, target, *found)
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _post(self, url: str, body: str, content_type: str, accept: str, what: str) -> bytes:
        request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST",
                                         headers={"Content-Type": f"{content_type}; charset=utf-8", "Accept": accept})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as err:
            detail = err.read(500).decode("utf-8", "replace").strip()
            err.close()
            if what == "update" and err.code in (401, 403, 404, 405):
                raise StoreError(f"the SPARQL endpoint {url} refused an update (HTTP {err.code} {err.reason}): it "
                                 "is read-only, takes no updates at this URL (give --update-endpoint), or needs "
                                 "credentials (KG_PUSH_USER and KG_PUSH_PASSWORD, or a netrc file); nothing was "
                                 "changed") from err
            raise StoreError(f"the SPARQL endpoint {url} failed the {what}: HTTP {err.code} {err.reason}"
                             f"{': ' + detail if detail else ''}") from err
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {reason}") from err

    def update(self, text: str) -> None:
        self._post(self.update_url, text, "application/sparql-update", "*/*", "update")

    def select(self, query: str) -> list[dict[str, str]]:
        """The rows of a SELECT query, each variable's value as text."""
        data = self._post(self.url, query, "application/sparql-query", "application/sparql-results+json", "query")
        try:
            rows = json.loads(data)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as err:
            raise StoreError(f"the SPARQL endpoint {self.url} did not answer with SPARQL JSON results") from err
        return [{name: cell["value"] for name, cell in row.items()} for row in rows]

    def count(self, query: str) -> int:
        (row,) = self.select(query)
        return int(next(iter(row.values())))

    def construct(self, query: str) -> bytes:
        """The N-Triples of a CONSTRUCT query."""
        return self._post(self.url, query, "application/sparql-query", "application/n-triples", "query")


def _graph_size(graph: str) -> str:
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


def _useful(vocab: Vocabulary) -> str:
    """`kg.reason.reasoning.useful` as a SPARQL filter on ?s ?p ?o."""
    def terms(iris: frozenset[str]) -> str:
        return ", ".join(f"<{i}>" for i in sorted(iris))

    return (f"FILTER(isIRI(?s) && !isBlank(?o) && ((?p = <{RDF.type}> && isIRI(?o) && ?o IN ({terms(vocab.classes)})) "
            f"|| (?p IN ({terms(vocab.object_properties)}) && !isLiteral(?o)) "
            f"|| ?p IN ({terms(vocab.datatype_properties)})))")


def _merge(endpoint: _Endpoint, merged_graph: str | None) -> str | None:
    """Where `kg push` put the merge of the graphs, if it is there: the default graph or `merged_graph`."""
    if merged_graph is None:
        return None
    where = "?s ?p ?o" if merged_graph == DEFAULT_GRAPH else f"GRAPH <{merged_graph}> {{ ?s ?p ?o }}"
    return merged_graph if endpoint.select(f"SELECT ?s WHERE {{ {where} }} LIMIT 1") else None


def _swap(plan_derivable: tuple[str, ...], vocab: Vocabulary, merge: str | None) -> str:
    """The last update: the new inferred graph in place of the old one, in the merge too; the scratch graphs gone.

    An old inferred triple leaves the merge unless it is asserted now (in the scratch copy of the asserted triples
    of derivable predicates, which every inferred triple's predicate is)."""
    inferred = INFERRED_GRAPH.value
    target = "?s ?p ?o" if merge in (None, DEFAULT_GRAPH) else f"GRAPH <{merge}> {{ ?s ?p ?o }}"
    values = " ".join(f"<{p}>" for p in plan_derivable)
    old = f"GRAPH <{SCRATCH_GRAPH}> {{ ?s ?p ?o }}"
    steps = []
    if merge is not None:
        steps.append(f"DELETE {{ {target} }} WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} MINUS {{ {old} }} }}")
    steps.append(f"DROP SILENT GRAPH <{inferred}>")
    steps.append(f"INSERT {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{WORK_GRAPH}> {{ VALUES ?p "
                 f"{{ {values} }} ?s ?p ?o }} {_useful(vocab)} MINUS {{ {old} }} }}")
    if merge is not None:
        steps.append(f"INSERT {{ {target} }} WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }}")
    steps += [f"DROP SILENT GRAPH <{WORK_GRAPH}>", f"DROP SILENT GRAPH <{SCRATCH_GRAPH}>"]
    return " ;\n".join(steps)


def reason_endpoint(endpoint: str, *, update_endpoint: str | None = None, merged_graph: str | None = DEFAULT_GRAPH,
                    reasoner: Reasoner | str = Reasoner.FAST, timeout: float = 600) -> ReasoningReport:
    """Reason on the remote store at `endpoint` into its inferred graph, with the fast reasoner's updates.

    Args:
        endpoint: the store's SPARQL query endpoint (Oxigraph: `http://HOST:7878/query`).
        update_endpoint: where it takes updates (default: `update_url(endpoint)`).
        merged_graph: where `kg push` put the merge of all graphs (`default`: the default graph; a graph IRI for
            Virtuoso; None: nowhere): the inferred triples there are swapped too, when it holds any triple.
        reasoner: `fast` or `auto` (the same here); owlrl cannot run on a remote store.
        timeout: the most seconds for one request.

    Raises:
        StoreError: the endpoint cannot be reached, refuses updates, or holds no kg graph.
        ReasoningError: `reasoner` is owlrl.
    """
    if Reasoner(reasoner) is Reasoner.OWLRL:
        raise ReasoningError("the owlrl reasoner runs on a local build only; a remote store is reasoned over by "
                             "the fast reasoner's SPARQL updates (--reasoner fast)")
    started = time.perf_counter()
    remote = _Endpoint(endpoint, update_endpoint, timeout)
    _, vocab = ontology()
    plan = within(fast_plan(vocab, *rules()), WORK_GRAPH, SCRATCH_GRAPH)
    remote.update(f"DROP SILENT GRAPH <{WORK_GRAPH}> ;\nDROP SILENT GRAPH <{SCRATCH_GRAPH}>")  # a killed run's
    try:
        remote.update(f"INSERT {{ GRAPH <{WORK_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_INPUT} }}")
        asserted = remote.count(_graph_size(WORK_GRAPH))
        if not asserted:
            raise StoreError(f"the SPARQL endpoint {endpoint} holds no kg article or asserted graph; "
                             "push a build there first (kg push)")
        closure_started, closure_cpu = time.perf_counter(), time.process_time()
        run(plan, remote.update, remote.count)
        problems = [f"Irreflexive property used on {row['x']} with {prop}"
                    for prop in sorted(vocab.irreflexive) for row in remote.select(plan.reflexive(prop))]
        remote.update(_swap(plan.derivable, vocab, _merge(remote, merged_graph)))
        closure = time.perf_counter() - closure_started
    except BaseException:
        try:
            remote.update(f"DROP SILENT GRAPH <{WORK_GRAPH}> ;\nDROP SILENT GRAPH <{SCRATCH_GRAPH}>")
        except StoreError:
            pass  # the first error is the one to report; the next run drops them
        raise
    inferred = remote.count(_graph_size(INFERRED_GRAPH.value))
    return ReasoningReport(f"{endpoint} <{INFERRED_GRAPH.value}>", Reasoner.FAST.value, asserted, inferred,
                           round(time.perf_counter() - started, 2), round(closure, 3),
                           round(time.process_time() - closure_cpu, 3), tuple(sorted(problems)))


def validate_endpoint(endpoint: str, *, timeout: float = 600) -> ValidationReport:
    """Validate the asserted triples of the remote store at `endpoint` (its article graphs, what `graph.ttl` holds)
    against the kg shapes: they are fetched with one CONSTRUCT and checked here.

    Raises:
        StoreError: the endpoint cannot be reached, answers with something else than N-Triples, or holds no kg
            article graph.
    """
    remote = _Endpoint(endpoint, endpoint, timeout)
    data = remote.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED_INPUT} }}")
    store = ox.Store()
    try:
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as err:
        raise StoreError(f"the SPARQL endpoint {endpoint} did not answer the CONSTRUCT with N-Triples: {err}") from err
    if not len(store):
        raise StoreError(f"the SPARQL endpoint {endpoint} holds no kg article or asserted graph; "
                         "push a build there first (kg push)")
    return validate_store(store, source=endpoint)
