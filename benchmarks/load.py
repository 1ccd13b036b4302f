"""Load: many /ask calls at once over the Gradio API, and answers while an ingest runs.

    python -m benchmarks.load [--home DIR] [--corpus DIR] [--n 50] [--concurrency 50] [--auth]

Starts `kb serve` as its own process on loopback (ingesting the corpus folder first if the
data dir is empty), then, from this process:
1. burst: `n` /ask calls submitted at once by `concurrency` threads; latency per call (submit
   to result), errors, wall time;
2. during ingest: a steady stream of /ask calls (4 threads) while a new document is uploaded
   through /upload (whose ingest embeds it: tens of seconds on 2 cores); answers completed
   inside the ingest window, the longest gap between two answers, errors;
3. during a CLI ingest: the same while another process runs `kb ingest` on the same data dir
   after a file was added to the corpus folder.
The uploaded and added documents are removed again at the end (through /delete and a final
`kb ingest`), so the data dir ends as it began.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import kb  # noqa: F401  (switches telemetry off before gradio_client is imported)
from benchmarks.common import machine, peak_rss_mb, save, stop_server, summary_ms
from kb.config import DEFAULT_CORPUS, PROJECT_ROOT

QUESTIONS = [
    "2023年行政复议收到多少件申请？",
    "申请行政复议的期限是多久？",
    "人民调解委员会由哪些人组成？",
    "败诉率是多少",
    "容缺受理一共公布了多少项",
    "江政办〔2023〕16号是什么文件？",
    "行政机关负责人出庭应诉率是多少？",
    "柳南区2023年的GDP是多少？",
]
SERVE_TIMEOUT = 600.0
UPLOAD_NAME = "负载测试_新增条例.txt"
CLI_NAME = "负载测试_命令行导入.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_document(corpus: Path, marker: str) -> str:
    """A law-shaped document with text no index has seen, so its ingest really embeds."""
    source = (corpus / "renmin_tiaojie_fa_2010.txt").read_text(encoding="utf-8")
    return f"{marker}条例\n" + source.replace("人民调解", f"{marker}调解").split("\n", 1)[1]


def start_server(home: Path, corpus: Path, port: int, auth_file: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1"}
    login = ["--auth", str(auth_file)] if auth_file else []
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *login],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def connect(url: str, proc: subprocess.Popen, workers: int, auth: tuple[str, str] | None = None):
    from gradio_client import Client

    t0 = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"kb serve exited with {proc.returncode}: {proc.stderr.read()[-800:]}")
        if time.perf_counter() - t0 > SERVE_TIMEOUT:
            raise RuntimeError(f"no server after {SERVE_TIMEOUT:.0f} s")
        try:
            return Client(url, verbose=False, max_workers=workers, analytics_enabled=False, auth=auth)
        except Exception:  # not listening yet
            time.sleep(0.3)


def _ask(client, question: str) -> tuple[float, float, str | None]:
    """(start, end, error) of one /ask call; an answer without text counts as an error."""
    t0 = time.perf_counter()
    try:
        result = client.predict(question, None, api_name="/ask")
        error = None if isinstance(result, dict) and result.get("answer") else f"empty result: {result!r}"[:200]
    except Exception as err:
        error = f"{type(err).__name__}: {err}"[:200]
    return t0, time.perf_counter(), error


def clients(url: str, k: int, auth: tuple[str, str] | None = None) -> list:
    """One Client per thread: a Client multiplexes its calls over one event stream, and a
    hiccup of that shared stream would be counted against the server."""
    from gradio_client import Client

    with ThreadPoolExecutor(min(k, 8)) as pool:
        return list(pool.map(lambda _: Client(url, verbose=False, analytics_enabled=False, auth=auth), range(k)))


def burst(url: str, n: int, concurrency: int, auth: tuple[str, str] | None = None) -> dict:
    """`n` asks submitted at once; latency of each from its submission to its answer."""
    pool_clients = clients(url, concurrency, auth)
    gate = threading.Barrier(min(n, concurrency))

    def one(i: int) -> tuple[float, float, str | None]:
        if i < concurrency:
            gate.wait()
        return _ask(pool_clients[i % concurrency], QUESTIONS[i % len(QUESTIONS)])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    for c in pool_clients:
        c.close()
    errors = [e for _, _, e in results if e]
    return {
        "requests": n,
        "concurrency": concurrency,
        "errors": len(errors),
        "error_samples": errors[:3],
        "latency_ms": summary_ms([end - start for start, end, _ in results]),
        "wall_seconds": round(wall, 2),
        "answers_per_second": round(n / wall, 2),
    }


def while_running(url: str, action, threads: int = 4, auth: tuple[str, str] | None = None) -> dict:
    """Keep asking from `threads` threads while `action()` runs; what happened meanwhile."""
    done: list[tuple[float, float, str | None]] = []
    stop = threading.Event()
    own = clients(url, threads, auth)

    def loop(k: int) -> None:
        i = k
        while not stop.is_set():
            done.append(_ask(own[k], QUESTIONS[i % len(QUESTIONS)]))
            i += threads

    workers = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(threads)]
    for w in workers:
        w.start()
    time.sleep(1.0)  # the stream is flowing before the ingest starts
    t0 = time.perf_counter()
    outcome = action()
    t1 = time.perf_counter()
    time.sleep(1.0)
    stop.set()
    for w in workers:
        w.join(timeout=120)
    for c in own:
        c.close()
    inside = [(s, e, err) for s, e, err in done if t0 <= e <= t1]
    ends = sorted([t0, *(e for _, e, _ in inside), t1])
    errors = [err for _, _, err in done if err]
    return {
        "ingest_seconds": round(t1 - t0, 2),
        "ingest_result": outcome,
        "answers_during_ingest": len(inside),
        "longest_gap_seconds": round(max(b - a for a, b in zip(ends, ends[1:], strict=False)), 2),
        "latency_ms_during_ingest": summary_ms([e - s for s, e, _ in inside]),
        "asks_total": len(done),
        "errors": len(errors),
        "error_samples": errors[:3],
    }


def run(
    home: Path, corpus: Path, n: int = 50, concurrency: int = 50, ingest: bool = True, login: bool = False
) -> dict:
    """The whole load benchmark against a `kb serve` of `corpus` kept in `home`; with `login`,
    under `--auth` (every client logs in first, as a real deployment's users would)."""
    from app.auth import auth_line

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    result: dict = {"machine": machine(), "corpus": str(corpus), "url": url, "auth": login}
    auth, auth_file = None, None
    if login:
        auth = ("bench", secrets.token_urlsafe(12))
        auth_file = Path(tempfile.mkdtemp(prefix="kb-load-auth-")) / "users.txt"
        auth_file.write_text(auth_line(*auth) + "\n", encoding="utf-8")
    proc = start_server(home, corpus, port, auth_file)
    client = None
    try:
        client = connect(url, proc, workers=8, auth=auth)
        client.predict(QUESTIONS[0], None, api_name="/ask")  # warm: model and caches loaded
        result["burst"] = burst(url, n, concurrency, auth)
        if ingest:
            tmp = Path(tempfile.mkdtemp(prefix="kb-load-"))
            upload = tmp / UPLOAD_NAME
            upload.write_text(new_document(corpus, "负载"), encoding="utf-8")

            def via_upload() -> dict:
                from gradio_client import handle_file

                up = client.predict(handle_file(upload), True, api_name="/upload")
                return {k: up.get(k) for k in ("ok", "doc_id", "embedded", "seconds")}

            result["during_upload"] = while_running(url, via_upload, auth=auth)
            client.predict(UPLOAD_NAME, api_name="/delete")

            (corpus / CLI_NAME).write_text(new_document(corpus, "命令"), encoding="utf-8")

            def via_cli() -> dict:
                env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1"}
                cli = subprocess.run([sys.executable, "-m", "app.cli", "ingest", "--quiet"], cwd=PROJECT_ROOT,
                                     env=env, capture_output=True, text=True, timeout=900)
                return {"returncode": cli.returncode, "stdout": cli.stdout.strip()[:300],
                        "stderr": cli.stderr.strip()[-300:]}

            try:
                result["during_cli_ingest"] = while_running(url, via_cli, auth=auth)
                seen = {d["doc_id"] for d in client.predict(api_name="/documents")}
                result["during_cli_ingest"]["server_sees_new_document"] = CLI_NAME in seen
            finally:
                (corpus / CLI_NAME).unlink(missing_ok=True)
                shutil.rmtree(tmp, ignore_errors=True)
            env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1"}
            subprocess.run([sys.executable, "-m", "app.cli", "ingest", "--quiet"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, timeout=900)
        result["server_peak_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
    finally:
        if client is not None:
            client.close()
        stop_server(proc, timeout=30)
        if auth_file:
            shutil.rmtree(auth_file.parent, ignore_errors=True)
    result["machine_after"] = machine()
    return result


def report(result: dict) -> str:
    b = result["burst"]
    lines = [
        f"burst: {b['requests']} /ask at once ({b['concurrency']} threads): errors {b['errors']}, "
        f"p50 {b['latency_ms']['p50']} ms, p95 {b['latency_ms']['p95']} ms, wall {b['wall_seconds']} s "
        f"({b['answers_per_second']} answers/s)",
    ]
    for key, label in (("during_upload", "upload via /upload"), ("during_cli_ingest", "kb ingest in another process")):
        r = result.get(key)
        if r:
            lines.append(
                f"{label}: ingest {r['ingest_seconds']} s, {r['answers_during_ingest']} answers meanwhile, "
                f"longest gap {r['longest_gap_seconds']} s, p50 {r['latency_ms_during_ingest']['p50']} ms, "
                f"p95 {r['latency_ms_during_ingest']['p95']} ms, errors {r['errors']}"
            )
    if result.get("auth"):
        lines.append("served with --auth: every client logged in first")
    lines.append(f"load average before/after: {result['machine']['loadavg_1_5_15']} / "
                 f"{result['machine_after']['loadavg_1_5_15']} on {result['machine']['cores']} cores")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    p.add_argument("--home", type=Path, default=Path("/tmp/kb-bench/speed"),
                   help="data dir of the served index (ingested first if empty)")
    p.add_argument("--corpus", type=Path, default=None,
                   help="corpus folder (default: a private copy of the bundled corpus)")
    p.add_argument("--n", type=int, default=50)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--no-ingest", action="store_true", help="only the burst")
    p.add_argument("--auth", action="store_true", help="serve with --auth; every client logs in")
    p.add_argument("--out", type=Path, help="results JSON (default benchmarks/results/load.json)")
    args = p.parse_args(argv)
    corpus = args.corpus
    if corpus is None:  # the bundled corpus is read-only: serve a writable copy of it
        corpus = Path(tempfile.mkdtemp(prefix="kb-load-corpus-"))
        shutil.copytree(DEFAULT_CORPUS, corpus, dirs_exist_ok=True, ignore=shutil.ignore_patterns("packs"))
        for f in corpus.iterdir():
            f.chmod(0o644)
    result = run(args.home, corpus, args.n, args.concurrency, ingest=not args.no_ingest, login=args.auth)
    print(report(result))
    print(f"saved {save('load', result, args.out)}")
    return 0 if result["burst"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
