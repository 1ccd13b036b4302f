"""“What did the district do about X” and “why X”: answers from a report's sections.

A work report is organised by headings (一、/（一）/1.) that name what was done; the
answerer's single best sentence answers “营商环境方面做了哪些工作” with one generic line,
or with a law article. Here the section whose heading says what the question is about is
found, and its items are listed, each with its own citation: the sub-headings of a section
that has them, else the enumerated points of its text (一是…/二是…, 交通运输领域方面…),
else its sentences. A plan question (打算/计划/明年) is answered from the plan's sections,
a question about what was done from the others.

“为什么…” is answered with the stated purpose or cause (为了/旨在/针对…), from the
answering sentence or the section it stands in.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kb.answer.citations import CitationBook, cite
from kb.answer.extractive import Extract, term_weight
from kb.answer.questions import LIST, Analysis
from kb.index import Generation
from kb.schema import Chunk, Hit
from kb.search.pack_fusion import from_pack
from kb.text.asks import plain_ask
from kb.text.figures import COMPARISON, find_figures
from kb.text.normalize import squash
from kb.text.numerals import expand_short_years
from kb.text.sentences import clause_spans, sentence_spans

# A question asking what was done (or planned) about something, not for one fact or rule.
_ACTIVITY = re.compile(
    r"(?:做|搞|干|抓|采取|开展|推进|打算|计划|准备)了?(?:哪些|哪几|什么|啥)"
    r"|(?:哪些|什么)(?:工作|措施|举措|做法|事|不足|短板|问题|成效|亮点)"
    # 怎么推的/是怎么推进的 as 如何推进 (fresh_d, e, h asked 便捷办 so)
    r"|(?:怎么|怎样|如何)(?:搞|做|干|抓|推进|推动|推|开展|落实)"
    # …or any act asked of the past (信访积案怎么化解的: sets F, I), not a rule (怎么申请,
    # 第X条是怎么规定的)
    r"|(?:怎么|怎样|如何)(?!规定|说|讲|写|认定|理解|定义|算)[\u4e00-\u9fff]{1,4}的[？?]?$"
)
_PLAN_ASK = re.compile(r"打算|计划|准备|下一步|明年|今后")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
_PLAN_HEADING = re.compile(r"计划|打算|下一步|思路")
_REPORT_LABEL = re.compile(r"^[一二三四五六七八九十]+、")  # a report's top heading numbering
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]是|[^，。]{2,12}方面[，,])")
_HEADING_SENTENCE = re.compile(r"^\s*\d+[.．、]\s*")
# A heading covering this share of the question's weighted words names what it asks about:
# on fresh_a/heldout the sections asked about (便捷办, 重点领域执法, 不足) cover 0.6 or more,
# the nearest unrelated ones (law articles are never candidates) under 0.4.
MIN_HEADING_COVERAGE = 0.55
MAX_ITEMS = 5
ITEM_CHARS = 60  # an item longer than this is shown by its first clauses…
LEAD_CHARS = 300  # …unless there are few items: the items of a lead share this many characters

_WHY_ASK = re.compile(r"为什么|为啥|为何|什么目的|目的是|原因|干嘛|干什么用")
_PURPOSE = re.compile(r"为了|旨在|目的|针对|以便|为[^，。]{2,20}(?:提供|营造|保障|服务)|进一步规范|从而|确保")


def is_activity(question: str) -> bool:
    return bool(_ACTIVITY.search(plain_ask(question)))


def is_why(question: str) -> bool:
    return bool(_WHY_ASK.search(question))


def _sections(gen: Generation) -> dict[tuple[str, ...], list[Chunk]]:
    """Each heading path of the report-like documents (numbered 一、…) with the chunks under
    it, at every level (（一） holds its 1. 2. 3.), kept on the generation. A corpus pack's
    documents are laws and regulations, never the district's report, even when numbered
    一、二、 (地方口岸管理机构职责范围暂行规定's 五、督促检查口岸检查检验单位 answered
    “23年搞了哪几项专项监督检查” with the law library loaded, set L l86)."""

    def build() -> dict[tuple[str, ...], list[Chunk]]:
        out: dict[tuple[str, ...], list[Chunk]] = defaultdict(list)
        for c in sorted(gen.chunks.values(), key=lambda c: (c.doc_id, c.start)):
            if c.kind != "body" or not c.section_path or not _REPORT_LABEL.match(c.label or ""):
                continue
            if from_pack(c.doc_id):
                continue
            path = tuple(c.section_path)
            for i in range(1, len(path) + 1):
                out[path[:i]].append(c)
        return dict(out)

    return gen.cached("sections.paths", build)


# Words that say a question asks what was done, not what about: a heading never needs them.
_ACTIVITY_WORDS = frozenset(
    "方面 这块 具体 主要 工作 措施 举措 做法 事 事情 情况 报告 区里 里面 打算 计划 准备 做 搞 干 抓 采取 开展".split()
)


def _coverage(gen: Generation, analysis: Analysis, text: str) -> float:
    """The share of the question's weighted words (two characters or more, activity words
    aside) that `text` holds."""
    soft = [t for t in analysis.soft if len(t.text) >= 2 and t.text not in _ACTIVITY_WORDS]
    if not soft:
        return 0.0
    s = squash(text)
    weights = {t.text: term_weight(gen, t) for t in soft}
    total = sum(weights.values())
    return sum(w for t in soft if any(f in s for f in t.forms) for w in [weights[t.text]]) / total


def _asks_plan(gen: Generation, question: str) -> bool:
    """Planned work: 打算/下一步…, or the year after the one the report covers (24年 in a
    2023 report; the year comes from the corpus profile, else from the report's date)."""
    if _PLAN_ASK.search(question):
        return True
    covered = gen.profile.report_year or (gen.reference_year - 1 if gen.reference_year else None)
    if covered is None:
        return False
    years = {int(y) for y in _YEAR.findall(expand_short_years(question))}  # 24年 reads as 2024年
    return covered + 1 in years


def section_answer(gen: Generation, analysis: Analysis) -> Extract | None:
    """The items of the report section the question is about, each cited; None when the
    question does not ask what was done, or no heading names what it asks about."""
    if not is_activity(analysis.question):
        return None
    plan = _asks_plan(gen, analysis.question)
    best: tuple[float, int, tuple[str, ...]] | None = None
    for path in _sections(gen):
        if bool(_PLAN_HEADING.search("".join(path))) != plan:
            continue
        cov = _coverage(gen, analysis, path[-1])
        key = (cov, len(path), path)  # the narrowest section among equals
        if best is None or key > best:
            best = key
    if best is None or best[0] < MIN_HEADING_COVERAGE:
        return None
    path = best[2]
    chunks = _sections(gen)[path]
    book = CitationBook()
    items = _items(gen, path, chunks)
    if not items:
        return None
    parts = [f"{text}[{book.add(cite(chunk, s, e))}]" for chunk, s, e, text in items[:MAX_ITEMS]]
    heading = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）.．、]\s*", "", path[-1]).strip()
    heading = re.split(r"[，,；;]", heading)[0]
    # a heading with a figure (2024年…) would state a figure no cited quote holds
    where = "报告相关部分" if find_figures(heading) else f"报告“{heading}”部分"
    lead = f"{where}列出：" + "；".join(parts) + "。"
    used = list({c.chunk_id: c for c, *_ in items[:MAX_ITEMS]}.values())
    return Extract(text=lead, citations=book.items, hits=[Hit(chunk=c, score=1.0) for c in used])


