"""Turn a question as staff type it into what the indexes understand.

Staff say 去年, 输了官司, 要交钱吗; the documents say 2023年, 败诉, 费用. The
thesaurus (kb/text/lexicons/thesaurus.tsv, with the corpus profile's words) adds the
statutory terms, relative years are resolved against the year the corpus reports on, and
a document named in the question ("行政复议法…") is recognised so its passages can be preferred.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from kb.profile import current_profile
from kb.text.normalize import compact
from kb.text.numerals import expand_short_years
from kb.text.titles import normalize_title, short_title
from kb.validity import Versioned, is_current, names_version

_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}


@dataclass
class ParsedQuery:
    text: str  # the cleaned question, as typed
    lexical: str  # text + statutory terms + resolved years, for BM25
    dense: str  # text with relative years resolved, for the embedder
    doc_ids: set[str] = field(default_factory=set)  # documents the question names


def parse_query(
    text: str,
    doc_titles: dict[str, str],
    reference_year: int | None,
    thesaurus: Mapping[str, tuple[str, ...]] | None = None,
    versions: Mapping[str, Versioned] | None = None,
) -> ParsedQuery:
    """Expand the question; `doc_titles` maps doc_id -> title, `reference_year` is 今年 of the corpus."""
    dense = expand_short_years(text)
    extra: list[str] = []
    if reference_year:
        for word, delta in _RELATIVE_YEARS.items():
            if word in text:
                dense = dense.replace(word, f"{reference_year + delta}年")
    for word, terms in (current_profile().thesaurus if thesaurus is None else thesaurus).items():
        # single characters (钱, 管, 天) are too common inside other words to expand on
        if len(word) > 1 and word in text:
            extra.extend(terms)
    return ParsedQuery(
        text=text, lexical=" ".join([dense, *extra]), dense=dense, doc_ids=named_docs(doc_titles, text, versions)
    )


def named_docs(
    doc_titles: dict[str, str], question: str, versions: Mapping[str, Versioned] | None = None
) -> set[str]:
    """Documents the question names (行政复议法, 复议法, 营商环境条例…), by doc_id. The one rule
    for it: retrieval prefers these documents' passages and the answerer reads the articles
    the question names in them, so both must agree on which documents are meant.

    Given the documents' `versions`, a superseded or repealed text is named only by its year
    (2017年的行政复议法), as only then may it answer (kb.validity.answerable). The law library
    holds the 2017 行政复议法 beside the corpus's 2023 one: both were searched as the named
    law, the old one's articles took the places of the search inside it, and 第九十条 (本法自
    2024年1月1日起施行) was not found for 新修订的行政复议法从哪天起实施 (gold f15, set K k49)."""
    q = compact(question)
    forms = _forms_of(doc_titles)
    named = {d for n in forms.lengths for i in range(len(q) - n + 1) for d in forms.docs.get(q[i : i + n], ())}
    if versions:
        named = {d for d in named if is_current(versions.get(d)) or names_version(question, versions[d])}
    return named


@dataclass(frozen=True)
class _Forms:
    docs: dict[str, frozenset[str]]  # a title form -> the documents it names
    lengths: tuple[int, ...]  # the forms' lengths


_last_forms: tuple[Mapping[str, str], _Forms] | None = None


def _forms_of(doc_titles: Mapping[str, str]) -> _Forms:
    """Every title form of the documents, kept for the mapping last asked about (a
    generation's doc_titles, the same object for all its requests): with the library's
    870 documents, testing each form against the question took about 2 ms a question, and
    the answerer asks several times; looking up the question's substrings takes a tenth."""
    global _last_forms
    last = _last_forms
    if last is not None and last[0] is doc_titles:
        return last[1]
    docs: dict[str, set[str]] = {}
    for doc_id, title in doc_titles.items():
        for form in title_forms(title):
            docs.setdefault(form, set()).add(doc_id)
    forms = _Forms({f: frozenset(d) for f, d in docs.items()}, tuple(sorted({len(f) for f in docs})))
    _last_forms = (doc_titles, forms)
    return forms


@lru_cache(maxsize=4096)
def title_forms(title: str) -> frozenset[str]:
    """How people name a document, each form at least three characters: its short title
    (no 中华人民共和国, no bracketed note at the end), for a law its last three characters
    (复议法), for a law or regulation of five or more characters all but its first two
    (营商环境条例), and the title without 暂行 and 程序 (重大行政决策条例)."""
    forms: set[str] = set()
    short = compact(short_title(title))
    if len(short) >= 4:
        forms.add(short)
        if short.endswith("法") and len(short) > 4:
            forms.add(short[-3:])
    short = compact(normalize_title(title))
    if len(short) >= 3:
        forms.add(short)
        if short.endswith(("法", "条例", "规定", "办法")) and len(short) >= 5:
            forms.add(short[2:])
        forms.add(short.replace("暂行", "").replace("程序", ""))
    return frozenset(f for f in forms if len(f) >= 3)

