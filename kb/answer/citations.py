"""Citations: each [n] of an answer points at an exact span of a source document.

`quote` is always `document text[start:end]`: a chunk's text is the document text at
`chunk.start:chunk.end`, so a span inside a chunk has absolute offsets chunk.start + i.
That is what lets the UI highlight the passage and a reader check it. A passage in
traditional characters is matched through its simplified shadow, of the same offsets
(kb.text.script); quotes and cards are cut from the document's own text.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from kb.index import Generation
from kb.schema import Chunk
from kb.text.script import script_table

# The [n] an answer cites with. 1-3 digits: 江政办[2023]17号 is not a marker.
MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class Citation:
    n: int
    doc_title: str
    doc_number: str
    label: str
    quote: str  # == source document text[start:end]
    source: str
    start: int
    end: int
    doc_id: str
    chunk_id: str
    validity: str = ""  # 已被修订（…）/已废止 when the cited text is no longer in force

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def reference(self) -> str:
        """How a citation reads in plain text: 《中华人民共和国行政复议法》第二十条."""
        return f"《{self.doc_title}》{self.label}" if self.label else f"《{self.doc_title}》"


def cite(chunk: Chunk, start: int = 0, end: int | None = None, n: int = 0) -> Citation:
    """A citation of chunk.text[start:end] (offsets inside the chunk, default the whole chunk)."""
    end = len(chunk.text) if end is None else end
    start = max(0, min(start, len(chunk.text)))
    end = max(start, min(end, len(chunk.text)))
    return Citation(
        n=n,
        doc_title=chunk.doc_title,
        doc_number=chunk.doc_number,
        label=chunk.label,
        quote=chunk.verbatim[start:end],
        source=chunk.source,
        start=chunk.start + start,
        end=chunk.start + end,
        doc_id=chunk.doc_id,
        chunk_id=chunk.chunk_id,
        validity=chunk.validity,
    )


class CitationBook:
    """Numbers citations in order of first use; the same span cited twice keeps its number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_span: dict[tuple[str, int, int], Citation] = {}

    def add(self, citation: Citation) -> int:
        key = (citation.doc_id, citation.start, citation.end)
        if key not in self._by_span:
            citation.n = len(self.items) + 1
            self.items.append(citation)
            self._by_span[key] = citation
        return self._by_span[key].n


def markers(text: str) -> list[int]:
    """The [n] numbers of a text, in order of appearance (repeats included)."""
    return [int(m.group(1)) for m in MARKER.finditer(text or "")]


def renumber(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Number citations 1..k in order of first use in `text`, dropping those never used.

    A marker pointing at no citation is left out of the text (the grounding check has
    already rejected answers that rely on one).
    """
    by_n = {c.n: c for c in citations}
    order: dict[int, int] = {}
    for n in markers(text):
        if n in by_n and n not in order:
            order[n] = len(order) + 1

    def repl(m: re.Match) -> str:
        n = int(m.group(1))
        return f"[{order[n]}]" if n in order else ""

    new_text = MARKER.sub(repl, text)
    used = []
    for old, new in sorted(order.items(), key=lambda kv: kv[1]):
        c = by_n[old]
        used.append(Citation(**{**asdict(c), "n": new}))
    return new_text, used


def in_quoted_script(text: str, citations: list[Citation]) -> str:
    """An extractive answer in the characters of the passages it quotes: its text is cut
    from simplified shadows, so the words before each [n] take the script of quote n."""
    tables = {c.n: table for c in citations if (table := script_table(c.quote))}
    if not tables:
        return text
    pieces = MARKER.split(text)  # words, n, words, n, …, words
    for i in range(0, len(pieces) - 1, 2):
        table = tables.get(int(pieces[i + 1]))
        pieces[i] = pieces[i].translate(table) if table else pieces[i]
        pieces[i + 1] = f"[{pieces[i + 1]}]"
    return "".join(pieces)


def doc_chunks(gen: Generation, doc_id: str) -> list[Chunk]:
    """The chunks of one document in reading order."""
    return sorted((c for c in gen.chunks.values() if c.doc_id == doc_id), key=lambda c: c.start)


def surrounding(gen: Generation, citation: Citation, before: int = 1, after: int = 1) -> dict[str, str]:
    """The text around a citation, for the UI's expandable card: the rest of its chunk plus
    `before`/`after` neighbouring chunks of the same document.

    Returns {"before", "quote", "after"}; before + quote + after reads as continuous text
    (chunks are joined with a line break, the document's own separator between items).
    """
    chunks = doc_chunks(gen, citation.doc_id)
    idx = next((i for i, c in enumerate(chunks) if c.start <= citation.start and citation.end <= c.end), None)
    if idx is None:
        return {"before": "", "quote": citation.quote, "after": ""}
    own = chunks[idx]
    head = own.verbatim[: citation.start - own.start]
    tail = own.verbatim[citation.end - own.start :]
    prev = [c.verbatim for c in chunks[max(0, idx - before) : idx]]
    nxt = [c.verbatim for c in chunks[idx + 1 : idx + 1 + after]]
    before_text = "\n".join([*prev, head]) if prev else head
    after_text = "\n".join([tail, *nxt]) if nxt else tail
    return {"before": before_text, "quote": citation.quote, "after": after_text}
