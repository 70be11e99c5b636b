"""The words of the languages live in data files (kg/data/lexicon.json, kg/data/dates.json); extraction code holds
patterns only."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from kg.extract.context import capitalised, entry_pattern, every_language, languages
from kg.extract.dates import DATES_FILE, find_dates, months

ROOT = Path(__file__).resolve().parent.parent
# The modules whose words have moved to data; the other rule modules join this list as theirs move.
WORDLESS = ["kg/extract/context.py", "kg/extract/dates.py", "kg/extract/entities.py", "kg/extract/relations.py",
            "kg/extract/ambiguity.py", "kg/extract/deals.py", "kg/extract/exercises.py", "kg/extract/memberlists.py",
            "kg/extract/weapons.py", "kg/extract/frames.py", "kg/extract/organisations.py", "kg/extract/__init__.py"]
# Token attributes holding the text of a word: a literal compared with them is a word of a language.
_WORD_ATTRIBUTES = {"text", "lower_", "lemma_", "orth_", "norm_"}
_WORD = re.compile(r"[^\W\d_]{2,}")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _regex_words(source: str) -> list[str]:
    """The words a regular expression's source spells, once group names, escapes, classes and flags are left out."""
    source = re.sub(r"\(\?P<\w+>|\(\?P=\w+\)|\(\?[a-zA-Z-]+[:)]|\\[a-zA-Z]|\[[^\]]*\]|\{[^}]*\}", " ", source)
    return _WORD.findall(source)


def _is_word_of_text(node: ast.expr) -> bool:
    """`token.lower_`, `t.text`, `cue.lemma_.lower()`: an expression holding a word of the text."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "lower":
        node = node.func.value
    return isinstance(node, ast.Attribute) and node.attr in _WORD_ATTRIBUTES


def _literal_words(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _WORD.findall(node.value)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [w for element in node.elts for w in _literal_words(element)]
    return []


def _words_in_code(path: Path) -> list[str]:
    """Words of a language written in a module: in its regular expressions, in literals compared with a token's
    text, and in literals looked for inside a string ('allian' in phrase)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if re.search(r"\\[bsdwW]|\(\?|\|", node.value):
                found += [f"{path}:{node.lineno}: {w}" for w in _regex_words(node.value)]
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_word_of_text(o) for o in operands) or any(isinstance(op, ast.In | ast.NotIn) and isinstance(
                    node.left, ast.Constant) for op in node.ops):
                found += [f"{path}:{node.lineno}: {w}" for o in operands for w in _literal_words(o)]
    return found


@pytest.mark.parametrize("module", WORDLESS)
def test_extraction_code_holds_patterns_not_words(module: str) -> None:
    assert _words_in_code(ROOT / module) == []


def test_the_word_check_finds_words_in_code(tmp_path: Path) -> None:
    code = tmp_path / "rules.py"
    code.write_text('import re\nSEA = re.compile(r"\\b(?P<n>Sea|mer) of\\s*$")\n'
                    'def f(t, phrase):\n    return t.lower_ in ("as", "comme") or "allian" in phrase or t.i > 2\n')
    assert [line.split(": ")[1] for line in _words_in_code(code)] == ["Sea", "mer", "of", "as", "comme", "allian"]


def test_every_language_gives_names_of_the_twelve_months() -> None:
    raw = json.loads(DATES_FILE.read_text(encoding="utf-8"))
    for lang in ("fr", "en"):
        assert sorted(set(raw[lang]["months"].values())) == list(range(1, 13)), lang


def test_dates_are_read_in_either_language_whatever_the_article() -> None:
    assert months()["décembre"] == months()["dec"] == 12
    found = find_dates("du 3 au 14 décembre 2019, then Dec. 3-14, 2019", anchor=None)
    assert sorted((d.value.iso(), d.role) for d in found) == [
        ("2019-12-03", "start"), ("2019-12-03", "start"), ("2019-12-14", "end"), ("2019-12-14", "end")]


def test_lexicon_lists_of_every_language_join() -> None:
    assert {"fr", "en"} <= set(languages())
    assert {"of", "de", "d'", "du"} <= every_language("genitive_prep")


@pytest.mark.parametrize(("entries", "text", "expected"), [
    (["minist*"], "Ministère, ministry and ministries", ["Ministère", "ministry", "ministries"]),
    (["war with", "war"], "a war with them", ["war with"]),
    (["de", "de la"], "mer de la Chine", ["de la"]),
    ([], "anything", []),
])
def test_entry_patterns_match_stems_and_phrases_longest_first(entries: list[str], text: str,
                                                               expected: list[str]) -> None:
    pattern = re.compile(rf"(?<!\w){entry_pattern(entries)}(?!\w)", re.I)
    assert pattern.findall(text) == expected


def test_capitalised_words_keep_the_rest_as_written() -> None:
    assert capitalised(["mme", "m.", "traité"]) == ["M.", "Mme", "Traité"]
