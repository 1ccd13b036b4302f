"""The general-language word lists (kb/text/lexicons/), read once per process.

They are data, not code: a linguist can add a stopword or a synonym without reading
Python, and a district's own words go in its corpus profile (kb.profile), not here.
Files are UTF-8, one entry per line; a line starting with # is a comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of one lexicon file in file order, without comments, blanks or repeats."""
    lines = (line.strip() for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines())
    return tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))


@cache
def stopwords() -> frozenset[str]:
    """Function words lexical search drops (的, 了, 吗, 哪些)."""
    return frozenset(entries("stopwords.txt"))


@cache
def question_words() -> frozenset[str]:
    """Words that say how a question is asked, not what it is about: the stopwords and more."""
    return stopwords() | frozenset(entries("question_words.txt"))


@cache
def relative_times() -> frozenset[str]:
    """去年, 目前…: times relative to the report's own year."""
    return frozenset(entries("relative_time.txt"))


@cache
def generic_places() -> frozenset[str]:
    """全区, 社区, 自治区…: shaped like a place name, naming no particular place."""
    return frozenset(entries("generic_places.txt"))


@cache
def provinces() -> frozenset[str]:
    """Short names of provinces and regions (广东, 内蒙古)."""
    return frozenset(entries("provinces.txt"))


@cache
def lookup_words() -> tuple[str, ...]:
    """Question words cut out of a registry query, longest first (so 文号是多少 goes before 文号)."""
    return tuple(sorted(entries("lookup_words.txt"), key=len, reverse=True))


@cache
def thesaurus() -> Mapping[str, tuple[str, ...]]:
    """Everyday word -> the statutory terms for it, in file order (the order a query grows in)."""
    table: dict[str, tuple[str, ...]] = {}
    for line in entries("thesaurus.tsv"):
        word, _, terms = line.partition("\t")
        word = word.strip()
        if word and word not in table:
            table[word] = tuple(terms.split())
    return MappingProxyType(table)
