"""The `kg` command: thin commands over the library; KGError becomes a message and an exit code here.

Exit codes, for every command: 0 success; 1 an error stopped the command; 2 some inputs could not be read.
- `kg build`: 2 when some article files could not be read (the rest was built). A graph that violates the SHACL
  shapes is still a successful build (0): the violations are printed and kept in DIR/report.json.
- `kg validate DIR`: 0 the graph conforms (warnings allowed), 1 it has violations, 2 there is no readable
  DIR/graph.ttl (as pySHACL's 0/1/2).
- `kg reason DIR`: 0 done (inconsistencies found are printed as warnings), 1 the reasoner failed, 2 there is no
  readable DIR/graph.ttl.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from kg.errors import KGError

T = TypeVar("T")
EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


def _progress(items: Iterable[T], total: int) -> Iterable[T]:
    from tqdm import tqdm

    return tqdm(items, total=total, unit="article", disable=total < 2 or not sys.stderr.isatty())


def cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline.stages import build

    report = build([Path(p) for p in args.paths], Path(args.out), strict=args.strict, progress=_progress,
                   wikidata=_wikidata_client(args), reasoning=args.reason, reasoner=args.reasoner,
                   validation=args.validate, append=args.append, jobs=args.jobs, executor=args.executor,
                   scheduler=args.scheduler)
    return _print_build(report, args)


def _print_build(report, args: argparse.Namespace) -> int:  # report: kg.pipeline.stages.BuildReport
    ents = ", ".join(f"{n} {k}" for k, n in report.entities.items() if n) or "none"
    events = ", ".join(f"{n} {k}" for k, n in report.events.items() if n) or "none"
    print(f"built {args.out}/graph.ttl: {report.articles} articles, {report.triples} triples, "
          f"{report.seconds:.1f} s\n  entities: {ents}\n  events:   {events}")
    print(f"  store:    {args.out}/store, {report.store_articles} articles, one named graph each")
    _print_wikidata(report.wikidata, args.out)
    if report.conforms is not None:
        print(f"  shapes:   {'conforms' if report.conforms else 'does not conform'}, {report.violations} "
              f"violation(s), {report.warnings} warning(s)")
        _print_results(report.validation)
    if report.reasoner is not None:
        print(f"  reasoning: {report.inferred} inferred triples in {args.out}/inferred.ttl ({report.reasoner})")
        for message in report.inconsistencies:
            print(f"kg build: warning: inconsistent: {message}", file=sys.stderr)
    if report.problems:
        print(f"  {len(report.problems)} input problem(s) (also in {args.out}/report.json):")
        for problem in report.problems:
            print(f"    {problem}")
        return EXIT_BAD_INPUT
    return EXIT_OK


def _wikidata_client(args: argparse.Namespace):  # -> kg.wikidata.client.WikidataClient
    """The Wikidata client of the build options: online with --online or --wikidata-endpoint, else offline."""
    from kg.wikidata.client import DEFAULT_ENDPOINT, WikidataClient, default_cache_dir

    online = (args.online or args.wikidata_endpoint is not None) and not args.offline
    cache = Path(args.wikidata_cache) if args.wikidata_cache else default_cache_dir()
    try:
        return WikidataClient(args.wikidata_endpoint or DEFAULT_ENDPOINT, cache_dir=cache, offline=not online)
    except ValueError as err:
        raise KGError(str(err)) from err


def _print_wikidata(summary: dict, out: str) -> None:
    where = summary.get("endpoint") if summary.get("mode") == "online" else "offline, snapshot and cache"
    fetched = f", fetched {summary['fetched']}" if summary.get("fetched") else ""
    live, unlinked = len(summary.get("linked_live") or []), len(summary.get("unlinked") or [])
    print(f"  wikidata: {out}/wikidata.ttl ({where}; snapshot {summary.get('snapshot_date')}{fetched}): "
          f"{summary.get('linked', 0)} entities linked, {live} found at the endpoint, {unlinked} unlinked, "
          f"{summary.get('memberships', 0)} memberships")
    for warning in summary.get("warnings") or []:
        print(f"kg build: warning: {warning}", file=sys.stderr)


def _print_results(results: Sequence, limit: int = 20) -> None:
    for result in results[:limit]:
        print(f"    {result}")
    if len(results) > limit:
        print(f"    … and {len(results) - limit} more (all in the report)")


def cmd_reason(args: argparse.Namespace) -> int:
    from kg.errors import StoreError
    from kg.reason.reasoning import reason
    from kg.store.folder import BuildFolder

    folder = BuildFolder(Path(args.data))
    try:
        if args.endpoint:
            from kg.reason.remote import reason_endpoint

            report = reason_endpoint(args.endpoint, update_endpoint=args.update_endpoint, reasoner=args.reasoner,
                                     merged_graph=None if args.merged_graph == "none" else args.merged_graph)
        else:
            report = reason(Path(args.data), reasoner=args.reasoner)
    except StoreError as err:
        print(f"kg reason: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.endpoint and folder.store_path.is_dir():
        try:  # the store's inferred graph follows the new file, so queries and dumps read it at once
            folder.sync()
        except StoreError as err:
            print(f"kg reason: warning: the store was not updated: {err}", file=sys.stderr)
    print(f"reasoned {args.endpoint or args.data} ({report.reasoner}): {report.asserted} asserted triples, "
          f"{report.inferred} inferred in {report.path}, {report.seconds:.2f} s")
    for message in report.inconsistencies:
        print(f"kg reason: warning: inconsistent: {message}", file=sys.stderr)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.errors import StoreError
    from kg.reason.validation import validate

    try:
        if args.endpoint:
            from kg.reason.remote import validate_endpoint

            report = validate_endpoint(args.endpoint)
        else:
            report = validate(Path(args.data))
    except StoreError as err:
        print(f"kg validate: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{report.source}: {'conforms' if report.conforms else 'does not conform'}, {report.violations} "
          f"violation(s), {report.warnings} warning(s)")
    _print_results(report.results, limit=len(report.results))
    return EXIT_OK if report.conforms else EXIT_ERROR


def cmd_query(args: argparse.Namespace) -> int:
    from kg.query.graph import open_graph
    from kg.query.results import OutputFormat, format_rows

    params = dict(_key_value(p) for p in args.param)
    graph = open_graph(args.endpoint or Path(args.data))  # the path of kg.open(...).query
    columns, rows = graph.rows(args.name, **params)
    print(format_rows(columns, rows, OutputFormat(args.format), width=_terminal_width()))
    if not rows:  # an empty answer is an answer (exit 0), but a value that names nothing deserves a word
        for message in graph.hints(args.name, **params):
            print(f"kg query: hint: {message}", file=sys.stderr)
    return EXIT_OK


def _terminal_width() -> int | None:
    """The width tables fit: the terminal's (or $COLUMNS), or none when output goes to a file or a pipe."""
    import os
    import shutil

    return shutil.get_terminal_size().columns if "COLUMNS" in os.environ or sys.stdout.isatty() else None