def _items(gen: Generation, path: tuple[str, ...], chunks: list[Chunk]) -> list[tuple[Chunk, int, int, str]]:
    """(chunk, start, end, shown text) of each item: sub-headings when the section has
    them, else enumerated points, else sentences."""
    subs: dict[str, Chunk] = {}
    for c in chunks:
        if len(c.section_path) > len(path):
            subs.setdefault(c.section_path[len(path)], c)
    if len(subs) >= 2:
        out = []
        for title, c in subs.items():
            spans = sentence_spans(c.text)
            s, e = spans[0] if spans else (0, len(c.text))
            shown = _HEADING_SENTENCE.sub("", title).strip().rstrip("。")
            out.append((c, s, e, shown))
        return out

    def body(semicolon: bool) -> list[tuple[Chunk, int, int]]:
        spans = [(c, s, e) for c in chunks for s, e in sentence_spans(c.text, semicolon=semicolon)]
        return [(c, s, e) for c, s, e in spans if not _is_heading(c.text[s:e], path)]

    sentences = body(False)
    if len(sentences) < 2:  # one long sentence: its points are split by ；
        sentences = body(True)
    enumerated = [(c, s, e) for c, s, e in sentences if _ENUMERATED.match(c.text[s:e].strip())]
    chosen = enumerated if len(enumerated) >= 2 else sentences
    limit = max(ITEM_CHARS, LEAD_CHARS // max(1, min(len(chosen), MAX_ITEMS)))
    return [(c, s, e, _short(c.text, s, e, limit)) for c, s, e in chosen]


def _is_heading(sentence: str, path: tuple[str, ...]) -> bool:
    s = squash(_HEADING_SENTENCE.sub("", sentence)).rstrip("。")
    return bool(s) and squash(_HEADING_SENTENCE.sub("", path[-1])).startswith(s)


def _short(text: str, s: int, e: int, limit: int = ITEM_CHARS) -> str:
    """An item as shown: the sentence, or its first clauses up to `limit` characters."""
    sentence = text[s:e].strip().rstrip("。；;")
    if len(sentence) <= limit:
        return sentence
    out = ""
    for a, b in clause_spans(text, s, e):
        clause = text[a:b].strip()
        if out and len(out) + len(clause) > limit:
            break
        out = f"{out}，{clause}" if out else clause
    return out


# "How was X done" answered inside a section: the sentence naming X and at most this many
# sentences after it that carry the same item. A year-on-year comparison (与2022年同期的…
# 相比) is a point of its own, not more of how the item was done.
MAX_ITEM_SENTENCES = 4


def item_answer(gen: Generation, analysis: Analysis, ex: Extract) -> Extract | None:
    """“X是怎么做的” when no heading names X but a sentence of the report does: that sentence
    whole, with the sentences after it up to the next item (一是…, …方面，) or the end of
    its paragraph, cited as one span; None for anything else. The best sentence alone, cut
    to the clause naming X (推进乡镇综合行政执法规范化建设), restated the question, and a
    field's item stated in two sentences lost its second (食品安全领域方面…。开展“非接触式
    执法”。): sets D and G."""
    if ex.refused or ex.best is None or analysis.qtype == LIST or not is_activity(analysis.question):
        return None  # a list question (搞了哪些…) has its items gathered by the answerer
    chunk = ex.best.chunk
    if chunk.kind != "body" or not _REPORT_LABEL.match(chunk.label or ""):
        return None
    # the paragraph may run on in the next chunk of the same section
    section = _sections(gen).get(tuple(chunk.section_path), [])
    following = [c for c in section if c.doc_id == chunk.doc_id and c.start >= chunk.end]
    sentences = [(chunk, s, e) for s, e in sentence_spans(chunk.text) if e > ex.best.start]
    at = chunk.end
    for c in following:
        if c.start != at:
            break
        sentences += [(c, s, e) for s, e in sentence_spans(c.text)]
        at = c.end
    if not sentences:
        return None
    taken = sentences[:1]
    size = taken[0][2] - taken[0][1]
    for c, s, e in sentences[1:MAX_ITEM_SENTENCES]:
        sentence = c.text[s:e].strip()
        if _ENUMERATED.match(sentence) or COMPARISON.match(sentence) or size + e - s > LEAD_CHARS:
            break
        taken.append((c, s, e))
        size += e - s
    book = CitationBook()
    parts = []
    for c in dict.fromkeys(c for c, _, _ in taken):  # one citation a chunk, in order
        spans = [(s, e) for cc, s, e in taken if cc is c]
        s, e = spans[0][0], spans[-1][1]
        n = book.add(cite(c, s, e))
        text = _HEADING_SENTENCE.sub("", c.text[s:e].strip()).rstrip("；;，,")
        parts.append(f"{text if text.endswith(('。', '！', '？', '）')) else text + '。'}[{n}]")
    return Extract(text="".join(parts), citations=book.items, hits=ex.hits, best=ex.best, confidence=ex.confidence)


def why_answer(gen: Generation, analysis: Analysis, ex: Extract) -> Extract | None:
    """“为什么…”: the sentence stating the purpose or the cause, from the answering sentence
    or its section; None when neither states one."""
    if ex.refused or ex.best is None or not is_why(analysis.question):
        return None
    chunk = ex.best.chunk
    own = chunk.text[ex.best.start : ex.best.end]
    if _PURPOSE.search(own):
        cands = [(chunk, ex.best.start, ex.best.end)]
    else:
        same = [
            c
            for c in gen.chunks.values()
            if c.doc_id == chunk.doc_id and c.section_path == chunk.section_path
        ]
        cands = [
            (c, s, e)
            for c in sorted(same, key=lambda c: c.start)
            for s, e in sentence_spans(c.text)
            if _PURPOSE.search(c.text[s:e])
        ]
    if not cands:
        return None
    c, s, e = max(cands, key=lambda x: _coverage(gen, analysis, x[0].text[x[1] : x[2]]))
    book = CitationBook()
    n = book.add(cite(c, s, e))
    text = c.text[s:e].strip()
    text = _HEADING_SENTENCE.sub("", text)
    return Extract(text=f"{text}[{n}]", citations=book.items, hits=ex.hits, best=ex.best)


__all__ = ["is_activity", "is_why", "item_answer", "section_answer", "why_answer"]
