"""文号 / 令号 parsing: one key per document number, whatever way it was typed.

Staff type numbers loosely (江政办(2023)16号, 江政办【２０２３】１６, 江政办 [2023] 16 号),
documents print them officially (江政办〔2023〕16号, 中华人民共和国主席令第九号). A
tokenizer splits them apart, so retrieval alone can't find a document by its number;
the registry keys documents by the canonical form computed here.

Two shapes:
- bracketed 文号: PREFIX〔YEAR〕N号  -> key "PREFIX|YEAR|N"   (江政办|2023|16)
  (also typed without brackets as PREFIX YEAR年N号: 江政发2013年26号)
- order numbers: ISSUER令第N号      -> key "ISSUER令|N"       (国务院令|713, 主席令|9)
  "中华人民共和国" in front of an issuer is dropped, so 主席令第九号 and
  中华人民共和国主席令第九号 are one key; Chinese numerals become integers.

Every function here is total: arbitrary text never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text.normalize import fold_width, squash
from kb.text.numerals import NUMERALS, cn_to_int, int_to_cn

_NATION = "中华人民共和国"

_OPEN = "〔[(【（［｛{〖"
_CLOSE = "〕])】）］｝}〗"
_SP = r"[ \t\u3000\u00a0]*"  # stray spaces allowed between any two characters
_CJK = r"[\u4e00-\u9fff]"


def _spaced(chars: str) -> str:
    """A character class repeated with stray spaces between the repetitions."""
    return rf"{chars}(?:{_SP}{chars})*"


# Prefix run: CJK characters (maybe spaced) right before the bracket / 令. Trimmed afterwards.
_RUN = rf"(?P<run>{_CJK}(?:{_SP}{_CJK}){{0,29}})"
_YEAR = rf"(?P<year>(?:1{_SP}9|2{_SP}0){_SP}[0-9]{_SP}[0-9]|[{NUMERALS}](?:{_SP}[{NUMERALS}]){{3}})"
_NUM_AR = rf"[0-9](?:{_SP}[0-9]){{0,5}}"
_NUM = rf"(?P<num>{_NUM_AR}|{_spaced(f'[{NUMERALS}]')})"

_BRACKET_RE = re.compile(
    rf"{_RUN}{_SP}[{re.escape(_OPEN)}]{_SP}{_YEAR}{_SP}[{re.escape(_CLOSE)}]{_SP}(?:第{_SP})?{_NUM}(?P<hao>{_SP}号)?"
)
# The same number typed without brackets (江政发2013年26号, 江政办 2023 年 17 号, 江政发2013 26号):
# the year must be four digits followed by 年 or a space, the serial must end in 号, and
# nothing else may sit between them, so a date (2023年1月26号) or a count in a sentence does
# not match.
_PLAIN_RE = re.compile(
    rf"{_RUN}{_SP}{_YEAR}(?:{_SP}年|[ \t\u3000\u00a0]+){_SP}(?:第{_SP})?{_NUM}(?P<hao>{_SP}号)"
)
# Without brackets a time phrase can stand where the prefix would (截至2023年12号,
# 今年2023年26号): such a "prefix" ends in a time or preposition character, an issuer's
# abbreviation (江政发, 国办发, 柳政规) never does.
_PLAIN_NOT_PREFIX_END = set("年月日至到于在自从止前后底初末今去明本上下")
_ORDER_RE = re.compile(
    rf"{_RUN}{_SP}令{_SP}(?P<open>[（(〔\[]{_SP})?(?:第{_SP})?{_NUM}(?P<hao>{_SP}号)?(?:{_SP}[）)〕\]])?"
)

# Issuers whose orders are numbered 令: the State Council, the President, governments, ministries.
_ORDER_ISSUER = re.compile(
    r"(?:国务院|国家主席|主席|(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|县|区|州|盟|旗))+人民政府"
    r"|[\u4e00-\u9fff]{1,12}?(?:部|委员会|总局|局|署|银行))$"
)

# Words of a sentence that end wherever they occur in the run before a number
# (根据江政办, 请问江政办, 出台和江政办): the 文号 prefix starts after the last of them.
_BOUNDARY_WORDS = tuple(
    """根据 依据 按照 依照 遵照 参照 对照 贯彻 落实 执行 印发 出台 制定 发布 转发 下发 公布 实施
    关于 文件 文号 号文 通知 请问 查询 查找 搜索 查看 看看 一下 什么 哪个 以及 还有 还是 就是 详见
    参见 见于 另见 见 的 了 是 和 与 及 或 即 在 将 把 从 跟 该 此 请 问 吗 呢 啊 吧 么""".split()
)
# Words that end a sentence run only at its very start: inside a prefix they may be real.
_LEADING_WORDS = tuple("另 再 又 先 后 还 也 都 为 按 据 照 由 对 于 同 等 这 那 本 查 号 文 令 条".split())
_MAX_PREFIX = 8  # 文号 prefixes are short: 江政办, 江营商办发, 桂政办发


@dataclass(frozen=True)
class DocNumMatch:
    """One document number found in a text; start/end index the ORIGINAL text."""

    start: int
    end: int
    raw: str
    key: str

    @property
    def display(self) -> str:
        return display_from_key(self.key)




def _clean_run(run: str, max_len: int = 30) -> str:
    """The CJK run before a bracket or 令 without the sentence words in front of the number."""
    run = squash(run)
    masked = run.replace(_NATION, "\x00" * len(_NATION))  # 共和 is not the word 和
    cut = 0
    for word in _BOUNDARY_WORDS:
        pos = masked.rfind(word)
        while pos >= 0 and len(run) - (pos + len(word)) < 2:
            pos = masked.rfind(word, 0, pos)
        if pos >= 0:
            cut = max(cut, pos + len(word))
    run = run[cut:][-max_len:]
    changed = True
    while changed:
        changed = False
        for word in _LEADING_WORDS:
            if run.startswith(word) and len(run) - len(word) >= 2:
                run = run[len(word) :]
                changed = True
    return run


def _order_issuer(run: str) -> str | None:
    """The longest tail of `run` shaped like an issuer of 令 (国务院, XX人民政府, XX部), or None."""
    run = _clean_run(run)
    for i in range(len(run)):
        tail = run[i:]
        name = tail[len(_NATION) :] if tail.startswith(_NATION) else tail
        if name and _ORDER_ISSUER.fullmatch(name):
            return tail
    return None


def _issuer_name(tail: str) -> str:
    name = tail[len(_NATION) :] if tail.startswith(_NATION) else tail
    return "主席" if name == "国家主席" else name


def _key_of(m: re.Match, bracket: bool, plain: bool = False) -> tuple[str, int] | None:
    """(key, chars of the run the key uses) for one regex match, or None when it isn't a number."""
    num = cn_to_int(m.group("num"))
    if num is None or num <= 0:
        return None
    run = m.group("run")
    if bracket:
        year = cn_to_int(m.group("year"))
        if year is None or not 1949 <= year <= 2099:
            return None
        prefix = _clean_run(run, _MAX_PREFIX)
        if len(prefix) < 2 or (plain and prefix[-1] in _PLAIN_NOT_PREFIX_END):
            return None
        return f"{prefix}|{year}|{num}", len(prefix)
    tail = _order_issuer(run)
    if tail is None:
        return None
    if not m.group("num").strip()[0].isdigit() and "第" not in m.group(0) and not m.group("hao"):
        return None  # 令 followed by a bare Chinese numeral is prose, not an order number
    return f"{_issuer_name(tail)}令|{num}", len(tail)