def cmd_queries(args: argparse.Namespace) -> int:
    from kg.query.catalogue import saved_queries

    for query in saved_queries().values():
        params = " ".join(f"{p.name}={p.default or ''}" for p in query.parameters)
        print(f"{query.name:28} {query.title}{f'  [{params}]' if params else ''}\n{'':28} {query.description}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from kg.pipeline.stages import build
    from kg.query.evaluation import evaluate, evaluate_parts, format_table, predictions, read_gold, read_split

    gold = read_gold(Path(args.gold))
    if args.data:
        data = Path(args.data)
    else:
        if not args.paths:
            raise KGError("kg eval needs article PATHs to build, or --data DIR of an existing build")
        data = Path(tempfile.mkdtemp(prefix="kg-eval-"))
        build([Path(p) for p in args.paths], data, progress=_progress)
    if not args.split:
        result = evaluate(gold, predictions(data))
        print(json.dumps(result.as_dict(), indent=1, ensure_ascii=False) if args.format == "json"
              else format_table(result))
        return EXIT_OK
    parts = evaluate_parts(gold, predictions(data), read_split(Path(args.split)))
    if args.format == "json":  # the check part's per-article detail is left out: it is scored, not read
        print(json.dumps({part: ev.as_dict() if part != "check" else {"summary": ev.as_dict()["summary"]}
                          for part, ev in parts.items()}, indent=1, ensure_ascii=False))
    else:
        print("\n\n".join(f"== {part} ({len(ev.articles)} articles)\n{format_table(ev, details=part != 'check')}"
                          for part, ev in parts.items()))
    return EXIT_OK


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise KGError(f"--param expects KEY=VALUE, got {text!r}")
    return key.strip(), value


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="kg", description="Build and query knowledge graphs of military "
                                  "exercises, arms deals and alliance memberships from news articles.",
                                  epilog="Exit codes: 0 success, 1 error, 2 some inputs could not be read.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="extract articles into DIR/graph.ttl",
                       description="Read articles (.txt, .md, .html, .jsonl files or folders), extract states, "
                       "organisations, exercises, arms deals, memberships and rivalries, and write the graph to "
                       "DIR/graph.ttl (replacing it) with a report in DIR/report.json.")
    b.add_argument("paths", nargs="*", default=[str(_sample_dir())], metavar="PATH",
                   help="article files or folders (default: the bundled sample corpus)")
    b.add_argument("--out", "-o", default="out", metavar="DIR", help="output folder (default: out)")
    b.add_argument("--strict", action="store_true", help="stop at the first input that cannot be read")
    w = b.add_argument_group("Wikidata", "Links and enrichment go to DIR/wikidata.ttl. By default no "
                             "network is used: the snapshot shipped with kg, plus answers cached by earlier "
                             "online builds.")
    online = w.add_mutually_exclusive_group()
    online.add_argument("--online", action="store_true",
                        help="ask the Wikidata endpoint (default: the public Wikidata Query Service)")
    online.add_argument("--offline", action="store_true",
                        help="never use the network (snapshot and cache only; the default)")
    w.add_argument("--wikidata-endpoint", metavar="URL", default=None,
                   help="SPARQL endpoint to ask instead of the public one (a mirror, QLever, a company "
                   "endpoint); implies --online unless --offline is given, which then reads only its "
                   "cached answers")
    w.add_argument("--wikidata-cache", metavar="DIR", default=None,
                   help="folder of cached Wikidata answers (default: $XDG_CACHE_HOME/kg/wikidata or "
                   "~/.cache/kg/wikidata)")
    r = b.add_argument_group("Validation and reasoning", "The graph is checked against the SHACL shapes "
                             "(ontology/shapes.ttl; see `kg validate`), then what it entails is written to "
                             "DIR/inferred.ttl (see `kg reason`).")
    r.add_argument("--no-validate", dest="validate", action="store_false",
                   help="skip the SHACL check (about 15 s per 100,000 triples)")
    r.add_argument("--no-reason", dest="reason", action="store_false",
                   help="skip reasoning (and remove an older DIR/inferred.ttl)")
    _reasoner_option(r)
    _scale_options(b)
    b.set_defaults(func=cmd_build)
    rs = sub.add_parser("reason", help="write what a built graph entails to DIR/inferred.ttl",
                        description="Compute what DIR/graph.ttl (and DIR/wikidata.ttl, when present) entail under "
                        "the kg ontology: OWL 2 RL (inverses, symmetric and transitive properties, sub-classes, "
                        "sub-properties, domains and ranges, the Wikidata, PROV and SEM alignments) and the rules "
                        "of ontology/rules.ru (co-members, allies, the country an event happens in). Only new "
                        "triples are written, to DIR/inferred.ttl (replacing it); `kg query` reads them. "
                        "Exit codes: 0 done, 1 the reasoner failed, 2 no readable DIR/graph.ttl (with --endpoint: a "
                        "store that cannot be reached, takes no updates or holds no kg graph).")
    rs.add_argument("data", nargs="?", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    _reasoner_option(rs)
    rs.add_argument("--endpoint", "-e", metavar="URL", help="reason on this remote store instead of DIR (its SPARQL "
                    "query endpoint, e.g. http://HOST:7878/query, filled by kg push), into its inferred graph, with "
                    "the fast reasoner's updates run there; see docs/graph.md")
    rs.add_argument("--update-endpoint", metavar="URL", help="where that store takes SPARQL updates (default: the "
                    "--endpoint URL with /query replaced by /update, else the same URL)")
    rs.add_argument("--merged-graph", metavar="IRI", default="default", help="where kg push put the merge of the "
                    "graphs, whose inferred triples are swapped too: 'default' (the default graph), a graph IRI, or "
                    "'none'")
    rs.set_defaults(func=cmd_reason)
    v = sub.add_parser("validate", help="check a built graph against the SHACL shapes",
                       description="Validate DIR/graph.ttl (or a Turtle file) against ontology/shapes.ttl and "
                       "print each result with its focus node, path and message. Exit codes: 0 conforms "
                       "(warnings allowed), 1 violations, 2 no readable graph (or endpoint).")
    v.add_argument("data", nargs="?", default="out", metavar="DIR",
                   help="folder written by kg build, or a Turtle file (default: out)")
    v.add_argument("--endpoint", "-e", metavar="URL", help="validate the article graphs of this remote store (its "
                   "SPARQL query endpoint, filled by kg push) instead of DIR: fetched with one CONSTRUCT, checked here")
    v.set_defaults(func=cmd_validate)
    q = sub.add_parser("query", help="run a saved query on a built graph",
                       description="Run a saved query (see `kg queries`) on the graph in DIR.")
    q.add_argument("name", help="saved query name, e.g. states, exercises, arms-deals")
    q.add_argument("--data", "-d", default="out", metavar="DIR", help="folder written by kg build (default: out)")
    q.add_argument("--endpoint", "-e", metavar="URL", help="ask this SPARQL endpoint instead of DIR (an http:// or "
                   "https:// URL; see README, 'Notebooks and the Python API')")
    q.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="query parameter (repeatable)")
    q.add_argument("--format", "-f", choices=[f.value for f in _formats()], default="table",
                   help="output format (default: table)")
    q.set_defaults(func=cmd_query)
    e = sub.add_parser("eval", help="score a build against gold annotations",
                       description="Build the articles (or read --data DIR) and compare the saved-query answers "
                       "with GOLD.jsonl: precision, recall and F1 per category, then per article what was missed "
                       "and what was invented. Gold format: see README, 'Evaluation'.")
    e.add_argument("gold", metavar="GOLD.jsonl", help="gold annotations, one JSON record per article")
    e.add_argument("paths", nargs="*", metavar="PATH", help="article files or folders to build and score")
    e.add_argument("--data", "-d", metavar="DIR", help="score an existing build folder instead of building")
    e.add_argument("--format", "-f", choices=["table", "json"], default="table", help="output format")
    e.add_argument("--split", metavar="SPLIT.json", help="score each part of a split by article separately "
                   "(e.g. tests/data/dev/split.json: 'rules' and 'check'); the 'check' part's per-article detail "
                   "is not shown, so that rules are not written against it")
    e.set_defaults(func=cmd_eval)
    ql = sub.add_parser("queries", help="list the saved queries",
                        description="List the saved queries of queries/*.rq with their titles, descriptions and "
                        "parameters (NAME=default). Run one with `kg query NAME --data DIR --param NAME=VALUE`.")
    ql.set_defaults(func=cmd_queries)
    from kg.interfaces.storecli import store_commands

    store_commands(sub)
    return top


