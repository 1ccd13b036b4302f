"""Figures in Chinese text: the numbers, amounts, durations and dates a claim rests on, and
the unit vocabularies every reader of figures shares.

Answers are checked figure by figure against the passages they cite, so "六十日" and
"60日" must be the same figure and "一是"/"统一"/"进一步" must not be figures at all.
Chinese numerals count only with a unit or classifier after them (or as 百分之N, 第N条);
Arabic numerals always count. Every function is total: arbitrary text never raises.

`find_figures` is the one figure parser. Its callers count different things as figures,
so it takes a `Reading` (which numerals, after which characters, with which units), and
the readings live here, next to the vocabularies they use:
  CLAIMS  every figure of a claim or passage (grounding, question analysis, answering);
  QUIZ    what a quiz can blank: counts and time limits with their unit, 多/余 kept;
  BARE    every numeral a claim states, unit or not (the evaluation's citation check).
`parse_figure` reads the one figure a person types as an answer (七十六, 16万件, 百分之十三).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kb.text.normalize import compact, fold_width
from kb.text.numerals import NUMERALS, SCALES, cn_to_int, cn_to_number

# ---------------------------------------------------------------- units

# Units and classifiers that make a Chinese numeral a quantity (longest first).
UNITS = sorted(
    """个工作日 工作日 个月 周岁 小时 分钟 平方米 公里 人次 户次 件次 万元 亿元 千元 百元
    日 天 月 年 周 岁 件 项 个 人 名 户 条 次 起 家 份 元 倍 届 种 类 批 场 所 座 宗 款 章 节 编
    成 分 层 级 轮 期 笔 单 位 台 辆 套 张 本 篇 号""".split(),
    key=len,
    reverse=True,
)
# Every unit of time with what it is worth in days, so a "two months" distractor stays away
# from a "sixty days" answer.
DAYS = {
    "个工作日": 1,
    "工作日": 1,
    "个月": 30,
    "小时": 1 / 24,
    "分钟": 1 / 1440,
    "日": 1,
    "天": 1,
    "月": 30,
    "年": 365,
    "周": 7,
}
TIME_UNITS = tuple(DAYS)
# What a law's time limit is counted in (六十日, 三个月, 二年).
LIMIT_UNITS = ("个工作日", "个月", "小时", "日", "天", "年")
# The counts and amounts a quiz asks about.
COUNT_UNITS = (
    "人次", "平方米", "万件", "万元", "件", "起", "项", "个", "户", "条", "人", "家",
    "份", "元", "类", "次", "名", "所", "%", "％",
)  # fmt: skip
# What a person may write after the number of an answer.
ANSWER_UNITS = sorted({*COUNT_UNITS, *LIMIT_UNITS, "个百分点", "月", "周年", "万"}, key=len, reverse=True)
# Units that mean the same thing.
UNIT_CLASSES = ({"日", "天"}, {"个月", "月"}, {"%", "％"})
# Units a figure may be given in for one another (76件 or 76起).
UNIT_FAMILIES = ({"件", "起"}, {"户", "家"}, {"人", "名"}, {"条", "份"})
# The units of a sum of money: a question asking what something costs (经费, 收费, 投资额,
# 多少钱) is answered by a figure in one of them, never by a count (fresh_b, fresh_c).
MONEY_UNITS = frozenset({"元", "万元", "亿元", "千元", "百元"})
# The units a figure may be counted in to answer a question asking by this classifier
# (几个代理人 ~ 一至二名, not 54人 for 几个镇); a classifier not listed allows itself and 万+itself.
PERSON_UNITS = {"人", "名", "位", "人次"}
CLASSIFIER_UNITS = {
    # 个 is the everyday classifier: 几个案子/几个意见 is counted in 件 by the report (审结知识产权
    # 案件211件, 作出合法性审核意见5件): sets C, D, I and J refused or lost a part for want of it
    "个": {"个", "项", "家", "类", "种", "所", "处", "件"},
    "人": PERSON_UNITS,
    "名": PERSON_UNITS,
    "位": PERSON_UNITS,
    "件": {"件", "起", "宗", "万件", "件次"},
    "起": {"件", "起", "宗"},
    # asked as 多少宗官司, counted as 件 (fresh_a, heldout)
    "宗": {"件", "起", "宗"},
    "项": {"项", "个", "件"},
    "元": {"元", "万元", "亿元", "千元", "百元"},
    "户": {"户", "家", "个"},
    "家": {"户", "家", "个"},
    # 几份法律意见/多少份检察建议: a report counts documents in 件 (fresh_a a37, heldout h11, h13)
    "份": {"份", "件", "条"},
    # a share question (比例, 百分之几): kb.answer.questions.counted gives it the class %
    "%": {"%"},
}


def unit_class(unit: str) -> str:
    """The unit a figure is counted in, 多/余 and 万 aside: 日 and 天 are one class."""
    u = unit.lstrip("多余")
    for cls in UNIT_CLASSES:
        if u in cls:
            return sorted(cls)[0]
    return u.removeprefix("万") if u.startswith("万") and len(u) > 1 else u


def is_money(unit: str) -> bool:
    """The figure is a sum of money (195153元, 17.8万元, 200多元)."""
    return unit.lstrip("多余") in MONEY_UNITS


def unit_family(unit: str) -> set[str]:
    """The units a figure in `unit` may also be given in (件 and 起)."""
    u = unit_class(unit)
    for fam in UNIT_FAMILIES:
        if u in fam:
            return fam
    return {u}


def unit_scale(unit: str) -> float:
    """What the unit multiplies the numeral by: 10000 for 万件 and 万元, else 1."""
    u = unit.lstrip("多余")
    return 10000.0 if u.startswith("万") and len(u) > 1 else 1.0


def in_days(value: float, unit: str) -> float:
    """A time in days (三个月 -> 90); other units count as days."""
    return value * DAYS.get(unit.lstrip("多余"), 1)


# ---------------------------------------------------------------- readings


@dataclass(frozen=True)
class Numeral:
    """How numerals of one script become figures in one reading (patterns are regex text)."""

    pattern: str  # the numeral itself
    not_after: str = ""  # character-class body: what may not stand right before the numeral
    units: tuple[str, ...] = ()  # what may follow it, longest first
    unit_required: bool = False
    approx: bool = False  # 多/余 may stand between numeral and unit (200多件); kept in the unit
    scale: bool = False  # 万/亿 may stand before the unit (16万件)
    spaced: bool = False  # spaces may stand around 万/亿 and before the unit
    not_before: str = ""  # characters that may not follow the figure


@dataclass(frozen=True)
class Reading:
    """What one caller counts as a figure."""

    arabic: Numeral
    chinese: Numeral
    words: bool = False  # 百分之N, 第N条 and the first numeral of 一至二名 are figures too
    fold: bool = True  # full-width digits and signs read as ASCII
    unread: bool = False  # keep numerals whose value can't be read (三十万), with value ""


_ARABIC = r"\d+(?:[.,]\d+)*"  # 1,000.5
_DECIMAL = r"\d+(?:\.\d+)?"
_CN = NUMERALS + SCALES
_BARE_CN = NUMERALS.replace("〇", "") + "万"  # 〇 and 亿 never counted for the citation check

CLAIMS = Reading(
    arabic=Numeral(_ARABIC, units=("%", "％", "‰", *UNITS), scale=True, spaced=True),
    chinese=Numeral(f"[{_CN}]+", not_after=f"第{_CN}", units=tuple(UNITS), unit_required=True, scale=True),
    words=True,
)
# Arabic 2023年 is a year, not a time limit; a numeral right after 统/同/每/之… is part of a
# word (统一, 同一日, 每十日); 〔2023 and 第3 belong to a number or an article; “十日” is a name.
QUIZ = Reading(
    arabic=Numeral(
        _DECIMAL,
        not_after=r"\d.·〔\[第",
        units=tuple(sorted({*COUNT_UNITS, *(u for u in LIMIT_UNITS if u != "年")}, key=len, reverse=True)),
        unit_required=True,
        approx=True,
    ),
    chinese=Numeral(
        f"[{NUMERALS}]+",
        not_after=f"{NUMERALS}统唯同之万单逐第每“",
        units=LIMIT_UNITS,
        unit_required=True,
        approx=True,
        not_before="”",
    ),
    fold=False,
)
# Every Arabic number (with its %), and every run of two or more Chinese numerals.
BARE = Reading(
    arabic=Numeral(_DECIMAL, units=("%",)),
    chinese=Numeral(f"[{_BARE_CN}]{{2,}}", not_after=f"第{_BARE_CN}"),
    fold=False,
    unread=True,
)


def _suffix(n: Numeral) -> str:
    """What may follow the numeral: 多/余, 万/亿, the unit."""
    sp = r"\s*" if n.spaced else ""
    out = "(?:多|余)?" if n.approx else ""
    if n.scale:
        out += f"{sp}(?:万|亿)?"
    if n.units:
        out += f"{sp}(?:{'|'.join(map(re.escape, n.units))})" + ("" if n.unit_required else "?")
    return out


def _branch(kind: str, n: Numeral) -> str:
    before = f"(?<![{n.not_after}])" if n.not_after else ""
    after = f"(?![{re.escape(n.not_before)}])" if n.not_before else ""
    return f"{before}(?P<{kind}>{n.pattern})(?P<{kind}unit>{_suffix(n)}){after}"


@functools.cache
def _pattern(r: Reading) -> re.Pattern[str]:
    ar, cn = r.arabic.pattern, r.chinese.pattern
    branches = []
    if r.words:
        branches += [
            rf"(?P<pct>百分之(?P<pctnum>{cn}|{ar}))",
            rf"(?P<ord>第(?P<ordnum>{cn}|{ar})(?=[条款项章节编号批届次]))",
        ]
    branches += [_branch("ar", r.arabic), _branch("cn", r.chinese)]
    if r.words:
        before = f"(?<![{r.chinese.not_after}])" if r.chinese.not_after else ""
        branches.append(rf"{before}(?P<cnr>{cn})(?=[至到~～—\-－]{cn}{_suffix(r.chinese)})")
    return re.compile("|".join(branches))


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    raw: str  # text[start:end]
    value: str  # canonical: "60" for 六十, "1.28" for 1.28, "3" (unit "%") for 百分之三
    unit: str
    start: int
    end: int
    numeral_start: int = 0  # the numeral alone is text[numeral_start:numeral_end]
    numeral_end: int = 0
    chinese: bool = False

    @property
    def is_year(self) -> bool:
        return self.unit == "年" and len(self.value) == 4 and self.value.isdigit()

    @property
    def numeral(self) -> str:
        """The numeral as written: 六十, 1.28."""
        return self.raw[self.numeral_start - self.start : self.numeral_end - self.start]

    @property
    def written_unit(self) -> str:
        """What follows the numeral as written (多件, ％), where `unit` is normalised."""
        return self.raw[self.numeral_end - self.start :]


def _canon(num: str) -> str | None:
    num = num.replace(",", "")
    if re.fullmatch(_DECIMAL, num):
        if "." in num:
            num = num.rstrip("0").rstrip(".")
        return str(int(num)) if num.isdigit() else num
    value = cn_to_int(num.replace("两", "二"))
    return None if value is None else str(value)


def find_figures(text: str, reading: Reading = CLAIMS) -> list[Figure]:
    """Every figure in `text` as `reading` counts them, left to right."""
    if not isinstance(text, str) or not text:
        return []
    try:
        scanned = fold_width(text) if reading.fold else text
        out: list[Figure] = []
        for m in _pattern(reading).finditer(scanned):
            g = m.groupdict()
            if g.get("pct"):
                kind, unit = "pctnum", "%"
            elif g.get("ord"):
                kind, unit = "ordnum", "第"
            elif g["ar"]:
                kind, unit = "ar", re.sub(r"\s+", "", g["arunit"]).replace("％", "%")
            elif g["cn"]:
                kind, unit = "cn", g["cnunit"]
            else:
                kind, unit = "cnr", ""
            value = _canon(g[kind])
            if value is None:
                if not reading.unread:
                    continue
                value = ""
            a, b = m.span(kind)
            chinese = not g[kind][:1].isdigit()
            out.append(Figure(text[m.start() : m.end()], value, unit, m.start(), m.end(), a, b, chinese))
        return out
    except (ValueError, IndexError, RecursionError):
        return []


def figure_values(text: str) -> set[str]:
    """The canonical values of the figures in `text` (what a claim may be checked against)."""
    return {f.value for f in find_figures(text)}


def has_quantity(text: str) -> bool:
    """A count, amount or rate (not an ordinal like 第二十条)."""
    return any(f.unit != "第" for f in find_figures(text))


def durations(text: str) -> list[Figure]:
    """The periods of time a text states (六十日, 3个月, 二年), not calendar dates (2024年1月1日)."""
    return [
        f
        for f in find_figures(text)
        if f.unit in TIME_UNITS
        and not f.is_year
        and f.unit != "月"
        and not (f.unit == "日" and text[max(f.start - 1, 0) : f.start] == "月")
    ]


def has_duration(text: str) -> bool:
    """A period of time (六十日, 3个月, 二年), not a calendar date (2024年1月1日)."""
    return bool(durations(text))


# A day also goes without its year (12月4日) or by month·day, as named days are written
# (“12·4”国家宪法日, “3·15”): not 12.4, a decimal.
_DATE_RE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月份|\d{4}年\d{1,2}月"
    r"|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?<![\d·])(?:1[0-2]|0?[1-9])\s*·\s*(?:[12]\d|3[01]|0?[1-9])(?![\d·])"
)


def has_date(text: str) -> bool:
    """A calendar date: 2024年1月1日, 2023年4月份, 12月4日, “12·4”."""
    return bool(isinstance(text, str) and _DATE_RE.search(fold_width(text)))


# ---------------------------------------------------------------- a typed answer


def parse_figure(text: str) -> tuple[float, str] | None:
    """(value, unit) of one figure as a person types it: 76, 76件, 七十六, 60天, 99.7%, 百分之十三,
    16万件; None when it is not one. 万 is folded into the value (16万件 -> 160000, 件)."""
    if not isinstance(text, str):
        return None
    s = compact(text)
    s = re.sub(r"^(?:约|共|共计|达|为|是|大约)", "", s)
    pct = s.startswith("百分之")
    if pct:
        s = s[3:]
    unit = ""
    for u in ANSWER_UNITS:
        if s.endswith(u) and len(s) > len(u):
            unit, s = u, s[: -len(u)]
            break
    s = re.sub(r"(?:多|余|左右)$", "", s)
    scale = 1.0
    if unit.startswith("万") and len(unit) > 1:
        scale, unit = 10000.0, unit[1:]
    elif unit == "万":
        scale, unit = 10000.0, ""
    elif s.endswith("万") and len(s) > 1:
        scale, s = 10000.0, s[:-1]
    if re.fullmatch(_DECIMAL, s):
        value = float(s)
    else:
        value = cn_to_number(s)
        if value is None:
            return None
    if pct:
        unit = "%"
    return value * scale, unit


# ---------------------------------------------------------------- comparisons

# How the report states a change: another period's figures as the base of a comparison
# (与2022年同期的结案101件，撤销4件，败诉率3.96%相比，2023年败诉率下降了2.68%). The answerer
# reads it three ways (a lead must not cut into it, its base is not the asked year's level, a
# "how was X done" item ends before it): one definition for all three.
COMPARE_OPEN = re.compile(r"^(?:与|和|同|跟|较)")
COMPARE_CLOSE = re.compile(r"(?:相比|相较|比较|对比)$")
COMPARISON = re.compile(r"(?:与|和|同|跟|较)[^。；;]{0,60}?(?:相比|相较|比较|对比)")


def comparison_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` states a comparison's base (与…相比), as (start, end) offsets."""
    return [m.span() for m in COMPARISON.finditer(text)] if isinstance(text, str) else []
