"""The extraction rules alone: milliseconds per article of the rules and frame assembly on the development set.

The spaCy parse is done once, outside the timing; what is timed is `Extractor.from_doc` (mentions, sentence
contexts, exercises, deals, memberships, rivalries), the part of a build the rules own. The budget is 10 ms per
article. Usage: python bench/extract.py [--rounds N]
"""

from __future__ import annotations

import argparse
import time

from common import DEV_ARTICLES, ROOT

from kg.extract import Extractor
from kg.extract.context import index_sentences
from kg.ingest.read import read_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the parsed articles (default 5)")
    args = parser.parse_args()
    paths = [*sorted(DEV_ARTICLES.glob("*.txt")), *sorted((ROOT / "corpus" / "sample").glob("*.txt"))]
    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    extractor = Extractor()
    docs = [extractor.nlp(a.lang)(a.text) for a in articles]
    for a, doc in zip(articles, docs, strict=True):
        Extractor.from_doc(a, doc)  # warm the caches (lexicon, gazetteer patterns)
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        for a, doc in zip(articles, docs, strict=True):
            index_sentences(doc)
            Extractor.from_doc(a, doc)
        timings.append((time.perf_counter() - started) / len(articles) * 1000)
    best, mean = min(timings), sum(timings) / len(timings)
    print(f"rules and frames: {best:.1f} ms per article (best of {args.rounds}; mean {mean:.1f}) "
          f"over {len(articles)} articles; budget 10 ms")


if __name__ == "__main__":
    main()
