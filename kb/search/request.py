"""One request's view of the index: a single generation, and each retrieval query parsed
and embedded once, however many searches the request runs (an answer that looks deeper,
or inside a document the question names, searches the same query again). Queries the
request is known to search later are embedded together with the first one it needs
(`expect`): one encoder call for several texts costs little more than one for one text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kb.index import Generation, Index
from kb.index.embeddings import embed_queries
from kb.search.query import ParsedQuery, parse_query


@dataclass
class Request:
    """The state of one question's trip through the index; made per request, never shared."""

    index: Index
    parsed: dict[str, ParsedQuery] = field(default_factory=dict)  # query text -> its analysis
    vectors: dict[str, list[float]] = field(default_factory=dict)  # dense text -> its embedding
    expected: list[str] = field(default_factory=list)  # dense texts a later search will embed
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

    def expect(self, texts: list[str]) -> None:
        """Dense texts this request will embed later: the next embedding it needs computes
        them in the same call. Only texts it surely embeds belong here (an unused one costs
        about 0.8 ms CPU a token)."""
        for text in texts:
            if text not in self.vectors and text not in self.expected:
                self.expected.append(text)

    def vector(self, text: str) -> list[float]:
        """The embedding of `text`, computed once per request, with the expected texts."""
        vec = self.vectors.get(text)
        if vec is None:
            batch = [text, *(t for t in self.expected if t != text and t not in self.vectors)]
            self.expected = []
            self.vectors.update(zip(batch, embed_queries(self.index.embeddings, batch), strict=True))
            vec = self.vectors[text]
        return vec
