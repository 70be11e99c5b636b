"""Files kg ships beside its code: the ontology, the saved queries and the sample corpus.

The project keeps them at its top level (`ontology/`, `queries/`, `corpus/`), where people read and edit them.
`pyproject.toml` maps each folder to a subpackage of this one (`package-dir`: `kg.resources.ontology` is
`ontology/`, and so on), so one `importlib.resources.files` call finds them in a source checkout, an editable
install and an installed wheel alike; `Path(__file__).parent.parent` finds them only in a checkout. Each folder holds
an empty `__init__.py` because an editable install maps only regular packages. Nothing is read at import time.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["directory", "sample_corpus"]


def directory(name: str) -> Path:
    """The folder of the shipped resource package `kg.resources.NAME`, as a path on disk.

    Wheels are installed as files, so the folder is a real directory that rdflib, pySHACL and Oxigraph can read.

    Raises:
        FileNotFoundError: kg was imported from an archive (a zip file), where the folder is no directory.

    >>> (directory("ontology") / "kg.ttl").is_file()
    True
    """
    root = files(f"{__name__}.{name}")
    if not isinstance(root, Path):
        raise FileNotFoundError(f"kg.resources.{name} is inside an archive ({root}); install kg as files")
    return root


def sample_corpus() -> Path:
    """The folder of the bundled sample corpus, which `kg build` reads when given no path."""
    return directory("corpus") / "sample"
