"""Measure retrieval and answers on a gold file, so "fast and right" are numbers anyone can reproduce.

A gold line is `{question, answer_facts, source_contains | null, doc, ...}`. A retrieved
chunk is relevant when it overlaps the place in `doc` where `source_contains` stands. An
answer is right when every answer fact appears in it; a citation is valid when its quote
is the source text at its offsets and contains the figures and 文号 of the sentence it closes.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.corpus import load_corpus
from kb.answer import answer_question
from kb.answer.citations import MARKER
from kb.config import PROJECT_ROOT
from kb.index import Index
from kb.schema import Chunk
from kb.search.retrieval import rankings, rrf, search
from kb.text.clean import InvalidQuestion
from kb.text.docnum import display_from_key, find_docnums
from kb.text.figures import BARE, find_figures
from kb.text.normalize import nfkc, squash
from kb.text.sentences import END_MARKS, SEMICOLONS, sentence_ends

DEFAULT_GOLD = PROJECT_ROOT / "tests" / "data" / "gold.jsonl"
MODES = ("hybrid", "dense", "bm25", "bm25_words", "bm25_bigrams")


@dataclass
class GoldItem:
    id: str
    question: str
    answer_facts: list[str]
    source_contains: str | None
    doc: str | None
    type: str = ""
    label: str | None = None

    @property
    def answerable(self) -> bool:
        return self.source_contains is not None


def load_gold(path: Path = DEFAULT_GOLD) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            items.append(GoldItem(**{k: raw.get(k) for k in GoldItem.__dataclass_fields__ if k in raw}))
    return items


def is_relevant(chunk: Chunk, item: GoldItem, doc_texts: dict[str, str]) -> bool:
    """The chunk overlaps an occurrence of the gold passage in the gold document."""
    if not item.source_contains or (item.doc and chunk.doc_id != item.doc):
        return False
    if squash(item.source_contains) in squash(chunk.text):
        return True
    text = doc_texts.get(chunk.doc_id, "")
    for m in re.finditer(re.escape(item.source_contains), text):
        if m.start() < chunk.end and chunk.start < m.end():
            return True
    return False


@dataclass
class RetrievalScores:
    mode: str
    n: int
    recall: dict[int, float] = field(default_factory=dict)  # k -> share with a relevant chunk in top k
    mrr10: float = 0.0
    misses: list[str] = field(default_factory=list)  # ids with nothing relevant in the top 10


def ranked_chunks(index: Index, question: str, mode: str, k: int = 10) -> list[Chunk]:
    if mode == "hybrid":
        return [h.chunk for h in search(index, question, k=k)]
    gen, ranked = rankings(index, question)
    names = {"bm25": ["bm25_words", "bm25_bigrams"]}.get(mode, [mode])
    return [h.chunk for h in rrf({n: ranked[n] for n in names}, gen.chunks)][:k]


def score_retrieval(
    index: Index,
    items: list[GoldItem],
    mode: str = "hybrid",
    ks: tuple[int, ...] = (1, 5, 10),
    retrieve: Callable[[str], list[Chunk]] | None = None,
) -> RetrievalScores:
    """Recall@k and MRR@10 over the answerable items."""
    doc_texts = source_texts(index.settings.corpus)
    answerable = [i for i in items if i.answerable]
    found_at: list[int | None] = []
    out = RetrievalScores(mode=mode, n=len(answerable))
    for item in answerable:
        chunks = retrieve(item.question) if retrieve else ranked_chunks(index, item.question, mode, max(ks))
        rank = next((r for r, c in enumerate(chunks, 1) if is_relevant(c, item, doc_texts)), None)
        found_at.append(rank)
        if rank is None or rank > 10:
            out.misses.append(item.id)
    n = max(len(answerable), 1)
    out.recall = {k: sum(1 for r in found_at if r and r <= k) / n for k in ks}
    out.mrr10 = sum(1 / r for r in found_at if r and r <= 10) / n
    return out


# ---------------------------------------------------------------------------
# End-to-end evaluation: retrieval, answers, citations, refusals, latency.
#
# A "system" is two plain functions, so the same scoring runs on ours and on a baseline:
#   retrieve(question) -> ranked chunks;  answer(question) -> {"text", "citations", "refused"}.

Retrieve = Callable[[str], list[Chunk]]
AnswerFn = Callable[[str], dict]
RECALL_KS = (1, 5, 10)


def source_texts(corpus_dir: Path) -> dict[str, str]:
    """doc_id -> the decoded text a citation's offsets point into (via ingest.corpus.load_document)."""
    docs, _ = load_corpus(corpus_dir)
    return {d.doc_id: d.text for d in docs}


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


