"""The 文号 registry: every document the corpus contains or cites, with its number, issuer,
whether its full text is here, and every place it is cited.

"Which document covers this measure, and what is its number?" is asked more than any
other question, and plain retrieval answers it badly: tokenizers split 江政办〔2023〕16号
apart, and a cited document whose text is not in the corpus does not exist for an index.
The registry makes each such document an entry of its own, found by number (any loose
form), by a partial title, or by a measure named in the passage that cites it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

from ingest.references import Reference, extract_references
from kb.profile import Profile, current_profile
from kb.schema import Chunk
from kb.text.docnum import (
    display_from_key,
    find_docnums,
    header_number,
    key_prefix,
    key_year,
    keys_compatible,
    normalize_docnum,
    without_docnums,
)
from kb.text.lexicon import lookup_words
from kb.text.normalize import squash
from kb.text.sentences import sentence_spans
from kb.text.titles import compact_title, normalize_title
from kb.text.tokenize import char_bigrams
from kb.validity import IN_FORCE

_QUOTES = "“”‘’\"'「」『』《》〈〉<>【】"
_QUESTION_WORDS = lookup_words()  # longest first
# A title that opens with its issuer: 某市某区司法局…, 中共某区委全面依法治区办公室….
_TITLE_ISSUER = re.compile(
    r"^(?:中共)?(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|县|区|州|盟|旗))+[\u4e00-\u9fff]{0,10}?"
    r"(?:人民政府办公室|人民政府|办公室|局|委员会|领导小组)"
)
_TITLE_MIN_SCORE = 0.4
_MEASURE_MIN_COVER = 0.8


class DocLike(Protocol):
    """What the registry needs of a corpus document (kb.schema.SourceDoc has it all)."""

    doc_id: str
    title: str
    doc_number: str
    text: str
    issuer: str
    date: str


@dataclass
class CitationPlace:
    """One place a document is cited; offsets index the citing document's text."""

    doc_id: str
    doc_title: str
    label: str  # section label of the citing chunk: "二、（一）3."; "" outside every chunk
    sentence: str  # the citing sentence: the measure the cited document covers
    start: int  # the cited title (or the bare 文号) in the citing text
    end: int
    sentence_start: int = 0
    sentence_end: int = 0
    chunk_id: str = ""
    section_path: tuple[str, ...] = ()
    cited_as: str = ""  # the citation as printed: 《title》（文号）


@dataclass
class RegistryEntry:
    key: str  # stable id: the number key when there is a number, else the normalised title
    title: str
    doc_number: str  # display form: 江政办〔2023〕16号
    number_key: str  # kb.text.docnum key: 江政办|2023|16
    issuer: str
    year: int | None
    in_corpus: bool
    source_file: str  # corpus file holding the full text, "" when not in the corpus
    citations: list[CitationPlace] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other titles the same document goes by
    nested_in: list[str] = field(default_factory=list)  # titles that cite this one inside 〈〉

    @property
    def cited_count(self) -> int:
        return len(self.citations)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cited_count"] = self.cited_count
        for c in d["citations"]:
            c["section_path"] = list(c["section_path"])
        return d


# \s of a str pattern is str.isspace(): one regex pass instead of a Python test per character
# (the registry strips every passage of the law library: its build 9.2 -> 8.0 CPU-s)
_QUOTES_OR_SPACE = re.compile(f"[{re.escape(_QUOTES)}\\s]")


def _strip_quotes(s: str) -> str:
    return _QUOTES_OR_SPACE.sub("", s)


def _clean_query(query: str) -> str:
    """A title query without its 文号, quotes and question words."""
    q = without_docnums(query)
    q = _strip_quotes(q)
    for word in _QUESTION_WORDS:
        q = q.replace(word, "")
    return q


def _issuer_from_number(key: str, profile: Profile) -> str:
    """The issuer a number's prefix states (the corpus profile lists the certain ones), by
    the name it had that year: numbers from before the county became a district name the county."""
    prefix = key_prefix(key)
    year = key_year(key)
    issuer = profile.issuers.get(prefix, "")
    renamed = profile.renamed_in
    if issuer and year is not None and renamed is not None and year < renamed:
        if profile.district and profile.former_name:
            issuer = issuer.replace(profile.district, profile.former_name)
    if not issuer and prefix.endswith("令") and prefix not in ("主席令",):
        issuer = prefix[:-1]  # 国务院令 -> 国务院, 广西壮族自治区人民政府令 -> 广西壮族自治区人民政府
    return issuer


