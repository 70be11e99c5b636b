"""Jupyter: the `%%sparql` and `%kg_query` magics (`%load_ext kg`) and the notebooks' pictures.

    %load_ext kg
    %kg_query members organisation=SCO --data ../out          # a saved query → DataFrame
    %%sparql --data ../out -o pairs                           # a SPARQL cell → DataFrame (and the variable pairs)
    SELECT ?a ?b WHERE { ?a kg:coMemberOf ?b }

A source given once (`--data DIR` or `--endpoint URL`) stays the default of the next cells; `--asserted` answers
from the asserted triples only (no inferred ones, no Wikidata). The graph's prefixes (kg:, kgid:, wd:, rdfs: …)
need no PREFIX lines. Errors are shown as one message, a syntax error with its line and a caret.

The plots (`plot_timeline`, `plot_network`, `plot_flows`) draw DataFrames of the saved queries with matplotlib and
networkx, labels rather than IRIs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KGError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from kg.interfaces.api import KnowledgeGraph

__all__ = ["format_error", "load_ipython_extension", "plot_flows", "plot_network", "plot_timeline"]

_POSITION = re.compile(r"error at (\d+):(\d+)")


def format_error(err: Exception, sparql: str | None = None) -> str:
    """A query error as a short message; for a syntax error, with the offending line of `sparql` and a caret.

    >>> print(format_error(ValueError("query: error at 2:3: expected one of GRAPH"), "SELECT *\\nWHERE { x }"))
    query: error at 2:3: expected one of GRAPH
        1 | SELECT *
        2 | WHERE { x }
          |   ^
    """
    message = str(err).split("\n")[0]
    if len(message) > 240:
        message = message[:239] + "…"
    position = _POSITION.search(message)
    if sparql is None or position is None:
        return message
    lines = sparql.split("\n")
    number, column = int(position.group(1)), int(position.group(2))
    if not 1 <= number <= len(lines):
        return message
    if not lines[number - 1].strip():  # the parser stopped at the end: point after the last line of text
        while number > 1 and not lines[number - 1].strip():
            number -= 1
        column = len(lines[number - 1]) + 1
    shown = [f"    {n:>{len(str(number))}} | {lines[n - 1]}" for n in range(max(1, number - 1), number + 1)]
    caret = " " * (4 + len(str(number))) + " | " + " " * max(0, column - 1) + "^"
    return "\n".join([message, *shown, caret])


@cache
def _magics_class() -> type:
    """The magics class, defined on first use so that importing kg.interfaces.notebook does not import IPython."""
    from IPython.core.error import UsageError
    from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
    from IPython.core.magic_arguments import argument, magic_arguments

    def _parse(magic: Any, line: str) -> Any:
        """The magic's options, the line split as a POSIX shell would: name="a b" and 'a b' are one word."""
        try:
            return magic.parser.parse_args(shlex.split(line))
        except ValueError as err:
            raise UsageError(f"{err} in: {line}") from err

    @magics_class
    class KGMagics(Magics):
        """`%%sparql` and `%kg_query`: queries of a build folder or an endpoint, answered as DataFrames."""

        def __init__(self, shell: Any) -> None:
            super().__init__(shell)
            self.source: str | None = None
            self._opened: dict[str, tuple[tuple[float, ...], KnowledgeGraph]] = {}

        def graph(self, data: str | None, endpoint: str | None, asserted: bool) -> KnowledgeGraph:
            """The graph of the options, else of the last cell that named one; opened once per build."""
            from kg.interfaces.api import LAYER_FILES, open

            if data and endpoint:
                raise UsageError("give --data DIR or --endpoint URL, not both")
            source = endpoint or data or self.source
            if source is None:
                raise UsageError("which graph? give --data DIR (a kg build folder) or --endpoint URL once")
            stamp: tuple[float, ...] = ()
            if not endpoint and not re.match(r"(?i)^https?://", source):
                source = str(Path(source).expanduser())
                stamp = tuple(p.stat().st_mtime for p in (Path(source) / f for f in LAYER_FILES.values())
                              if p.exists())
            cached = self._opened.get(source)
            if cached is None or cached[0] != stamp:
                try:
                    cached = (stamp, open(source))
                except KGError as err:
                    raise UsageError(str(err)) from err
                self._opened[source] = cached
            self.source = source
            kb = cached[1]
            return kb.using(inferred=False, wikidata=False) if asserted else kb

        def _answer(self, kb: KnowledgeGraph, query: str, params: dict[str, str], output: str | None,
                    text: str | None) -> pd.DataFrame:
            try:
                frame = kb.query(query, **params)
            except KGError as err:
                raise UsageError(format_error(err, text)) from err
            if output and self.shell is not None:
                self.shell.user_ns[output] = frame
            return frame

        @magic_arguments()
        @argument("--data", "-d", metavar="DIR", help="a folder written by kg build")
        @argument("--endpoint", "-e", metavar="URL", help="a SPARQL endpoint")
        @argument("--asserted", "-a", action="store_true", help="answer from the asserted triples only")
        @argument("--output", "-o", metavar="VAR", help="also store the DataFrame in this variable")
        @cell_magic
        def sparql(self, line: str, cell: str) -> pd.DataFrame:
            """Run the cell's SPARQL on a build folder or an endpoint; the answer as a DataFrame."""
            args = _parse(self.sparql, line)
            kb = self.graph(args.data, args.endpoint, args.asserted)
            return self._answer(kb, cell, {}, args.output, cell)

        @magic_arguments()
        @argument("name", help="a saved query (see kg.interfaces.api.catalogue() or `kg queries`)")
        @argument("params", nargs="*", metavar="PARAM=VALUE", help="the query's parameters")
        @argument("--data", "-d", metavar="DIR", help="a folder written by kg build")
        @argument("--endpoint", "-e", metavar="URL", help="a SPARQL endpoint")
        @argument("--asserted", "-a", action="store_true", help="answer from the asserted triples only")
        @argument("--output", "-o", metavar="VAR", help="also store the DataFrame in this variable")
        @line_magic
        def kg_query(self, line: str) -> pd.DataFrame:
            """Run a saved query, `%kg_query NAME param=value …`; the answer as a DataFrame."""
            args = _parse(self.kg_query, line)
            params: dict[str, str] = {}
            for item in args.params:
                key, sep, value = item.partition("=")
                if not sep or not key:
                    raise UsageError(f"parameters are NAME=VALUE, got {item!r}")
                params[key] = value
            kb = self.graph(args.data, args.endpoint, args.asserted)
            return self._answer(kb, args.name, params, args.output, None)

    return KGMagics


