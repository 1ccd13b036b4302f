"""One request's view of the index: a single generation, and each retrieval query parsed
and embedded once, however many searches the request runs (an answer that looks deeper,
or inside a document the question names, searches the same query again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kb.index import Generation, Index
from kb.search.query import ParsedQuery, parse_query


@dataclass
class Request:
    """The state of one question's trip through the index; made per request, never shared."""

    index: Index
    parsed: dict[str, ParsedQuery] = field(default_factory=dict)  # query text -> its analysis
    vectors: dict[str, list[float]] = field(default_factory=dict)  # dense text -> its embedding
    # (query, candidates, restricting doc ids) -> each ranking; filled by kb.search.retrieval
    rankings: dict[tuple[str, int, frozenset[str]], dict[str, list[tuple[str, float]]]] = field(
        default_factory=dict
    )

    @cached_property
    def gen(self) -> Generation:
        """The generation every search of this request reads, taken on first use (so a bad
        question is reported as such even before anything has been ingested)."""
        return self.index.current()

    def query(self, text: str) -> ParsedQuery:
        """`text` expanded for the indexes (see kb.search.query), once per request."""
        parsed = self.parsed.get(text)
        if parsed is None:
            parsed = self.parsed[text] = parse_query(
                text, self.gen.doc_titles, self.gen.reference_year, self.gen.profile.thesaurus, self.gen.doc_records
            )
        return parsed

    def vector(self, text: str) -> list[float]:
        """The embedding of `text`, computed once per request."""
        vec = self.vectors.get(text)
        if vec is None:
            vec = self.vectors[text] = self.index.embeddings.embed_query(text)
        return vec
