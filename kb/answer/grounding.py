"""The check every generated answer must pass before anyone sees it.

A language model can cite [2] for a figure that [2] never states. So each sentence of a
generated answer is checked against the passages it cites: every [n] must exist, every
sentence that says something must cite, and every figure, date and 文号 in it must occur
in a passage it cites (六十日 and 60日 are the same figure; 江政办(2023)16号 and
江政办〔2023〕16号 the same number). The check is per sentence, so a streamed answer can be
shown sentence by sentence as each one passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.answer.citations import MARKER
from kb.text.docnum import find_docnums
from kb.text.figures import figure_values, find_figures
from kb.text.sentences import sentence_ends, sentence_spans

REFUSAL_PREFIX = "知识库中未找到"  # how every answerer starts a refusal, and how this check knows one


@dataclass
class Grounding:
    ok: bool
    problems: list[str] = field(default_factory=list)


# A claim is a sentence of the answer with the [n] markers right after it; a quotation
# (原文：“…。…。”[1]) is one claim, and every end mark ends its own.
_CLAIM_RULE = dict(run=False, quotes=True, attach=MARKER)


def split_claims(text: str) -> list[str]:
    """The claims of an answer, each with the markers that cite it."""
    spans = sentence_spans(text, trim=False, **_CLAIM_RULE)
    return [text[s:e] for s, e in spans if text[s:e].strip()]


def sentence_complete(buffer: str) -> int:
    """Length of the leading part of a streamed buffer made of whole claims, or 0. A claim is
    final once something other than a marker follows it (more markers may still come)."""
    last = 0
    for _, end in sentence_ends(buffer, **_CLAIM_RULE):
        if end < len(buffer) and not buffer[end:].startswith("["):
            last = end
    return last


def _says_something(sentence: str) -> bool:
    """Headers (依据如下：) and blank lines need no citation; a claim does."""
    bare = MARKER.sub("", sentence).strip()
    content = re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", bare)
    if len(content) < 4:
        return False
    return not (bare.endswith(("：", ":")) and len(content) < 15)


def check_claim(sentence: str, passages: dict[int, str]) -> list[str]:
    """Problems of one sentence (empty when it is grounded)."""
    problems = []
    cited = [int(n) for n in MARKER.findall(sentence)]
    missing = [n for n in cited if n not in passages]
    if missing:
        problems.append(f"引用了不存在的资料[{missing[0]}]")
    bare = MARKER.sub("", sentence).strip()
    if bare.startswith(REFUSAL_PREFIX):
        return problems
    if not cited:
        if _says_something(sentence):
            problems.append(f"未标注出处：{bare[:30]}")
        return problems
    evidence = "\n".join(passages[n] for n in cited if n in passages)
    values = figure_values(evidence)
    for fig in find_figures(bare):
        if fig.value not in values:
            problems.append(f"数字“{fig.raw}”不见于所引资料")
    keys = {d.key for d in find_docnums(evidence)}
    for num in find_docnums(bare):
        if num.key not in keys:
            problems.append(f"文号“{num.raw}”不见于所引资料")
    return problems


def check_answer(text: str, passages: dict[int, str]) -> Grounding:
    """Every sentence grounded, and at least one citation unless the answer is a refusal."""
    problems: list[str] = []
    for claim in split_claims(text or ""):
        problems.extend(check_claim(claim, passages))
    bare = MARKER.sub("", text or "").strip()
    if not bare:
        problems.append("回答为空")
    elif not MARKER.search(text) and not bare.startswith(REFUSAL_PREFIX):
        problems.append("回答没有任何引用")
    return Grounding(ok=not problems, problems=problems)
