"""Tokenisers for lexical search: jieba words (with a corpus dictionary) and character bigrams.

jieba alone splits 江政办〔2023〕16号 and “容缺受理” apart and mis-cuts rare terms; a
user dictionary built from the corpus keeps them whole. Character bigrams catch what the
word cutter still gets wrong. Both see the same normalised text (NFKC: full-width digits
and brackets become ASCII) so a loosely typed query meets the document halfway.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import jieba

from kb.text.docnum import find_docnums
from kb.text.lexicon import stopwords
from kb.text.normalize import nfkc

jieba.setLogLevel(logging.WARNING)

STOPWORDS = stopwords()
_TERM_QUOTES = re.compile(r"[“\"「『]([^”\"」』\n]{2,12})[”\"」』]")
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
_WORD = re.compile(r"\w", re.UNICODE)


def dictionary_terms(texts: Iterable[str], titles: Iterable[str] = ()) -> list[str]:
    """Terms worth keeping whole: document titles, cited titles (and the parts of nested
    titles), quoted terms, and document numbers as printed."""
    terms: set[str] = {t for t in titles if len(t) >= 4}
    for text in texts:
        terms.update(m.raw for m in find_docnums(text))
        for m in _TERM_QUOTES.finditer(text):
            terms.add(m.group(1))
        for m in _TITLE.finditer(text):
            for part in re.split(r"[〈〉<>]", m.group(1)):
                if len(part) >= 4:
                    terms.add(part)
    return sorted(nfkc(t, lower=True) for t in terms)


class WordTokenizer:
    """jieba search-mode cut with its own dictionary, so indexes do not share global state."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms = sorted(set(terms))
        self._jieba = jieba.Tokenizer()
        for term in self.terms:
            self._jieba.add_word(term, freq=20000)

    def __call__(self, text: str) -> list[str]:
        """Words, plus one token per document number (its normalised key): jieba cuts
        江政办〔2023〕16号 at the brackets, the key keeps it one term in any typing style."""
        words = [
            t
            for t in self._jieba.lcut_for_search(nfkc(text, lower=True))
            if t.strip() and _WORD.search(t) and t not in STOPWORDS
        ]
        return words + [m.key for m in find_docnums(text)]


def char_bigrams(text: str) -> list[str]:
    """Overlapping two-character pieces of the text as given, in order: 行政复议 -> 行政 政复 复议."""
    return [text[i : i + 2] for i in range(len(text) - 1)]


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def han_bigrams(text: str) -> set[str]:
    """The character bigrams of the Han runs of `text` (punctuation, digits and Latin break a
    run): what an unseen compound shares with the passage that answers it."""
    return {b for run in _HAN_RUN.findall(text) for b in char_bigrams(run)}


def bigrams(text: str) -> list[str]:
    """BM25's second tokenizer: character bigrams within runs of word characters of the
    normalised text; single chars for 1-char runs."""
    out: list[str] = []
    for run in re.findall(r"\w+", nfkc(text, lower=True)):
        if len(run) == 1:
            out.append(run)
        out.extend(char_bigrams(run))
    return out
