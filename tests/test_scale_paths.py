"""The shortcuts that keep search flat at 100k chunks return exactly what the slow paths did."""

from __future__ import annotations

from kb.index import store
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
