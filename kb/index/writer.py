"""Bring the index in step with the corpus folder: a new generation, then one pointer flip.

Vectors are reused by the hash of the text they embed, so re-ingesting after a small
change embeds only what changed, and an unchanged corpus is a no-op.

A run that fails (a full disk) or is killed leaves a generation nobody points to: a failed
run removes its own, and every ingest, changed corpus or not, first removes those of killed
runs, so freeing space is all it takes for the next one to succeed.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.corpus import Skipped, load_corpus
from ingest.structure import chunk_document
from kb.config import Settings
from kb.index import chunkstore, storage, store, torch_child, vectorfile
from kb.index.embeddings import embed_passages, embedder_id
from kb.index.lexical import LexicalIndex
from kb.profile import PROFILE_NAME
from kb.schema import Chunk, SourceDoc, content_hash, dense_text, search_text
from kb.text.script import shadow_title

# Bump when chunking or lexical indexing changes: forces re-indexing. 3: a traditional-script
# document is chunked, tokenised and embedded through its simplified shadow.
PIPELINE_VERSION = "3"
ProgressFn = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
_ADD_BATCH = 1024  # fewer, larger Chroma writes: 3000 chunks took 7-12 s in batches of 1024-2048, 15-22 s in 256s
NO_PROFILE = "none"  # a corpus without profile.toml ("" in a manifest: written before profiles were hashed)
SHARED_GRACE_SECONDS = 24 * 3600  # an ingest on another machine finishes well within a day
_thread_lock = threading.Lock()


@dataclass
class IngestReport:
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    embed_seconds: float
    unchanged: bool
    collection: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    profile_changed: bool = False  # profile.toml changed: a new generation, so servers reopen with it


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingest at a time, across threads of the app and across processes on this machine.
    Raises StorageError when the data directory cannot be written (read-only, or full)."""
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
        fh = open(settings.home / "ingest.lock", "w")  # noqa: SIM115 (closed below, after the unlock)
    except OSError as err:
        raise storage.classify(err, settings.home) or err from None
    with _thread_lock, fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def doc_key(doc: SourceDoc | store.DocRecord) -> tuple:
    """What change detection compares: the text, and the metadata stored with its chunks or
    shown for it (title, 文号, issuer, date, validity). A corrected catalog row re-indexes the
    document; its vectors are reused, since the embedded text is the same."""
    return (doc.content_hash, doc.title, doc.doc_number, doc.issuer, doc.date, doc.validity)


def profile_hash(corpus: Path) -> str:
    """Content hash of the corpus's profile.toml (NO_PROFILE without one). The profile is read when a
    generation opens (registry issuers, place names, synonyms), not stored in it: a changed
    profile makes a new generation, vectors and chunks reused, so a running server reopens
    with it instead of keeping the old one until it restarts."""
    try:
        return content_hash((corpus / PROFILE_NAME).read_bytes().decode("utf-8", "replace"))
    except OSError:
        return NO_PROFILE


def _embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _old_vectors(client, manifest: store.Manifest | None) -> dict[str, np.ndarray]:
    """Vectors of the current generation by the hash of the text they embed."""
    if manifest is None:
        return {}
    try:
        col = store.generation(client, manifest.collection)
    except Exception:  # the pointer names a generation that is gone: nothing to reuse
        return {}
    return {meta["embed_hash"]: vec for _, _, meta, vec in store.iter_records(col, embeddings=True) if vec is not None}


