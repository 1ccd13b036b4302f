"""What the web app does, as plain functions over an Index.

The Gradio UI renders these results (the objects behind them where it shows more) and the
named API endpoints return them as JSON-ready data, so a system calling /search gets
exactly what a person sees in the 检索 tab. The CLI's `kb search` uses them too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.documents import delete_document, save_upload
from ingest.loaders import LoadError, load_text
from kb.article_diff import ArticleChange, articles_of, diff_articles
from kb.index import Generation, Index, storage
from kb.index.store import DocRecord
from kb.index.writer import IngestReport, ingest
from kb.registry import RegistryEntry
from kb.schema import Hit, content_hash
from kb.validity import versions_of

if TYPE_CHECKING:
    from kb.answer import Answer
    from kb.training.grading import QuizResult
    from kb.training.quiz import Question

Progress = Callable[[int, int], None]


def ask(index: Index, question: str, history: list | None = None) -> dict:
    """One answer with its citations (Answer.to_dict())."""
    from kb.answer import answer_question

    answer = answer_question(index, question, history=history or None)
    return {"question": answer.question, **answer.to_dict()}


def ask_stream(
    index: Index, question: str, history: list | None = None
) -> Iterator[str | tuple[Answer, Generation]]:
    """The parts of kb.answer.iter_answer, each Answer paired with the generation it was
    read from (whose passages show each citation in context): with a language model, the
    extractive answer (`pending`) first, then the checked sentences of the generated one,
    then the final Answer."""
    from kb.answer.pipeline import iter_answer_in
    from kb.search.request import Request

    req = Request(index)
    for part in iter_answer_in(req, question, history or None):
        yield part if isinstance(part, str) else (part, req.gen)


def search_hits(index: Index, query: str, k: int = 5, doc_ids: list[str] | None = None) -> list[Hit]:
    """Hybrid search hits, best first; `doc_ids` limits the search to those documents."""
    from kb.search.retrieval import search as hybrid_search

    return hybrid_search(index, query, k=k, doc_ids=set(doc_ids) if doc_ids else None)


def query_terms(index: Index, query: str) -> list[str]:
    """The words the BM25 index reads in a query (the 检索 tab marks them in each hit)."""
    return index.current().lexical.tokenizer(query)


def search(index: Index, query: str, k: int = 5, doc_ids: list[str] | None = None) -> list[dict]:
    """Hybrid search hits as data, best first (k kept between 1 and 50)."""
    k = max(1, min(int(k or 5), 50))
    return hit_rows(search_hits(index, query, k, doc_ids))


def hit_rows(hits: list[Hit]) -> list[dict]:
    """Search hits as JSON-ready rows: rank, score, the passage and where it comes from."""
    return [
        {
            "rank": rank,
            "score": round(h.score, 6),
            "doc_id": h.chunk.doc_id,
            "doc_title": h.chunk.doc_title,
            "doc_number": h.chunk.doc_number,
            "label": h.chunk.label,
            "text": h.chunk.verbatim,
            "start": h.chunk.start,
            "end": h.chunk.end,
            "source": h.chunk.source,
            "chunk_id": h.chunk.chunk_id,
            "validity": h.chunk.validity,
            "matched_by": sorted(h.ranks),
        }
        for rank, h in enumerate(hits, start=1)
    ]


def registry_entries(index: Index, query: str = "") -> list[tuple[RegistryEntry, float | None]]:
    """Registry entries for a 文号, a partial title or a measure, best first, with their
    match score; all entries (score None) when the query is empty."""
    registry = index.current().registry
    if not (query or "").strip():
        return [(e, None) for e in registry]
    return list(registry.lookup(query, limit=50))


def registry_entry(index: Index, key: str) -> RegistryEntry | None:
    return index.current().registry.get(key)


def docs_lookup(index: Index, query: str = "") -> list[dict]:
    """Registry entries for a 文号, a partial title or a measure; all entries when empty."""
    return [{**e.to_dict(), "score": s} for e, s in registry_entries(index, query)]


def document_records(index: Index) -> list[DocRecord]:
    """The documents of the current index as its manifest records them."""
    return list(index.current().manifest.docs)


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
        for d in document_records(index)
    ]


@dataclass(frozen=True)
class LawDiff:
    old: DocRecord
    new: DocRecord
    changes: list[ArticleChange]


class DiffError(LookupError):
    """Why two versions can't be compared, in words for the user."""


