"""Questions and queries are checked once, at the edge, with a message a user can act on."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500  # a real question is a sentence or two; longer input is pasted text


class InvalidQuestion(ValueError):
    """The input can't be searched; `str(err)` is the message to show the user."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_question(text: str | None) -> str:
    """The question with control characters removed and spaces collapsed, or InvalidQuestion."""
    if text is None:
        raise InvalidQuestion("问题不能为空，请输入要查询的内容。")
    cleaned = _CONTROL.sub(" ", str(text))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        raise InvalidQuestion("问题不能为空，请输入要查询的内容。")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"问题过长（{len(cleaned)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内后再提问。"
        )
    meaningful = sum(1 for ch in cleaned if unicodedata.category(ch)[0] in "LN")
    replacement = cleaned.count("\ufffd")
    if meaningful == 0 or replacement > len(cleaned) // 4:
        raise InvalidQuestion("无法识别问题内容（可能是乱码或二进制数据），请用文字重新输入。")
    return cleaned
