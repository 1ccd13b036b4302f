"""A document in traditional characters is matched through a simplified shadow of it.

Questions are simplified when cleaned (kb.text.clean), so a Big5 or Hong Kong/Taiwan text
would never share a word with them. Its shadow is the same text with OpenCC's t2s applied:
every entry of t2s's dictionaries (TSCharacters, TSPhrases: 4,390 entries) has a simplified
form of exactly its own length, so the shadow has the original's length and every offset
means the same place in both. Matching (BM25, the embedder, the extractive answerer, the
文号 registry) reads the shadow; quotes are cut from the original at the same offsets, so a
user reads the document's own characters. The shadow of simplified text is the text itself.
"""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

from kb.text.clean import to_simplified


@cache
def _dictionary() -> dict[str, str]:
    """t2s's entries, traditional -> the simplified form OpenCC picks (the first listed)."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    out: dict[str, str] = {}
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                key, values = line.split("\t", 1)
                out[key] = values.split(" ")[0]
    return out


@cache
def _changeable() -> frozenset[str]:
    """Every character some t2s entry changes: a text without one is its own shadow. Checking
    that is one set operation instead of a conversion (measured on the 13,044 characters of
    the bundled 行政复议法: 0.6 ms, against 17 ms for OpenCC, which is pure Python here)."""
    chars: set[str] = set()
    for key, value in _dictionary().items():
        if len(key) != len(value):  # none today; a future dictionary's entry is taken whole
            chars.update(key)
        else:
            chars.update(k for k, v in zip(key, value, strict=True) if k != v)
    return frozenset(chars)


@cache
def _per_character() -> dict[int, str]:
    """Single characters to their simplified form: a conversion that keeps length by construction."""
    return {ord(k): v for k, v in _dictionary().items() if len(k) == 1 and len(v) == 1 and k != v}


def _may_change(text: str) -> bool:
    """The text has a character t2s may change: otherwise it is its own shadow."""
    return not _changeable().isdisjoint(text)


def shadow(text: str) -> str:
    """The text in simplified characters, of the same length, offset for offset.

    OpenCC's phrase-aware conversion (the one questions get) when it keeps the length, which
    it always does with the installed dictionaries (tests/test_traditional.py checks every
    entry); otherwise a character-by-character one, which cannot change it.
    """
    if not _may_change(text):
        return text
    converted = to_simplified(text)
    return converted if len(converted) == len(text) else text.translate(_per_character())


@lru_cache(maxsize=8192)
def shadow_title(title: str) -> str:
    """`shadow` of a document title, remembered: a corpus has few titles, and the answerer
    reads one for every passage it weighs."""
    return shadow(title)


def script_table(original: str) -> dict[int, str]:
    """For `str.translate`: each simplified character of `original`'s shadow back to the
    character `original` has there (the most frequent one, if it has several)."""
    simple = shadow(original)
    seen: dict[str, Counter[str]] = {}
    for s, o in zip(simple, original, strict=True):
        if s != o:
            seen.setdefault(s, Counter())[o] += 1
    return {ord(s): counts.most_common(1)[0][0] for s, counts in seen.items()}