def evaluate_item(
    item: GoldItem,
    retrieve: Retrieve,
    answer: AnswerFn | None,
    texts: dict[str, str],
    k: int = 5,
) -> dict:
    """One gold question through retrieval and answering; a plain record for `summarize`."""
    t0 = time.perf_counter()
    try:
        chunks = retrieve(item.question)
    except InvalidQuestion:
        chunks = []
    search_ms = (time.perf_counter() - t0) * 1000
    rank = None
    if item.answerable:
        rank = next((r for r, c in enumerate(chunks[:10], 1) if is_relevant(c, item, texts)), None)
    record: dict = {
        "id": item.id,
        "question": item.question,
        "type": item.type or ("unanswerable" if not item.answerable else "其他"),
        "answerable": item.answerable,
        "rank": rank,
        "search_ms": search_ms,
        "retrieved": [
            {"rank": r, "doc_title": c.doc_title, "label": c.label, "text": " ".join(c.text.split())[:80]}
            for r, c in enumerate(chunks[: max(k, 1)], 1)
        ],
    }
    if answer is None:
        return record
    t0 = time.perf_counter()
    try:
        view = answer_view(answer(item.question))
    except InvalidQuestion as err:
        view = {"text": str(err), "citations": [], "refused": True, "backend": ""}
    record["answer_ms"] = (time.perf_counter() - t0) * 1000
    record["answer"] = view["text"]
    record["refused"] = view["refused"]
    record["backend"] = view["backend"]
    record["missing_facts"] = (
        facts_present(view["text"], item.answer_facts) if item.answerable and not view["refused"] else []
    )
    record["facts_ok"] = item.answerable and not view["refused"] and not record["missing_facts"]
    record["citations"] = [] if view["refused"] else check_citations(view, texts)
    return record


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def metrics(records: list[dict], k: int = 5) -> dict:
    """Every metric over a list of item records; None where a metric has nothing to count."""
    answerable = [r for r in records if r["answerable"]]
    ranks = [r["rank"] for r in answerable]
    ks = sorted(set(RECALL_KS) | {k})
    out: dict = {"n": len(records), "answerable": len(answerable), "unanswerable": len(records) - len(answerable)}
    for kk in ks:
        out[f"recall@{kk}"] = _ratio(sum(1 for x in ranks if x and x <= kk), len(answerable))
    out["mrr@10"] = (sum(1 / x for x in ranks if x and x <= 10) / len(answerable)) if answerable else None
    answered = [r for r in records if "answer" in r]
    if answered:
        ans_ok = [r for r in answered if r["answerable"]]
        out["answer_accuracy"] = _ratio(sum(1 for r in ans_ok if r["facts_ok"]), len(ans_ok))
        cits = [c for r in answered for c in r["citations"]]
        out["citations"] = len(cits)
        out["citation_quote_ok"] = _ratio(sum(1 for c in cits if c["quote_ok"]), len(cits))
        out["citation_supported"] = _ratio(sum(1 for c in cits if c["supported"]), len(cits))
        out["citation_validity"] = _ratio(sum(1 for c in cits if c["quote_ok"] and c["supported"]), len(cits))
        tp = sum(1 for r in answered if r["refused"] and not r["answerable"])
        fp = sum(1 for r in answered if r["refused"] and r["answerable"])
        fn = sum(1 for r in answered if not r["refused"] and not r["answerable"])
        out["refusal_precision"] = _ratio(tp, tp + fp)
        out["refusal_recall"] = _ratio(tp, tp + fn)
        latencies = [r["answer_ms"] for r in answered]
        out["answer_ms_p50"] = percentile(latencies, 50)
        out["answer_ms_p95"] = percentile(latencies, 95)
    latencies = [r["search_ms"] for r in records]
    out["search_ms_p50"] = percentile(latencies, 50)
    out["search_ms_p95"] = percentile(latencies, 95)
    return out


def problems(record: dict) -> list[str]:
    """Why a record counts as a failure, in words a reader of `kb eval` can act on."""
    out = []
    if record["answerable"] and not (record["rank"] and record["rank"] <= 10):
        out.append("检索前10条未命中出处")
    if "answer" not in record:
        return out
    if record["answerable"] and record["refused"]:
        out.append("可回答的问题被拒答")
    if not record["answerable"] and not record["refused"]:
        out.append("库中无答案却未拒答")
    if record["missing_facts"]:
        out.append("答案缺少要点：" + "、".join(record["missing_facts"]))
    for c in record["citations"]:
        if not c["quote_ok"]:
            out.append(f"引用[{c['n']}]的原文与出处不符")
        if not c["supported"]:
            out.append(f"引用[{c['n']}]不支持所述内容：" + "、".join(c["missing"]))
    return out


def summarize(records: list[dict], k: int = 5) -> dict:
    """Overall metrics, the same per question type, and the failures with what was retrieved."""
    types = sorted({r["type"] for r in records})
    failures = []
    for r in records:
        found = problems(r)
        if found:
            failures.append({
                "id": r["id"], "question": r["question"], "type": r["type"], "problems": found,
                "rank": r["rank"], "answer": r.get("answer"), "retrieved": r["retrieved"][:k],
            })
    return {
        "k": k,
        "overall": metrics(records, k),
        "by_type": {t: metrics([r for r in records if r["type"] == t], k) for t in types},
        "failures": failures,
    }


def run_eval(
    items: list[GoldItem],
    retrieve: Retrieve,
    answer: AnswerFn | None,
    texts: dict[str, str],
    k: int = 5,
) -> dict:
    """Score one system on a gold set. `answer=None` scores retrieval only."""
    return summarize([evaluate_item(i, retrieve, answer, texts, k) for i in items], k)


def default_answerer(index: Index) -> AnswerFn:
    """kb.answer.answer_question bound to `index`."""
    return lambda question: answer_question(index, question)


def warm_up(index: Index, answer: AnswerFn | None = None) -> None:
    """Open the generation and load the tokenizers and models once, so latency is that of a warm server."""
    search(index, "行政复议申请期限")
    if answer is not None:
        answer("行政复议申请期限是多久")


def evaluate_index(index: Index, gold: Path = DEFAULT_GOLD, k: int = 5) -> dict:
    """`kb eval`: our hybrid search and answerer on a gold file, against the corpus the index reads."""
    items = load_gold(gold)
    texts = source_texts(index.settings.corpus)
    answer = default_answerer(index)
    warm_up(index, answer)
    report = run_eval(items, lambda q: [h.chunk for h in search(index, q, k=max(10, k))], answer, texts, k)
    report["gold"] = str(gold)
    report["answers"] = answer is not None
    return report
