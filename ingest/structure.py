"""Recover the hierarchy of a Chinese official document and cut it into citable chunks.

Two shapes occur: work reports (一、 / （一） / 1. / （1）) and laws (第X编/章/节, 第X条 with
（一）（二） items that belong inside the article). A chunk is one report item or one law
article; long ones are split at sentence ends so that a citation never cuts a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.schema import Chunk, SourceDoc, shadowed
from kb.text.script import shadow
from kb.text.sentences import sentence_ends, sentence_spans

CN_NUM = "零〇一二三四五六七八九十百千"
MAX_CHUNK_CHARS = 150  # ~100 tokens: precise passages, and e5 on CPU costs more per token on longer input
MIN_PIECE_CHARS = 40

# Law structure. Matched at a line start.
_LAW_ARTICLE = re.compile(rf"^第[{CN_NUM}]+条(?:之[{CN_NUM}]+)?")
_LAW_DIVISION = re.compile(rf"^第[{CN_NUM}]+(编|分编|章|节)(?=[\s　]|$)")
_LAW_DIVISION_RANK = {"编": 0, "分编": 1, "章": 2, "节": 3}

# Report structure, outermost first. Matched at a line start, after indentation.
_REPORT_LEVELS = (
    re.compile(rf"^[{CN_NUM}]+、"),
    re.compile(rf"^[（(][{CN_NUM}]+[)）]"),
    re.compile(r"^[0-9０-９]+[.．、](?![0-9])"),
    re.compile(r"^[（(][0-9０-９]+[)）]"),
)
_HEADING_MAX_CHARS = 60


@dataclass
class _Block:
    """A run of lines owned by one structural node, before splitting."""

    path: tuple[str, ...]
    label: str
    start: int
    end: int
    kind: str = "body"


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of non-blank lines, without surrounding whitespace."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip(" \t\u3000\r")
        if stripped:
            lead = len(line) - len(line.lstrip(" \t\u3000\r"))
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return spans


def is_law(text: str) -> bool:
    """A document is a law when it is built of numbered articles."""
    return sum(1 for s, e in _lines(text) if _LAW_ARTICLE.match(text[s:e])) >= 3


def _law_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    divisions: list[tuple[int, str]] = []  # (rank, heading)
    current: _Block | None = None
    for s, e in _lines(text):
        line = text[s:e]
        division = _LAW_DIVISION.match(line)
        article = _LAW_ARTICLE.match(line)
        if division and not article and len(line) <= _HEADING_MAX_CHARS:
            rank = _LAW_DIVISION_RANK[division.group(1)]
            divisions = [d for d in divisions if d[0] < rank] + [(rank, re.sub(r"\s+", " ", line))]
            current = None
        elif article:
            current = _Block(tuple(h for _, h in divisions), article.group(0), s, e)
            blocks.append(current)
        elif current is not None:
            current.end = e
        elif blocks and blocks[-1].kind == "preamble":
            blocks[-1].end = e
        else:
            current = None
            blocks.append(_Block((), "题注", s, e, kind="preamble"))
    return blocks


def _report_level(line: str) -> tuple[int, str] | None:
    for level, pattern in enumerate(_REPORT_LEVELS):
        m = pattern.match(line)
        if m:
            return level, m.group(0)
    return None


def _is_heading_line(line: str) -> bool:
    """Top headings stand alone on their line; numbered items run on into their text."""
    return len(line) <= _HEADING_MAX_CHARS and not sentence_ends(line, semicolon=True, newline=False)


def _item_title(line: str) -> str:
    """The heading of an item that runs on into its text is its first sentence."""
    ends = sentence_ends(line, semicolon=True, newline=False)
    first = ends[0][0] if ends else -1
    return line[:first] if 0 <= first <= _HEADING_MAX_CHARS else line[:_HEADING_MAX_CHARS]


def _report_label(markers: list[str]) -> str:
    return "".join(m if m[-1] in "、）)" else m.rstrip(".．、") + "." for m in markers)


def _report_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    headings: list[tuple[int, str, str]] = []  # (level, marker, heading line)
    current: _Block | None = None
    for s, e in _lines(text):
        line = text[s:e]
        found = _report_level(line)
        if found:
            level, marker = found
            headings = [h for h in headings if h[0] < level] + [(level, marker, _item_title(line))]
            path = tuple(h[2] for h in headings)
            label = _report_label([h[1] for h in headings])
            if _is_heading_line(line):
                current = None  # its body, if any, starts on the next line
                continue
            current = _Block(path, label, s, e)
            blocks.append(current)
        elif current is not None:
            current.end = e
        else:
            path = tuple(h[2] for h in headings)
            label = _report_label([h[1] for h in headings]) if headings else "导语"
            current = _Block(path, label, s, e, kind="body" if headings else "preamble")
            blocks.append(current)
    return blocks


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into pieces of at most `limit` chars."""
    if end - start <= limit:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start, piece_end = start, start
    # Whole sentences, closing marks and quotes kept: ；ends one (a long item lists measures),
    # a line break does not. Leading indentation stays: a piece is measured from where it begins.
    sentences = sentence_spans(text, start, end, semicolon=True, newline=False, trim=False)
    for s, e in sentences:
        if not text[s:e].strip():
            continue
        if piece_end > piece_start and e - piece_start > limit:
            pieces.append((piece_start, piece_end))
            piece_start = s
        piece_end = e
    pieces.append((piece_start, piece_end))
    # A piece too short to stand alone (an item's title sentence) joins its neighbour.
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        if merged and (merged[-1][1] - merged[-1][0] < MIN_PIECE_CHARS or e - s < MIN_PIECE_CHARS):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    pieces = merged
    # Trim the whitespace left between pieces (line breaks, indentation) off their edges.
    out = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out


def chunk_document(doc: SourceDoc, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Chunks of one document, in reading order, each with its heading path and exact offsets.

    The structure is read from the simplified shadow (第二十條 is an article, 第一章 總則 a
    heading), which has the text's offsets; labels and headings are therefore simplified, and
    a chunk of a traditional document is its shadow with its own text as `original`.
    """
    text = doc.text
    matched = shadow(text)
    blocks = _law_blocks(matched) if is_law(matched) else _report_blocks(matched)
    chunks = []
    for block in blocks:
        for part, (s, e) in enumerate(_pieces(matched, block.start, block.end, max_chars)):
            chunk = Chunk(
                doc_id=doc.doc_id,
                doc_title=doc.title,
                doc_number=doc.doc_number,
                section_path=block.path,
                label=block.label,
                text=text[s:e],
                start=s,
                end=e,
                source=doc.source,
                part=part,
                kind=block.kind,
            )
            chunks.append(shadowed(chunk))
    return chunks
