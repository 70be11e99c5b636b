"""The names of a build folder, defined once: its files, and the named graph each layer of the graph takes in every
store kg fills or reads.

A build folder (`kg build … --out DIR`) holds the graph in three layers, each a Turtle file and, in a store, a named
graph of its own:

| layer      | file           | named graph                                 | what it holds                          |
|------------|----------------|---------------------------------------------|----------------------------------------|
| `asserted` | `graph.ttl`    | `https://w3id.org/kg-news/graph/asserted`   | what the articles say, merged          |
| `inferred` | `inferred.ttl` | `https://w3id.org/kg-news/graph/inferred`   | what the reasoner adds                 |
| `wikidata` | `wikidata.ttl` | `https://w3id.org/kg-news/graph/wikidata`   | the Wikidata links and enrichment      |

The same names serve the folder's embedded store (`DIR/store`, which also keeps each article's triples in a graph
named by the article's IRI), `kg serve` (that store), `kg push` (its graphs, sent under the same names) and
`kg.interfaces.api.load_commands` (the files loaded into their graphs). In each of them the default graph holds the
merge of the three layers, each distinct triple once: what a query reads when it names no graph. A query for some
of the layers reads the union of their graphs (`kg.open(…).using(...)`).
"""

from __future__ import annotations

import enum

__all__ = ["GRAPHS_NS", "GRAPH_FILE", "INFERRED_FILE", "LAYER_FILES", "LAYER_GRAPHS", "LAYERS", "MERGED_GRAPH",
           "MIRRORED_FILES", "REPORT_FILE", "STAMP_FILE", "STORE_DIR", "WIKIDATA_FILE", "GraphSet"]

GRAPH_FILE = "graph.ttl"
WIKIDATA_FILE = "wikidata.ttl"
INFERRED_FILE = "inferred.ttl"
#: The embedded store of the folder, and the stamp that says which graph files it mirrors.
STORE_DIR = "store"
STAMP_FILE = "store.json"
REPORT_FILE = "report.json"
#: The files of a build folder that the store mirrors.
MIRRORED_FILES = (GRAPH_FILE, WIKIDATA_FILE, INFERRED_FILE)
GRAPHS_NS = "https://w3id.org/kg-news/graph/"
#: The named graph that holds the merge of all layers on stores without a writable default graph (`kg push`).
MERGED_GRAPH = f"{GRAPHS_NS}merged"


class GraphSet(enum.Enum):
    """The layers of a build: the articles' asserted triples, and the two derived layers."""

    ASSERTED = "asserted"
    INFERRED = "inferred"
    WIKIDATA = "wikidata"

    @property
    def file(self) -> str:
        """The layer's file in a build folder."""
        return LAYER_FILES[self.value]

    @property
    def graph(self) -> str:
        """The IRI of the layer's named graph in every store."""
        return LAYER_GRAPHS[self.value]


#: The layers, in the order they are read.
LAYERS: tuple[str, ...] = tuple(layer.value for layer in GraphSet)
LAYER_FILES = {"asserted": GRAPH_FILE, "inferred": INFERRED_FILE, "wikidata": WIKIDATA_FILE}
LAYER_GRAPHS = {layer: f"{GRAPHS_NS}{layer}" for layer in LAYERS}
