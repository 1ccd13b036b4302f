"""Warm search and ask latency on an index already built (issue 13: the whole library loaded).

    KB_HOME=DIR KB_PACKS=library python -m benchmarks.warm [--sets gold library fresh_k fresh_l]
        [--k 10] [--profile N --profile-dir DIR] [--out FILE]

In one process: open the index, warm up (kb.evaluation.warm_up), then for each question of
the sets (tests/data/<set>.jsonl) one search (k results) and one answer (with the question's
history). Each is timed by the wall clock and by this process's CPU time: the machine is
shared, and under a load of 3-5 on 2 cores the wall figure is mostly other processes' turn,
while the CPU figure is what the code itself costs. The load average is read before and after.

With --profile N each question runs under cProfile (which slows it several times over: its
figures are for finding where the time goes, not for the report), and the profiles of the N
questions with the most ask CPU are written to --profile-dir as .prof files.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import time
from pathlib import Path

from benchmarks.common import machine, peak_rss_mb, rss_mb, save, summary_ms
from kb.config import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEFAULT_SETS = ("gold", "library", "fresh_k", "fresh_l")


def questions(sets: list[str]) -> list[dict]:
    """Every question of the sets (a name under tests/data/, or a .jsonl file):
    {'set', 'id', 'question', 'history'}."""
    out = []
    for given in sets:
        path = Path(given) if given.endswith(".jsonl") else DATA / f"{given}.jsonl"
        name = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                history = [{"role": "user", "content": h} for h in row.get("history") or []] or None
                out.append({"set": name, "id": row.get("id"), "question": row["question"], "history": history})
    return out


def _timed(fn, profile: cProfile.Profile | None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of fn(); a bad question's refusal counts like an answer."""
    from kb.text.clean import InvalidQuestion

    w0, c0 = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    try:
        fn()
    except InvalidQuestion:
        pass
    finally:
        if profile is not None:
            profile.disable()
    return time.perf_counter() - w0, time.process_time() - c0


def measure(sets: list[str], k: int = 10, profile_n: int = 0, profile_dir: Path | None = None) -> dict:
    from kb.answer import answer_question
    from kb.evaluation import warm_up
    from kb.index import open_index
    from kb.search.retrieval import search

    result: dict = {"machine": machine(), "sets": sets, "k": k}
    w0, c0 = time.perf_counter(), time.process_time()
    index = open_index()
    gen = index.current()
    result["open"] = {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2),
                      "chunks": len(gen.chunks), "rss_mb": round(rss_mb(), 1)}
    w0, c0 = time.perf_counter(), time.process_time()
    warm_up(index, lambda q: answer_question(index, q))
    result["warm_up"] = {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2)}
    rows = []
    profiles: list[tuple[float, str, cProfile.Profile]] = []
    for q in questions(sets):
        prof = cProfile.Profile() if profile_n else None
        sw, sc = _timed(lambda q=q: search(index, q["question"], k=k), prof)
        aw, ac = _timed(lambda q=q: answer_question(index, q["question"], q["history"]), prof)
        rows.append({**{f: q[f] for f in ("set", "id", "question")},
                     "search_wall_ms": round(sw * 1000, 1), "search_cpu_ms": round(sc * 1000, 1),
                     "ask_wall_ms": round(aw * 1000, 1), "ask_cpu_ms": round(ac * 1000, 1)})
        if prof is not None:
            profiles.append((ac, f"{q['set']}_{q['id']}", prof))
            profiles = sorted(profiles, key=lambda p: -p[0])[:profile_n]
    result["machine_after"] = machine()
    result["rss_mb_peak"] = round(peak_rss_mb(), 1)
    result["questions"] = len(rows)
    for phase in ("search", "ask"):
        for clock in ("wall", "cpu"):
            result[f"{phase}_{clock}_ms"] = summary_ms([r[f"{phase}_{clock}_ms"] / 1000 for r in rows])
    result["slowest_ask_cpu"] = sorted(rows, key=lambda r: -r["ask_cpu_ms"])[:20]
    result["rows"] = rows
    if profile_dir is not None and profiles:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for _, name, prof in profiles:
            prof.dump_stats(str(profile_dir / f"{name}.prof"))
    return result


def report(r: dict) -> str:
    def line(phase: str) -> str:
        w, c = r[f"{phase}_wall_ms"], r[f"{phase}_cpu_ms"]
        return f"{phase}: CPU p50/p95 {c['p50']} / {c['p95']} ms, wall p50/p95 {w['p50']} / {w['p95']} ms"

    return "\n".join([
        f"{r['open']['chunks']} chunks, {r['questions']} questions ({', '.join(r['sets'])}), k={r['k']}; "
        f"open {r['open']['wall_s']} s, warm-up {r['warm_up']['wall_s']} s, peak RSS {r['rss_mb_peak']} MB",
        line("search"),
        line("ask"),
        f"load average before/after: {r['machine']['loadavg_1_5_15']} / {r['machine_after']['loadavg_1_5_15']}",
        "slowest asks (CPU ms): " + ", ".join(
            f"{s['set']}:{s['id']} {s['ask_cpu_ms']}" for s in r["slowest_ask_cpu"][:10]),
    ])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.warm", description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS), help="names under tests/data/, or .jsonl files")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--profile", type=int, default=0, help="keep the cProfile of this many slowest asks")
    p.add_argument("--profile-dir", type=Path, default=Path("/tmp/kb-bench/warm-profiles"))
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/warm.json)")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    result = measure(a.sets, a.k, a.profile, a.profile_dir if a.profile else None)
    print(report(result))
    print(f"saved {save('warm', result, a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
