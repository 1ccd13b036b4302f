"""The shortcuts that keep search flat at 100k chunks return exactly what the slow paths did."""

from __future__ import annotations

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