def _run_start(text: str, run_start: int, run_end: int, used: int) -> int:
    """Offset where the last `used` non-space characters of text[run_start:run_end] begin."""
    pos = run_end
    count = 0
    while pos > run_start and count < used:
        pos -= 1
        if not text[pos].isspace():
            count += 1
    return pos


def _may_hold_docnum(folded: str) -> bool:
    """Whether any pattern can match: each needs a literal the text must contain (an opening
    bracket, 号, or 令). Most passages have none, and the patterns are slow to fail."""
    return "令" in folded or "号" in folded or any(c in folded for c in _OPEN)


def find_docnums(text: str) -> list[DocNumMatch]:
    """Every document number in `text`, left to right, with spans into the original text."""
    if not isinstance(text, str) or not text:
        return []
    try:
        folded = fold_width(text)
        if not _may_hold_docnum(folded):
            return []
        found: list[DocNumMatch] = []
        for bracket, pattern in ((True, _BRACKET_RE), (True, _PLAIN_RE), (False, _ORDER_RE)):
            for m in pattern.finditer(folded):
                keyed = _key_of(m, bracket, pattern is _PLAIN_RE)
                if keyed is None:
                    continue
                key, used = keyed
                start = _run_start(folded, m.start("run"), m.end("run"), used)
                end = m.end()
                if not bracket and m.group("open") is None:
                    # A closing bracket only belongs to the number when it was opened.
                    tail = folded[m.end("num") : end]
                    if tail.rstrip(" \t\u3000\u00a0")[-1:] in ")）〕]":
                        end = m.end("hao") if m.group("hao") else m.end("num")
                found.append(DocNumMatch(start, end, text[start:end], key))
        found.sort(key=lambda d: (d.start, -d.end))
        out: list[DocNumMatch] = []
        for d in found:  # overlapping matches: keep the earlier, longer one
            if out and d.start < out[-1].end:
                continue
            out.append(d)
        return out
    except (RecursionError, ValueError, IndexError):
        return []


