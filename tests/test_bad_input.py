"""A folder mixing every kind of bad input with the seed article: the seed is built in full, each bad file is
listed with its reason, nothing crashes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.pipeline.stages import build
from kg.query.local import run_saved

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "sample" / "000_566754dbe1dffb01.txt"
FRENCH = "La Russie et la Chine ont lancé l'exercice naval Joint Sea 2021 en mer du Japon, a indiqué Moscou."
GERMAN = ("Die Bundeswehr und die französische Armee haben am Montag eine gemeinsame Übung begonnen, die bis "
          "zum Ende des Monats dauern wird und an der mehrere tausend Soldaten teilnehmen.")


def make_corpus(folder: Path) -> dict[str, str]:
    """Bad files next to the seed; returns file name → expected words of its reason ('' when it must build)."""
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    files = {
        "empty.txt": (b"", "empty"),
        "report.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)) * 4, "binary"),
        "map.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "unsupported"),
        "latin1.txt": (FRENCH.encode("latin-1", "replace"), ""),
        "cp1252.txt": (("« " + FRENCH + " »").encode("cp1252", "replace"), ""),
        "utf16.txt": (FRENCH.encode("utf-16"), ""),
        "mojibake.txt": (FRENCH.encode("utf-8").decode("latin-1").encode("utf-8"), ""),
        "scripts.html": (b"<html><head><script>var a = 1;</script></head><body><script>x()</script></body></html>",
                         "no article text"),
        "german.txt": (GERMAN.encode(), "unsupported language"),
        "huge.txt": (("Le Pakistan et la Chine. " * 50_000).encode(), "too long"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    lines = [json.dumps({"id": "ok-1", "text": FRENCH}), "{not json", json.dumps({"id": "no-text"}),
             json.dumps({"id": "bad-type", "text": 42}), json.dumps({"id": "ok-1", "text": FRENCH})]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "loop").mkdir()
    os.symlink(folder, folder / "loop" / "back")
    return {name: reason for name, (_, reason) in files.items()}


def test_mixed_bad_inputs_build_the_rest(tmp_path: Path, extractor: Extractor) -> None:
    expected = make_corpus(tmp_path / "in")
    small = Extractor(max_chars=1_000_000)
    small._nlp = extractor._nlp  # share the loaded pipelines
    report = build([tmp_path / "in"], tmp_path / "out", extractor=small)
    problems = {(Path(p.source.split(":")[0]).name, p.line): p.reason for p in report.problems}
    for name, words in expected.items():
        if words:
            assert (name, None) in problems, (name, problems)
            assert words in problems[(name, None)].lower(), (name, problems[(name, None)])
    assert {line for (name, line) in problems if name == "feed.jsonl"} == {2, 3, 4, 5}
    states = {r["wikidata"] for r in run_saved("states", tmp_path / "out")[1] if r["article"] == SEED.name}
    assert states == {"Q668", "Q843", "Q159", "Q148", "Q232", "Q813", "Q863", "Q265", "Q30"}
    built = {r["article"] for r in run_saved("exercises", tmp_path / "out")[1]}
    assert {"latin1.txt", "cp1252.txt", "utf16.txt", "mojibake.txt", "ok-1", SEED.name} <= built
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(saved["problems"]) == len(report.problems)


RUSSIAN = "Министр обороны заявил, что учения пройдут в сентябре на полигоне под Челябинском."
CHINESE = "中国人民解放军东部战区组织海空兵力在台湾岛周边举行联合演习。"


def test_special_files_are_listed_never_read_and_languages_and_lines_are_named(tmp_path: Path,
                                                                                extractor: Extractor) -> None:
    """FIFOs (also through a link), a link to /dev/zero and a socket are listed without being opened (a FIFO would
    hang the build); Russian and Chinese are unsupported languages; JSONL problems carry their line."""
    import socket

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(tmp_path / "outside.txt")
    (folder / "linked-pipe.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        (folder / "russian.txt").write_text(RUSSIAN, encoding="utf-8")
        (folder / "chinese.txt").write_text(CHINESE, encoding="utf-8")
        lines = [json.dumps({"id": "ru", "text": RUSSIAN}), json.dumps({"id": "fr", "text": FRENCH}),
                 json.dumps({"id": "long", "text": "Le Pakistan et la Chine. " * 50_000, "lang": "fr"}),
                 json.dumps({"id": "de", "text": GERMAN})]
        (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = build([folder, tmp_path / "outside.txt"], tmp_path / "out", extractor=extractor,
                       reasoning=False, validation=False)
    problems = {(Path(p.source).name, p.line): p.reason for p in report.problems}
    for name in ("pipe.txt", "linked-pipe.txt", "outside.txt"):
        assert "not a regular file: a FIFO" in problems[(name, None)]
    assert "character device" in problems[("zero.txt", None)]
    assert "socket" in problems[("sock.txt", None)]
    assert "unsupported language 'ru'" in problems[("russian.txt", None)]
    assert "unsupported language 'zh'" in problems[("chinese.txt", None)]
    assert "unsupported language 'ru'" in problems[("feed.jsonl", 1)]
    assert "too long" in problems[("feed.jsonl", 3)]
    assert "unsupported language 'de'" in problems[("feed.jsonl", 4)]
    assert report.articles == 2  # the seed and the French record


def test_an_output_folder_inside_the_input_folder_is_no_input(tmp_path: Path, extractor: Extractor) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "joint-sea.txt").write_text(FRENCH, encoding="utf-8")
    for _ in range(2):  # the second build walks a folder that now holds the first one's output
        report = build([corpus], corpus / "out", extractor=extractor)
        assert report.problems == [] and report.articles == 1
