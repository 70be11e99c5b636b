"""kg: news articles in, a knowledge graph of military exercises, arms deals and alliances out.

The public API, imported lazily (importing `kg` loads nothing else):

- `kg.build(paths, out)`: articles → `out/graph.ttl`, `wikidata.ttl`, `inferred.ttl` (`kg.pipeline.stages.build`).
- `kg.open(DIR_or_URL)`: a build folder or a SPARQL endpoint to query (`kg.interfaces.api.open`), answering saved
  queries and SPARQL with pandas DataFrames.
- `%load_ext kg` in IPython/Jupyter: the `%%sparql` and `%kg_query` magics (`kg.interfaces.notebook`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.interfaces.api import SAMPLE_CORPUS, KnowledgeGraph, open
    from kg.pipeline.stages import build

__all__ = ["SAMPLE_CORPUS", "KnowledgeGraph", "build", "load_ipython_extension", "open"]

_LAZY = {"open": "kg.interfaces.api", "KnowledgeGraph": "kg.interfaces.api", "SAMPLE_CORPUS": "kg.interfaces.api",
         "build": "kg.pipeline.stages"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext kg`: register the `%%sparql` and `%kg_query` magics."""
    from kg.interfaces.notebook import load_ipython_extension as load

    load(ipython)
