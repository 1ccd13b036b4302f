"""Documents in traditional characters (Big5 or UTF-8) are matched through a simplified shadow
of the same length, and quoted in their own characters (issue 16 item 7: every question about
them used to be refused, since questions are simplified and their text was not)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import opencc
import pytest
from corpora import TRADITIONAL_BIG5, TRADITIONAL_UTF8, write_traditional_corpus

from app import render, service
from ingest.corpus import load_corpus
from ingest.structure import chunk_document
from kb.answer import answer_question
from kb.answer.citations import surrounding
from kb.config import DEFAULT_CORPUS, Settings, settings
from kb.index import Index
from kb.index.writer import ingest
from kb.schema import Chunk
from kb.search.retrieval import search
from kb.text import script
from kb.training.quiz import generate_quiz


@pytest.fixture(scope="module")
def trad_settings(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Settings:
    root = tmp_path_factory.mktemp("traditional")
    s = settings(home=root / "home", corpus=write_traditional_corpus(root / "corpus"))
    ingest(s, embeddings)
    return s


@pytest.fixture(scope="module")
def trad_index(trad_settings: Settings, embeddings) -> Index:
    return Index(trad_settings, embeddings)


@pytest.fixture(scope="module")
def texts(trad_settings: Settings) -> dict[str, str]:
    """Each document's text as ingest decoded it (the Big5 file decoded): what offsets index."""
    return {d.doc_id: d.text for d in load_corpus(Path(trad_settings.corpus))[0]}


# ---- the shadow itself -----------------------------------------------------------------


def test_every_t2s_entry_keeps_its_length():
    # OpenCC's t2s dictionaries as installed: every candidate of every entry, not only the first
    folder = Path(opencc.__file__).parent / "dictionary"
    entries = 0
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            assert all(len(v) == len(key) for v in values.split(" ")), line
            entries += 1
    assert entries > 4000


def test_the_shadow_of_the_bundled_corpus_is_the_corpus():
    docs, skipped = load_corpus(DEFAULT_CORPUS)
    assert docs and not skipped
    for doc in docs:
        assert script.shadow(doc.text) == doc.text, doc.doc_id
        assert not any(c.original for c in chunk_document(doc))


def test_a_conversion_that_changed_length_falls_back_to_one_character_for_one(monkeypatch):
    monkeypatch.setattr(script, "to_simplified", lambda text: text + "。")  # a longer result
    assert script.shadow("人民調解委員會由委員三至九人組成") == "人民调解委员会由委员三至九人组成"


def test_traditional_chunks_are_shadows_with_the_documents_offsets(trad_index: Index, texts):
    chunks = list(trad_index.current().chunks.values())
    shadowed = [c for c in chunks if c.original]
    assert {c.doc_id for c in shadowed} == {TRADITIONAL_BIG5, TRADITIONAL_UTF8}
    for c in chunks:
        assert c.verbatim == texts[c.doc_id][c.start : c.end]
        assert len(c.text) == len(c.verbatim) and c.text == script.shadow(c.verbatim)
    # the structure is read from the shadow: 第八條 is an article, labelled as it is asked
    labels = {c.label for c in chunks if c.doc_id == TRADITIONAL_BIG5}
    assert {"第八条", "第十四条"} <= labels


# ---- answers, search, cards and quiz ----------------------------------------------------


def _quoted_verbatim(answer, texts: dict[str, str]) -> None:
    assert answer.citations
    for c in answer.citations:
        assert c.quote == texts[c.doc_id][c.start : c.end]
        assert script.shadow(c.quote) != c.quote  # in traditional characters


@pytest.mark.parametrize("question", ["人民调解委员会由哪些人组成？", "人民調解委員會由哪些人組成？"])
def test_a_big5_law_is_answered_in_its_own_characters(trad_index: Index, texts, question: str):
    answer = answer_question(trad_index, question)
    assert not answer.refused
    assert answer.answer.startswith("人民調解委員會由委員三至九人組成")  # the Big5 text's own words
    assert answer.citations[0].doc_id == TRADITIONAL_BIG5 and answer.citations[0].label == "第八条"
    _quoted_verbatim(answer, texts)


@pytest.mark.parametrize("question", ["申请行政复议的期限是多久？", "申請行政復議的期限是多久？"])
def test_a_utf8_traditional_law_is_answered_in_its_own_characters(trad_index: Index, texts, question: str):
    answer = answer_question(trad_index, question)
    assert not answer.refused and "六十日" in answer.answer
    assert "認爲行政行爲侵犯其合法權益" in answer.answer
    assert answer.citations[0].doc_id == TRADITIONAL_UTF8 and answer.citations[0].label == "第二十条"
    _quoted_verbatim(answer, texts)


def test_an_article_asked_by_number_is_quoted_whole(trad_index: Index, texts):
    answer = answer_question(trad_index, "人民调解法第十四条是怎么规定的？")
    assert not answer.refused and "人民調解員應當由公道正派" in answer.answer
    _quoted_verbatim(answer, texts)


def test_the_simplified_document_beside_them_is_unchanged(trad_index: Index):
    answer = answer_question(trad_index, "测试任务的完成率是多少？")
    assert not answer.refused and "98.5%" in answer.answer
    assert all(script.shadow(c.quote) == c.quote for c in answer.citations)


def test_search_finds_the_passage_and_shows_it_verbatim(trad_index: Index, texts):
    hits = search(trad_index, "人民调解员应当具备什么条件", 3)
    assert hits[0].chunk.doc_id == TRADITIONAL_BIG5 and hits[0].chunk.label == "第十四条"
    row = service.hit_rows(hits)[0]
    assert row["text"] == texts[row["doc_id"]][row["start"] : row["end"]]
    assert "人民調解員應當由公道正派" in row["text"]
    page = render.search_results(hits, ["人民调解员"])
    assert "<mark>人民調解員</mark>" in page  # found in the shadow, marked in the document's text
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "人民調解員應當由公道正派" in shown and "人民调解员应当由公道正派" not in shown


def test_the_card_shows_the_documents_characters(trad_index: Index):
    gen = trad_index.current()
    answer = answer_question(trad_index, "人民调解委员会由哪些人组成？")
    around = surrounding(gen, answer.citations[0])
    assert "委員" in around["quote"] and "委员" not in "".join(around.values())
    assert script.shadow(around["before"]) != around["before"] != ""  # the articles around it too
    card = html.unescape(re.sub(r"<[^>]+>", "", render.answer_message(answer, gen)))
    assert "人民調解委員會由委員三至九人組成" in card and "人民调解委员会由委员" not in card


def test_the_quiz_draws_from_traditional_laws_and_cites_them_verbatim(trad_index: Index, texts):
    gen = trad_index.current()
    questions = generate_quiz(gen, n=10, seed=1)
    from_laws = [q for q in questions if q.citation.doc_id in (TRADITIONAL_BIG5, TRADITIONAL_UTF8)]
    assert len(from_laws) >= 5
    for q in from_laws:
        assert q.citation.quote == texts[q.citation.doc_id][q.citation.start : q.citation.end]
        assert script.shadow(q.citation.quote) != q.citation.quote


def test_chunk_store_keeps_the_documents_own_text(trad_settings: Settings, trad_index: Index):
    from kb.index import chunkstore, store

    gen = trad_index.current()
    stored = chunkstore.load(store.lexical_dir(trad_settings, gen.manifest.collection))
    assert stored is not None
    for cid, c in stored.items():
        assert isinstance(c, Chunk) and c.text == gen.chunks[cid].verbatim and not c.original
