"""A regular expression for many literal names, shaped as a trie: the longest name first, as an alternation does.

A flat alternation of the gazetteer's thousands of names makes `re` try every name at every word start; a trie
tries one branch per character instead, several times faster. At a given position every candidate is a prefix of
the same text, so as long as no two branches of a node can match the same character, the one path the text
follows holds all of them, and trying the longer continuation before ending at a node finds the longest match
first, and then the next longest, exactly as the longest-first alternation does.

Names matched as written make a plain trie. With names matched ignoring case among them, the trie is matched
ignoring case and each end checks what the alternation would: the exact spelling (a case-sensitive lookbehind)
unless a name ending there is one matched ignoring case. Where that cannot be made exact, the flat alternation
is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

_FEW_FIRST_CHARACTERS = 12


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    spelled: list[str] = field(default_factory=list)  # names ending here only if the text spells them so
    ends: bool = False  # a name ends here, however the text spells it (as far as the branches go)


def _fold(char: str) -> str:
    """The trie key of a character: its lower case when that is one character."""
    lower = char.lower()
    return lower if len(lower) == 1 else char


@cache
def _same_ignoring_case(a: str, b: str) -> bool:
    return re.fullmatch(f"(?i:{re.escape(a)})", b) is not None


def _exact_trie(names: Iterable[str]) -> _Node:
    """The trie of names all matched as written: one character per branch, every end taken."""
    root = _Node()
    for name in names:
        node = root
        for c in name:
            node = node.children.setdefault(c, _Node())
        node.ends = True
    return root


def _trie(cased: Iterable[str], caseless: Iterable[str]) -> _Node | None:
    """The trie of all names, or None when `_fold` cannot key one exactly (then only a flat alternation is exact)."""
    root = _Node()
    for names, ignoring_case in ((cased, False), (caseless, True)):
        for name in names:
            if not all(_same_ignoring_case(_fold(c), c) for c in name):
                return None
            node = root
            for c in name:
                node = node.children.setdefault(_fold(c), _Node())
            if ignoring_case:
                node.ends = True
            elif name not in node.spelled:
                node.spelled.append(name)
    return root if _branches_distinct(root) else None


def _branches_distinct(root: _Node) -> bool:
    """Whether no character can follow two branches of one node (the text then follows one path only)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if any(_same_ignoring_case(a, b) for a, b in combinations(node.children, 2)):
            return False
        stack.extend(node.children.values())
    return True


def _source(node: _Node) -> str:
    """Regex source for the names below `node`: longer continuations first, then ending here."""
    options = [re.escape(c) + _source(child) for c, child in sorted(node.children.items())]
    if node.ends:
        options.append("")
    elif node.spelled:
        options.append(f"(?-i:(?<={'|'.join(re.escape(n) for n in node.spelled)}))")
    return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"


def _flat(cased: Iterable[str], caseless: Iterable[str]) -> str:
    """The same choice as a plain longest-first alternation: exact always, slow on many names."""
    options = [(n, re.escape(n)) for n in cased] + [(n, f"(?i:{re.escape(n)})") for n in caseless]
    return f"(?:{'|'.join(source for _, source in sorted(options, key=lambda o: len(o[0]), reverse=True))})"


def _rooted(root: _Node) -> str:
    """The trie's source, behind a check of its first character when few characters start a name (the month
    names): one test instead of one per branch at the many positions where none starts. When most letters start
    one (the gazetteer) the check only adds work."""
    if root.ends or root.spelled or not root.children or len(root.children) > _FEW_FIRST_CHARACTERS:
        return _source(root)
    return f"(?=[{''.join(re.escape(c) for c in sorted(root.children))}]){_source(root)}"


def longest_literal(cased: Iterable[str], caseless: Iterable[str] = ()) -> str:
    """Regex source matching, at a position, the longest of the names `cased` as written or `caseless` in any case.

    Wrap it as needed ('(?<!\\w)(?:…)(?!\\w)'): a lookahead after it is tried on each candidate, longest first.
    """
    cased, caseless = list(cased), list(caseless)
    if not cased and not caseless:
        return ""  # what an empty alternation is
    if not caseless:
        return f"(?-i:{_rooted(_exact_trie(cased))})"
    root = _trie(cased, caseless)
    if root is None:
        return _flat(cased, caseless)
    return f"(?i:{_rooted(root)})"
