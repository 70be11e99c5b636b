"""Scale: the same build on N processes and on a Dask cluster; articles streamed, in order, grouped by id."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.ingest.article import Article
from kg.pipeline.executors import article_quads, extract_all
from kg.pipeline.stages import build
from kg.rdf.serialise import RdfFormat
from kg.store.dumps import export_bytes
from kg.store.triplestore import STORE_DIR, TripleStore, article_graph

DEV = Path(__file__).resolve().parent / "data" / "dev" / "articles"
QUICK = {"reasoning": False, "validation": False}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scale-corpus")
    for path in sorted(DEV.glob("*.txt"))[:4]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory, corpus: Path, extractor: Extractor) -> Path:
    out = tmp_path_factory.mktemp("jobs1")
    build([corpus], out, extractor=extractor, **QUICK)
    return out


def _dataset(out: Path) -> bytes:
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        return export_bytes(store, RdfFormat.NQ)


@pytest.mark.slow
def test_two_processes_build_the_same_bytes(corpus: Path, one_process: Path, tmp_path: Path) -> None:
    report = build([corpus], tmp_path / "jobs2", jobs=2, **QUICK)
    assert report.articles == 4 and not report.problems
    assert (tmp_path / "jobs2" / "graph.ttl").read_bytes() == (one_process / "graph.ttl").read_bytes()
    assert _dataset(tmp_path / "jobs2") == _dataset(one_process)


@pytest.mark.slow
def test_worker_processes_keep_the_callers_length_limit() -> None:
    articles = [Article(id=f"long{i}", text="Un texte de quarante caractères environ.", lang="fr") for i in range(2)]
    results = list(extract_all(articles, extractor=Extractor(max_chars=20), jobs=2))
    assert [r.articles for r in results] == [0, 0]
    assert all("article too long" in str(r.errors[0][1]) for r in results)


@pytest.mark.slow
def test_a_dask_cluster_builds_the_same_bytes(corpus: Path, one_process: Path, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = build([corpus], tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address, **QUICK)
    assert report.articles == 4 and not report.problems
    assert (tmp_path / "dask" / "graph.ttl").read_bytes() == (one_process / "graph.ttl").read_bytes()
    assert _dataset(tmp_path / "dask") == _dataset(one_process)


def _articles(n: int, consumed: list[int]) -> Iterator[Article]:
    for i in range(n):
        consumed.append(i)
        yield Article(id=f"a{i:03d}", text=f"Article {i}.", lang="fr", source=f"a{i:03d}.txt")


class _BlankExtractor(Extractor):
    """Rules on a blank French pipeline: no model to load, enough to test the plumbing."""

    def nlp(self, lang: str):  # noqa: ANN201 - a spaCy Language
        import spacy

        if lang not in self._nlp:
            nlp = spacy.blank(lang)
            nlp.add_pipe("sentencizer")
            self._nlp[lang] = nlp
        return self._nlp[lang]


def test_articles_stream_in_chunks_and_come_back_in_order() -> None:
    consumed: list[int] = []
    results = extract_all(_articles(100, consumed), extractor=_BlankExtractor(), chunk_size=8)
    first = next(results)
    assert first.article_id == "a000" and len(consumed) <= 9  # one chunk read ahead, not the corpus
    rest = list(results)
    assert [r.article_id for r in [first, *rest]] == [f"a{i:03d}" for i in range(100)]
    assert all(r.graph == article_graph(r.article_id).value and r.triples > 0 for r in rest)


def test_articles_sharing_an_id_make_one_graph_and_failures_are_kept() -> None:
    same = [Article(id="x", text="Un.", lang="fr", source="one/x.txt"),
            Article(id="x", text="Deux.", lang="fr", source="two/x.txt")]
    result = article_quads(same, _BlankExtractor())
    assert result.articles == 2 and not result.errors and result.graph == article_graph("x").value
    bad = [Article(id="y", text="Drei.", lang="de", source="y.txt")]
    [failed] = extract_all(bad, extractor=_BlankExtractor())
    assert failed.articles == 0 and failed.nquads == b"" and "unsupported language 'de'" in str(failed.errors[0][1])


def test_jobs_and_executor_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="jobs"):
        list(extract_all([], jobs=0))
    with pytest.raises(ValueError, match="scheduler"):
        list(extract_all([], executor="dask"))