def __getattr__(name: str) -> Any:
    if name == "KGMagics":
        return _magics_class()
    raise AttributeError(f"module 'kg.interfaces.notebook' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics with IPython (`%load_ext kg`)."""
    ipython.register_magics(_magics_class())


# ---------------------------------------------------------------------------------------------------------------
# Pictures


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _finish(ax: Axes, title: str | None) -> Axes:
    if title:
        ax.set_title(title)
    figure = ax.get_figure()
    if figure is not None and hasattr(figure, "tight_layout"):
        figure.tight_layout()
    return ax


def plot_timeline(frame: pd.DataFrame, *, start: str = "start", end: str = "end", label: str = "name",
                  group: str | None = None, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Events on a time axis, one row each: a bar from `start` to `end`, or a dot when there is no end.

    `frame` holds datetime columns (as the saved queries `exercises-by-year` and `timeline` give them); rows
    without a start are left out. `group` colours the rows by a column (e.g. `kind`).
    """
    import matplotlib.dates as mdates
    import pandas as pd

    rows = frame[frame[start].notna()].sort_values(start).reset_index(drop=True)
    ax = _axes(ax, (9, max(2.0, 0.45 * len(rows) + 1.2)))
    groups = list(dict.fromkeys(rows[group])) if group else [None]
    colours = {g: f"C{i % 10}" for i, g in enumerate(groups)}
    for y, row in rows.iterrows():
        first = pd.Timestamp(row[start])
        last = pd.Timestamp(row[end]) if end in rows and pd.notna(row[end]) else None
        colour = colours[row[group] if group else None]
        if last is not None and last > first:
            ax.barh(y, last - first, left=first, height=0.5, color=colour, alpha=0.8)
        else:
            ax.plot([first], [y], "o", color=colour, markersize=8)
        shape = "%Y-%m-%d" if first.day != 1 or (last is not None and last.day != 1) else "%Y-%m"  # day when known
        when = first.strftime(shape) + (f" → {last.strftime(shape)}" if last is not None and last > first else "")
        ax.annotate(when, (first, y), xytext=(6, 7), textcoords="offset points", fontsize=8, color="0.3")
    ax.set_yticks(range(len(rows)), [str(v) for v in rows[label]] if len(rows) < 25 else [])
    ax.set_ylim(len(rows) - 0.5, -0.9)
    ax.margins(x=0.3)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("date (a dot: start only; a bar: start to end)")
    ax.set_ylabel(label.replace("_", " "))
    if group and len(groups) > 1:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], marker="o", linestyle="", color=c) for c in colours.values()]
        ax.legend(handles, [str(g) for g in colours], loc="best", fontsize=8)
    return _finish(ax, title)


def plot_network(edges: pd.DataFrame, *, source: str, target: str, weight: str | None = None,
                 highlight: str | None = None, ax: Axes | None = None, title: str | None = None,
                 legend: Sequence[str] = ("co-members", "allies")) -> Axes:
    """An undirected network of labelled nodes: one edge per row from `source` to `target` (label columns).

    `weight` (a number column) sets the edges' widths; rows where the boolean column `highlight` is true are drawn
    in red, and `legend` names the two kinds of edges. Blocs (communities of densely linked nodes, by modularity)
    are laid out apart from each other and coloured, so that a large network reads as groups, not a hairball.
    """
    import networkx as nx
    from matplotlib.lines import Line2D

    graph = nx.Graph()
    for _, row in edges.iterrows():
        graph.add_edge(str(row[source]), str(row[target]), weight=float(row[weight]) if weight else 1.0,
                       highlight=bool(row[highlight]) if highlight and row[highlight] is not None else False)
    ax = _axes(ax, (8, 6.5))
    position, blocs = bloc_layout(graph)
    plain = [(a, b) for a, b, d in graph.edges(data=True) if not d["highlight"]]
    marked = [(a, b) for a, b, d in graph.edges(data=True) if d["highlight"]]
    for chosen, colour in ((plain, "0.6"), (marked, "tab:red")):
        nx.draw_networkx_edges(graph, position, edgelist=chosen, ax=ax, edge_color=colour,
                               width=[0.8 + graph.edges[e]["weight"] for e in chosen])
    bloc_colour = {node: f"C{i % 10}" for i, bloc in enumerate(blocs) for node in bloc}
    nx.draw_networkx_nodes(graph, position, ax=ax, node_color=[bloc_colour[n] for n in graph], node_size=500,
                           alpha=0.85)
    nx.draw_networkx_labels(graph, position, ax=ax, font_size=9, clip_on=False,
                            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
    if highlight:
        ax.legend([Line2D([], [], color="0.6"), Line2D([], [], color="tab:red")], list(legend), loc="best",
                  fontsize=8)
    ax.set_axis_off()
    return _finish(ax, title)


def bloc_layout(graph: Any) -> tuple[dict[str, tuple[float, float]], list[list[str]]]:
    """Node positions with each bloc (a modularity community of `graph`, a networkx Graph) in its own region.

    The blocs' centres sit on a circle, largest first; inside a bloc the nodes are spread by a spring layout.
    Deterministic (fixed seeds, sorted blocs).
    """
    import math

    import networkx as nx

    if not len(graph):
        return {}, []
    found = nx.community.greedy_modularity_communities(graph, weight="weight")
    blocs = sorted((sorted(bloc) for bloc in found), key=lambda bloc: (-len(bloc), bloc))
    position: dict[str, tuple[float, float]] = {}
    radius = 0.0 if len(blocs) == 1 else 2.2 + 0.15 * len(blocs)
    for i, bloc in enumerate(blocs):
        angle = 2 * math.pi * i / len(blocs)
        cx, cy = radius * math.cos(angle), radius * math.sin(angle)
        inner = nx.spring_layout(graph.subgraph(bloc), seed=7, weight="weight", scale=0.5 + 0.12 * len(bloc) ** 0.5)
        for node, (x, y) in inner.items():
            position[node] = (cx + float(x), cy + float(y))
    return position, blocs


def plot_flows(frame: pd.DataFrame, *, source: str = "supplier_label", target: str = "recipient_label",
               label: str | None = "items", weight: str | None = None, ax: Axes | None = None,
               title: str | None = None) -> Axes:
    """Arrows from suppliers to recipients (label columns), each labelled with what flowed (`label`).

    Suppliers are drawn on the left, recipients on the right (a state that is both sits in the middle). Rows whose
    supplier or recipient is unknown (blank) are left out, and a caption says how many.
    """
    import networkx as nx

    known = frame[source].notna() & frame[target].notna() & (frame[source].astype(str).str.strip() != "") \
        & (frame[target].astype(str).str.strip() != "")
    left_out = int((~known).sum())
    frame = frame[known]
    ax = _axes(ax, (9, max(2.5, 1.0 * len(frame) + 1.5)))
    if left_out:
        ax.text(0.5, 0.0, f"{left_out} deal(s) with an unknown supplier or recipient left out", ha="center",
                va="top", transform=ax.transAxes, fontsize=9, color="#555555")
    if frame.empty:
        ax.text(0.5, 0.5, "no arms flows", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _finish(ax, title)
    graph = nx.DiGraph()
    for _, row in frame.iterrows():
        a, b = str(row[source]), str(row[target])
        if graph.has_edge(a, b):
            graph.edges[a, b]["weight"] += float(row[weight]) if weight else 1.0
            graph.edges[a, b]["label"] += f"; {row[label]}" if label and row[label] else ""
        else:
            graph.add_edge(a, b, weight=float(row[weight]) if weight else 1.0,
                           label=str(row[label]) if label and row[label] else "")
    senders = {a for a, _ in graph.edges} - {b for _, b in graph.edges}
    receivers = {b for _, b in graph.edges} - {a for a, _ in graph.edges}
    columns = [sorted(senders), sorted(set(graph) - senders - receivers), sorted(receivers)]
    position = {node: (x, -y) for x, nodes in enumerate(columns) for y, node in enumerate(nodes)}
    nx.draw_networkx_edges(graph, position, ax=ax, arrows=True, arrowsize=22, edge_color="tab:orange",
                           width=[1.5 + graph.edges[e]["weight"] for e in graph.edges], node_size=2200,
                           connectionstyle="arc3,rad=0.08")
    nx.draw_networkx_nodes(graph, position, ax=ax, node_color="tab:blue", node_size=2200, alpha=0.85)
    # names in a box over the node, never clipped by the axes (a long name is wider than its node)
    nx.draw_networkx_labels(graph, position, ax=ax, font_size=10, clip_on=False,
                            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "tab:blue", "alpha": 0.9})
    nx.draw_networkx_edge_labels(graph, position, ax=ax, font_size=9, clip_on=False,
                                 edge_labels={e: graph.edges[e]["label"] for e in graph.edges})
    ax.set_xlim(-0.8, 2.8)
    ax.set_ylim(-max(len(c) for c in columns) + 0.4, 0.6)
    ax.set_axis_off()
    return _finish(ax, title)
