"""The `kg` commands over a build's store: `kg remove`, `kg export`, `kg push` and `kg serve` (their options and
thin commands; the parser and the other commands are in `kg.interfaces.cli`, which adds these)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.errors import KGError
from kg.interfaces.cli import EXIT_OK, _positive, _print_build, _reasoner_option, _wikidata_client


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):  # NaN and infinity too
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"expected a port between 1 and 65535, got {text}")
    return value


def cmd_remove(args: argparse.Namespace) -> int:
    from kg.pipeline.stages import remove_articles

    report = remove_articles(args.ids, Path(args.data), wikidata=_wikidata_client(args), reasoning=args.reason,
                             reasoner=args.reasoner)
    print(f"removed {len(args.ids)} article(s) from {args.data}/store")
    return _print_build(report, argparse.Namespace(out=args.data))


def cmd_export(args: argparse.Namespace) -> int:
    from kg.rdf.serialise import RdfFormat
    from kg.store.dumps import export, export_file
    from kg.store.folder import BuildFolder
    from kg.store.triplestore import TripleStore, parse_graph_sets

    try:
        graphs = parse_graph_sets(args.graphs)
    except ValueError as err:
        raise KGError(str(err)) from err
    with TripleStore.open(BuildFolder(Path(args.data)).store_path, read_only=True) as store:
        if args.output and args.output != "-":
            count = export_file(store, Path(args.output), RdfFormat(args.format), graphs)
            print(f"wrote {count} {'quads' if RdfFormat(args.format).keeps_graphs else 'triples'} to "
                  f"{args.output}", file=sys.stderr)
        else:
            export(store, sys.stdout.buffer, RdfFormat(args.format), graphs)
            sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from kg.store.push import PushFormat, push
    from kg.store.triplestore import parse_graph_sets

    try:
        graphs = parse_graph_sets(args.graphs)
    except ValueError as err:
        raise KGError(str(err)) from err
    report = push(Path(args.data), endpoint=args.endpoint, graph=args.graph, replace=args.replace, graphs=graphs,
                  fmt=PushFormat(args.format), batch=args.batch, default_graph=args.default_graph,
                  merged_graph=args.merged_graph)
    print(f"pushed {report.triples} triples in {report.graphs} graph(s) to {report.endpoint} "
          f"({report.requests} requests, {report.seconds:.1f} s)")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import signal

    from kg.serve.server import serve

    def ready(url: str) -> None:
        limit = f"answers over {args.max_result_bytes} bytes refused (HTTP 413)" if args.max_result_bytes else \
            "no limit on answer size"
        print(f"serving {args.data}/store read-only: query page {url}/, SPARQL endpoint {url}/query; {limit} "
              "(Ctrl-C to stop)", file=sys.stderr)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):  # stop the Oxigraph server too, as on Ctrl-C
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    try:
        serve(Path(args.data), host=args.host, port=args.port, timeout=args.timeout or None,
              max_result_bytes=args.max_result_bytes, cors=frozenset().union(*args.cors),
              allow_service=frozenset(args.allow_service), public_hosts=frozenset(args.public_host),
              max_in_flight=args.max_in_flight, max_queued=args.max_queued, ready=ready,
              notice=lambda line: print(f"kg serve: warning: {line}", file=sys.stderr))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return EXIT_OK


def store_commands(sub: argparse._SubParsersAction) -> None:
    """Add the commands over a build's store to the `kg` parser."""
    from kg.serve.engine import DEFAULT_HOST, DEFAULT_PORT
    from kg.serve.guard import parse_origins
    from kg.serve.server import DEFAULT_MAX_RESULT_BYTES

    def origins(text: str) -> frozenset[str]:
        try:
            return parse_origins([text])
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from err

    graphs_help = "comma-separated graph sets: asserted (the articles), inferred, wikidata (default: all)"
    rm = sub.add_parser("remove", help="take articles out of a build's store and rewrite its graph files",
                        description="Remove the named graphs of the given article ids from DIR/store, then write "
                        "DIR/graph.ttl, wikidata.ttl and inferred.ttl again from what remains.")
    rm.add_argument("ids", nargs="+", metavar="ARTICLE_ID", help="article id (a file name, or a JSONL record's id)")
    rm.add_argument("--data", "-d", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    rm.add_argument("--no-reason", dest="reason", action="store_false", help="skip reasoning")
    _reasoner_option(rm)
    rm.set_defaults(func=cmd_remove, online=False, offline=True, wikidata_endpoint=None, wikidata_cache=None)
    ex = sub.add_parser("export", help="dump a build's store as Turtle, N-Triples, N-Quads, TriG or JSON-LD",
                        description="Write the graphs of DIR/store, deterministically (sorted, stable prefixes: the "
                        "same store gives the same bytes). ttl and nt merge the selected graphs into one; nq, trig "
                        "and jsonld keep each article's named graph and the inferred and wikidata graphs.")
    ex.add_argument("data", nargs="?", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    ex.add_argument("--format", "-f", choices=["ttl", "nt", "nq", "trig", "jsonld"], default="ttl",
                    help="output format (default: ttl)")
    ex.add_argument("--graphs", "-g", default="asserted,inferred,wikidata", help=graphs_help)
    ex.add_argument("--output", "-o", metavar="FILE", default=None, help="output file (default: standard output)")
    ex.set_defaults(func=cmd_export)
    pu = sub.add_parser("push", help="copy a build's store to another triple store (SPARQL Graph Store Protocol)",
                        description="Send the graphs of DIR/store to a remote store's Graph Store endpoint (Oxigraph: "
                        "http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data), each article in its own "
                        "named graph and the merge of all to the default graph (what saved queries read), in "
                        "batches. Credentials come from KG_PUSH_USER and KG_PUSH_PASSWORD or a netrc file "
                        "(NETRC, else ~/.netrc), never from the command line; see docs/triple-stores.md.")
    pu.add_argument("data", nargs="?", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    pu.add_argument("--endpoint", "-e", required=True, metavar="URL", help="the Graph Store Protocol endpoint")
    pu.add_argument("--graph", metavar="IRI", default=None,
                    help="send every triple to this one graph ('default': the default graph) instead of one graph "
                    "per article")
    pu.add_argument("--replace", action="store_true",
                    help="replace each target graph (HTTP PUT) instead of adding to it (POST)")
    pu.add_argument("--graphs", "-g", default="asserted,inferred,wikidata", help=graphs_help)
    pu.add_argument("--no-default-graph", dest="default_graph", action="store_false",
                    help="do not send the merge of the graphs to the remote default graph")
    pu.add_argument("--merged-graph", metavar="IRI", default="default",
                    help="where the merge of the graphs goes: 'default' (the default graph) or a graph IRI, for "
                    "stores without a writable default graph (Virtuoso: https://w3id.org/kg-news/graph/merged, "
                    "which kg query --endpoint reads)")
    pu.add_argument("--format", "-f", choices=["nt", "ttl"], default="nt", help="request body syntax (default: nt)")
    pu.add_argument("--batch", type=_positive, default=50_000, metavar="N",
                    help="the most triples per request (default: 50000)")
    pu.set_defaults(func=cmd_push)
    sv = sub.add_parser("serve", help="a read-only SPARQL endpoint and query page over a build's store",
                        description="Run the Oxigraph server read-only on DIR/store behind a small proxy that "
                        "limits the size of answers: a query page at /, SPARQL at /query, the graphs at /store. "
                        "The default graph holds every triple of the build once. HTTP codes: 403 an update or "
                        "upload (refused), 413 an answer over --max-result-bytes, 504 a query stopped by "
                        "--timeout, 503 more queries within --timeout seconds than the engine can hold (it keeps a "
                        "thread per query for that long; retry, or lower --timeout) or more than --max-in-flight "
                        "at the engine and --max-queued waiting, 502 the engine cannot be "
                        "reached. Exit codes: 0 stopped by Ctrl-C or "
                        "SIGTERM, 1 no store, the address is in use, or the Oxigraph server failed, 2 bad options.")
    sv.add_argument("data", nargs="?", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    sv.add_argument("--port", "-p", type=_port, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    sv.add_argument("--host", default=DEFAULT_HOST,
                    help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    sv.add_argument("--timeout", type=_non_negative_float, default=10, metavar="SECONDS",
                    help="stop queries running longer than this (default: 10; 0: no limit)")
    sv.add_argument("--max-result-bytes", type=_non_negative, default=DEFAULT_MAX_RESULT_BYTES, metavar="N",
                    help="refuse answers larger than this with HTTP 413; they are held in memory up to this size "
                    f"(default: {DEFAULT_MAX_RESULT_BYTES}; 0: no limit)")
    sv.add_argument("--cors", action="append", type=origins, default=[], metavar="ORIGIN",
                    help="let web pages of this origin (scheme://host[:port]; repeatable, or comma-separated; '*': "
                    "any) query the server from the browser; a request with another Origin is refused (403)")
    sv.add_argument("--max-in-flight", type=_positive, default=None, metavar="N",
                    help="the most queries at the engine at once (default: 8 per core); the others wait in line")
    sv.add_argument("--max-queued", type=_non_negative, default=None, metavar="N",
                    help="the most requests waiting for the engine, each for up to --timeout (default: 32 per "
                    "core); more are answered 503 with Retry-After")
    sv.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                    help="let queries' SERVICE clauses reach this host (or HOST:PORT; '*': any); without it "
                    "queries with SERVICE are refused (403), so that the server fetches nothing for its clients")
    sv.add_argument("--public-host", action="append", default=[], metavar="NAME",
                    help="a name clients reach the server by (its Host header); the bound address and localhost "
                    "are always accepted, other names refused (403, against DNS rebinding)")
    sv.set_defaults(func=cmd_serve)
