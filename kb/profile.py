"""What is specific to one district, read from its corpus folder (corpus/profile.toml).

Place names and their aliases, the issuers behind 文号 prefixes, the district's former
name, the page title and the example questions belong to the corpus, not to the code: a
second district runs the product by replacing corpus/ alone. A corpus without a profile
still works: the defaults are generic.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kb.text.lexicon import thesaurus

PROFILE_NAME = "profile.toml"
DEFAULT_TITLE = "法治政府知识库"
DEFAULT_INTRO = "依据文档目录中的法律法规和文件回答，回答附原文出处。"
DEFAULT_CHAT_INTRO = "依据文档目录中的法律法规和文件回答，每条回答都附出处。"

log = logging.getLogger(__name__)


def _frozen(table: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(table or {}))


@dataclass(frozen=True)
class Profile:
    title: str = DEFAULT_TITLE  # the page title
    intro: str = DEFAULT_INTRO  # the line under the page title
    chat_intro: str = DEFAULT_CHAT_INTRO  # the empty chat's greeting, under the title
    office: str = ""  # who runs the page: the footer names it (the title when unset)
    examples: tuple[str, ...] = ()  # questions offered in the empty chat
    lookup_examples: tuple[str, ...] = ()  # hints for the 文号查询 box
    district: str = ""  # the district's name as issuers print it (城北区)
    former_name: str = ""  # its name before it became a district (城北县)
    renamed_in: int | None = None  # 文号 of earlier years were issued under former_name
    report_year: int | None = None  # the year the corpus reports on: a question's 去年/今年
    issuers: Mapping[str, str] = field(default_factory=_frozen)  # 文号 prefix -> issuing body
    places: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen)  # place -> its other names
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen)  # added to the thesaurus

    @cached_property
    def thesaurus(self) -> Mapping[str, tuple[str, ...]]:
        """The general thesaurus with this district's words: a word both know keeps its place
        and gains the district's terms; a new word comes last."""
        table = dict(thesaurus())
        for word, terms in self.synonyms.items():
            known = table.get(word, ())
            table[word] = known + tuple(t for t in terms if t not in known)
        return MappingProxyType(table)

    def place_forms(self, place: str) -> tuple[str, ...]:
        """The other names of a place ((), when it has none)."""
        return tuple(a for a in self.places.get(place, ()) if a != place)


DEFAULT = Profile()


def load_profile(corpus: str | Path) -> Profile:
    """The profile of a corpus folder; the defaults when it has none. Read again only
    when the file changes."""
    path = Path(corpus) / PROFILE_NAME
    try:
        stamp = path.stat().st_mtime_ns
    except (OSError, ValueError):
        return DEFAULT
    return _read(path.resolve(), stamp)


def current_profile() -> Profile:
    """The profile of the corpus the settings name (KB_CORPUS, else the bundled corpus)."""
    from kb.config import settings

    return load_profile(settings().corpus)


@lru_cache(maxsize=16)
def _read(path: Path, stamp: int) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        log.warning("ignoring %s: %s", path, err)
        return DEFAULT
    return parse_profile(data)


def parse_profile(data: Mapping[str, Any]) -> Profile:
    """A profile from parsed TOML; a missing or mistyped value keeps its default."""
    ui, district = _table(data.get("ui")), _table(data.get("district"))
    renamed, year = district.get("renamed_in"), district.get("report_year")
    return Profile(
        title=_text(ui.get("title")) or DEFAULT_TITLE,
        intro=_text(ui.get("intro")) or DEFAULT_INTRO,
        chat_intro=_text(ui.get("chat_intro")) or DEFAULT_CHAT_INTRO,
        office=_text(ui.get("office")),
        examples=_texts(ui.get("examples")),
        lookup_examples=_texts(ui.get("lookup_examples")),
        district=_text(district.get("name")),
        former_name=_text(district.get("former_name")),
        renamed_in=renamed if isinstance(renamed, int) and not isinstance(renamed, bool) else None,
        report_year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        issuers=_frozen({k: _text(v) for k, v in _table(data.get("issuers")).items() if k and _text(v)}),
        places=_frozen({k: _texts(v) for k, v in _table(data.get("places")).items() if k}),
        synonyms=_frozen({k: _texts(v) for k, v in _table(data.get("synonyms")).items() if k}),
    )


def _table(value: Any) -> dict[str, Any]:
    return {str(k).strip(): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(dict.fromkeys(t for t in (_text(v) for v in items) if t))
