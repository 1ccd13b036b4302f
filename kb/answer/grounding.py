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

from kb.text.docnum import find_docnums
from kb.text.figures import figure_values, find_figures

_MARK = re.compile(r"\[(\d{1,3})\]")
_END = re.compile(r"[。！？!?\n][”’」』）)]*")
_OPEN_QUOTES = "“「『"
_CLOSE_QUOTES = "”」』"
REFUSAL_PREFIX = "知识库中未找到"


@dataclass
class Grounding:
    ok: bool
    problems: list[str] = field(default_factory=list)


def _claim_ends(text: str) -> list[int]:
    """Offsets where claims end: after a sentence end, its closing quotes and the [n] markers
    right after it. A quotation (原文：“…。…。”[1]) is one claim."""
    ends = []
    i = depth = 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        end = _END.match(text, i) if depth == 0 or ch == "\n" else None
        j = end.end() if end else -1
        if end is None and ch in "。！？!?":  # …。” closes the quotation and the sentence
            k = i + 1
            while k < len(text) and text[k] in _CLOSE_QUOTES and depth > 0:
                depth -= 1
                k += 1
            j = k if depth == 0 else -1
        if j >= 0:
            while True:
                m = _MARK.match(text, j)
                if not m:
                    break
                j = m.end()
            ends.append(j)
            i = j
            depth = 0
            continue
        i += 1
    return ends


def split_claims(text: str) -> list[str]:
    """The claims of an answer, each with the markers that cite it."""
    out = []
    pos = 0
    for end in [*_claim_ends(text), len(text)]:
        if text[pos:end].strip():
            out.append(text[pos:end])
        pos = end
    return out


def sentence_complete(buffer: str) -> int:
    """Length of the leading part of a streamed buffer made of whole claims, or 0. A claim is
    final once something other than a marker follows it (more markers may still come)."""
    last = 0
    for end in _claim_ends(buffer):
        if end < len(buffer) and not buffer[end:].startswith("["):
            last = end
    return last


def _says_something(sentence: str) -> bool:
    """Headers (依据如下：) and blank lines need no citation; a claim does."""
    bare = _MARK.sub("", sentence).strip()
    content = re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", bare)
    if len(content) < 4:
        return False
    return not (bare.endswith(("：", ":")) and len(content) < 15)


def check_claim(sentence: str, passages: dict[int, str]) -> list[str]:
    """Problems of one sentence (empty when it is grounded)."""
    problems = []
    cited = [int(n) for n in _MARK.findall(sentence)]
    missing = [n for n in cited if n not in passages]
    if missing:
        problems.append(f"引用了不存在的资料[{missing[0]}]")
    bare = _MARK.sub("", sentence).strip()
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
    bare = _MARK.sub("", text or "").strip()
    if not bare:
        problems.append("回答为空")
    elif not _MARK.search(text) and not bare.startswith(REFUSAL_PREFIX):
        problems.append("回答没有任何引用")
    return Grounding(ok=not problems, problems=problems)
