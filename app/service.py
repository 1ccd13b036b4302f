"""What the web app does, as plain functions over an Index returning JSON-ready data.

The Gradio UI renders these results and the named API endpoints return them as they are,
so a system calling /search gets exactly what a person sees in the 检索 tab.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.documents import delete_document, save_upload
from kb.index import Index
from kb.index.writer import IngestReport, ingest

Progress = Callable[[int, int], None]


def ask(index: Index, question: str, history: list | None = None) -> dict:
    """One answer with its citations (Answer.to_dict())."""
    from kb.answer import answer_question

    answer = answer_question(index, question, history=history or None)
    return {"question": answer.question, **answer.to_dict()}


def search(index: Index, query: str, k: int = 5, doc_ids: list[str] | None = None) -> list[dict]:
    """Hybrid search hits, best first; `doc_ids` limits the search to those documents."""
    from kb.search.retrieval import search as hybrid_search

    k = max(1, min(int(k or 5), 50))
    hits = hybrid_search(index, query, k=k, doc_ids=set(doc_ids) if doc_ids else None)
    return [
        {
            "rank": rank,
            "score": round(h.score, 6),
            "doc_id": h.chunk.doc_id,
            "doc_title": h.chunk.doc_title,
            "doc_number": h.chunk.doc_number,
            "label": h.chunk.label,
            "text": h.chunk.text,
            "start": h.chunk.start,
            "end": h.chunk.end,
            "source": h.chunk.source,
            "chunk_id": h.chunk.chunk_id,
            "matched_by": sorted(h.ranks),
        }
        for rank, h in enumerate(hits, start=1)
    ]


def docs_lookup(index: Index, query: str = "") -> list[dict]:
    """Registry entries for a 文号, a partial title or a measure; all entries when empty."""
    registry = index.current().registry
    if not (query or "").strip():
        return [{**e.to_dict(), "score": None} for e in registry]
    return [{**e.to_dict(), "score": s} for e, s in registry.lookup(query, limit=50)]


def documents(index: Index) -> list[dict]:
    """The documents of the current index, with chunk counts and first-ingest time."""
    return [
        {
            "doc_id": d.doc_id,
            "title": d.title,
            "doc_number": d.doc_number,
            "chunks": d.chunks,
            "ingested_at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d.ingested_at)),
            "encoding": d.encoding,
        }
        for d in index.current().manifest.docs
    ]


def reingest(index: Index, progress: Progress | None = None) -> IngestReport:
    return ingest(index.settings, index.embeddings, progress=progress)


def _report(report: IngestReport, doc_id: str, message: str) -> dict[str, Any]:
    return {
        "ok": True,
        "doc_id": doc_id,
        "message": message,
        "documents": report.documents,
        "chunks": report.chunks,
        "embedded": report.embedded,
        "seconds": round(report.seconds, 2),
        "skipped": [{"file": s.file, "reason": s.reason} for s in report.skipped],
    }


def upload(
    index: Index, path: str | Path, name: str, overwrite: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Check and store an uploaded file in the corpus folder, then ingest; raises DocumentError."""
    doc_id = save_upload(index.settings.corpus, path, name, overwrite=overwrite)
    report = reingest(index, progress)
    chunks = next((d.chunks for d in index.current().manifest.docs if d.doc_id == doc_id), 0)
    msg = f"已导入 {doc_id}：{chunks} 个片段（新向量化 {report.embedded} 段，用时 {report.seconds:.1f} 秒）。"
    return _report(report, doc_id, msg)


def delete(index: Index, doc_id: str, progress: Progress | None = None) -> dict[str, Any]:
    """Remove a document from the corpus folder and the index; raises DocumentError."""
    delete_document(index.settings.corpus, doc_id)
    report = reingest(index, progress)
    return _report(report, doc_id, f"已删除 {doc_id}，索引已更新（现有 {report.documents} 个文档）。")
