"""The words one character away from a word, counted over every passage through a position
index of the passages' characters, for kb.answer.spelling.

The count is the one a regular-expression scan gives (each passage read left to right, each
match of `word` with one character changed to any Han character, or `word` itself, taken
whole before the next is looked for): a passage counts once for each near word among its
matches. A scan of the passages that may hold one (every passage holding one of the word's
first two characters, at the law library's size tens of thousands for 法 or 行) took 15-150 ms
a word, paid for each new word of a refused question (the second look for homophones reads
every word of it); through the index a look-up reads only the places where the word's first
or second character stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

HAN_FIRST, HAN_LAST = 0x4E00, 0x9FFF  # the Han range a typed character may be changed to
_SEPARATOR = "\n"  # between passages: not Han, so no match runs across two of them
_OUTSIDE = 0xFFFF  # stands for any character above U+FFFF: never Han, never a word's character
_MAX_WORD = 8  # the index is padded so that a window of this many characters never runs off its end
_KEY = 65536  # a near word's key: its changed place times this, plus the character there


@dataclass(frozen=True)
class CharPositions:
    """Every passage's characters in one array (passages joined by _SEPARATOR), and where each
    character stands, ascending: 6 bytes a character (2 of code, 4 of position), 39 MB for
    the 6.4 million characters of the law library's passages."""

    codes: np.ndarray  # uint16: each character's code point, _OUTSIDE above U+FFFF
    order: np.ndarray  # int32: the positions of the array, sorted by character
    bounds: np.ndarray  # int64: the positions of character c are order[bounds[c]:bounds[c + 1]]
    starts: np.ndarray  # int64: where each passage begins

    @classmethod
    def build(cls, texts: list[str]) -> CharPositions:
        joined = _SEPARATOR.join(texts) + _SEPARATOR * _MAX_WORD
        wide = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = np.where(wide > _OUTSIDE, _OUTSIDE, wide).astype(np.uint16)
        order = np.argsort(codes, kind="stable").astype(np.int32)  # a radix sort on 16 bits
        bounds = np.zeros(_OUTSIDE + 2, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=_OUTSIDE + 1), out=bounds[1:])
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if texts else np.zeros(0, dtype=np.int64)
        return cls(codes=codes, order=order, bounds=bounds, starts=starts)

    def where(self, char: str) -> np.ndarray:
        """The positions of `char`, ascending."""
        c = ord(char)
        if c >= _OUTSIDE:
            return self.order[:0]
        return self.order[self.bounds[c] : self.bounds[c + 1]]


def near_counts(index: CharPositions, word: str, wanted: Callable[[str], bool] | None = None) -> dict[str, int]:
    """Each word one character away from `word` (at the same place, changed to a Han
    character) -> how many passages hold it among their matches; `word` itself left out.
    `word` is 2 to _MAX_WORD Han characters. With `wanted`, only the near words it accepts
    are counted (each asked once): the same counts, without counting the others."""
    size = len(word)
    target = np.array([ord(c) for c in word], dtype=np.uint16)
    # a window with at most one character changed keeps its first character or its second;
    # one that changed its first keeps every other (its third too, when it has one)
    first = index.where(word[0])
    second = index.where(word[1]) - 1
    second = second[second >= 0]
    second = second[index.codes[second] != target[0]]
    if size > 2:
        first = first[(index.codes[first + 1] == target[1]) | (index.codes[first + 2] == target[2])]
        second = second[index.codes[second + 2] == target[2]]
    starts = np.sort(np.concatenate([first, second]).astype(np.int64), kind="stable")  # two sorted runs: merged
    windows = index.codes[starts[:, None] + np.arange(size)]
    changed = windows != target
    n_changed = changed.sum(axis=1)
    han = (windows >= HAN_FIRST) & (windows <= HAN_LAST)
    match = (n_changed == 0) | ((n_changed == 1) & (changed & han).any(axis=1))
    at, changed, windows = starts[match], changed[match], windows[match]
    keep = _leftmost_apart(at, size)
    at, changed, windows = at[keep], changed[keep], windows[keep]
    # `word` itself was taken (it hides what overlaps it) but is not counted; a near word is
    # its changed place and character, as one key
    near = changed.any(axis=1)
    at, changed, windows = at[near], changed[near], windows[near]
    place = changed.argmax(axis=1)
    key = place * _KEY + windows[np.arange(len(at)), place]
    if wanted is not None:
        kept = [k for k in np.flatnonzero(np.bincount(key)).tolist() if wanted(_spelled(word, k))]
        chosen = np.isin(key, kept)
        at, key = at[chosen], key[chosen]
    passage = np.searchsorted(index.starts, at, side="right") - 1
    pairs = np.unique(passage * _KEY * _MAX_WORD + key)  # a passage counts once per near word
    keys, counts = np.unique(pairs % (_KEY * _MAX_WORD), return_counts=True)
    return {_spelled(word, k): n for k, n in zip(keys.tolist(), counts.tolist(), strict=True)}


def _spelled(word: str, key: int) -> str:
    """The near word a key stands for: `word` with one place changed."""
    place, char = divmod(key, _KEY)
    return word[:place] + chr(char) + word[place + 1 :]


def _leftmost_apart(at: np.ndarray, size: int) -> np.ndarray:
    """Which matches (positions ascending) a left-to-right scan takes: the first, then the
    first starting at or after its end, and so on. Only the matches closer than `size` to a
    neighbour are walked: any other is taken."""
    keep = np.ones(len(at), dtype=bool)
    close = np.flatnonzero(np.diff(at) < size)
    if not close.size:
        return keep
    walked = np.union1d(close, close + 1)
    skipped, end = [], -1
    for j, p in zip(walked.tolist(), at[walked].tolist(), strict=True):
        if p < end:
            skipped.append(j)
        else:
            end = p + size
    keep[skipped] = False
    return keep