def _issuer_from_title(title: str) -> str:
    m = _TITLE_ISSUER.match(normalize_title(title))
    return m.group(0) if m else ""


_OWN_ORDER = re.compile(r"\s*(?:公布|修订|修正)")


class Registry:
    """All entries, with lookup by number, title and measure."""

    def __init__(self, entries: list[RegistryEntry], chunks: Sequence[Chunk] = ()):
        self.entries = entries
        self._by_key = {e.key: e for e in entries}
        self._by_number = {e.number_key: e for e in entries if e.number_key}
        self._title_grams = {
            e.key: [(normalize_title(t), set(char_bigrams(normalize_title(t)))) for t in [e.title, *e.aliases] if t]
            for e in entries
        }
        self._passages = _passages(chunks, entries)
        self._measured = _measured(self._passages)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[RegistryEntry]:
        return iter(self.entries)

    def get(self, key: str) -> RegistryEntry | None:
        return self._by_key.get(key)

    def by_number(self, number: str) -> RegistryEntry | None:
        """The entry of a 文号 typed in any loose form, or None."""
        key = normalize_docnum(number)
        if key is None:
            return None
        if key in self._by_number:
            return self._by_number[key]
        found = [e for k, e in self._by_number.items() if keys_compatible(k, key)]
        return found[0] if len(found) == 1 else None

    def by_title(self, title: str) -> RegistryEntry | None:
        norm = normalize_title(title)
        for e in self.entries:
            if any(t == norm for t, _ in self._title_grams[e.key]):
                return e
        return None

    def lookup(self, query: str, limit: int = 10) -> list[tuple[RegistryEntry, float]]:
        """Entries for a number, a partial title or a measure, best first, with a score in [0, 1].

        A number finds its entry only (an unknown number finds nothing rather than a guess);
        otherwise title similarity and the documents cited beside the measure compete.
        """
        if not isinstance(query, str) or not query.strip():
            return []
        numbers = find_docnums(query)
        if numbers:
            hits: dict[str, float] = {}
            for num in numbers:
                if num.key in self._by_number:
                    hits[self._by_number[num.key].key] = 1.0
                    continue
                for k, e in self._by_number.items():
                    if keys_compatible(k, num.key):
                        hits.setdefault(e.key, 0.9)
            return self._ranked(hits, limit)
        scores: dict[str, float] = {}
        bare = squash(query)
        for e in self.entries:  # a bare prefix: 江政办 lists that office's documents
            if e.number_key and key_prefix(e.number_key) == bare:
                scores[e.key] = 0.8
        q = _clean_query(query)
        for key, score in self._title_scores(q).items():
            scores[key] = max(scores.get(key, 0.0), score)
        for key, score in self._measure_scores(q).items():
            scores[key] = max(scores.get(key, 0.0), score)
        return self._ranked({k: s for k, s in scores.items() if s >= _TITLE_MIN_SCORE}, limit)

    def _ranked(self, scores: dict[str, float], limit: int) -> list[tuple[RegistryEntry, float]]:
        order = sorted(scores.items(), key=lambda kv: (-kv[1], -self._by_key[kv[0]].cited_count, kv[0]))
        return [(self._by_key[k], round(s, 4)) for k, s in order[: max(limit, 0)]]

    def _title_scores(self, q: str) -> dict[str, float]:
        """Character-bigram overlap: how much of the query the title covers, then how much of
        the title the query covers (so the shorter, closer title wins a tie)."""
        norm = normalize_title(q)
        if not norm:
            return {}
        q_grams = set(char_bigrams(norm))
        out: dict[str, float] = {}
        for key, titles in self._title_grams.items():
            best = 0.0
            for title, t_grams in titles:
                if title == norm:
                    best = 1.0
                    break
                if not q_grams or not t_grams:
                    score = 0.5 if norm in title else 0.0
                else:
                    shared = len(q_grams & t_grams)
                    score = 0.75 * shared / len(q_grams) + 0.2 * shared / len(t_grams)
                best = max(best, score)
            if best > 0:
                out[key] = best
        return out

    def _measure_scores(self, q: str) -> dict[str, float]:
        """Documents cited in the passage (0.9) or section (0.6) whose own text names the measure."""
        if len(q) < 2:
            return {}
        q_grams = set(char_bigrams(q))
        out: dict[str, float] = {}
        for passage, text, section_cited in self._measured:
            # no sentence covers more of the query than the whole passage does
            if q not in text and sum(g in text for g in q_grams) / len(q_grams) < _MEASURE_MIN_COVER:
                continue
            cover = max((_cover(q, q_grams, s) for s in passage.sentences), default=0.0)
            if cover < _MEASURE_MIN_COVER:
                continue
            for key in passage.cited:
                out[key] = max(out.get(key, 0.0), 0.9 * cover)
            for key in section_cited:
                out[key] = max(out.get(key, 0.0), 0.6 * cover)
        return out

    def to_dicts(self) -> list[dict]:
        return [e.to_dict() for e in self.entries]

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dicts(), ensure_ascii=False, indent=indent)

    def summary(self) -> dict[str, int]:
        """The closing note: registry size, entries with a number, entries with text in the corpus."""
        return {
            "entries": len(self.entries),
            "with_number": sum(1 for e in self.entries if e.number_key),
            "in_corpus": sum(1 for e in self.entries if e.in_corpus),
        }


