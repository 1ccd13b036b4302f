"""Chroma access: the client, the index generations, and the pointer to the current one.

Every ingest writes a complete new collection (a generation), then flips one pointer
record. A reader always follows the pointer, so an ingest killed at any point leaves the
previous generation whole, and several app processes sharing a Chroma server agree on
what the index is.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from kb.config import Settings
from kb.index import storage

META_COLLECTION = "kb_meta"
GENERATION_PREFIX = "kb_gen_"
_POINTER_ID = "current"
_PAGE = 1000


def lexical_dir(settings: Settings, collection: str) -> Path:
    """The BM25 files of one generation live beside Chroma, named after its collection."""
    return settings.home / "lexical" / collection


_client_epoch = 0  # bumped by `renew_client`: an Index opened before it reopens its client


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma server when KB_CHROMA_HOST is set, else a persistent client under the data dir."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.home.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.home / "chroma"), settings=chroma_settings)


def client_epoch() -> int:
    return _client_epoch


def renew_client(settings: Settings) -> None:
    """Make the next `open_client` start a fresh local Chroma. After a write failed on a full
    disk, Chroma's client in this process hangs on its next `add` (measured: a second ingest
    after freeing space never finished, while a new process succeeded). The old client is
    dropped from Chroma's cache but not stopped: a query in flight may still be reading it."""
    global _client_epoch
    if settings.chroma_host:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(str(settings.home / "chroma"), None)
    _client_epoch += 1


@dataclass
class DocRecord:
    """What the index knows of one document, kept in the manifest."""

    doc_id: str
    title: str
    doc_number: str
    source: str
    content_hash: str
    chunks: int
    ingested_at: float
    issuer: str = ""
    date: str = ""
    encoding: str = "utf-8"
    level: str = ""
    published: str = ""
    in_force_from: str = ""
    status: str = "in_force"
    superseded_by: str = ""

    @property
    def validity(self) -> tuple[str, ...]:
        return (self.level, self.published, self.in_force_from, self.status, self.superseded_by)


@dataclass
class Manifest:
    collection: str
    embedder: str  # vectors are reusable only under the same embedder
    created: float
    docs: list[DocRecord] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    pipeline: str = ""  # chunking/lexical version: a new one re-chunks and re-indexes
    packs: list[str] = field(default_factory=list)  # corpus packs this generation holds
    previous: str = ""  # the generation this one replaced: a query may still be reading it
    profile: str = ""  # content hash of the corpus's profile.toml when this generation was written

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        data = json.loads(raw)
        data["docs"] = [DocRecord(**d) for d in data.get("docs", [])]
        return cls(**data)


# The meta collection's handle per client: get_or_create_collection took 1.3 ms, paid by
# every question's freshness check (Index.current) for a collection that is never dropped.
_metas: weakref.WeakKeyDictionary[ClientAPI, Collection] = weakref.WeakKeyDictionary()


def _meta(client: ClientAPI) -> Collection:
    col = _metas.get(client)
    if col is None:
        col = _metas[client] = client.get_or_create_collection(META_COLLECTION, embedding_function=None)
    return col


def read_manifest(client: ClientAPI) -> Manifest | None:
    """The current generation, or None before the first ingest."""
    got = _meta(client).get(ids=[_POINTER_ID], include=["documents"])
    docs = got.get("documents") or []
    return Manifest.from_json(docs[0]) if docs and docs[0] else None


def current_collection(client: ClientAPI) -> str | None:
    """Name of the current generation from the pointer's metadata alone: the per-query
    freshness check, which must not parse a manifest that grows with the corpus."""
    got = _meta(client).get(ids=[_POINTER_ID], include=["metadatas"])
    metas = got.get("metadatas") or []
    return str(metas[0]["collection"]) if metas and metas[0] and metas[0].get("collection") else None


def read_only(settings: Settings) -> bool:
    """Whether the data directory is local and cannot be written (a read-only mount):
    Chroma's client cannot open it then, since it writes to SQLite as it starts."""
    if settings.chroma_host:
        return False
    db = settings.home / "chroma" / "chroma.sqlite3"
    return not storage.writable(settings.home) or (db.exists() and not os.access(db, os.W_OK))


