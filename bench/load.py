"""Load test of `kg serve`: 50 concurrent clients on loopback for 60 s, p50/p99 latency and errors.

Builds the sample corpus (or uses --data DIR), starts `kg serve` on a free port of 127.0.0.1 (with --direct: the
Oxigraph server alone, without the proxy that limits answer sizes, to measure what the proxy costs), and has N
client threads run saved queries (states, exercises, arms-deals, memberships) in a loop for the given duration,
then prints the number of answers, the errors, and the median and 99th-percentile latency. A client told to
retry later (503, Retry-After) counts an error and waits as told, as a polite SPARQL client would.

Two hostile moments are part of the load (issue 16): halfway through, every client stops for `--idle-gap`
seconds (the engine used to write a spurious 500 on kept-alive connections left idle), and one more client sends
the query that makes Oxigraph 0.5 abort (`--panic-every` seconds; its 502s are counted apart, not as errors).

usage: python bench/load.py [--data DIR] [--clients 50] [--seconds 60] [--timeout 60] [--direct]
                            [--idle-gap 15] [--panic-every 10] [--max-in-flight N]
"""

from __future__ import annotations

import argparse
import http.client
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from kg.pipeline.stages import build
from kg.query.binding import with_values
from kg.query.catalogue import get_query
from kg.serve.engine import default_max_in_flight, serve_command

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("states", "exercises", "arms-deals", "memberships")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"kg serve did not answer at {url}")


def panic_query(seed: int) -> str:
    """Date-times of one day with and without a timezone, sorted: Oxigraph 0.5 aborts on it."""
    rng = random.Random(seed)
    values = " ".join(f'"2020-01-01T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00'
                      f'{rng.choice(["", "Z", "+05:00", "-08:00", ""])}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
                      for _ in range(200))
    return f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} }} ORDER BY ?o"


def panicker(port: int, stop: float, every: float, statuses: list[int]) -> None:
    """Send a new panic query every `every` seconds; the statuses it gets."""
    seed = 0
    while time.monotonic() + every < stop:
        time.sleep(every)
        seed += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST", "/query", body=panic_query(seed).encode(),
                               headers={"Content-Type": "application/sparql-query"})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        except (OSError, http.client.HTTPException):
            statuses.append(0)
        finally:
            connection.close()


def client(port: int, stop: float, latencies: list[float], errors: list[str], lock: threading.Lock,
           gap: tuple[float, float] = (0.0, 0.0)) -> None:
    """One client on a kept-alive connection (as a browser or a SPARQL library would), so the figures measure
    the server and not the exhaustion of loopback ports by short-lived connections."""
    texts = [with_values(get_query(name).text, {}) for name in QUERIES]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    paused = False
    while time.monotonic() < stop:
        if not paused and gap[1] and time.monotonic() >= gap[0]:
            paused = True
            time.sleep(gap[1])  # every client idle at once, its connection kept alive
        body = urllib.parse.urlencode({"query": texts[i % len(texts)]})
        started = time.perf_counter()
        try:
            connection.request("POST", "/query", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 503:
                time.sleep(float(response.getheader("Retry-After") or 1))
            if response.status != 200:
                raise OSError(f"HTTP {response.status}")
            with lock:
                latencies.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                errors.append(str(err))
        i += 1
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="a build folder (default: build the sample corpus)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=10,
                        help="the query timeout of the server (default: 10, as kg serve)")
    parser.add_argument("--direct", action="store_true", help="the Oxigraph server alone, without kg serve's proxy")
    parser.add_argument("--idle-gap", type=float, default=15, help="seconds every client stays idle halfway through "
                        "(default: 15; 0: none)")
    parser.add_argument("--panic-every", type=float, default=10, help="seconds between two queries that make the "
                        "engine abort (default: 10; 0: none)")
    parser.add_argument("--max-in-flight", type=int, default=None, metavar="N",
                        help="kg serve's --max-in-flight (default: its own, 8 per core)")
    args = parser.parse_args()
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="kg-load-"))
        build([ROOT / "corpus" / "sample"], data)
    port = free_port()
    command = (serve_command(data, port=port, timeout=args.timeout or None) if args.direct else
               [sys.executable, "-m", "kg", "serve", str(data), "--port", str(port), "--timeout", str(args.timeout),
                *(["--max-in-flight", str(args.max_in_flight)] if args.max_in_flight else [])])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}/")
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        began = time.monotonic()
        stop = began + args.seconds + args.idle_gap
        gap = (began + args.seconds / 2, args.idle_gap)
        threads = [threading.Thread(target=client, args=(port, stop, latencies, errors, lock, gap))
                   for _ in range(args.clients)]
        panics: list[int] = []
        if args.panic_every:
            threads.append(threading.Thread(target=panicker, args=(port, stop, args.panic_every, panics)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if len(latencies) < 2:
        raise SystemExit(f"no answers ({len(errors)} errors: {errors[:3]})")
    q = statistics.quantiles(latencies, n=100)
    in_flight = "" if args.direct else f", at most {args.max_in_flight or default_max_in_flight()} in flight"
    print(f"{'oxigraph alone' if args.direct else 'kg serve'} (timeout {args.timeout:g} s{in_flight}), "
          f"{args.clients} clients, "
          f"{args.seconds:.0f} s (plus {args.idle_gap:g} s idle halfway): "
          f"{len(latencies)} answers "
          f"({len(latencies) / args.seconds:.0f}/s), {len(errors)} errors; "
          f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms")
    if args.panic_every:
        counts = ", ".join(f"{n} × {status or 'no answer'}" for status, n in sorted(Counter(panics).items()))
        print(f"panic queries (date-times with and without a timezone, sorted; a few draws happen to sort "
              f"without panicking): {len(panics)} sent, answered {counts}")
    if errors:
        print("errors, most frequent first:", statistics.multimode(errors)[:3])


if __name__ == "__main__":
    main()