def _cover(q: str, q_grams: set[str], sentence: str) -> float:
    if q in sentence:
        return 1.0
    if not q_grams:
        return 0.0
    return len(q_grams & set(char_bigrams(sentence))) / len(q_grams)


@dataclass
class _Passage:
    """One report item or law article (all pieces of it), for measure lookup."""

    doc_id: str
    label: str
    section: tuple[str, ...]
    sentences: list[str]
    cited: set[str]


def _passages(chunks: Sequence[Chunk], entries: list[RegistryEntry]) -> list[_Passage]:
    cited: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        for c in e.citations:
            cited.setdefault((c.doc_id, c.label), set()).add(e.key)
    groups: dict[tuple[str, str], list[Chunk]] = {}
    for ch in chunks:
        if ch.kind == "body":  # a header names the document itself, not a measure
            groups.setdefault((ch.doc_id, ch.label), []).append(ch)
    out = []
    for (doc_id, label), group in groups.items():
        group.sort(key=lambda c: c.start)
        first = group[0]
        path = first.section_path
        # An item that runs on from its heading (2. 全力推进…) sits in its parent's section;
        # a paragraph under a heading line, or a law article, sits in its own path.
        own_heading = bool(path) and _strip_quotes(first.text).startswith(_strip_quotes(path[-1])[:10])
        section = path[:-1] if own_heading else path
        sentences = []
        for ch in group:
            text = _strip_citations(ch.text)
            spans = sentence_spans(text, semicolon=True, closers=False, keep_end=False, trim=False)
            sentences.extend(text[s:e] for s, e in spans)
        out.append(_Passage(doc_id, label, tuple(section), sentences, cited.get((doc_id, label), set())))
    return out


def _measured(passages: list[_Passage]) -> list[tuple[_Passage, str, frozenset[str]]]:
    """The passages a measure look-up can score from, each with its sentences joined and the
    documents cited anywhere in its section: one that cites nothing, in a section that cites
    nothing, adds no score. On the law library that leaves 8,068 of 38,773 passages, and the
    look-up took about 1 s a question when it read every sentence of every passage."""
    by_section: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for p in passages:
        if p.section:
            by_section.setdefault((p.doc_id, p.section), set()).update(p.cited)
    out = []
    for p in passages:
        section_cited = frozenset(by_section.get((p.doc_id, p.section), ())) if p.section else frozenset()
        if p.cited or section_cited:
            out.append((p, "\n".join(p.sentences), section_cited))
    return out


