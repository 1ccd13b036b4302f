"""Questions that ask two things at once: “X是多少？Y用了几天？”, “个人罚多少、单位罚多少”.

One sentence rarely answers both asks, and the answerer picks one sentence: the other ask
was lost. The question is cut where one ask ends and the next begins (？ ； ， 、 or a
space between two asks); a lead without an ask of its own (“当场处罚的话”) is the topic
of every part. Each part is answered on its own, inside the same request (one generation,
each query embedded once), a later part reading the earlier ones as its context (“简易程序
又是多少天”); the answers are joined on one lead line, each with its own citation, and a
part the corpus does not answer is named as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import jieba.posseg as pseg

from kb.answer.citations import MARKER, Citation, CitationBook, cite
from kb.answer.extractive import Extract, direct_span, extractive_answer, score_candidates
from kb.answer.followup import content_words
from kb.answer.questions import Analysis, stands_in
from kb.answer.spelling import heard_otherwise, respell
from kb.schema import Hit
from kb.search.request import Request
from kb.search.retrieval import expect_queries
from kb.text.figures import find_figures
from kb.text.normalize import squash

# An ask: what makes a stretch of a question a question of its own. 那几件/这几个 point at
# something already named and ask nothing.
_ASK = re.compile(
    r"多少|(?<![那这])几(?!乎)|哪|什么|啥|怎么|怎样|如何|吗|是否|能否|能不能|可不可以|要不要|谁|为什么|为啥|多久|多长|多大|多高|呢$"
)
# Where one ask may end: a question mark, a semicolon, a comma, an enumeration comma, a space.
_CUT = re.compile(r"[？?；;，,、]+|\s+")
MAX_PARTS = 3  # more asks than this in one question is a list, not parts
# One ask over two things: “判决和裁定各是几天”, “A数和B数分别多少” (fresh_d d103, fresh_e
# e77/e81). 各/分别 distributes the ask over the pair joined by 和/与/跟/及 before it.
_EACH = re.compile(r"各(?![类项级地种界部门位样方族国省市县乡镇村单])|分别")
_PAIR = re.compile(r"(?P<a>[^\s，,、；;？?和与跟及]{1,16})(?:和|与|跟|以及|及)(?P<b>[^\s，,、；;？?和与跟及]{1,16}?)(?=[\s，,]|各|分别)")
NOT_FOUND = "知识库中未找到关于“{part}”的内容"

# A question (with the turns before it) -> its analysis and retrieval query, before the typo
# reading (kb.answer.spelling.respell), which searches.
Prepare = Callable[[str, list[dict] | None], tuple[Analysis, str]]


def split_parts(question: str) -> list[str]:
    """The asks of a question, each readable on its own ([question] when it asks one thing).
    A stretch without an ask joins its neighbour: at the start it is the topic of every part
    (当场处罚的话 个人罚多少，单位罚多少), elsewhere it belongs to the ask before it."""
    q = question.strip()
    each = _distributed(q)
    if each:
        return each
    pieces = [p.strip() for p in _CUT.split(q) if p and p.strip()]
    if len(pieces) < 2:
        return [q]
    topic: list[str] = []
    parts: list[str] = []
    for piece in pieces:
        if _ASK.search(piece):
            parts.append(piece)
        elif parts:
            parts[-1] += "，" + piece
        else:
            topic.append(piece)
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return [q]
    lead = "".join(topic)
    return [lead + p for p in parts] if lead else parts


def _distributed(question: str) -> list[str]:
    """“X和Y各几天” as two asks, “X几天” and “Y几天”, each with the rest of the question ([]
    when no ask is distributed over a pair)."""
    each = _EACH.search(question)
    if not each or len(_ASK.findall(question[each.end() :])) != 1 or _ASK.search(question[: each.start()]):
        return []
    pair = None
    for m in _PAIR.finditer(question):
        if m.end() <= each.start():
            pair = m
    if pair is None:
        return []
    before, after = question[: pair.start()], question[pair.end() :]
    after = after[: each.start() - pair.end()] + after[each.end() - pair.end() :]
    a, b = pair.group("a"), pair.group("b")
    words = pseg.lcut(b)
    if len(b) > len(a) and len(words) > 1 and words[1].flag in ("v", "d"):
        # b, longer than a, is one word and the predicate both share (一审判决和裁定不服上诉期限分别多久: set H
        # asked 判决 alone, 多久, and got 六个月 of 作出第一审判决)
        b, after = words[0].word, b[len(words[0].word) :] + after
    return [before + word + after for word in (a, b)]


def prepared_parts(question: str, history: list[dict] | None, prepare: Prepare) -> list[tuple[str, Analysis, str]]:
    """Each ask of the question with its analysis and retrieval query, a later part read with
    the earlier ones as its context; [] when it asks one thing or a part is too short to
    stand as a question (the whole question is then answered as one)."""
    parts = split_parts(question)
    if len(parts) < 2:
        return []
    out = []
    turns = list(history or [])
    for part in parts:
        try:
            analysis, query = prepare(part, turns)
        except ValueError:
            return []
        out.append((part, analysis, query))
        turns = [*turns, {"role": "user", "content": part}]
    return out


def answer_parts(req: Request, question: str, history: list[dict] | None, prepare: Prepare) -> Extract | None:
    """The joined answer of a multi-part question; None when it asks one thing, or when no
    part is answered (the whole question is then answered, or refused, as one).

    Every part's query is searched, so all are embedded in one encoder call, and the
    queries the typo reading changed in one more: the 93 multi-part questions of gold,
    library, library2 and fresh_k-m made 136 encoder calls instead of 259 on the law
    library (a call costs about 14 ms CPU whatever it holds, kb.index.embeddings)."""
    parts = prepared_parts(question, history, prepare)
    if not parts:
        return None
    expect_queries(req, [query for _, _, query in parts])
    parts = [(part, *respell(req, analysis, query)) for part, analysis, query in parts]
    expect_queries(req, [query for _, _, query in parts])
    answers: list[tuple[str, Extract]] = []
    for part, analysis, query in parts:
        ex = extractive_answer(req, analysis, query)
        if ex.refused and not ex.decisive:  # 公正事项办了多少件 as the whole question reads it
            analysis, query, ex = heard_otherwise(req, analysis, query, ex, partial(extractive_answer, req))
        earlier = [e for p, e in answers if not _switches(analysis, p)]
        answers.append((part, _earlier_sentence(req, analysis, ex, earlier) or ex))
    if all(ex.refused for _, ex in answers):
        return None
    return join(answers)


def _earlier_sentence(
    req: Request, analysis: Analysis, ex: Extract, earlier: list[Extract]
) -> Extract | None:
    """The answer to a part from a sentence an earlier part was answered with, when that
    sentence answers this part as well as this part's own best does (“个人罚多少以内，单位罚
    多少以内”: one article states both limits; 单位 alone finds a weaker one)."""
    for prev in earlier:
        if prev.refused or prev.best is None:
            continue
        chunk, start = prev.best.chunk, prev.best.start
        cands = score_candidates(req.gen, analysis, [Hit(chunk=chunk, score=1.0)], set())
        cand = next((c for c in cands if c.start == start), None)
        if cand is None or not cand.type_ok:
            continue
        if not ex.refused and ex.best is not None and cand.coverage < ex.best.coverage:
            continue
        citation = cite(chunk, cand.start, cand.end, n=1)
        direct = direct_span(chunk.text, cand.start, cand.end, analysis)
        return Extract(text=f"{direct}[1]", citations=[citation], hits=prev.hits, best=cand)
    return None


def _switches(analysis: Analysis, earlier_part: str) -> bool:
    """The part says, in a word of its own, another one of a thing the earlier part named
    (二审 after 一审判决期限多久): the earlier part's sentence is about the other one, however
    well its words cover this part's (sets Q and S answered 二审多久 with 第一审's 十五日)."""
    words = content_words(earlier_part)
    return any(stands_in(w, t.text) for t in analysis.soft if not t.inherited for w in words)


def join(answers: list[tuple[str, Extract]]) -> Extract:
    """One answer from the parts' answers: their lead lines on one line, in the order asked,
    renumbered into one list of citations; a part answered by the same words as an earlier
    one is stated once."""
    book = CitationBook()
    leads: list[str] = []
    rest: list[str] = []
    hits: list[Hit] = []
    best = None
    keys: list[str] = []  # each lead's words, to spot one reading of a sentence inside another
    spans: list[tuple[str, int, int] | None] = []  # the one span each lead cites
    for part, ex in answers:
        hits.extend(ex.hits)
        if ex.refused:
            leads.append(NOT_FOUND.format(part=part.rstrip("？?。 ")) + "。")
            keys.append("")
            spans.append(None)
            continue
        by_n = {c.n: c for c in ex.citations}

        def repl(m: re.Match, by_n: dict = by_n) -> str:
            c = by_n.get(int(m.group(1)))
            return f"[{book.add(_copy(c))}]" if c is not None else ""

        first, _, more = ex.text.partition("\n")
        key = _plain(first)
        span = _one_span(ex)
        same = next((i for i, k in enumerate(keys) if k and (key in k or k in key)), None)
        if same is not None:
            kept, dropped = (leads[same], first) if key in keys[same] else (first, leads[same])
            if not _figures(dropped) <= _figures(kept):
                same = None  # one reading's aside holds its own answer (…88件（其中：经复议后诉讼21件…）)
        sentence = next((i for i, sp in enumerate(spans) if span is not None and sp == span), None)
        if same is not None:  # clauses of one sentence: the longer reading states both
            if key in keys[same]:
                continue
            leads[same], keys[same] = MARKER.sub(repl, first), key
        elif sentence is not None and len(leads[sentence].split("[")) == 2:
            # two clauses of one sentence (…8件。[1] 涉及…2家。[1]): one lead, in the sentence's order
            quote = ex.citations[0].quote
            texts = sorted(
                (leads[sentence].split("[")[0], MARKER.sub("", first)),
                key=lambda t: quote.find(t.rstrip("。")),
            )
            marker = MARKER.sub(repl, first)[len(MARKER.sub("", first)) :]
            head = _shared_head(*texts)
            if head:  # …19205条，其中许可… and …19205条，其中处罚…: the sentence once, from there
                leads[sentence] = _tidy_quote(quote[max(0, quote.find(head)) :]) + marker
            else:
                leads[sentence] = "，".join(t.rstrip("。") for t in texts) + "。" + marker
            keys[sentence] = _plain(leads[sentence])
        else:
            leads.append(MARKER.sub(repl, first))
            keys.append(key)
            spans.append(span)
        best = best or ex.best
        if more.strip():
            rest.append(MARKER.sub(repl, more.strip()))
    text = "".join(leads)
    if rest:
        text += "\n\n" + "\n\n".join(rest)
    return Extract(text=text, citations=book.items, hits=_unique(hits), best=best)


def _shared_head(a: str, b: str) -> str:
    """The clause of one sentence both readings begin with ("" when they begin apart)."""
    head = re.split(r"[，,；;：:（(]", a, maxsplit=1)[0]
    return head if len(head) >= 4 and b.startswith(head) else ""


def _tidy_quote(quote: str) -> str:
    """A cited sentence as a lead: no list number before it, one closing stop."""
    text = re.sub(r"^\s*(?:\d+[.．、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])\s*", "", quote.strip())
    return text if text.endswith(("。", "！", "？", "）", ")")) else text + "。"


def _one_span(ex: Extract) -> tuple[str, int, int] | None:
    """The span an answer cites, when it cites one."""
    if len(ex.citations) != 1:
        return None
    c = ex.citations[0]
    return (c.doc_id, c.start, c.end)


def _figures(lead: str) -> set[str]:
    """The figures a lead states, asides included: what a reading of it may not drop."""
    return {squash(f.raw) for f in find_figures(MARKER.sub("", lead)) if not f.is_year}


def _plain(lead: str) -> str:
    """A lead's words: no markers, no bracketed asides, no closing stop."""
    return squash(re.sub(r"（[^（）]*）|\([^()]*\)", "", MARKER.sub("", lead))).rstrip("。")


def _copy(citation: Citation) -> Citation:
    """The book renumbers what it holds: a copy, not the part's own citation."""
    return replace(citation)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.chunk.chunk_id not in seen:
            seen.add(h.chunk.chunk_id)
            out.append(h)
    return out


__all__ = ["answer_parts", "join", "prepared_parts", "split_parts"]
