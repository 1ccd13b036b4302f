"""The shortcuts that keep search flat at 100k chunks return exactly what the slow paths did."""

from __future__ import annotations

import re
import shutil

from kb.config import settings
from kb.index import Index, chunkstore, store
from kb.index.reader import read_chunks
from kb.index.writer import ingest
from kb.search.retrieval import _docnum_chunks, _scan_docnums, search


def test_docnum_posting_lists_equal_a_full_scan(corpus_index):
    gen = corpus_index.current()
    assert gen.lexical.indexes_docnums
    scanned = _scan_docnums(gen)
    assert scanned  # the report cites documents by number
    saved, gen.docnums = gen.docnums, None
    try:
        for key, ids in scanned.items():
            expected = list(dict.fromkeys(ids))  # a chunk citing a number twice counts once
            assert _docnum_chunks(gen, {key}) == expected, key
    finally:
        gen.docnums = saved


def test_pinned_docnum_results_unchanged(corpus_index):
    hits = search(corpus_index, "江政办[2023]16号", k=3)
    assert hits[0].ranks.get("docnum") == 1
    assert "江政办〔2023〕16号" in hits[0].chunk.text


def test_current_generation_check_reads_the_pointer_name(corpus_index):
    gen = corpus_index.current()
    assert store.current_collection(corpus_index.client) == gen.manifest.collection
    assert corpus_index.current() is gen


def test_chunk_file_holds_exactly_what_chroma_holds(tiny_settings, tiny_index):
    """Opening reads the chunk file beside the BM25 files; Chroma's records say the same."""
    gen = tiny_index.current()
    lex_dir = store.lexical_dir(tiny_settings, gen.manifest.collection)
    from_file = chunkstore.load(lex_dir)
    from_chroma = read_chunks(store.generation(tiny_index.client, gen.manifest.collection))
    assert from_file is not None and len(from_file) > 20
    assert list(from_file.items()) == list(from_chroma.items())  # same chunks, same reading order
    assert list(gen.chunks) == list(from_file)


def test_index_without_chunk_file_is_read_from_chroma_then_rebuilt(tiny_settings, embeddings, tmp_path):
    """An index written before chunk files still opens (slowly, from Chroma), and the next
    ingest writes a generation with its chunk file, re-embedding nothing."""
    home = tmp_path / "home"
    shutil.copytree(tiny_settings.home, home)
    s = settings(home=home, corpus=tiny_settings.corpus)
    old = Index(s, embeddings).current()
    chunkstore.path(store.lexical_dir(s, old.manifest.collection)).unlink()

    opened = Index(s, embeddings).current()
    assert list(opened.chunks.items()) == list(old.chunks.items())
    query = "行政复议申请期限"
    ids = [h.chunk.chunk_id for h in search(Index(s, embeddings), query, k=5)]
    assert ids == [h.chunk.chunk_id for h in search(Index(tiny_settings, embeddings), query, k=5)]

    report = ingest(s, embeddings)
    assert not report.unchanged and report.embedded == 0
    assert chunkstore.load(store.lexical_dir(s, report.collection)) == old.chunks
    assert ingest(s, embeddings).unchanged


def test_a_hard_term_held_anywhere_is_found_as_a_full_scan_finds_it(corpus_index):
    """A refusal names the hard terms no passage meets (kb.answer.extractive._refusal_reason):
    the shortcut through the passages' cached contexts agrees with hard_ok on every passage,
    for every kind of hard term, present or absent, inside a named document or anywhere."""
    from kb.answer.extractive import _held_anywhere, hard_ok
    from kb.answer.questions import ARTICLE, LATIN, NUMBER, PLACE, RATE, YEAR, Term

    gen = corpus_index.current()
    law = next(d for d, t in gen.doc_titles.items() if "行政复议法" in t)
    terms = [
        Term("2023年", YEAR), Term("2031年", YEAR), Term("第二十条", ARTICLE), Term("第九十五条", ARTICLE),
        Term("柳江区", PLACE), Term("鱼峰区", PLACE), Term("柳江", PLACE, alts=("柳江区",)),
        Term("76", NUMBER), Term("98765", NUMBER), Term("GDP", LATIN), Term("PPP", LATIN), Term("APP", LATIN),
        Term("败诉率", RATE), Term("纠错率", RATE), Term("败述率", RATE, alts=("败诉率",)),
    ]
    held = {}
    for docs in (set(), {law}):
        for term in terms:
            expected = any(hard_ok(term, c.text, c, docs) for c in gen.chunks.values())
            assert _held_anywhere(gen, term, docs) == expected, (term, docs)
            held[term.text, bool(docs)] = expected
    assert held["2023年", False] and not held["2031年", False]  # both outcomes are exercised
    assert held["第二十条", True] and not held["第九十五条", True]


