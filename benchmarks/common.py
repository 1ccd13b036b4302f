"""What every benchmark shares: timing summaries, memory and disk readings, machine load, results files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from kb.evaluation import percentile

RESULTS = Path(__file__).resolve().parent / "results"


def summary_ms(seconds: list[float]) -> dict[str, float | int | None]:
    """p50/p95/mean of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": _round(percentile(ms, 50)),
        "p95": _round(percentile(ms, 95)),
        "mean": _round(sum(ms) / len(ms)) if ms else None,
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, default this one, in MB.

    Not getrusage's ru_maxrss: a child started by fork+exec inherits its parent's figure.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    """Current resident memory of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    """Bytes on disk under `path` (allocated blocks, so sparse files count as they use the disk)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return round(total / 2**20, 2)


def machine() -> dict:
    """Load average and cores at the time of measuring: numbers on a shared machine need both."""
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "loadavg_1_5_15": [round(x, 2) for x in load],
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def save(name: str, result: dict, out: Path | None = None) -> Path:
    """Write a result as JSON (default benchmarks/results/<name>.json)."""
    path = out or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


class Timer:
    """`with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def stop_server(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Ctrl-C first, so `kb serve` shuts down as a user would stop it; kill if it hangs."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def time_queries(index, answer, questions: list[str], k: int = 5) -> tuple[list[float], list[float]]:
    """Seconds of one search and (when `answer` is given) one answer per question, warm, in
    this process; a question the app would refuse as bad input is skipped."""
    from kb.search.retrieval import search
    from kb.text.clean import InvalidQuestion

    search_s: list[float] = []
    ask_s: list[float] = []
    for q in questions:
        try:
            with Timer() as t:
                search(index, q, k=k)
            search_s.append(t.seconds)
            if answer is not None:
                with Timer() as t:
                    answer(q)
                ask_s.append(t.seconds)
        except InvalidQuestion:
            continue
    return search_s, ask_s
