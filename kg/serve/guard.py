"""What the proxy checks in a request and in an answer: `SERVICE` targets, origins, hosts, results cut short.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qs, urlsplit

_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://(?:\[[0-9a-f:.]+\]|[^\s/?#@\[\]:]+)(?::[0-9]{1,5})?")
_SPARQL_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>\"{3}(?:[^\"\\]|\\.|\"(?!\"\"))*\"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<word>[A-Za-z_][\w-]*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)", re.DOTALL)


def service_targets(query: str) -> list[str]:
    """The endpoints a SPARQL query's `SERVICE` clauses name: their IRIs, or `?` for a variable or a prefixed
    name (not resolved, so never allowed by host). Comments, strings and IRIs are skipped, so a literal "service"
    is no clause.

    >>> service_targets('SELECT * { SERVICE SILENT <http://h:1/q> { ?s ?p ?o } } # SERVICE <http://x/>')
    ['http://h:1/q']
    """
    targets: list[str] = []
    expecting = False
    for match in _SPARQL_TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        text = match.group()
        if expecting and kind == "word" and text.upper() == "SILENT":
            continue
        if expecting:
            targets.append(text[1:-1] if kind == "iri" else "?")
            expecting = False
        elif kind == "word" and text.upper() == "SERVICE":
            expecting = True
    if expecting:
        targets.append("?")
    return targets


def parse_origins(values: list[str]) -> frozenset[str]:
    """The web origins allowed to query across sites (`--cors`), from values each holding one origin or several
    separated by commas: `scheme://host[:port]`, lowercased, without a trailing slash; `*` allows any.

    Raises:
        ValueError: a value that is no origin (a path, "null": the origin of sandboxed and local pages, …).

    >>> sorted(parse_origins(["https://App.example/", "http://localhost:3000,http://b.example"]))
    ['http://b.example', 'http://localhost:3000', 'https://app.example']
    """
    origins: set[str] = set()
    for value in values:
        for part in value.split(","):
            origin = part.strip().lower().removesuffix("/")
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"not a web origin: {part.strip()!r} (scheme://host[:port], or '*' for any)")
            origins.add(origin)
    return frozenset(origins)


def _service_allowed(target: str, allowed: frozenset[str]) -> bool:
    if "*" in allowed:
        return True
    try:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return False
    return bool(host) and (host in allowed or netloc in allowed)


def _query_text(command: str, target: str, content_type: str, body: bytes) -> str:
    """The SPARQL text of a request (GET ?query=, a POSTed form or a POSTed query), "" when it has none."""
    texts = parse_qs(urlsplit(target).query).get("query", [])
    kind = content_type.split(";")[0].strip().lower()
    if command == "POST" and kind == "application/x-www-form-urlencoded":
        texts += parse_qs(body.decode("utf-8", "replace")).get("query", [])
    elif command == "POST" and body:
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts)


def _host_names(bound: str, public_hosts: frozenset[str]) -> frozenset[str] | None:
    """The names a request's Host header may give: the bound address and the loopback names, plus the public
    ones; None (any IP address, `localhost` or a public name) when bound to all interfaces."""
    if bound in ("", "0.0.0.0", "::"):
        return None
    return frozenset({bound.lower().strip("[]"), "localhost", "127.0.0.1", "::1", *public_hosts})


def _host_allowed(header: str | None, allowed: frozenset[str] | None, public_hosts: frozenset[str]) -> bool:
    """Whether a Host header names this server (DNS rebinding gives a foreign name for our address)."""
    if not header:
        return True  # HTTP/1.0 without Host: no name to rebind
    try:
        name = (urlsplit(f"//{header}").hostname or "").lower()
    except ValueError:
        return False
    if allowed is not None:
        return name in allowed
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name == "localhost" or name in public_hosts


def _same_origin(origin: str, host: str) -> bool:
    """Whether an Origin header names this server as the request's Host header does (the query page's own)."""
    origin = origin.strip().lower()
    return bool(host) and origin in (f"http://{host.lower()}", f"https://{host.lower()}")


def _complete(body: bytes, content_type: str) -> bool:
    """Whether a SPARQL JSON or XML results body ends as a whole document does (other formats cannot tell)."""
    kind = content_type.split(";")[0].strip().lower()
    end = body.rstrip()
    if kind in ("application/sparql-results+json", "application/json"):
        return end.endswith(b"}")
    if kind in ("application/sparql-results+xml", "application/xml"):
        return end.endswith(b">")
    return True