# The pointer record in the SQLite file of Chroma 1.x (schema checked by
# tests/test_storage.py::test_read_only_data_dir_answers_without_writing):
# its metadata 'collection', and the manifest as the record's document.
_POINTER_SQL = """
SELECT m.key, m.string_value FROM collections c
JOIN segments s ON s.collection = c.id AND s.scope = 'METADATA'
JOIN embeddings e ON e.segment_id = s.id AND e.embedding_id = ?
JOIN embedding_metadata m ON m.id = e.id
WHERE c.name = ? AND m.key IN ('collection', 'chroma:document')
"""


def read_pointer_file(settings: Settings) -> dict[str, str]:
    """The pointer record read straight from Chroma's SQLite file opened read-only, for a data
    directory Chroma cannot open: {'collection': name, 'chroma:document': manifest JSON}, or {}.
    0.4 ms a read on the bundled corpus: cheap enough for the per-query freshness check."""
    db = settings.home / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return {}
    for flags in ("mode=ro", "immutable=1"):  # immutable: a journal left by a crashed writer
        try:
            with closing(sqlite3.connect(f"file:{db}?{flags}", uri=True)) as con:
                return dict(con.execute(_POINTER_SQL, (_POINTER_ID, META_COLLECTION)).fetchall())
        except sqlite3.OperationalError:
            continue
    return {}


def publish(client: ClientAPI, manifest: Manifest) -> None:
    """Make `manifest` the current generation: a single record write, so it is all or nothing."""
    _meta(client).upsert(
        ids=[_POINTER_ID],
        embeddings=[[0.0]],
        documents=[manifest.to_json()],
        metadatas=[{"collection": manifest.collection, "created": manifest.created}],
    )


def live_generations(manifest: Manifest | None) -> set[str]:
    """The generations a reader may be using: the current one and the one it replaced. Any
    other was left by an ingest that was killed or failed."""
    return {manifest.collection, manifest.previous} - {""} if manifest else set()


def new_generation(client: ClientAPI) -> Collection:
    """An empty collection whose name carries its creation time (UTC), read by `generation_age`."""
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S', time.gmtime())}_{uuid.uuid4().hex[:8]}"
    return client.create_collection(
        name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )


def generation(client: ClientAPI, name: str) -> Collection:
    return client.get_collection(name, embedding_function=None)


def generation_age(name: str, now: float | None = None) -> float:
    """Seconds since the generation was created; unreadable names count as ancient."""
    match = re.match(rf"{GENERATION_PREFIX}(\d{{14}})_", name)
    if not match:
        return float("inf")
    created = calendar.timegm(time.strptime(match.group(1), "%Y%m%d%H%M%S"))
    return (time.time() if now is None else now) - created


def drop_generations(client: ClientAPI, keep: set[str], min_age: float = 0.0) -> list[str]:
    """Delete generations not in `keep`: those replaced, and those an interrupted ingest left.

    `min_age` spares younger generations: on a shared Chroma server they may belong to an
    ingest still running on another machine, which no local lock can see.
    """
    dropped = []
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(GENERATION_PREFIX) and name not in keep and generation_age(name) >= min_age:
            client.delete_collection(name)
            dropped.append(name)
    return dropped


_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def prune_segment_dirs(chroma_dir: Path) -> list[str]:
    """Remove vector-segment folders of deleted collections from a local Chroma folder.

    Chroma 1.x deletes a collection's rows but leaves its HNSW folder on disk, so each ingest
    would leak one index's worth of files. Only call this under the ingest lock: a folder is
    live while its id is in Chroma's `segments` table.
    """
    db = chroma_dir / "chroma.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        live = {row[0] for row in con.execute("SELECT id FROM segments")}
    removed = []
    for path in chroma_dir.iterdir():
        if path.is_dir() and _SEGMENT_DIR.match(path.name) and path.name not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def iter_records(
    collection: Collection, where: dict | None = None, embeddings: bool = False
) -> Iterator[tuple[str, str, dict, np.ndarray | None]]:
    """(id, document, metadata, embedding as a float32 row) of every record, page by page."""
    include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=_PAGE, offset=offset)
        ids = page["ids"]
        if not ids:
            return
        vectors = page.get("embeddings") if embeddings else None
        for i, rid in enumerate(ids):
            vec = np.asarray(vectors[i], dtype=np.float32) if vectors is not None else None
            yield rid, page["documents"][i], page["metadatas"][i], vec
        offset += len(ids)
