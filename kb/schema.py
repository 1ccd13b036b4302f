"""Plain data passed between ingest, index, retrieval and answering.

Offsets always refer to `SourceDoc.text`, the decoded text of a document as the
knowledge base stores it, so a citation can quote `text[start:end]` exactly. A document in
traditional characters is matched through its simplified shadow (kb.text.script), which
has the same offsets: a chunk's `text` is then the shadow and `original` the document's own.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace

from kb.text.script import shadow, shadow_title


def content_hash(text: str) -> str:
    """sha256 of a document's decoded text: what change detection compares, and what tells
    a reader whether a file still holds the text the index was built from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceDoc:
    """One document of the corpus, decoded to text."""

    doc_id: str  # path relative to the corpus dir, POSIX style: stable across machines
    title: str
    doc_number: str  # 文号 / 令号 as the catalog or header gives it, "" when unknown
    text: str
    source: str  # file name shown to users
    content_hash: str  # sha256 of the decoded text: a changed file has a new hash
    issuer: str = ""
    date: str = ""
    encoding: str = "utf-8"
    # Validity (a law pack's catalog states it; a plain corpus file is taken as in force).
    level: str = ""  # 法律 | 行政法规 | ""
    published: str = ""  # this version's publication date, YYYY-MM-DD
    in_force_from: str = ""
    status: str = "in_force"  # in_force | superseded | repealed
    superseded_by: str = ""  # doc_id of the newer version, "" when there is none here

    @property
    def validity(self) -> tuple[str, ...]:
        """The metadata that change detection compares besides the text: a corrected
        status re-indexes the document."""
        return (self.level, self.published, self.in_force_from, self.status, self.superseded_by)


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit: a report item, a law article, or a sentence-aligned piece of one."""

    doc_id: str
    doc_title: str
    doc_number: str
    section_path: tuple[str, ...]  # headings from the top, e.g. ("二、…", "（六）…", "3. …")
    label: str  # what a citation shows: "二、（六）3." or "第二十条"
    text: str  # == SourceDoc.text[start:end], or its simplified shadow (then `original` is that)
    start: int
    end: int
    source: str
    part: int = 0  # index of the piece when a long item was split
    kind: str = "body"  # "body", "heading" or "preamble"
    # 已被修订（…）/已废止 for a text no longer in force, "" otherwise: set when the index
    # opens, from the manifest (kb.validity), never stored with the chunk.
    validity: str = field(default="", compare=False)
    # SourceDoc.text[start:end] when `text` is its simplified shadow (a traditional-script
    # document), "" otherwise: set by `shadowed`, never stored, never matched against.
    original: str = field(default="", compare=False, repr=False)

    @property
    def verbatim(self) -> str:
        """The passage in the document's own characters: what a quote or a card shows."""
        return self.original or self.text

    @property
    def chunk_id(self) -> str:
        """Content hash: the same passage of the same document always gets the same id."""
        key = f"{self.doc_id}\x1f{self.start}\x1f{self.verbatim}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    @property
    def heading(self) -> str:
        """The heading path as one line, prepended to the text for embedding and BM25."""
        return " ".join(self.section_path)

    def to_metadata(self) -> dict[str, str | int]:
        """Flat metadata for Chroma (which accepts only scalars)."""
        meta = asdict(self)
        meta.pop("text")
        meta.pop("validity")
        meta.pop("original")
        meta["section_path"] = "\x1f".join(self.section_path)
        return meta

    @classmethod
    def from_metadata(cls, text: str, meta: dict) -> Chunk:
        path = meta.get("section_path") or ""
        return cls(
            doc_id=str(meta["doc_id"]),
            doc_title=str(meta["doc_title"]),
            doc_number=str(meta.get("doc_number") or ""),
            section_path=tuple(p for p in str(path).split("\x1f") if p),
            label=str(meta["label"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            source=str(meta["source"]),
            part=int(meta.get("part", 0)),
            kind=str(meta.get("kind", "body")),
        )


@dataclass
class Hit:
    """A chunk found by retrieval, with the evidence of each ranking that found it."""

    chunk: Chunk
    score: float  # fused score (higher is better)
    ranks: dict[str, int] = field(default_factory=dict)  # ranking name -> 1-based rank
    scores: dict[str, float] = field(default_factory=dict)  # ranking name -> raw score


def shadowed(chunk: Chunk) -> Chunk:
    """The chunk as matching reads it: a passage in traditional characters becomes its
    simplified shadow (same offsets), keeping its own text as `original`; any other is itself.
    (Its title stays as the document gives it: what matches a title reads `shadow_title`.)"""
    if chunk.original:
        return chunk  # already the shadow
    simple = shadow(chunk.text)
    return chunk if simple == chunk.text else replace(chunk, text=simple, original=chunk.text)


def search_text(chunk: Chunk) -> str:
    """What BM25 sees: the passage under its title and headings, so 第二十条 knows it is about 行政复议申请."""
    title = shadow_title(chunk.doc_title).removeprefix("中华人民共和国")
    return f"{title} {chunk.heading}\n{chunk.text}"


def dense_text(chunk: Chunk) -> str:
    """What the embedder sees: the passage, led by its item heading when it is a later piece.

    Embedding cost grows faster than length on this CPU, so the full heading path stays
    with BM25, where it is free.
    """
    if chunk.part == 0 or not chunk.section_path:
        return chunk.text
    lead = chunk.label if chunk.label.startswith("第") else chunk.section_path[-1]
    return f"{lead}：{chunk.text}"