def law_diff(index: Index, name: str, year: str = "") -> LawDiff:
    """新旧条文对照 of a law: by default its latest earlier version against the newest; `year`
    picks the earlier version by its publication year."""
    gen = index.current()
    versions = versions_of(name, gen.doc_records)
    if not versions:
        raise DiffError(f"库中未找到名为“{name}”的法律法规。")
    if len(versions) < 2:
        raise DiffError(f"《{versions[0].title}》库中只有一个版本，无可对照。")
    new = versions[-1]
    older = [v for v in versions[:-1] if not year or (v.published or v.date).startswith(year)]
    if not older:
        years = "、".join((v.published or v.date)[:4] for v in versions[:-1])
        raise DiffError(f"《{new.title}》库中没有 {year} 年的版本（可选：{years}）。")
    old = older[-1]
    chunks = list(gen.chunks.values())
    sides = [
        articles_of(_document_text(index, d), [c for c in chunks if c.doc_id == d.doc_id]) for d in (old, new)
    ]
    return LawDiff(old=old, new=new, changes=diff_articles(*sides))


def _document_text(index: Index, record: DocRecord) -> str:
    """The text the index was built from, read again from the corpus; offsets hold only if
    the file is unchanged since, so a changed file asks for a re-ingest instead."""
    try:
        text = load_text(Path(index.settings.corpus) / record.doc_id).text
    except (LoadError, OSError) as err:
        raise DiffError(f"无法读取《{record.title}》的原文件：{err}") from err
    if content_hash(text) != record.content_hash:
        raise DiffError(f"《{record.title}》的文件在导入后已改动，请先运行 kb ingest。")
    return text


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


def _check_writable(index: Index) -> None:
    """Refuse before the corpus folder changes: a file that reached it but not the index would
    go in at some later, unexpected ingest."""
    if index.read_only:
        raise storage.read_only(index.settings.home)


def upload(
    index: Index, path: str | Path, name: str, overwrite: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Check and store an uploaded file in the corpus folder, then ingest; raises DocumentError,
    or StorageError when the data directory is read-only or full."""
    _check_writable(index)
    doc_id = save_upload(index.settings.corpus, path, name, overwrite=overwrite)
    report = reingest(index, progress)
    chunks = next((d.chunks for d in index.current().manifest.docs if d.doc_id == doc_id), 0)
    msg = f"已导入 {doc_id}：{chunks} 个片段（新向量化 {report.embedded} 段，用时 {report.seconds:.1f} 秒）。"
    return _report(report, doc_id, msg)


def delete(index: Index, doc_id: str, progress: Progress | None = None) -> dict[str, Any]:
    """Remove a document from the corpus folder and the index; raises DocumentError or StorageError."""
    _check_writable(index)
    delete_document(index.settings.corpus, doc_id)
    report = reingest(index, progress)
    return _report(report, doc_id, f"已删除 {doc_id}，索引已更新（现有 {report.documents} 个文档）。")


def quiz_documents(index: Index) -> list[str]:
    """Titles of the documents a quiz can draw from ([] before anything is ingested)."""
    from kb.index import EmptyIndexError
    from kb.training.quiz import documents, pool_for

    try:
        return documents(pool_for(index.current()))
    except EmptyIndexError:
        return []


def quiz_start(
    index: Index, n: int, seed: str, doc: str | None = None, kinds: list[str] | None = None
) -> list[Question]:
    """A quiz from the current generation; raises EmptyIndexError before anything is ingested."""
    from kb.training.quiz import KINDS, generate_quiz, pool_for

    chosen = [k for k in (kinds or KINDS) if k in KINDS] or list(KINDS)
    return generate_quiz(pool_for(index.current()), n=n, seed=seed, doc=doc, kinds=chosen)


def quiz_grade(questions: list[Question], given: list[str]) -> QuizResult:
    """Each answer graded, with the source of every right answer."""
    from kb.training.grading import grade_quiz

    return grade_quiz(questions, given)


def trace(index: Index, question: str) -> dict:
    """One question through every retrieval stage and the answerer (the 检索测试 view)."""
    from kb.evaluation.trace import trace_question

    return trace_question(index, question)
