"""kg serve: the Oxigraph server, read-only, over the store: the saved queries answer as locally, updates refused."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_push import assert_same_answers, free_port, local_count, remote_count, started

from kg.errors import StoreError
from kg.serve import serve_command


@pytest.mark.slow
def test_serve_is_a_read_only_endpoint_with_a_query_page(dev_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "dev"
    shutil.copytree(dev_build, build)
    port = free_port()
    command = serve_command(build, port=port, timeout=30)
    assert command[1] == "serve-read-only" and f"127.0.0.1:{port}" in command
    base = f"http://127.0.0.1:{port}"
    for _ in started(command, f"{base}/"):
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            assert "yasgui" in response.read().decode("utf-8").lower()
        assert_same_answers(build, f"{base}/query")
        for url, body, kind in ((f"{base}/update", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
                                 "application/sparql-update"),
                                (f"{base}/store?default", "<urn:x:a> <urn:x:b> <urn:x:c> .", "application/n-triples")):
            request = urllib.request.Request(url, data=body.encode(), method="POST", headers={"Content-Type": kind})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403
        assert remote_count(base) == local_count(build)


def test_serve_refuses_a_folder_without_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        serve_command(tmp_path)
    with pytest.raises(ValueError, match="port"):
        serve_command(tmp_path, port=0)
