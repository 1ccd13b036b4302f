"""BM25 over jieba words and over character bigrams (bm25s: sparse, saved to disk, memory-mapped)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from kb.text.tokenize import WordTokenizer, bigrams, dictionary_terms

RANKINGS = ("bm25_words", "bm25_bigrams")


def _bm25(corpus_tokens: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25()
    model.index([toks or [""] for toks in corpus_tokens], show_progress=False)
    return model


def _top(model: bm25s.BM25, tokens: list[str], k: int) -> list[tuple[int, float]]:
    ids = model.get_tokens_ids(tokens)
    if not ids:
        return []
    scores = model.get_scores_from_ids(ids)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


@dataclass
class LexicalIndex:
    """Two BM25 rankings over the same chunks, addressed by chunk id."""

    chunk_ids: list[str]
    words: bm25s.BM25
    bigrams: bm25s.BM25
    tokenizer: WordTokenizer

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], titles: Iterable[str] = ()) -> LexicalIndex:
        """Index `texts` (heading line + chunk text) under `chunk_ids`; `titles` join the dictionary."""
        tokenizer = WordTokenizer(dictionary_terms(texts, titles))
        return cls(
            chunk_ids=list(chunk_ids),
            words=_bm25([tokenizer(t) for t in texts]),
            bigrams=_bm25([bigrams(t) for t in texts]),
            tokenizer=tokenizer,
        )

    def subset(self, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        """BM25 over some of the passages alone (their own term statistics), read with this
        index's tokenizer; in memory, not saved."""
        return LexicalIndex(
            chunk_ids=list(chunk_ids),
            words=_bm25([self.tokenizer(t) for t in texts]),
            bigrams=_bm25([bigrams(t) for t in texts]),
            tokenizer=self.tokenizer,
        )

    def search(self, query: str, k: int = 30) -> dict[str, list[tuple[str, float]]]:
        """Per ranking, the top chunk ids with their BM25 scores."""
        if not self.chunk_ids:
            return {name: [] for name in RANKINGS}
        word_hits = _top(self.words, self.tokenizer(query), k)
        bigram_hits = _top(self.bigrams, bigrams(query), k)
        return {
            "bm25_words": [(self.chunk_ids[i], s) for i, s in word_hits],
            "bm25_bigrams": [(self.chunk_ids[i], s) for i, s in bigram_hits],
        }

    def chunks_with_token(self, token: str) -> list[str]:
        """Ids of the chunks whose word tokens include `token`: one posting-list read, no scan."""
        tid = self.words.vocab_dict.get(token)
        if tid is None:
            return []
        indptr, indices = self.words.scores["indptr"], self.words.scores["indices"]
        return [self.chunk_ids[int(i)] for i in indices[int(indptr[tid]) : int(indptr[tid + 1])]]

    @cached_property
    def indexes_docnums(self) -> bool:
        """Whether 文号 keys (江政办|2023|16) are word tokens: true of indexes built since they are."""
        return any("|" in token for token in self.words.vocab_dict)

    def save(self, directory: Path) -> None:
        """Write to a temporary sibling, then rename: a reader never sees half an index."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory.parent))
        try:
            self.words.save(str(tmp / "words"), show_progress=False)
            self.bigrams.save(str(tmp / "bigrams"), show_progress=False)
            meta = {"chunk_ids": self.chunk_ids, "terms": self.tokenizer.terms}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        except BaseException:  # a full disk: the half-written copy must not keep the space
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(tmp, directory)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        return cls(
            chunk_ids=meta["chunk_ids"],
            words=bm25s.BM25.load(str(directory / "words"), mmap=True, show_progress=False),
            bigrams=bm25s.BM25.load(str(directory / "bigrams"), mmap=True, show_progress=False),
            tokenizer=WordTokenizer(meta["terms"]),
        )