def _strip_citations(text: str) -> str:
    """Text of a passage without its cited titles and numbers: a measure is what it says, not
    what the documents it cites are called."""
    text = re.sub(r"《[^《》\n]*》", "|", text)
    return _strip_quotes(without_docnums(text, "|"))


class _Builder:
    """Merges citations into entries: one document, one entry, whichever way it is cited."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.entries: list[RegistryEntry] = []
        self.by_number: dict[str, RegistryEntry] = {}
        self.by_title: dict[str, RegistryEntry] = {}

    def _new(self, title: str, number_key: str, in_corpus: bool = False, source: str = "") -> RegistryEntry:
        e = RegistryEntry(
            key="",
            title=compact_title(title),
            doc_number=display_from_key(number_key) if number_key else "",
            number_key=number_key,
            issuer="",
            year=key_year(number_key) if number_key else None,
            in_corpus=in_corpus,
            source_file=source,
        )
        self.entries.append(e)
        if number_key:
            self.by_number[number_key] = e
        if title:
            self.by_title.setdefault(normalize_title(title), e)
        return e

    def add_corpus_doc(self, doc: DocLike) -> RegistryEntry:
        number = (doc.doc_number or "").strip() or header_number(doc.text or "")
        key = normalize_docnum(number) or ""
        existing = self.by_number.get(key) if key else self.by_title.get(normalize_title(doc.title))
        if existing is not None and existing.in_corpus and not _in_force(doc):
            # An older version names the order that first published the law, as its successor
            # does: it is an entry of its own, and the number stays with the text in force.
            existing, key, number = None, "", ""
        e = existing or self._new(doc.title, key, in_corpus=True, source=doc.doc_id)
        e.in_corpus, e.source_file = True, doc.doc_id
        if number:
            e.doc_number = number
        e.issuer = e.issuer or (doc.issuer or "")
        if doc.date[:4].isdigit() and e.year is None:
            e.year = int(doc.date[:4])
        return e

    def _add_title(self, e: RegistryEntry, title: str) -> None:
        norm = normalize_title(title)
        if not norm:
            return
        if not e.title:
            e.title = compact_title(title)
        elif norm != normalize_title(e.title) and norm not in (normalize_title(a) for a in e.aliases):
            e.aliases.append(compact_title(title))
        self.by_title.setdefault(norm, e)

    def _merge(self, keep: RegistryEntry, gone: RegistryEntry) -> None:
        keep.citations.extend(gone.citations)
        keep.nested_in.extend(t for t in gone.nested_in if t not in keep.nested_in)
        for t in [gone.title, *gone.aliases]:
            self._add_title(keep, t)
        if gone.in_corpus:
            keep.in_corpus, keep.source_file = True, gone.source_file
        self.entries.remove(gone)
        for norm, e in list(self.by_title.items()):
            if e is gone:
                self.by_title[norm] = keep

    def resolve(self, title: str, number_key: str) -> RegistryEntry:
        """The entry of a citation; a title first seen without a number and later with one
        is the same document."""
        norm = normalize_title(title) if title else ""
        named = self.by_title.get(norm) if norm else None
        if not number_key:
            return named or self._new(title, "")
        e = self.by_number.get(number_key)
        if e is None:
            for k, cand in self.by_number.items():
                if keys_compatible(k, number_key):
                    e = cand
                    if len(number_key) < len(k):  # the shorter prefix is the one without a stray word
                        del self.by_number[k]
                        e.number_key, e.doc_number = number_key, display_from_key(number_key)
                        self.by_number[number_key] = e
                    break
        if e is None and named is not None and not named.number_key:
            e, named = named, None
            e.number_key, e.doc_number = number_key, display_from_key(number_key)
            e.year = e.year or key_year(number_key)
            self.by_number[number_key] = e
        if e is None:
            return self._new(title, number_key)
        if named is not None and named is not e and not named.number_key:
            self._merge(e, named)
        if title:
            self._add_title(e, title)
        return e

    def finish(self) -> list[RegistryEntry]:
        for e in self.entries:
            e.key = e.number_key or normalize_title(e.title)
            e.issuer = e.issuer or (_issuer_from_number(e.number_key, self.profile) if e.number_key else "")
            e.issuer = e.issuer or _issuer_from_title(e.title)
            e.citations.sort(key=lambda c: (c.doc_id, c.start))
        return self.entries


def _in_force(doc: DocLike) -> bool:
    """A corpus document is in force unless its pack's catalog says otherwise."""
    return getattr(doc, "status", IN_FORCE) in (IN_FORCE, "")


