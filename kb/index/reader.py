"""The read side of the knowledge base: the current generation, opened once and followed.

Each search checks the pointer (one small Chroma read), so a process serving questions
picks up an ingest made by another thread or process without a restart.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from chromadb.api.models.Collection import Collection
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from kb.config import Settings
from kb.index import chunkstore, storage, store
from kb.index.lexical import LexicalIndex
from kb.index.vectorfile import ArrayVectors
from kb.profile import DEFAULT as DEFAULT_PROFILE
from kb.profile import Profile, load_profile
from kb.registry import Registry, build_registry
from kb.schema import Chunk, search_text, shadowed
from kb.text.script import shadow_title
from kb.text.titles import normalize_title
from kb.validity import validity_note

T = TypeVar("T")
log = logging.getLogger(__name__)


def reference_year(dates: list[str], titles: list[str]) -> int | None:
    """今年 for the corpus: the publication year of its newest report (a 2023 report is published in 2024)."""
    years = [
        int(m.group(0))
        for date, title in zip(dates, titles, strict=True)
        if "报告" in title and (m := re.match(r"(19|20)\d\d", date or ""))
    ]
    return max(years) if years else None


class EmptyIndexError(RuntimeError):
    """Raised when nothing has been ingested yet."""

    def __init__(self) -> None:
        super().__init__("知识库为空：请先运行 kb ingest 导入文档。")


class ChromaVectors(Chroma):
    """A generation's Chroma collection, whose dense search for ranking returns ids and
    distances only: ranking reads no more, and Chroma fetching each hit's text and metadata
    from SQLite cost 6.6 ms CPU a search of 30 on the law library, against 2.3 without.

    A search inside named documents is answered from the generation's vector file instead
    (`exact`, loaded on first use): an exact cosine over those documents' rows. Chroma's
    filtered search took 37-62 ms a query on the law library (its metadata filter in SQLite,
    then HNSW over the allowed ids), the file's under 1 ms after a 0.9 s load; a question
    naming a law makes one or two of them, and they were most of the slow answers' time."""

    def __init__(self, *args: Any, exact: Callable[[], ArrayVectors | None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._exact_source = exact
        self._exact: ArrayVectors | None = None
        self._exact_lock = threading.Lock()

    def ranked_ids(self, embedding: list[float], k: int, filter: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the k nearest passages, best first, as
        `similarity_search_by_vector_with_relevance_scores` ranks them."""
        exact = self._exact_vectors() if filter else None
        if exact is not None:
            return exact.ranked_ids(embedding, k, filter)
        found = self._collection.query(
            query_embeddings=[embedding], n_results=k, where=filter, include=["distances"]
        )
        return list(zip(found["ids"][0], found["distances"][0], strict=True))

    def _exact_vectors(self) -> ArrayVectors | None:
        """The vector file's search, loaded once however many threads ask; None without a file."""
        with self._exact_lock:
            if self._exact_source is not None:
                self._exact, self._exact_source = self._exact_source(), None
            return self._exact


@dataclass
class Generation:
    manifest: store.Manifest
    vectors: ChromaVectors | ArrayVectors  # ArrayVectors when the data directory is read-only
    lexical: LexicalIndex
    chunks: dict[str, Chunk]  # every chunk by id, in reading order
    profile: Profile = DEFAULT_PROFILE  # the corpus's district data: one request reads one profile
    docnums: dict[str, list[str]] | None = None  # 文号 key -> ids of chunks citing it, built on first use
    # What other layers derive from this generation (the quiz pool, term statistics): it
    # lives and dies with the generation, so an upload never leaves the old one reachable.
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property  # a generation's manifest never changes: computed once, not per query
    def doc_titles(self) -> dict[str, str]:
        """Titles as a question names them: a traditional-script title in simplified characters."""
        return {d.doc_id: shadow_title(d.title) for d in self.manifest.docs}

    @cached_property
    def normalized_titles(self) -> frozenset[str]:
        """The titles in kb.text.titles.normalize_title form, for relations between documents."""
        return frozenset(normalize_title(t) for t in self.doc_titles.values())

    @cached_property
    def doc_records(self) -> dict[str, store.DocRecord]:
        """Each document's manifest record (title, dates, validity) by doc_id."""
        return {d.doc_id: d for d in self.manifest.docs}

    @cached_property
    def reference_year(self) -> int | None:
        docs = self.manifest.docs
        return reference_year([d.date for d in docs], [shadow_title(d.title) for d in docs])

    @property
    def registry(self) -> Registry:
        """The 文号 registry of this generation, derived from its chunks on first use, once
        however many threads ask (`kb serve` builds it in the background as it starts: with
        the law library loaded it takes 7.7 s)."""
        return self.cached("registry", self._build_registry)

    def _build_registry(self) -> Registry:
        docs = [_RegistryDoc(**{**asdict(d), "title": shadow_title(d.title), "text": ""}) for d in self.manifest.docs]
        return build_registry(docs, list(self.chunks.values()), self.profile)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """The value stored under `key`, built once by `build()`; a thread asking while
        another builds it waits for that build instead of repeating it."""
        if key in self._cache:
            return self._cache[key]
        with self._locks.setdefault(key, threading.Lock()):
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]


@dataclass
class _RegistryDoc(store.DocRecord):
    """A manifest record seen as a document whose text the registry reads from the chunks."""

    text: str = ""


class Index:
    """Follows the current generation; `current()` gives a consistent snapshot for one query.

    On a read-only data directory (`read_only`) Chroma is never opened: the pointer is read
    from its SQLite file, and each generation from its own files (passages, BM25, vectors).
    """

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.read_only = store.read_only(settings)
        self.client = None if self.read_only else store.open_client(settings)
        self._epoch = store.client_epoch()
        self._gen: Generation | None = None
        self._lock = threading.Lock()

    def _current_collection(self) -> str | None:
        if self.read_only:
            return store.read_pointer_file(self.settings).get("collection")
        return store.current_collection(self.client)

    def _read_manifest(self) -> store.Manifest | None:
        if self.read_only:
            raw = store.read_pointer_file(self.settings).get("chroma:document")
            return store.Manifest.from_json(raw) if raw else None
        return store.read_manifest(self.client)

    def current(self) -> Generation:
        if not self.read_only and self._epoch != store.client_epoch():  # Chroma renewed after a full disk
            with self._lock:
                self.client, self._epoch, self._gen = store.open_client(self.settings), store.client_epoch(), None
        gen = self._gen
        if gen is not None and self._current_collection() == gen.manifest.collection:
            return gen  # the common case: one small metadata read, whatever the corpus size
        with self._lock:
            manifest = self._read_manifest()
            if manifest is None:
                raise EmptyIndexError()
            if self._gen is None or self._gen.manifest.collection != manifest.collection:
                self._gen = self._open(manifest)
            return self._gen

    def _open(self, manifest: store.Manifest) -> Generation:
        lex_path = store.lexical_dir(self.settings, manifest.collection)
        if self.read_only:
            return self._open_files(manifest, lex_path)
        ordered = chunkstore.load(lex_path) if lex_path.exists() else None
        if ordered is None:  # built before chunk files, or on another machine: read Chroma
            ordered = read_chunks(store.generation(self.client, manifest.collection))
        ordered = {cid: shadowed(c) for cid, c in ordered.items()}  # traditional script: matched simplified
        if lex_path.exists():
            lexical = LexicalIndex.load(lex_path)
        else:  # another machine ingested into the shared Chroma server: derive BM25 from it
            ids = list(ordered)
            titles = [shadow_title(d.title) for d in manifest.docs]
            lexical = LexicalIndex.build(ids, [search_text(ordered[i]) for i in ids], titles=titles)
            lexical.save(lex_path)
            chunkstore.save(lex_path, ordered.values())
        ordered = with_validity(ordered, manifest.docs)
        vectors = ChromaVectors(
            client=self.client,
            collection_name=manifest.collection,
            embedding_function=self.embeddings,
            create_collection_if_not_exists=False,
            exact=partial(ArrayVectors.load, lex_path, ordered),
        )
        return Generation(manifest, vectors, lexical, ordered, profile=load_profile(self.settings.corpus))

    def _open_files(self, manifest: store.Manifest, lex_path: Path) -> Generation:
        """A generation from its files alone, for a read-only data directory."""
        ordered = chunkstore.load(lex_path) if lex_path.exists() else None
        if ordered is None:
            raise storage.StorageError(
                f"只读数据目录 {self.settings.home} 中缺少当前索引的文件（{lex_path.name}），"
                "请在可写的数据目录上运行 kb ingest。"
            )
        ordered = {cid: shadowed(c) for cid, c in ordered.items()}  # traditional script: matched simplified
        vectors = ArrayVectors.load(lex_path, ordered)
        if vectors is None:  # written before vector files existed: BM25 alone still answers
            log.warning(
                "只读数据目录 %s 中的索引由旧版本导入，没有向量文件，只能按关键词检索；"
                "在可写的数据目录上运行一次 kb ingest 即可补上（无需重新向量化）。", self.settings.home,
            )
            vectors = ArrayVectors([], np.zeros((0, 0), dtype=np.float32), {})
        lexical = LexicalIndex.load(lex_path)
        ordered = with_validity(ordered, manifest.docs)
        return Generation(manifest, vectors, lexical, ordered, profile=load_profile(self.settings.corpus))


def with_validity(chunks: dict[str, Chunk], docs: list[store.DocRecord]) -> dict[str, Chunk]:
    """The chunks, those of a text no longer in force labelled (已被修订…/已废止) wherever shown."""
    records = {d.doc_id: d for d in docs}
    notes = {d.doc_id: note for d in docs if (note := validity_note(d, records))}
    if not notes:
        return chunks
    return {
        cid: replace(c, validity=notes[c.doc_id]) if c.doc_id in notes else c for cid, c in chunks.items()
    }


def read_chunks(collection: Collection) -> dict[str, Chunk]:
    """Every chunk of a Chroma generation by id, in reading order: the slow way (about
    0.25 ms a record), for generations that have no chunk file beside their BM25 files."""
    chunks = {rid: Chunk.from_metadata(doc, meta) for rid, doc, meta, _ in store.iter_records(collection)}
    return dict(sorted(chunks.items(), key=lambda kv: (kv[1].doc_id, kv[1].start)))


def open_index(settings: Settings | None = None) -> Index:
    """The index named by the environment, with the embedder it was built with."""
    from kb.config import settings as load_settings
    from kb.index.embeddings import load_embeddings

    settings = settings or load_settings()
    return Index(settings, load_embeddings(settings.embeddings))
