"""What kind of thing a question asks for (a figure, a deadline, a date, a list, a 文号…),
read from its wording alone. The extractive answerer picks a sentence by it, and retrieval
with a pack loaded holds back passages that state nothing of that kind (kb.search.pack_fusion),
so it lives here, below both.
"""

from __future__ import annotations

import re

from kb.text.docnum import find_docnums
from kb.text.normalize import nfkc

FIGURE = "figure"
DOCNUM = "docnum"
DOCNUM_REVERSE = "docnum_reverse"
DATE = "date"
DEADLINE = "deadline"
LIST = "list"
ABOUT = "about"
OTHER = "other"
TYPES = (FIGURE, DOCNUM, DOCNUM_REVERSE, DATE, DEADLINE, LIST, ABOUT, OTHER)

# An order number typed without its full issuer (自治区政府令第127号): the registry's parser
# wants 广西壮族自治区人民政府令, so the serial is matched on its own.
LOOSE_ORDER = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{0,12}?)令\s*第?\s*(?P<num>[0-9０-９]+|[零〇一二三四五六七八九十百千]+)\s*号"
)

# 第几号 / 几号令 ask an order's serial (令第127号), not a day (fresh_a and the 几号令).
_DOCNUM_ASK = re.compile(
    r"文号|发文字号|发文号|字号|文件号|哪个文件|哪份文件|哪一个文件|什么文件|几号文|哪号文|第几号|几号令|令是?几号"
)
_LIST_ASK = re.compile(r"哪些|哪几|哪[两三四五六七八九十]|有什么|包括什么|包括哪|都有啥|分别是")
_DATE_ASK = re.compile(
    r"何时|几时|什么时候|啥时候|哪天|哪一天|哪日|哪年|哪一年|几月|几号|什么日期|日期|哪个月|生效时间|施行时间"
)
_DEADLINE_ASK = re.compile(
    r"期限|多长时间|多少时间|多久|多长|几日|几天|多少天|多少日|几个月|多少个月|几年|多少年|时限|时效|"
    r"几个工作日|多少个工作日|几小时|多少小时|几周"
)
_FIGURE_ASK = re.compile(r"多少|几|比例|比率|[^效]率|多高|多大|多重|占比|百分之|数量|数额|金额")
_ABOUT_ASK = re.compile(
    r"是什么|讲什么|讲的是|说什么|说的是|什么内容|干什么|关于什么|关于啥|是啥|怎么规定|如何规定|规定了什么|"
    r"指什么|是指|什么意思|含义|内容是"
)


def plain_ask(question: str) -> str:
    """The question with 啥, the spoken 什么, written out (有啥权利 -> 有什么权利, 为啥 -> 为什么):
    the ask patterns here and the activity asks of kb.answer.sections are written with 什么;
    91 set questions say 啥."""
    return nfkc(question).replace("啥", "什么")


def asks_date(question: str) -> bool:
    """Does the question ask when (哪天, 什么时候, 几月)? Read on the question as typed."""
    return bool(_DATE_ASK.search(nfkc(question)))


def classify(question: str) -> str:
    """The question type, which decides what kind of sentence can answer it."""
    try:
        q = plain_ask(question)
        if not q.strip():
            return OTHER
        if find_docnums(q) or LOOSE_ORDER.search(q):
            return DOCNUM_REVERSE
        if _DOCNUM_ASK.search(q) and not re.search(r"\d+\s*月\s*几号", q):
            return DOCNUM
        if _LIST_ASK.search(q):
            return LIST
        if _DATE_ASK.search(q):
            return DATE
        if _DEADLINE_ASK.search(q):
            return DEADLINE
        if _FIGURE_ASK.search(q):
            return FIGURE
        if _ABOUT_ASK.search(q):
            return ABOUT
        return OTHER
    except Exception:  # noqa: BLE001 - a classifier must not take the answerer down
        return OTHER
