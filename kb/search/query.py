"""Turn a question as staff type it into what the indexes understand.

Staff say 去年, 输了官司, 要交钱吗; the documents say 2023年, 败诉, 费用. The
thesaurus (kb/text/lexicons/thesaurus.tsv, with the corpus profile's words) adds the
statutory terms, relative years are resolved against the year the corpus reports on, and
a document named in the question ("行政复议法…") is recognised so its passages can be preferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.profile import current_profile
from kb.text.normalize import nfkc
from kb.text.titles import short_title

_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}


@dataclass
class ParsedQuery:
    text: str  # the cleaned question, as typed
    lexical: str  # text + statutory terms + resolved years, for BM25
    dense: str  # text with relative years resolved, for the embedder
    doc_ids: set[str] = field(default_factory=set)  # documents the question names


def parse_query(text: str, doc_titles: dict[str, str], reference_year: int | None) -> ParsedQuery:
    """Expand the question; `doc_titles` maps doc_id -> title, `reference_year` is 今年 of the corpus."""
    dense = text
    extra: list[str] = []
    if reference_year:
        for word, delta in _RELATIVE_YEARS.items():
            if word in text:
                dense = dense.replace(word, f"{reference_year + delta}年")
    for word, terms in current_profile().thesaurus.items():
        # single characters (钱, 管, 天) are too common inside other words to expand on
        if len(word) > 1 and word in text:
            extra.extend(terms)
    norm = nfkc(text, lower=True)
    named = {doc_id for doc_id, title in doc_titles.items() if _names(norm, title)}
    return ParsedQuery(text=text, lexical=" ".join([dense, *extra]), dense=dense, doc_ids=named)


def _names(norm_query: str, title: str) -> bool:
    short = nfkc(short_title(title), lower=True)
    if len(short) < 4:
        return False
    if short in norm_query:
        return True
    # "复议法" / "处罚法": the last three characters of a law's short name are how people say it
    return short.endswith("法") and len(short) > 4 and short[-3:] in norm_query
