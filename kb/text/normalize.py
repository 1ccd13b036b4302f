"""Width and whitespace normalisation: how text typed one way meets text printed another.

Staff type 江政办（２０２３）16号 with full-width digits and stray spaces; documents print
江政办〔2023〕16号. Two kinds of folding exist and must not be confused: `fold_width` maps
one character to one, so offsets found in the folded text index the original; `nfkc` may
change the length and is for comparing or indexing, never for spans.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RUN = re.compile(r"\s+")


class _CharFolds(dict):
    """Character -> its one-character fold, computed on first sight: a text is folded by
    dictionary lookups instead of one `unicodedata.normalize` call per character."""

    def __init__(self, lower: bool) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, ch: str) -> str:
        folded = ch if ch.isascii() and not self.lower else unicodedata.normalize("NFKC", ch)
        if self.lower:
            folded = folded.lower()
        self[ch] = folded if len(folded) == 1 else ch
        return self[ch]


_FOLDS = {False: _CharFolds(lower=False), True: _CharFolds(lower=True)}


def fold_width(text: str, *, lower: bool = False) -> str:
    """Full-width digits, letters and signs to ASCII (and lower case when `lower`), one
    character for one, so offsets survive; a character whose fold is longer stays as it is."""
    if not lower and text.isascii():
        return text
    return "".join(map(_FOLDS[lower].__getitem__, text))


def nfkc(text: str, *, lower: bool = False) -> str:
    """NFKC (full-width to half-width, compatibility forms folded), lower case when `lower`;
    "" for anything that is not a string. The length may change: not for offsets."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text)
    return folded.lower() if lower else folded


def squash(text: str) -> str:
    """The text without any whitespace: passages wrap lines and indent where a quote does not."""
    return _SPACE_RUN.sub("", text)


def compact(text: str, *, lower: bool = False) -> str:
    """NFKC without any whitespace (lower case when `lower`): the form in which "76 件" typed
    by a person and 76件 in the source are one answer. The length changes: not for offsets."""
    return squash(nfkc(text, lower=lower))
