"""Chroma access: the client, the index generations, and the pointer to the current one.

Every ingest writes a complete new collection (a generation), then flips one pointer
record. A reader always follows the pointer, so an ingest killed at any point leaves the
previous generation whole, and several app processes sharing a Chroma server agree on
what the index is.
"""

from __future__ import annotations

import calendar
import json
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from kb.config import Settings

META_COLLECTION = "kb_meta"
GENERATION_PREFIX = "kb_gen_"
_POINTER_ID = "current"
_PAGE = 1000


def lexical_dir(settings: Settings, collection: str) -> Path:
    """The BM25 files of one generation live beside Chroma, named after its collection."""
    return settings.home / "lexical" / collection


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma server when KB_CHROMA_HOST is set, else a persistent client under the data dir."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.home.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.home / "chroma"), settings=chroma_settings)


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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        data = json.loads(raw)
        data["docs"] = [DocRecord(**d) for d in data.get("docs", [])]
        return cls(**data)


def _meta(client: ClientAPI) -> Collection:
    return client.get_or_create_collection(META_COLLECTION, embedding_function=None)


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


def publish(client: ClientAPI, manifest: Manifest) -> None:
    """Make `manifest` the current generation: a single record write, so it is all or nothing."""
    _meta(client).upsert(
        ids=[_POINTER_ID],
        embeddings=[[0.0]],
        documents=[manifest.to_json()],
        metadatas=[{"collection": manifest.collection, "created": manifest.created}],
    )


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