def ingest(
    settings: Settings,
    embeddings: Embeddings,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Index the corpus folder. Safe to interrupt: the previous index stays current until the end."""
    t0 = time.perf_counter()
    with ingest_lock(settings):
        try:
            client = store.open_client(settings)
            old = store.read_manifest(client)
            # Before anything is written: what killed or failed runs left may be what filled the disk.
            drop_stale(settings, client, keep=store.live_generations(old))
        except Exception as err:
            raise storage.classify(err, settings.home) or err from None
        packs = settings.pack_names
        packs = tuple(old.packs if old else ()) if packs is None else packs  # unset: keep what is there
        docs, skipped = load_corpus(settings.corpus, packs)
        embedder = embedder_id(embeddings)
        profile = profile_hash(settings.corpus)
        old_hashes = {d.doc_id: doc_key(d) for d in old.docs} if old else {}
        new_hashes = {d.doc_id: doc_key(d) for d in docs}
        diff = dict(
            added=sorted(set(new_hashes) - set(old_hashes)),
            changed=sorted(k for k in new_hashes if k in old_hashes and old_hashes[k] != new_hashes[k]),
            removed=sorted(set(old_hashes) - set(new_hashes)),
        )
        if (
            old
            and not rebuild
            and old.embedder == embedder
            and old.pipeline == PIPELINE_VERSION
            and old_hashes == new_hashes
            and list(packs) == old.packs
            and old.profile == profile
            and chunkstore.path(store.lexical_dir(settings, old.collection)).exists()
            # the vector file serves a read-only data dir; a shared Chroma server is never one
            and (settings.chroma_host or vectorfile.path(store.lexical_dir(settings, old.collection)).exists())
        ):
            n_chunks = sum(d.chunks for d in old.docs)
            return IngestReport(
                len(docs), n_chunks, 0, n_chunks, time.perf_counter() - t0, 0.0, True,
                old.collection, skipped=skipped,
            )

        chunks_by_doc = {d.doc_id: chunk_document(d) for d in docs}
        chunks: list[Chunk] = [c for d in docs for c in chunks_by_doc[d.doc_id]]
        texts = [dense_text(c) for c in chunks]
        hashes = [_embed_hash(t) for t in texts]
        reuse = {} if rebuild or not old or old.embedder != embedder else _old_vectors(client, old)
        todo = [i for i, h in enumerate(hashes) if h not in reuse]
        # One vector per distinct text: 2.5% of the library's 51,139 chunks repeat another's
        # embedded text (第十三条 本规定自发布之日起施行。 closes four regulations).
        first: dict[str, int] = {}
        distinct = [i for i in todo if first.setdefault(hashes[i], i) == i]

        t_embed = time.perf_counter()
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(distinct))

        if progress:
            progress(0, len(distinct))
        fresh = embed_passages(embeddings, [texts[i] for i in distinct], step, settings.home) if distinct else []
        embed_seconds = time.perf_counter() - t_embed
        vectors = dict(reuse)
        vectors.update({hashes[i]: v for i, v in zip(distinct, fresh, strict=True)})
        del reuse, fresh  # rows stay alive through `vectors`; the rest can go

        now = time.time()
        records = [
            store.DocRecord(
                doc_id=d.doc_id, title=d.title, doc_number=d.doc_number, source=d.source,
                content_hash=d.content_hash, chunks=len(chunks_by_doc[d.doc_id]),
                ingested_at=_ingested_at(old, d.doc_id, d.content_hash, now),
                issuer=d.issuer, date=d.date, encoding=d.encoding, level=d.level,
                published=d.published, in_force_from=d.in_force_from, status=d.status,
                superseded_by=d.superseded_by,
            )
            for d in docs
        ]
        manifest = store.Manifest(
            collection="", embedder=embedder, created=now, docs=records,
            pipeline=PIPELINE_VERSION, packs=list(packs),
            skipped=[{"file": s.file, "reason": s.reason} for s in skipped],
            previous=old.collection if old else "", profile=profile,
        )
        name = _write_generation(settings, client, manifest, chunks, hashes, vectors, [shadow_title(d.title) for d in docs])
        try:
            drop_stale(settings, client, keep={name, manifest.previous} - {""})
        except Exception:  # noqa: S110 (a full disk may refuse even deletions: the next ingest retries them)
            pass
        return IngestReport(
            documents=len(docs), chunks=len(chunks), embedded=len(todo), reused=len(chunks) - len(todo),
            seconds=time.perf_counter() - t0, embed_seconds=embed_seconds, unchanged=False,
            collection=name, skipped=skipped, profile_changed=bool(old) and old.profile not in ("", profile), **diff,
        )


def _write_generation(
    settings: Settings,
    client,
    manifest: store.Manifest,
    chunks: list[Chunk],
    hashes: list[str],
    vectors: dict[str, np.ndarray],
    titles: list[str],
) -> str:
    """Write a new generation and publish it; returns its name. A run that fails before the
    pointer flip (a full disk, Ctrl-C) removes what it wrote and leaves the current index as
    it was; a full or read-only disk is raised as StorageError."""
    collection = None
    try:
        collection = store.new_generation(client)
        manifest.collection = collection.name
        ids = [c.chunk_id for c in chunks]
        metas = [{**c.to_metadata(), "embed_hash": h} for c, h in zip(chunks, hashes, strict=True)]
        for i in range(0, len(chunks), _ADD_BATCH):
            sl = slice(i, i + _ADD_BATCH)
            collection.add(
                ids=ids[sl],
                documents=[c.verbatim for c in chunks[sl]],
                metadatas=metas[sl],
                embeddings=np.stack([vectors[h] for h in hashes[sl]]),
            )
        lexical = LexicalIndex.build(ids, [search_text(c) for c in chunks], titles=titles)
        lex_dir = store.lexical_dir(settings, collection.name)
        lexical.save(lex_dir)
        # Before the pointer flip, so a published generation always has its chunk and vector files.
        chunkstore.save(lex_dir, sorted(chunks, key=lambda c: (c.doc_id, c.start)))
        vectorfile.save(lex_dir, ids, np.stack([vectors[h] for h in hashes]) if ids else np.zeros((0, 0)))
        store.publish(client, manifest)
    except BaseException as err:
        if collection is not None:
            _discard(settings, client, collection.name)
        found = storage.classify(err, settings.home) if isinstance(err, Exception) else None
        if found:
            store.renew_client(settings)
            raise found from None
        raise
    return collection.name


def _discard(settings: Settings, client, name: str) -> None:
    """Remove an unpublished generation, its files first: they free the most space, and
    deleting the Chroma collection may itself need some. What cannot go now goes at the
    start of the next ingest."""
    shutil.rmtree(store.lexical_dir(settings, name), ignore_errors=True)
    try:
        client.delete_collection(name)
    except Exception:  # noqa: S110 (left for the next ingest's drop_stale)
        return
    if not settings.chroma_host:
        store.prune_segment_dirs(settings.home / "chroma")


def _ingested_at(old: store.Manifest | None, doc_id: str, content_hash: str, now: float) -> float:
    """An unchanged document keeps the time it was first ingested."""
    for d in old.docs if old else []:
        if d.doc_id == doc_id and d.content_hash == content_hash:
            return d.ingested_at
    return now


def drop_stale(settings: Settings, client, keep: set[str]) -> None:
    """Remove generations and lexical caches not in `keep` (replaced, or left by a killed ingest).

    The caller keeps the generation it replaced too: a query that read the pointer just before
    the flip may still be reading it. On a shared Chroma server, generations younger than
    SHARED_GRACE_SECONDS are spared, since another machine's ingest may still be filling them.
    """
    shared = bool(settings.chroma_host)
    store.drop_generations(client, keep, min_age=SHARED_GRACE_SECONDS if shared else 0.0)
    lex_root = settings.home / "lexical"
    if lex_root.exists():
        for path in lex_root.iterdir():
            being_saved = path.name.startswith(".tmp-") and time.time() - path.stat().st_mtime < 3600
            if path.name not in keep and not being_saved:  # a reader may be caching BM25 right now
                shutil.rmtree(path, ignore_errors=True)
    if not shared:
        store.prune_segment_dirs(settings.home / "chroma")
    # a killed ingest's embedding work files (kb.index.torch_child); ingests hold the lock
    for path in settings.home.glob(f"{torch_child.WORK_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
