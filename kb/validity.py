"""Which version of a law is in force, and how a passage of any other version is labelled.

A superseded or repealed text stays searchable — staff compare versions and read old
decisions — but it must never pass for the law in force: wherever it is shown it carries
已被修订（date，现行：《…》） or 已废止, and it leads an answer only when the question
names its year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from kb.text.normalize import squash
from kb.text.titles import normalize_title

IN_FORCE = "in_force"
SUPERSEDED = "superseded"
REPEALED = "repealed"
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


class Versioned(Protocol):
    """What validity needs of a document (SourceDoc and the manifest's DocRecord have it)."""

    doc_id: str
    title: str
    date: str
    published: str
    status: str
    superseded_by: str


def is_current(doc: Versioned | None) -> bool:
    """In force, or not known to be otherwise (a document outside the index counts as current)."""
    return doc is None or (doc.status or IN_FORCE) == IN_FORCE


def validity_note(doc: Versioned | None, docs: Mapping[str, Versioned]) -> str:
    """已被修订（2023-09-01，现行：《中华人民共和国行政复议法》）, 已废止, or "" for a current text."""
    if is_current(doc):
        return ""
    assert doc is not None
    if doc.status == SUPERSEDED:
        newer = docs.get(doc.superseded_by) if doc.superseded_by else None
        if newer is None:
            return "已被修订"
        date = newer.published or newer.date  # a corpus file's catalog gives only its date
        current = f"现行：《{newer.title}》"
        return f"已被修订（{date}，{current}）" if date else f"已被修订（{current}）"
    return "已废止"


def version_line(doc: Versioned) -> str:
    """《title》（date，现行/已被修订）: which version a side of a comparison is."""
    state = "现行" if is_current(doc) else ("已废止" if doc.status == REPEALED else "已被修订")
    return f"《{doc.title}》（{doc.published or doc.date}，{state}）"


def names_version(question: str, doc: Versioned) -> bool:
    """Does the question ask for this version by its year (2017年的行政复议法, 2007版)?"""
    year = (doc.published or "")[:4]
    return bool(year) and year in _YEAR.findall(question or "")


def named_versions(hits: list, docs: Mapping[str, Versioned], question: str) -> set[str]:
    """The older versions among the hits' documents whose year the question names."""
    ids = {h.chunk.doc_id for h in hits if h.chunk.doc_id in docs}
    return {d for d in ids if not is_current(docs[d]) and names_version(question, docs[d])}


def current_first(hits: list, docs: Mapping[str, Versioned], question: str) -> list:
    """Hits with those of a superseded or repealed text moved behind every current one,
    unless the question names that version's year; order otherwise kept. A question that
    names an older version's year (2015年立法法) moves the text that replaced it behind too,
    as `answerable` leaves it out of the answer: on the library set 4 such questions (L78,
    L81, L82, L83) had the current text's article ranked above the named version's, and no
    question of gold or sets H and J moved. A hit is anything with `.chunk.doc_id`."""
    replaced = {docs[d].superseded_by for d in named_versions(hits, docs, question)}

    def outdated(hit) -> bool:
        doc = docs.get(hit.chunk.doc_id)
        return hit.chunk.doc_id in replaced or (not is_current(doc) and not names_version(question, doc))

    return [h for h in hits if not outdated(h)] + [h for h in hits if outdated(h)]


def answerable(hits: list, docs: Mapping[str, Versioned], question: str) -> list:
    """The hits an answer may use: current texts only, by default. A question that names an
    older version's year (2017年的行政复议法) gets that version instead of its successor."""
    named = named_versions(hits, docs, question)
    replaced = {docs[d].superseded_by for d in named}

    def usable(hit) -> bool:
        doc_id = hit.chunk.doc_id
        return doc_id in named or (is_current(docs.get(doc_id)) and doc_id not in replaced)

    return [h for h in hits if usable(h)]


_VERSION_YEAR = re.compile(r"[（(]\d{4}年版[)）]$")


def law_key(title: str) -> str:
    """The law a title names, whichever version: no nation prefix, note or 年版 year."""
    return normalize_title(_VERSION_YEAR.sub("", squash(title or "")))


def versions_of(name: str, docs: Mapping[str, Versioned]) -> list[Versioned]:
    """Every version of the law `name` names (行政复议法, 《中华人民共和国行政复议法》), oldest
    first. Versions share a name (the pack's catalog links versions of one name only), so the
    name finds them all; a shortened name counts when it picks out one law."""
    key = law_key(name)
    if not key:
        return []
    laws = {law_key(d.title) for d in docs.values()}
    if key not in laws:
        partial = {law for law in laws if key in law}
        if len(partial) != 1:
            return []
        key = partial.pop()
    found = [d for d in docs.values() if law_key(d.title) == key]
    return sorted(found, key=lambda d: (d.published or d.date or "", is_current(d)))
