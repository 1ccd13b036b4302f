"""Questions and queries are checked once, at the edge, with a message a user can act on.

Cleaning also makes a question comparable with the corpus: terminal colour codes and control
characters go, and traditional characters become simplified (the documents are simplified;
OpenCC's t2s leaves every character of the bundled corpus unchanged, so it never harms a
question typed in simplified characters).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MAX_QUESTION_CHARS = 500  # a real question is a sentence or two; longer input is pasted text


class InvalidQuestion(ValueError):
    """The input can't be searched; `str(err)` is the message to show the user."""


_EMPTY = "问题不能为空，请输入要查询的内容。"
_GARBLED = "无法识别问题内容（可能是乱码或二进制数据），请用文字重新输入。"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")  # become a space
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")  # just go
# terminal escape sequences (colour codes pasted from a console): dropped whole, not left as "[31m"
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _never_typed(ch: str) -> bool:
    """Characters that only come from decoding bytes as text: C1 controls, surrogates,
    private use, unassigned code points and the replacement character."""
    return "\x80" <= ch <= "\x9f" or ch == "\ufffd" or unicodedata.category(ch) in ("Cs", "Co", "Cn")


@cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (繁體 -> 繁体); simplified text is left as it is."""
    return _t2s().convert(text)


def clean_question(text: str | None) -> str:
    """The question with control characters removed, spaces collapsed and traditional
    characters simplified, or InvalidQuestion with the reason."""
    if text is None:
        raise InvalidQuestion(_EMPTY)
    raw = _ANSI.sub("", _INVISIBLE.sub("", str(text)))
    visible = [ch for ch in raw if not ch.isspace()]
    typed = [ch for ch in visible if not (ch < " " or ch == "\x7f")]  # what is left once C0 goes
    if len(visible) - len(typed) > len(visible) // 3 or sum(map(_never_typed, typed)) > len(typed) // 10:
        raise InvalidQuestion(_GARBLED)
    # A stray undecodable byte (a lone surrogate from argv, U+FFFD from a lenient decode) in an
    # otherwise typed question is dropped: no encoder downstream accepts a surrogate.
    cleaned = "".join(ch for ch in _CONTROL.sub(" ", raw) if not _never_typed(ch))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        raise InvalidQuestion(_EMPTY)
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"问题过长（{len(cleaned)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内后再提问。"
        )
    if not any(unicodedata.category(ch)[0] in "LN" for ch in cleaned):
        raise InvalidQuestion(_GARBLED)
    return to_simplified(cleaned)


def language_notice(question: str) -> str:
    """A hint for a question written without Chinese characters: the documents are Chinese,
    so only the meaning-based search can match it and an exact answer is unlikely."""
    if _CJK.search(question) or not _LATIN_WORD.search(question):
        return ""
    return "知识库文档为中文，非中文提问只能按语义检索，可能无法给出确切回答；建议用中文重新提问。"