def _scale_options(b: argparse.ArgumentParser) -> None:
    s = b.add_argument_group("Store and scale", "Each article's triples are kept in its own named graph of the "
                             "store DIR/store (see `kg export`, `kg serve`, `kg push`); graph.ttl is written from it.")
    s.add_argument("--append", action="store_true",
                   help="keep the articles already in DIR/store and add these (an article built again replaces "
                   "its graph); without it the store is emptied first")
    s.add_argument("--jobs", "-j", type=_positive, default=1, metavar="N",
                   help="extract on N processes (default: 1, in this process)")
    s.add_argument("--executor", choices=["process", "dask"], default="process",
                   help="where the N workers run: local processes, or a Dask cluster (needs --scheduler)")
    s.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="Dask scheduler address for --executor dask, e.g. tcp://127.0.0.1:8786")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _reasoner_option(group: argparse._ActionsContainer) -> None:
    from kg.reason.reasoning import AUTO_LIMIT, Reasoner

    group.add_argument("--reasoner", choices=[r.value for r in Reasoner], default=Reasoner.AUTO.value,
                       help="owlrl (the reference), fast (the same triples, by SPARQL rules in Oxigraph), or auto: "
                       f"owlrl up to {AUTO_LIMIT} triples, fast above (default: auto)")


def _formats() -> list:
    from kg.query.results import OutputFormat

    return list(OutputFormat)


def _sample_dir() -> Path:
    from kg.resources import sample_corpus

    return sample_corpus()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kg` console script."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KGError as err:
        print(f"kg {args.command}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