def without_docnums(text: str, mark: str = "") -> str:
    """`text` with each 文号 replaced by `mark` (taken out by default)."""
    for num in reversed(find_docnums(text)):
        text = text[: num.start] + mark + text[num.end :]
    return text


def normalize_docnum(s: str) -> str | None:
    """The registry key of the first number in `s` (江政办|2023|16, 国务院令|713), or None."""
    found = find_docnums(s) if isinstance(s, str) else []
    return found[0].key if found else None


def display_from_key(key: str) -> str:
    """Official display form of a key: 江政办〔2023〕16号, 国务院令第713号, 中华人民共和国主席令第九号."""
    parts = key.split("|")
    if len(parts) == 3:
        return f"{parts[0]}〔{parts[1]}〕{parts[2]}号"
    if len(parts) == 2 and parts[1].isdigit():
        if parts[0] == "主席令":
            return f"{_NATION}主席令第{int_to_cn(int(parts[1]))}号"
        return f"{parts[0]}第{parts[1]}号"
    return ""


def canonical_docnum(s: str) -> str:
    """Display form of the first number in `s` with 〔〕 and 号, or "" when there is none."""
    key = normalize_docnum(s)
    return display_from_key(key) if key else ""


def key_prefix(key: str) -> str:
    """The issuer part of a key: 江政办 of 江政办|2023|16, 国务院令 of 国务院令|713."""
    return key.split("|", 1)[0]


def key_year(key: str) -> int | None:
    """The year of a bracketed 文号 key, None for order numbers."""
    parts = key.split("|")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def keys_compatible(a: str, b: str) -> bool:
    """Same year and serial, and one prefix ends the other: a number whose prefix caught a
    word of the sentence (柳江江政办|2023|16) still finds 江政办|2023|16."""
    pa, pb = a.split("|"), b.split("|")
    if len(pa) != len(pb) or pa[1:] != pb[1:]:
        return False
    x, y = pa[0], pb[0]
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= 2 and long_.endswith(short)


_HEADER_LINES = 6


def header_number(text: str, latest: bool = False) -> str:
    """The document's own number from its header lines (…国务院令第722号公布), or "".
    `latest`: of a law's history lines (…第492号公布 / …第711号修订), the order of the
    version this text is."""
    head = "\n".join(text.split("\n", _HEADER_LINES)[:_HEADER_LINES])
    verbs = re.compile(r"\s*(?:公布|发布|印发|修订|修正)" if latest else r"\s*(?:公布|发布|印发)")
    own = [num.raw.strip() for num in find_docnums(head) if verbs.match(head[num.end :])]
    return (own[-1] if latest else own[0]) if own else ""