def test_measure_lookup_scores_as_reading_every_passage(corpus_index):
    """Registry._measure_scores reads only passages whose section cites something, and of
    those only the ones holding enough of the query: the scores are those of every passage."""
    from kb.registry import _MEASURE_MIN_COVER, _cover
    from kb.text.tokenize import char_bigrams

    registry = corpus_index.current().registry

    def every_passage(q: str) -> dict[str, float]:  # the look-up before the shortcut
        q_grams = set(char_bigrams(q))
        out: dict[str, float] = {}
        for passage in registry._passages:
            cover = max((_cover(q, q_grams, s) for s in passage.sentences), default=0.0)
            if cover < _MEASURE_MIN_COVER:
                continue
            for key in passage.cited:
                out[key] = max(out.get(key, 0.0), 0.9 * cover)
            for other in registry._passages:
                if other.doc_id == passage.doc_id and passage.section and other.section == passage.section:
                    for key in other.cited:
                        out[key] = max(out.get(key, 0.0), 0.6 * cover)
        return out

    scored = 0
    for q in ("法治化营商环境提升年活动实施方案", "规范涉企行政执法优化营商环境工作方案", "拿地即开工",
              "任务分工方案", "行政复议", "法治政府建设", "打造市场化法治化国际化营商环境", "月亮"):
        expected = every_passage(q)
        assert registry._measure_scores(q) == expected, q
        scored += bool(expected)
    assert scored >= 3  # most of them name a measure the report cites documents for


def _near_by_scan(texts: list[str], word: str) -> dict[str, int]:
    """The look-up before the position index: a regular expression over every passage."""
    pattern = re.compile(
        "|".join(re.escape(word[:i]) + "[\u4e00-\u9fff]" + re.escape(word[i + 1 :]) for i in range(len(word)))
    )
    found: dict[str, int] = {}
    for text in texts:
        for near in set(pattern.findall(text)):
            found[near] = found.get(near, 0) + 1
    found.pop(word, None)
    return found


def test_a_typo_is_read_as_scanning_every_passage_reads_it(corpus_index):
    """kb.answer.spelling counts the near words through an index of where each character
    stands (kb.answer.near_words); the counts, and so the readings, are a scan's."""
    from kb.answer import spelling
    from kb.answer.extractive import passage_texts

    gen = corpus_index.current()
    texts = passage_texts(gen)
    words = ["复意", "复义", "撤消", "应讼", "败述率", "明录", "收案量", "常住人口", "法治", "行政复议法", "常常", "人人"]
    words += ["信仿", "拜诉率", "公式", "拜诉", "公正"]  # homophones, the first character changed too
    words += [q[i : i + n] for q in ("群众来申请政府信息公开最晚几天要回复", "区里申请复议要在多少天之内") for n in (2, 3)
              for i in range(len(q) - n + 1)]
    for word in words:
        if spelling._HAN.fullmatch(word):
            assert spelling._near_counts(gen, word) == _near_by_scan(texts, word), word
    assert spelling._nearest(_near_by_scan(texts, "败述率"), "败述率") == "败诉率"
    assert spelling._nearest(_near_by_scan(texts, "复意"), "复意") == "复议"


def test_near_words_count_as_a_scan_counts_them():
    """Matches that run into each other (a scan takes the first and skips what overlaps it),
    passage boundaries, characters outside the Han range or above U+FFFF, a word repeated."""
    from kb.answer.near_words import CharPositions, near_counts

    texts = ["复议复义复意", "复复议议", "复复复复", "行政执行政策", "复", "议复", "", "复\U00020000复a复议",
             "复议议议议复议复", "目的的的的目的", "行政复议行政复仪行政复议法"]
    index = CharPositions.build(texts)
    for word in ("复议", "复复", "议议", "的的", "目的", "行政", "行政复议", "复议法", "政复议行"):
        expected = _near_by_scan(texts, word)
        assert near_counts(index, word) == expected, word
        wanted = {w for w in expected if w[-1] in "议义"} | {"复不"}  # one of them is no near word
        assert near_counts(index, word, wanted.__contains__) == {w: n for w, n in expected.items() if w in wanted}
    assert near_counts(index, "复议")["复义"] == 1 and near_counts(index, "议议")["议复"] == 2  # both outcomes
    assert near_counts(CharPositions.build([]), "复议") == {}


