"""One error hierarchy for every stage; the CLI turns these into messages and exit codes."""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error that `kg` reports to its user."""


class ArticleError(KGError):
    """An input file or record cannot be read, decoded or parsed as an article."""

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class ExtractionError(KGError):
    """The NLP stage failed on an article (model missing, pipeline error)."""


class MappingError(KGError):
    """Records cannot be turned into valid RDF (e.g. an IRI that would be invalid)."""


class LinkingError(KGError):
    """Wikidata linking or enrichment failed (endpoint down, bad answer)."""


class QueryError(KGError):
    """A saved query is unknown, malformed, or was given bad parameters."""


class ReasoningError(KGError):
    """The reasoner could not run over the graph."""


class StoreError(KGError):
    """The output directory or store cannot be read or written."""


class ServeError(KGError):
    """`kg serve` cannot listen on its address, or the Oxigraph server behind it did not start or stopped."""


class EmptyBuildError(KGError):
    """A fresh build read no article while its folder holds a build with articles (a mistyped path?)."""


class FolderBusyError(KGError):
    """Another kg command is writing the build folder (one writer at a time)."""


class NoBuildError(StoreError, QueryError):
    """A folder holds no build (no `graph.ttl`) to query: a store error to `kg.open`, a query error to `kg query`."""
