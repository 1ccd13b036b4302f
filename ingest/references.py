"""Find the documents a text cites: titles in 《》, the 文号 printed after them, and bare 文号.

A report names the measures it took by the documents that set them out
(出台《…任务分工表》（江政办〔2023〕16号）), so each reference keeps the sentence around
it: that sentence is the measure the cited document covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text.docnum import DocNumMatch, find_docnums
from kb.text.sentences import Span, sentence_spans, span_around

_TITLE_RE = re.compile(r"《([^《》\n]{1,200})》")
# Nested titles: 〈〉 officially, <> in some sources (行政诉讼法's header lines).
_NESTED_RE = re.compile(r"〈([^〈〉\n]{1,200})〉|<([^<>\n]{1,200})>")
_NUMBER_OPEN = re.compile(r"[ \t\u3000]*[（(]")
_SPACES = " \t\u3000\r"


@dataclass(frozen=True)
class Reference:
    """One cited document. Offsets index the text given to `extract_references`.

    `start`/`end` span the title without its brackets (text[start:end] == title), or the
    文号 itself when the document is cited by number only (title == "").
    """

    title: str
    start: int
    end: int
    doc_number: str = ""  # the 文号 as printed, "" when none follows the title
    number_key: str = ""  # kb.text.docnum key, "" when no number
    number_start: int = -1
    number_end: int = -1
    sentence_start: int = 0
    sentence_end: int = 0
    nested_in: str = ""  # title of the enclosing 《》 when this one is a 〈〉 inside it


def _sentence_around(text: str, sentences: list[Span], start: int, end: int) -> Span:
    """The sentence around text[start:end], end mark kept, without leading indentation
    or the line break that ends it."""
    s, e = span_around(sentences, start, end)
    while s < e and text[s] in _SPACES:
        s += 1
    while e > s and text[e - 1] in _SPACES + "\n":
        e -= 1
    return s, e


def _number_after(text: str, pos: int, numbers: list[DocNumMatch]) -> DocNumMatch | None:
    """The 文号 in brackets right after a title ending at `pos`: 《…》（江政办〔2023〕16号）."""
    m = _NUMBER_OPEN.match(text, pos)
    if not m:
        return None
    inner = m.end()
    while inner < len(text) and text[inner] in _SPACES:
        inner += 1
    for num in numbers:
        if num.start == inner:
            return num
        if num.start > inner:
            break
    return None


def extract_references(text: str) -> list[Reference]:
    """Every citation in `text`, in reading order: each 《》 title (with the 文号 that follows
    it), each 〈〉 title nested in one, and each 文号 printed without a title."""
    if not isinstance(text, str) or not text:
        return []
    numbers = find_docnums(text)
    # A reference's sentence ends at the first 。；！？ or line break after it.
    sentences = sentence_spans(text, semicolon=True, closers=False, run=False, trim=False)
    used_numbers: set[int] = set()
    refs: list[Reference] = []
    for m in _TITLE_RE.finditer(text):
        title, t_start, t_end = m.group(1), m.start(1), m.end(1)
        num = _number_after(text, m.end(), numbers)
        if num is not None:
            used_numbers.add(num.start)
        cite_end = num.end if num is not None else m.end()
        s_start, s_end = _sentence_around(text, sentences, m.start(), cite_end)
        refs.append(
            Reference(
                title=title,
                start=t_start,
                end=t_end,
                doc_number=num.raw if num else "",
                number_key=num.key if num else "",
                number_start=num.start if num else -1,
                number_end=num.end if num else -1,
                sentence_start=s_start,
                sentence_end=s_end,
            )
        )
        for n in _NESTED_RE.finditer(title):
            group = 1 if n.group(1) is not None else 2
            refs.append(
                Reference(
                    title=n.group(group),
                    start=t_start + n.start(group),
                    end=t_start + n.end(group),
                    sentence_start=s_start,
                    sentence_end=s_end,
                    nested_in=title,
                )
            )
    for num in numbers:
        if num.start in used_numbers:
            continue
        s_start, s_end = _sentence_around(text, sentences, num.start, num.end)
        refs.append(
            Reference(
                title="",
                start=num.start,
                end=num.end,
                doc_number=num.raw,
                number_key=num.key,
                number_start=num.start,
                number_end=num.end,
                sentence_start=s_start,
                sentence_end=s_end,
            )
        )
    refs.sort(key=lambda r: (r.start, r.nested_in != ""))
    return refs
