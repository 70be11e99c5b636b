"""The kg command: help for every command, output formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.interfaces.cli import main, parser

COMMANDS = sorted(parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: kg " + command in out and len(out) > 200


def test_top_level_help_lists_commands_and_exit_codes() -> None:
    result = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=True)
    assert "build" in result.stdout and "Exit codes" in result.stdout


def test_query_json_output(seed_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "states", "--data", str(seed_build), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["wikidata"] for r in rows} >= {"Q668", "Q843"}


def test_query_errors_exit_1_with_a_message(seed_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "nope", "--data", str(seed_build)]) == 1
    assert "unknown saved query 'nope'" in capsys.readouterr().err
    assert main(["query", "states", "--data", str(seed_build), "--param", "novalue"]) == 1


def test_queries_lists_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    assert "arms-deals" in out and "Arms deals" in out


@pytest.mark.slow
def test_build_exit_code_2_names_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "ok.txt").write_text("La Russie et la Chine ont lancé les manœuvres Vostok 2022 en Russie.")
    assert main(["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 2
    out = capsys.readouterr().out
    assert "empty.txt" in out and "1 articles" in out


def test_eval_scores_a_build(seed_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = Path(__file__).parent / "data" / "dev" / "gold.jsonl"
    assert main(["eval", str(gold), "--data", str(seed_build), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    seed = result["articles"]["000_566754dbe1dffb01.txt"]
    assert seed["states"] == {"missed": [], "spurious": []}
