"""Scoring one answer: its facts (anywhere, and in the lead line alone), the figures its lead
states, and whether each citation is the source text and backs the claim it closes.

The lead line is what a busy reader takes away (issue 12): the answer text up to its first
newline, with the [n] markers left out.
"""

from __future__ import annotations

import dataclasses
import re

from kb.answer.citations import MARKER
from kb.text.docnum import display_from_key, find_docnums
from kb.text.figures import BARE, Figure, find_figures
from kb.text.normalize import nfkc, squash
from kb.text.sentences import END_MARKS, SEMICOLONS, sentence_ends


def answer_view(answer: object) -> dict:
    """The fields scoring needs from an `Answer` (dataclass, object or dict), as a plain dict."""
    def get(name: str, default=None):
        return answer.get(name, default) if isinstance(answer, dict) else getattr(answer, name, default)

    text = get("answer")
    if not isinstance(text, str):
        text = get("text", "") or ""
    citations = []
    for c in get("citations", None) or []:
        if not isinstance(c, dict):
            c = dataclasses.asdict(c) if dataclasses.is_dataclass(c) else dict(vars(c))
        citations.append(c)
    return {
        "text": text,
        "citations": citations,
        "refused": bool(get("refused", False)),
        "backend": str(get("backend", "") or ""),
    }


def facts_present(text: str, facts: list[str]) -> list[str]:
    """The facts missing from `text`, comparing with all whitespace removed."""
    squashed = squash(text)
    return [f for f in facts if squash(f) not in squashed]


def lead_line(text: str) -> str:
    """The answer up to its first newline, without [n] markers: what a reader who stops there knows."""
    return MARKER.sub("", text.split("\n", 1)[0])


def stated_figures(text: str) -> list[Figure]:
    """The figures `text` states as a claim would (第N条 included), years left out: 2023年 dates a
    fact, it does not answer "how many"."""
    return [f for f in find_figures(MARKER.sub("", text)) if not f.is_year]


def wrong_figure_lead(lead: str, facts: list[str]) -> bool:
    """The lead states a figure while it misses an expected fact, and the facts hold a figure:
    the reader leaves with a number that is not the one asked for (worse than a refusal)."""
    return bool(facts_present(lead, facts)) and any(stated_figures(f) for f in facts) and bool(stated_figures(lead))


def claim_before(text: str, marker_start: int) -> str:
    """The claim a citation marker closes: back to the previous sentence end or marker.

    Adjacent markers ([1][2]) close the same claim; a marker placed after the full stop
    closes the sentence before it.
    """
    head = text[:marker_start]
    while True:  # step back over markers that directly precede this one
        m = re.search(rf"{MARKER.pattern}\s*$", head)
        if not m:
            break
        head = head[: m.start()]
    head = head.rstrip(END_MARKS + SEMICOLONS + "\n \t")
    ends = sentence_ends(head, semicolon=True, closers=False, run=False)
    bounds = [e for _, e in ends] + [m.end() for m in MARKER.finditer(head)]
    return head[max(bounds, default=0) :]


def claim_facts(claim: str) -> tuple[set[str], list[str]]:
    """(文号 keys, figures) a claim states; figures inside a 文号 count as part of the number."""
    keys = set()
    blanked = claim
    for m in find_docnums(claim):
        keys.add(m.key)
        blanked = blanked[: m.start] + " " * (m.end - m.start) + blanked[m.end :]
    numerals = find_figures(nfkc(blanked), BARE)
    figures = [n.raw for n in numerals if not n.chinese]
    for f in (n.raw for n in numerals if n.chinese):
        f = f[1:] if f.startswith("一十") else f  # 统一十五日: the 一 belongs to the word before
        if any(ch in "十百千万" for ch in f):
            figures.append(f)
    return keys, figures


def unsupported(claim: str, quotes: list[str]) -> list[str]:
    """The 文号 and figures of `claim` that none of `quotes` contains."""
    keys, figures = claim_facts(claim)
    quote_keys = {m.key for q in quotes for m in find_docnums(q)}
    joined = nfkc(squash("\x1f".join(quotes)))
    missing = [display_from_key(k) for k in sorted(keys - quote_keys)]
    missing += [f for f in figures if f not in joined]
    return missing


def check_citations(view: dict, texts: dict[str, str]) -> list[dict]:
    """Per citation: does the quote equal the source text at its offsets, and does it back its claim."""
    text = view["text"]
    groups: dict[int, list[int]] = {}  # citation n -> starts of the markers citing it
    for m in MARKER.finditer(text):
        groups.setdefault(int(m.group(1)), []).append(m.start())
    by_n = {int(c.get("n", i + 1)): c for i, c in enumerate(view["citations"])}
    out = []
    for n, c in by_n.items():
        source = texts.get(str(c.get("doc_id") or c.get("source") or ""))
        start, end = c.get("start"), c.get("end")
        quote = str(c.get("quote") or "")
        quote_ok = (
            source is not None
            and isinstance(start, int)
            and isinstance(end, int)
            and bool(quote)
            and source[start:end] == quote
        )
        missing: list[str] = []
        for pos in groups.get(n, []):
            claim = claim_before(text, pos)
            cited = [str(by_n[g].get("quote") or "") for g in _adjacent(text, pos) if g in by_n]
            missing += [f for f in unsupported(claim, cited) if f not in missing]
        out.append({"n": n, "quote_ok": quote_ok, "supported": not missing, "missing": missing})
    return out


def _adjacent(text: str, pos: int) -> list[int]:
    """Numbers of the run of markers that contains the marker at `pos` ([1][2] -> [1, 2])."""
    runs = re.finditer(rf"(?:{MARKER.pattern}\s*)+", text)
    for run in runs:
        if run.start() <= pos < run.end():
            return [int(n) for n in MARKER.findall(run.group(0))]
    return []