def test_a_word_segmented_from_its_runs_is_one_segmented_from_the_passage(corpus_index):
    """corpus_word cuts only the runs of word characters holding the part: the same answer as
    cutting the whole passage, for words, fragments across two words and Latin or digits."""
    import jieba

    from kb.answer.extractive import passage_texts, segments_whole

    texts = passage_texts(corpus_index.current())
    parts = ["复议", "按规", "行政复议", "规范", "柳江区", "2023", "APP", "12345热线", "依法行政", "政复", "年度", "，依"]
    seen = 0
    for part in parts:
        for text in texts:
            if part in text:
                assert segments_whole(text, part) == (part in jieba.lcut(text)), (part, text)
                seen += segments_whole(text, part)
    assert seen > 0


def test_passages_holding_a_text_are_those_a_scan_finds(corpus_index):
    """Term counts read the passages through their characters (kb.answer.extractive):
    the same passages as reading every one, for words, single characters, absent words."""
    from kb.answer.extractive import doc_freq, passage_texts, passages_holding

    gen = corpus_index.current()
    texts = passage_texts(gen)
    for text in ("行政复议", "复议", "柳江区", "的", "2023年", "第二十条", "GDP", "常住人口", "", "》《"):
        expected = [i for i, t in enumerate(texts) if text in t]
        assert passages_holding(gen, text) == expected, text
        assert doc_freq(gen, text) == len(expected), text


def test_dense_ranking_by_ids_is_the_documents_ranking(corpus_index):
    """Ranking asks Chroma for ids and distances only (kb.index.reader.ChromaVectors): the
    same passages in the same order with the same distances as the search that fetches each
    passage, over the whole corpus. Inside named documents it reads the generation's vector
    file instead: the same passages in the same order as Chroma's filtered search, the
    distances equal up to float32 rounding."""
    gen = corpus_index.current()
    docs = sorted({c.doc_id for c in gen.chunks.values()})
    for q in ("行政复议申请期限是多久", "2023年败诉率", "公证事项办了多少件"):
        vec = corpus_index.embeddings.embed_query(q)
        for k, where in ((30, None), (120, {"doc_id": {"$in": docs[:2]}}), (5, {"doc_id": {"$in": docs[-1:]}})):
            full = gen.vectors.similarity_search_by_vector_with_relevance_scores(vec, k=k, filter=where)
            ranked = gen.vectors.ranked_ids(vec, k, where)
            assert full and [i for i, _ in ranked] == [d.id for d, _ in full], (q, k, where)
            assert max(abs(a - b) for (_, a), (_, b) in zip(ranked, full, strict=True)) < 1e-5
            assert where is None or all(gen.chunks[i].doc_id in where["doc_id"]["$in"] for i, _ in ranked)
    assert gen.vectors._exact is not None  # the filtered searches read the vector file


def test_ascii_letters_lowered_from_are_those_every_character_gives():
    """kb.answer.extractive lowers Unicode a block at a time: the same characters as lowering
    each one."""
    import sys

    from kb.answer.extractive import _ascii_lowered_from

    found: dict[str, set[str]] = {}
    for c in map(chr, range(sys.maxunicode + 1)):
        for low in c.lower():
            if low.isascii() and low.isalpha():
                found.setdefault(low, set()).add(c)
    assert _ascii_lowered_from() == {k: frozenset(v) for k, v in found.items()}
    assert "\u212a" in _ascii_lowered_from()["k"] and "\u0130" in _ascii_lowered_from()["i"]  # Kelvin, İ


def test_registry_strips_quotes_and_spaces_as_each_character_test_did():
    """kb.registry._strip_quotes drops quotes and whitespace with one regex: for every
    character the same as testing it against the quotes and str.isspace()."""
    import sys

    from kb.registry import _QUOTES, _strip_quotes

    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    kept = "".join(ch for ch in everything if ch not in _QUOTES and not ch.isspace())
    assert _strip_quotes(everything) == kept
    assert _strip_quotes("《行政 复议法》\u3000第二十条\xa0") == "行政复议法第二十条"
