"""Every chunk of a generation in one file beside its BM25 files, so opening a generation
reads one file instead of paging every record back out of Chroma (40 s at 100k chunks).

Rows are lists, not objects, and each document's title, 文号 and source are stored once:
the file stays about the size of the text, and `json.loads` of it takes well under a
second at 100k chunks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from kb.schema import Chunk

FILE_NAME = "chunks.json"
FORMAT = 1


def path(directory: Path) -> Path:
    return directory / FILE_NAME


def save(directory: Path, chunks: Iterable[Chunk]) -> None:
    """Write the chunks into `directory` (the generation's BM25 folder), in their given order,
    through a temporary file and a rename: a reader finds the whole file or none."""
    docs: dict[str, int] = {}
    doc_rows: list[list[str]] = []
    rows: list[list] = []
    for c in chunks:
        d = docs.get(c.doc_id)
        if d is None:
            d = docs[c.doc_id] = len(doc_rows)
            doc_rows.append([c.doc_id, c.doc_title, c.doc_number, c.source])
        rows.append([c.chunk_id, d, list(c.section_path), c.label, c.start, c.end, c.part, c.kind, c.verbatim])
    raw = json.dumps({"format": FORMAT, "docs": doc_rows, "chunks": rows}, ensure_ascii=False)
    tmp = directory / f".{FILE_NAME}.tmp"
    tmp.write_text(raw, encoding="utf-8")
    os.replace(tmp, path(directory))


def load(directory: Path) -> dict[str, Chunk] | None:
    """The chunks by id in stored order, or None when the folder has no chunk file of this
    format (an index written before chunk files existed: the caller reads Chroma instead).
    The text is the document's own: a caller that matches reads `kb.schema.shadowed` chunks."""
    try:
        data = json.loads(path(directory).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data.get("format") != FORMAT:
        return None
    docs = data["docs"]
    out: dict[str, Chunk] = {}
    new = object.__new__
    for cid, d, section_path, label, start, end, part, kind, text in data["chunks"]:
        doc_id, title, number, source = docs[d]
        # A frozen dataclass's __init__ only assigns its fields; filling __dict__ directly is
        # the same object at a fifth of the cost, which is most of an open at 100k chunks.
        chunk = new(Chunk)
        chunk.__dict__.update(
            doc_id=doc_id, doc_title=title, doc_number=number, section_path=tuple(section_path),
            label=label, text=text, start=start, end=end, source=source, part=part, kind=kind,
        )
        out[cid] = chunk
    return out
