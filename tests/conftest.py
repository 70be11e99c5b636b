"""Shared fixtures: built graphs of the sample corpus and of the development articles (built once per run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.pipeline.stages import build

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "corpus" / "sample" / "000_566754dbe1dffb01.txt"
DEV_ARTICLES = DATA / "dev" / "articles"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """One extractor (and one spaCy pipeline per language) for the whole test run."""
    return Extractor()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A build folder of the sample corpus (the seed article)."""
    out = tmp_path_factory.mktemp("seed")
    build([SEED.parent], out, extractor=extractor)
    return out


@pytest.fixture(scope="session")
def dev_build(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A build folder of the development articles plus the seed, as ../shared/tools/dev-score builds them."""
    corpus = tmp_path_factory.mktemp("dev-corpus")
    for path in [*DEV_ARTICLES.glob("*.txt"), SEED]:
        shutil.copy(path, corpus / path.name)
    out = tmp_path_factory.mktemp("dev")
    build([corpus], out, extractor=extractor)
    return out
