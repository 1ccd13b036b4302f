"""Document titles: as a citation prints them, as people say them, and as they are matched.

A law is cited as 《中华人民共和国行政复议法》, often with a version note
（2023年修订）, sometimes with <> for the 〈〉 of a nested title; people say 行政复议法.
Every layer that compares, shows or recognises a title uses these forms.
"""

from __future__ import annotations

import re

from kb.text.normalize import squash

NATION = "中华人民共和国"
_TRAILING_NOTE = re.compile(r"[（(][^）)]*[)）]$")


def _version_note(*words: str) -> re.Pattern[str]:
    return re.compile(rf"[（(][^（）()]*(?:{'|'.join(words)})[)）]$")


_VERSION_NOTE = _version_note("修订", "修正", "修改", "草案")
# A corpus document's display title keeps a （…修改） note: the catalog's own wording.
_CATALOG_VERSION_NOTE = _version_note("修订", "修正", "草案")


def nested_marks(title: str) -> str:
    """<> as 〈〉: some sources (行政诉讼法's header lines) print a nested title that way."""
    return title.replace("<", "〈").replace(">", "〉")


def display_title(title: str) -> str:
    """How a corpus document is named in citations: as it is cited (《中华人民共和国行政复议法》),
    without the version note."""
    return _CATALOG_VERSION_NOTE.sub("", title).strip()


def compact_title(title: str) -> str:
    """How the registry shows a cited title: no spaces, <> as 〈〉."""
    return nested_marks(squash(title))


def normalize_title(title: str) -> str:
    """Matching form of a title: no brackets, quotes or spaces, <> as 〈〉, no 中华人民共和国
    in front, no version note (（2023年修订）) at the end."""
    t = squash(title or "").strip("《》")
    t = nested_marks(t)
    t = _VERSION_NOTE.sub("", t)
    if t.startswith(NATION) and len(t) > len(NATION):
        t = t[len(NATION) :]
    return t


def short_title(title: str, *, keep_note: bool = False) -> str:
    """How people name a law: 行政复议法, not 中华人民共和国行政复议法.

    For recognising a law in a question a bracketed note at the end goes too. `keep_note`
    gives the title as a quiz prompt shows it: only the nation prefix goes, and only when
    at least two characters are left, so a title is never cut to nothing.
    """
    if keep_note:
        return title.removeprefix(NATION) if len(title) > len(NATION) + 1 else title
    return _TRAILING_NOTE.sub("", title).removeprefix(NATION).strip()
