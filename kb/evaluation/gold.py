"""Gold question sets: what one line says, and which chunk counts as the place it points to.

A gold line is `{question, answer_facts, source_contains | null, doc, ...}`; a follow-up
carries `history` (the earlier user turns), a two-part question a second passage in
`source_contains_2`/`label_2` (its facts are already in `answer_facts`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.corpus import load_corpus
from kb.config import PROJECT_ROOT
from kb.schema import Chunk
from kb.text.normalize import squash

DEFAULT_GOLD = PROJECT_ROOT / "tests" / "data" / "gold.jsonl"


@dataclass
class GoldItem:
    id: str
    question: str
    answer_facts: list[str]
    source_contains: str | None
    doc: str | None
    type: str = ""
    label: str | None = None
    history: list[str] = field(default_factory=list)  # earlier user questions of a follow-up
    source_contains_2: str | None = None  # the second part's passage of a two-part question
    label_2: str | None = None

    @property
    def answerable(self) -> bool:
        return self.source_contains is not None

    @property
    def passages(self) -> list[str]:
        """Every passage that answers (a part of) the question; a hit on any one counts."""
        return [p for p in (self.source_contains, self.source_contains_2) if p]

    def conversation(self) -> list[dict] | None:
        """The earlier turns as the answerer takes them, or None for a standalone question."""
        return [{"role": "user", "content": h} for h in self.history] or None


def load_gold(path: Path = DEFAULT_GOLD) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            item = GoldItem(**{k: raw.get(k) for k in GoldItem.__dataclass_fields__ if k in raw})
            item.history = list(item.history or [])
            items.append(item)
    return items


def source_texts(corpus_dir: Path, packs: Sequence[str] = ()) -> dict[str, str]:
    """doc_id -> the decoded text a citation's offsets point into (via ingest.corpus), for the
    corpus and the packs the index holds."""
    docs, _ = load_corpus(corpus_dir, tuple(packs))
    return {d.doc_id: d.text for d in docs}


def is_relevant(chunk: Chunk, item: GoldItem, doc_texts: dict[str, str]) -> bool:
    """The chunk overlaps an occurrence of a gold passage (either part's) in the gold document."""
    if not item.passages or (item.doc and chunk.doc_id != item.doc):
        return False
    text = doc_texts.get(chunk.doc_id, "")
    for passage in item.passages:
        if squash(passage) in squash(chunk.text):
            return True
        for m in re.finditer(re.escape(passage), text):
            if m.start() < chunk.end and chunk.start < m.end():
                return True
    return False
