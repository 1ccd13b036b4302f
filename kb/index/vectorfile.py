"""Every vector of a generation in one file beside its BM25 files, and a dense search over it.

Chroma cannot be opened on a read-only data directory: its client writes to SQLite as it
starts ("attempt to write a readonly database"). A read-only index therefore answers its
dense ranking from this file, an exact cosine search in numpy, with the same ranking
interface as the Chroma store (`similarity_search_by_vector_with_relevance_scores`).
Cost: 1.5 KB a chunk on disk (384 float32 and the id): 1.0 MB for the bundled corpus's 601 chunks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from kb.schema import Chunk

FILE_NAME = "vectors.npz"


def path(directory: Path) -> Path:
    return directory / FILE_NAME


def save(directory: Path, ids: Sequence[str], vectors: np.ndarray) -> None:
    """Write the vectors (one row per id) through a temporary file and a rename."""
    tmp = directory / f".{FILE_NAME}.tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, ids=np.asarray(ids, dtype=str), vectors=np.asarray(vectors, dtype=np.float32))
    os.replace(tmp, path(directory))


class ArrayVectors:
    """Exact cosine search over a generation's vector file (the read-only stand-in for Chroma)."""

    def __init__(self, ids: list[str], vectors: np.ndarray, chunks: dict[str, Chunk]) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.ids = ids
        self.vectors = vectors / np.where(norms == 0, 1, norms)
        self.chunks = chunks
        rows: dict[str, list[int]] = {}
        for n, i in enumerate(ids):
            rows.setdefault(chunks[i].doc_id, []).append(n)
        self.doc_rows = {d: np.asarray(r) for d, r in rows.items()}  # a document's rows, in order

    @classmethod
    def load(cls, directory: Path, chunks: dict[str, Chunk]) -> ArrayVectors | None:
        """The generation's vectors, or None when it was written before vector files existed."""
        try:
            with np.load(path(directory)) as data:
                ids, vectors = [str(i) for i in data["ids"]], data["vectors"]
        except FileNotFoundError:
            return None
        keep = [n for n, i in enumerate(ids) if i in chunks]
        return cls([ids[n] for n in keep], vectors[keep], chunks)

    def ranked_ids(self, embedding: Sequence[float], k: int, filter: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) best first: the ranking interface of the Chroma store."""
        return [(self.ids[r], distance) for r, distance in self._nearest(embedding, k, filter)]

    def similarity_search_by_vector_with_relevance_scores(
        self, embedding: Sequence[float], k: int = 4, filter: dict | None = None
    ) -> list[tuple[Document, float]]:
        """(passage, cosine distance) best first, as Chroma's cosine space returns them;
        `filter` understands the one form retrieval uses: {"doc_id": {"$in": [...]}}."""
        out = []
        for r, distance in self._nearest(embedding, k, filter):
            chunk = self.chunks[self.ids[r]]
            doc = Document(page_content=chunk.text, metadata=chunk.to_metadata(), id=self.ids[r])
            out.append((doc, distance))
        return out

    def _nearest(self, embedding: Sequence[float], k: int, filter: dict | None) -> list[tuple[int, float]]:
        """(row, cosine distance) of the k nearest rows, best first: inside the filter's
        documents only their rows are compared."""
        if not self.ids or k <= 0:
            return []
        query = np.asarray(embedding, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        if not filter:
            distances = 1.0 - self.vectors @ query
            return [(int(r), float(distances[r])) for r in np.argsort(distances, kind="stable")[:k]]
        named = [self.doc_rows[d] for d in sorted(filter["doc_id"]["$in"]) if d in self.doc_rows]
        rows = np.sort(np.concatenate(named)) if named else np.zeros(0, dtype=int)
        distances = 1.0 - self.vectors[rows] @ query
        return [(int(rows[b]), float(distances[b])) for b in np.argsort(distances, kind="stable")[:k]]