def _chunk_at(chunks: list[Chunk], start: int, end: int) -> Chunk | None:
    """The smallest chunk holding [start, end)."""
    holding = [c for c in chunks if c.start <= start and end <= c.end]
    return min(holding, key=lambda c: c.end - c.start) if holding else None


def _doc_references(doc: DocLike, chunks: list[Chunk]) -> Iterable[tuple[Reference, str]]:
    """References of a document with the text they index: its own text, or, when a
    document-like carries no text, each chunk's text shifted to document offsets."""
    if doc.text:
        for ref in extract_references(doc.text):
            yield ref, doc.text
        return
    for ch in chunks:
        for ref in extract_references(ch.text):
            shift = ch.start
            yield (
                Reference(
                    title=ref.title,
                    start=ref.start + shift,
                    end=ref.end + shift,
                    doc_number=ref.doc_number,
                    number_key=ref.number_key,
                    number_start=ref.number_start + shift if ref.number_start >= 0 else -1,
                    number_end=ref.number_end + shift if ref.number_end >= 0 else -1,
                    sentence_start=ref.sentence_start + shift,
                    sentence_end=ref.sentence_end + shift,
                    nested_in=ref.nested_in,
                ),
                " " * shift + ch.text,
            )


def build_registry(
    docs: Sequence[DocLike], chunks: Sequence[Chunk], profile: Profile | None = None
) -> Registry:
    """One entry per document the corpus holds or cites, each with every place it is cited.
    The corpus profile (default: the current corpus's) names the issuers of 文号 prefixes."""
    builder = _Builder(profile or current_profile())
    # Texts in force first: a title or number cited anywhere resolves to the current version.
    own = {doc.doc_id: builder.add_corpus_doc(doc) for doc in sorted(docs, key=lambda d: not _in_force(d))}
    by_doc: dict[str, list[Chunk]] = {}
    for ch in chunks:
        by_doc.setdefault(ch.doc_id, []).append(ch)
    seen: set[tuple[str, int, int]] = set()
    for doc in docs:
        doc_chunks = by_doc.get(doc.doc_id, [])
        for ref, text in _doc_references(doc, doc_chunks):
            if (doc.doc_id, ref.start, ref.end) in seen:
                continue
            seen.add((doc.doc_id, ref.start, ref.end))
            head = _chunk_at(doc_chunks, ref.start, ref.end)
            in_history = head is not None and head.kind == "preamble"
            if not ref.title and in_history and _OWN_ORDER.match(text[ref.end :]):
                continue  # a law's history line naming the order that published or amended it
            entry = builder.resolve(ref.title, ref.number_key)
            if entry is own[doc.doc_id] or (
                entry.number_key and entry.number_key == own[doc.doc_id].number_key
            ):
                continue  # a document's header naming its own number is not a citation
            if ref.nested_in and ref.nested_in not in entry.nested_in:
                entry.nested_in.append(compact_title(ref.nested_in))
            cite_end = ref.number_end if ref.number_end > ref.end else ref.end
            chunk = _chunk_at(doc_chunks, ref.start, ref.end)
            cited_as = text[ref.start - 1 : cite_end + 1] if ref.title else ref.doc_number
            entry.citations.append(
                CitationPlace(
                    doc_id=doc.doc_id,
                    doc_title=doc.title,
                    label=chunk.label if chunk else "",
                    sentence=text[ref.sentence_start : ref.sentence_end],
                    start=ref.start,
                    end=ref.end,
                    sentence_start=ref.sentence_start,
                    sentence_end=ref.sentence_end,
                    chunk_id=chunk.chunk_id if chunk else "",
                    section_path=chunk.section_path if chunk else (),
                    cited_as=cited_as.strip() if not ref.nested_in else f"〈{ref.title}〉",
                )
            )
    return Registry(builder.finish(), chunks)
