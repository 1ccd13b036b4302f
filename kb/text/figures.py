"""Figures in Chinese text: the numbers, amounts, durations and dates a claim rests on.

Answers are checked figure by figure against the passages they cite, so "六十日" and
"60日" must be the same figure and "一是"/"统一"/"进一步" must not be figures at all.
Chinese numerals count only with a unit or classifier after them (or as 百分之N, 第N条);
Arabic numerals always count. Every function is total: arbitrary text never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text.docnum import cn_to_int
from kb.text.normalize import fold_width

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# Units and classifiers that make a Chinese numeral a quantity (longest first).
_UNITS = sorted(
    """个工作日 工作日 个月 周岁 小时 分钟 平方米 公里 人次 户次 件次 万元 亿元 千元 百元
    日 天 月 年 周 岁 件 项 个 人 名 户 条 次 起 家 份 元 倍 届 种 类 批 场 所 座 宗 款 章 节 编
    成 分 层 级 轮 期 笔 单 位 台 辆 套 张 本 篇 号""".split(),
    key=len,
    reverse=True,
)
_UNIT_RE = "|".join(map(re.escape, _UNITS))
TIME_UNITS = ("个工作日", "工作日", "个月", "小时", "分钟", "日", "天", "月", "年", "周")

_ARABIC = r"\d+(?:[.,]\d+)*"
_CN = rf"[{CN_DIGITS}]+"
_NUMBER_RE = re.compile(
    rf"(?P<pct>百分之(?P<pctnum>{_CN}|{_ARABIC}))"
    rf"|(?P<ord>第(?P<ordnum>{_CN}|{_ARABIC})(?=[条款项章节编号批届次]))"
    rf"|(?P<ar>{_ARABIC})(?P<arunit>\s*(?:万|亿)?\s*(?:%|％|‰|{_UNIT_RE})?)"
    rf"|(?<![第{CN_DIGITS}])(?P<cn>{_CN})(?P<cnunit>(?:万|亿)?(?:{_UNIT_RE}))"
    rf"|(?<![第{CN_DIGITS}])(?P<cnr>{_CN})(?=[至到~～—\-－]{_CN}(?:万|亿)?(?:{_UNIT_RE}))"
)


@dataclass(frozen=True)
class Figure:
    raw: str
    value: str  # canonical: "60" for 六十, "1.28" for 1.28, "3%" for 百分之三
    unit: str
    start: int
    end: int

    @property
    def is_year(self) -> bool:
        return self.unit == "年" and len(self.value) == 4 and self.value.isdigit()


def _canon(num: str) -> str | None:
    num = num.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", num):
        if "." in num:
            num = num.rstrip("0").rstrip(".")
        return str(int(num)) if num.isdigit() else num
    value = cn_to_int(num.replace("两", "二"))
    return None if value is None else str(value)


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, left to right."""
    if not isinstance(text, str) or not text:
        return []
    try:
        folded = fold_width(text)
        out: list[Figure] = []
        for m in _NUMBER_RE.finditer(folded):
            if m.group("pct"):
                value = _canon(m.group("pctnum"))
                unit = "%"
            elif m.group("ord"):
                value = _canon(m.group("ordnum"))
                unit = "第"
            elif m.group("ar"):
                value = _canon(m.group("ar"))
                unit = re.sub(r"\s+", "", m.group("arunit")).replace("％", "%")
            elif m.group("cn"):
                value = _canon(m.group("cn"))
                unit = m.group("cnunit")
            else:
                value = _canon(m.group("cnr"))
                unit = ""
            if value is None:
                continue
            out.append(Figure(text[m.start() : m.end()], value, unit, m.start(), m.end()))
        return out
    except (ValueError, IndexError, RecursionError):
        return []


def figure_values(text: str) -> set[str]:
    """The canonical values of the figures in `text` (what a claim may be checked against)."""
    return {f.value for f in find_figures(text)}


def has_quantity(text: str) -> bool:
    """A count, amount or rate (not an ordinal like 第二十条)."""
    return any(f.unit != "第" for f in find_figures(text))


def has_duration(text: str) -> bool:
    """A period of time (六十日, 3个月, 二年), not a calendar date (2024年1月1日)."""
    for f in find_figures(text):
        if f.unit not in TIME_UNITS or f.is_year or f.unit == "月":
            continue
        if f.unit == "日" and text[max(f.start - 1, 0) : f.start] == "月":
            continue
        return True
    return False


_DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月份|\d{4}年\d{1,2}月")


def has_date(text: str) -> bool:
    """A calendar date: 2024年1月1日, 2023年4月份."""
    return bool(isinstance(text, str) and _DATE_RE.search(fold_width(text)))
