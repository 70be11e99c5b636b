"""What the benchmarks share: the replicated corpus, child processes with their peak memory, the machine."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_ARTICLES = ROOT / "tests" / "data" / "dev" / "articles"


def make_corpus(path: Path, count: int) -> tuple[Path, int]:
    """A JSONL corpus of `count` articles (the development articles, each copy with its own id); its word count."""
    sources = sorted(DEV_ARTICLES.glob("*.txt"))
    words = 0
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            source = sources[i % len(sources)]
            text = source.read_text(encoding="utf-8")
            words += len(text.split())
            lang = "en" if "_en_" in source.name else "fr"
            handle.write(json.dumps({"id": f"bench-{i:05d}-{source.stem}", "text": text, "lang": lang},
                                    ensure_ascii=False) + "\n")
    return path, words


def run_child(script: str, args: list[str]) -> tuple[dict, float]:
    """Run `script` in a child mode; its JSON answer (its last line of output) with `cpu`, the CPU seconds of its
    process tree, and `wall`, the child's whole wall time (interpreter start and imports included); and the peak
    resident memory of its process tree (MiB), sampled every 0.1 s."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, script, *args], stdout=subprocess.PIPE, cwd=ROOT)
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else b""
    if process.returncode != 0:
        raise RuntimeError(f"child {script} {args} failed with {process.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    answer = json.loads(out.decode().strip().splitlines()[-1])
    answer["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    answer["wall"] = wall
    return answer, peak / 2**20


def machine() -> str:
    """Cores, CPU model, memory, Python and OS, for the benchmark's first line."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, no GPU, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


#: The article-specific IRIs of an article's graph besides its own: attestations and unnamed exercises carry a
#: digest of the article (`kg.rdf.mapping`), so each copy gets its own.
_DIGESTED = re.compile(rb"(/id/(?:attestation|exercise)/)([0-9a-f]{16})>")


def _redigest(salt: bytes, match: re.Match[bytes]) -> bytes:
    return match[1] + hashlib.sha1(salt + match[2]).hexdigest()[:16].encode() + b">"


def replicate_quads(base: list[tuple[str, str, bytes, int]], count: int) -> Iterator[tuple[str, str, bytes, int]]:
    """`count` articles' named graphs as the build's workers give them (id, graph IRI, N-Quads, triples), copied
    from the `base` articles (extracted from `make_corpus(len(base))`) with the ids `make_corpus(count)` gives:
    the copy's id, article IRI and the digests of its attestations and unnamed exercises are its own, the
    entities it names are shared, as in a real corpus of replicated texts."""
    from kg.store.triplestore import article_graph

    for i in range(count):
        article_id, graph, nquads, triples = base[i % len(base)]
        new_id = f"bench-{i:05d}-{article_id.split('-', 2)[2]}"
        new_graph = article_graph(new_id).value
        data = nquads.replace(f"<{graph}>".encode(), f"<{new_graph}>".encode())
        data = data.replace(f'"{article_id}"'.encode(), f'"{new_id}"'.encode())
        data = _DIGESTED.sub(functools.partial(_redigest, new_id.encode()), data)
        yield new_id, new_graph, data, triples
