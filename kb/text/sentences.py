"""Sentences and clauses of Chinese text, as (start, end) offsets into the text given.

Every layer cuts text into sentences: chunking keeps a citation from cutting one, a
reference keeps the sentence around it, the answerer quotes one, a quiz blanks a figure in
one, the grounding check reads a generated answer claim by claim. They share this one
splitter. Where they legitimately differ (does ； end a unit? a line break? do closing
quotes stay with the sentence?) they pass an argument. text[start:end] of every span is
the source itself, so a quote cut here is always exact.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache

END_MARKS = "。！？!?"
SEMICOLONS = "；;"
CLOSERS = "”’」』）)"  # what may follow an end mark and still belong to its sentence
OPEN_QUOTES = "“「『"
CLOSE_QUOTES = "”」』"
CLAUSE_SEPARATORS = "，；：,;:"
_NEST_OPEN, _NEST_CLOSE = "（(《〈“‘「【〔", "）)》〉”’」】〕"
_CLAUSE_TAIL = "。！？!?；;，, \n\u3000"  # dropped from a trimmed clause's end

Span = tuple[int, int]


@cache
def _end_pattern(semicolon: bool, newline: bool, closers: bool, run: bool) -> re.Pattern[str]:
    marks = f"[{re.escape(END_MARKS + (SEMICOLONS if semicolon else ''))}]"
    tail = f"[{re.escape(CLOSERS)}]*" if closers else ""
    alternatives = [marks + ("+" if run else "") + tail]
    if newline:
        alternatives.append("\n" if run else "\n" + tail)
    return re.compile("|".join(alternatives))


def _attached(text: str, pos: int, end: int, attach: re.Pattern[str] | None) -> int:
    while attach is not None:
        m = attach.match(text, pos, end)
        if not m or m.end() == pos:
            break
        pos = m.end()
    return pos


def sentence_ends(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    semicolon: bool = False,
    newline: bool = True,
    closers: bool = True,
    run: bool = True,
    quotes: bool = False,
    attach: re.Pattern[str] | None = None,
) -> list[Span]:
    """Where the sentences of text[start:end] end: one span per end, from its first mark to
    the end of what belongs to it.

    semicolon: ；/; end a sentence (chunking and references: a clause list is long).
    newline: a line break ends a sentence (not in chunking, where a block is one paragraph).
    closers: closing quotes and brackets right after the marks stay with the sentence (。”).
    run: a run of marks (！？, 。。) ends one sentence, and a line break ends one by itself;
        False: every mark, a line break included, ends its own sentence.
    quotes: marks inside “…” end nothing until the quotation closes right after them
        (原文：“…。…。”[1] is one claim); a line break still ends one.
    attach: a pattern (citation markers [n]) whose matches right after an end belong to it.
    """
    if not isinstance(text, str):
        return []
    end = len(text) if end is None else max(0, min(end, len(text)))
    start = max(0, min(start, end))
    pattern = _end_pattern(semicolon, newline, closers, run)
    out: list[Span] = []
    if not quotes:
        pos = start
        while m := pattern.search(text, pos, end):
            pos = _attached(text, m.end(), end, attach)
            out.append((m.start(), pos))
        return out
    marks = END_MARKS + (SEMICOLONS if semicolon else "")
    i = start
    depth = 0
    while i < end:
        ch = text[i]
        if ch in OPEN_QUOTES:
            depth += 1
        elif ch in CLOSE_QUOTES:
            depth = max(0, depth - 1)
        j = -1
        if depth == 0 or ch == "\n":
            m = pattern.match(text, i, end)
            j = m.end() if m else -1
        if j < 0 and ch in marks:  # …。” closes the quotation and the sentence
            k = i + 1
            while k < end and text[k] in CLOSE_QUOTES and depth > 0:
                depth -= 1
                k += 1
            j = k if depth == 0 else -1
        if j >= 0:
            j = _attached(text, j, end, attach)
            out.append((i, j))
            i = j
            depth = 0
            continue
        i += 1
    return out


def sentence_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    semicolon: bool = False,
    newline: bool = True,
    closers: bool = True,
    run: bool = True,
    quotes: bool = False,
    attach: re.Pattern[str] | None = None,
    keep_end: bool = True,
    trim: bool = True,
) -> list[Span]:
    """The sentences of text[start:end] (the rules are `sentence_ends`'s arguments).

    keep_end: a sentence keeps its end marks (and closers, attached markers); False: it stops
        before them, and a sentence of marks alone is dropped.
    trim: surrounding whitespace dropped, blank sentences dropped. False: with keep_end the
        spans tile text[start:end] exactly, leading indentation and line breaks included.
    """
    if not isinstance(text, str):
        return []
    end = len(text) if end is None else max(0, min(end, len(text)))
    start = max(0, min(start, end))
    ends = sentence_ends(
        text,
        start,
        end,
        semicolon=semicolon,
        newline=newline,
        closers=closers,
        run=run,
        quotes=quotes,
        attach=attach,
    )
    spans = []
    pos = start
    for a, b in ends:
        spans.append((pos, b if keep_end else a))
        pos = b
    if pos < end:
        spans.append((pos, end))
    if trim:
        spans = [_trimmed(text, s, e) for s, e in spans]
    return [(s, e) for s, e in spans if e > s]


def _trimmed(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def clause_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    separators: str = CLAUSE_SEPARATORS,
    nested: bool = True,
    trim: bool = True,
) -> list[Span]:
    """The clauses of text[start:end], split at ，；：.

    nested: a separator inside brackets or quotes (（…，…）, “…，…”) splits nothing.
    trim: a clause loses its separator and the punctuation and space at its end, blank
        clauses are dropped. False: each clause keeps its separator and the spans tile the range.
    """
    if not isinstance(text, str):
        return []
    end = len(text) if end is None else max(0, min(end, len(text)))
    start = max(0, min(start, end))
    spans = []
    depth = 0
    s = start
    for i in range(start, end):
        ch = text[i]
        if nested and ch in _NEST_OPEN:
            depth += 1
        elif nested and ch in _NEST_CLOSE:
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            spans.append((s, i if trim else i + 1))
            s = i + 1
    if end > s:
        spans.append((s, end))
    if trim:
        spans = [(a, _clause_end(text, a, b)) for a, b in spans]
    return [(a, b) for a, b in spans if b > a]


def _clause_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1] in _CLAUSE_TAIL or text[end - 1].isspace()):
        end -= 1
    return end


def span_around(spans: Sequence[Span], start: int, end: int) -> Span:
    """From the start of the span holding offset `start` to the end of the span holding
    offset `end` (the last span's end when none does): the sentence, or clause, around a
    citation or a figure. `spans` tile the text in order (`trim=False`)."""
    if not spans:
        return start, end
    first = bisect_right(spans, start, key=lambda sp: sp[1])
    last = bisect_right(spans, end, key=lambda sp: sp[1])
    s = spans[first][0] if first < len(spans) else spans[-1][1]
    e = spans[last][1] if last < len(spans) else spans[-1][1]
    return s, e
