"""What the gold and held-out set checks share: their rows, the corpus text, and a scanner that
finds the labelled passage (report item or law article) holding an offset of a corpus file.

No index or model: the checks read the corpus files directly.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"
LAWS = (
    "renmin_tiaojie_fa_2010.txt",
    "xingzheng_chufa_fa_2021.txt",
    "xingzheng_fuyi_fa_2023.txt",
    "xingzheng_susong_fa_2017.txt",
    "youhua_yingshang_huanjing_tiaoli_2019.txt",
    "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.txt",
)
TYPES = {"figure", "docnum", "docnum_reverse", "date", "deadline", "list", "about", "body", "count"}
KEYS = {"id", "question", "type", "answer_facts", "source_contains", "doc", "label"}
MAX_SHARED = 12  # a question may share at most 11 consecutive characters with its source

CN_NUM = "一二三四五六七八九十百零"
ARTICLE_RE = re.compile(rf"^(第[{CN_NUM}]+条)")
CHAPTER_RE = re.compile(rf"^第[{CN_NUM}]+[章节]")
TOP_RE = re.compile(rf"^([{CN_NUM}]+、)")
SUB_RE = re.compile(rf"^(（[{CN_NUM}]+）)")
ITEM_RE = re.compile(r"^(\d+\.)")
# 文号 in any bracket style, with optional spaces and full-width digits, e.g. 江政办[２０２３] 17号:
# a docnum question may spell the number its own way.
DOCNUM_RE = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[〔\[（(【]\s*[0-9０-９]{4}\s*[〕\]）)】]\s*[0-9０-９]+\s*号")


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answerable(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["type"] != "unanswerable"]


@cache
def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@cache
def passages(name: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, label) per labelled passage: report items/sections or law articles.

    Law files: an article runs from its "第X条" line to the next article or heading.
    Report: a line belongs to the innermost heading above it ("二、（六）3." style).
    """
    out: list[tuple[int, int, str]] = []
    pos = 0
    top = sub = ""
    law_open = False
    for line in corpus_text(name).splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        bare = line.strip()
        if name == REPORT:
            if m := TOP_RE.match(bare):
                top, sub = m.group(1), ""
            elif m := SUB_RE.match(bare):
                sub = m.group(1)
            elif top:
                item = m.group(1) if (m := ITEM_RE.match(bare)) else ""
                out.append((start, end, top + sub + item))
        elif m := ARTICLE_RE.match(bare):
            out.append((start, end, m.group(1)))
            law_open = True
        elif CHAPTER_RE.match(bare):
            law_open = False
        elif law_open:
            out[-1] = (out[-1][0], end, out[-1][2])
    return tuple(out)


def occurrences(haystack: str, needle: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), haystack)]


def passage_at(name: str, offset: int) -> tuple[int, int, str] | None:
    return next((p for p in passages(name) if p[0] <= offset < p[1]), None)


def longest_common_substring(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def shared_with_source(row: dict) -> int:
    """The longest run of characters a question copies from its source; a 文号 the question is
    about does not count."""
    question, source = row["question"], row["source_contains"]
    if row["type"] in ("docnum", "docnum_reverse"):
        question, source = DOCNUM_RE.sub("", question), DOCNUM_RE.sub("", source)
    return longest_common_substring(question, source)
