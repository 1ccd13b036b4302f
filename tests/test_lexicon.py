"""The general word lists are data files: each parses, none repeats an entry, and each is
read once per process."""

from __future__ import annotations

import pytest

from kb.text import lexicon
from kb.text.tokenize import STOPWORDS

FILES = sorted(p.name for p in lexicon.LEXICON_DIR.iterdir() if p.suffix in (".txt", ".tsv"))


def _raw_entries(name: str) -> list[str]:
    text = (lexicon.LEXICON_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_every_lexicon_is_listed() -> None:
    assert FILES == [
        "generic_places.txt",
        "lookup_words.txt",
        "provinces.txt",
        "question_words.txt",
        "relative_time.txt",
        "stopwords.txt",
        "thesaurus.tsv",
    ]


@pytest.mark.parametrize("name", FILES)
def test_file_parses_without_repeats(name: str) -> None:
    raw = _raw_entries(name)
    assert raw, name
    assert lexicon.entries(name) == tuple(raw)  # file order, nothing dropped
    keys = [line.split("\t")[0] for line in raw]
    assert len(set(keys)) == len(keys), f"{name} repeats an entry"
    if name.endswith(".txt"):
        assert all(len(entry.split()) == 1 for entry in raw), f"{name}: one entry per line"


def test_question_words_do_not_repeat_the_stopwords() -> None:
    extra = set(_raw_entries("question_words.txt"))
    assert not extra & lexicon.stopwords()
    assert lexicon.question_words() == lexicon.stopwords() | extra
    assert {"多少", "哪些", "是否", "什么", "吗"} <= lexicon.question_words()


def test_lists_do_not_overlap() -> None:
    lists = [
        lexicon.question_words(),
        lexicon.relative_times(),
        lexicon.generic_places(),
        lexicon.provinces(),
    ]
    for i, a in enumerate(lists):
        for b in lists[i + 1 :]:
            assert not a & b


def test_thesaurus_keeps_file_order_and_terms() -> None:
    table = lexicon.thesaurus()
    assert list(table) == [line.split("\t")[0] for line in _raw_entries("thesaurus.tsv")]
    assert table["输了官司"] == ("败诉", "败诉率")
    assert all(terms and all(t.strip() for t in terms) for terms in table.values())
    with pytest.raises(TypeError):
        table["新词"] = ("x",)  # type: ignore[index]  # one shared table: read-only


def test_lookup_words_longest_first_ties_in_file_order() -> None:
    words = lexicon.lookup_words()
    assert [len(w) for w in words] == sorted((len(w) for w in words), reverse=True)
    raw = _raw_entries("lookup_words.txt")
    for n in {len(w) for w in words}:
        assert [w for w in words if len(w) == n] == [w for w in raw if len(w) == n]
    assert words.index("文号是多少") < words.index("文号")


def test_read_once() -> None:
    assert lexicon.stopwords() is lexicon.stopwords()
    assert lexicon.thesaurus() is lexicon.thesaurus()
    assert STOPWORDS is lexicon.stopwords()
    before = lexicon.entries.cache_info().hits
    lexicon.entries("stopwords.txt")
    assert lexicon.entries.cache_info().hits == before + 1
