"""How a rule sentence of a law fits what the question asks of the rule.

Three sentence-level signals, each seen failing on fresh_a, fresh_b and fresh_c (issue 12,
patterns 5 and 6):

- **special case**: a deadline question (申请复议要在多少天之内) was answered with the rule
  for a narrower case (不服复议决定的…十五日内; 应当先向行政复议机关申请…的…十五日内;
  因前款规定以外的其他特殊情况耽误…的). A rule sentence's condition (its leading …的，
  clauses) that refers to another rule or to an earlier procedure's outcome marks a special
  case; it loses to the general rule unless the question names that case itself.
- **operator fit**: a yes/no question (能不能/要不要/可不可以…吗) is answered by a sentence
  that puts the asked act under a deontic operator (有权拒绝, 不得另行制定, 不适用调解), a
  who-question (由谁决定/谁才能设定/谁来举证) by one that names the party doing the asked
  act (由行政机关负责人决定, 只能由法律设定, 负有举证责任). A topical sentence that merely
  names the act (有权申请回避, 行政法规可以设定…) does not carry the answer.
- **exception**: a rule followed in its article by its exception (不适用调解。但是，…可以调解)
  answers a yes/no question only with both.
"""

from __future__ import annotations

import re

from kb.text.normalize import squash
from kb.text.sentences import sentence_spans

# ---------------------------------------------------------------- special case

# A condition that refers to another rule (前款规定以外, 法律另有规定) or to the outcome of an
# earlier procedure (不服复议决定, 复议机关逾期不作决定, 不予受理, 行政机关接到申请后不履行, 应当先向…申请, 未告知…,
# 耽误…期限), each with what a question says when it names that case itself.
_SPECIAL_CASES = (
    (
        re.compile(r"前款|以外的其他|特殊情况|不可抗力|另有规定"),
        re.compile(r"前款|特殊|不可抗力|另有规定|例外"),
    ),
    (
        re.compile(r"不服[^，。；]{0,4}复议决定|复议决定不服|复议决定书|逾期不作|不作答复|不予受理|驳回申请|不履行的"),
        re.compile(r"复议决定|复议后|复议完|复议结果|复议.{0,3}不服|逾期|不受理|不予受理|不答复|没答复|驳回|不履行|不执行|不作为|拒不|不办|没履行|未履行|不管"),
    ),
    (re.compile(r"应当先向|先向[^，。；]{0,12}申请"), re.compile(r"先|必须复议|复议前置")),
    (re.compile(r"未告知"), re.compile(r"告知|没告诉|未告诉|不告诉")),
    (re.compile(r"耽误"), re.compile(r"耽误|耽搁|延误|错过|误了")),
)


def rule_condition(clauses: list[str]) -> str:
    """A rule sentence's leading condition: its clauses up to the first one ending in 的
    (不服复议决定的，; 行政机关作出行政行为时，未告知…的，). What follows is the rule and what it
    leads to: 有下列情形之一的，应当先…申请行政复议，对行政复议决定不服的，可以再…起诉 is
    conditioned on the listed cases alone."""
    first = next((i for i, c in enumerate(clauses) if c.endswith("的")), -1)
    return "".join(clauses[: first + 1])


def special_cases(condition: str, question: str) -> int:
    """How many kinds of special case the sentence's `condition` states that the question
    does not name."""
    q = squash(question)
    return sum(1 for marks, names in _SPECIAL_CASES if marks.search(condition) and not names.search(q))


# ---------------------------------------------------------------- operator fit

YES_NO = "yes_no"
WHO = "who"

# The ask and, after it, the act it asks about (能不能拒绝 → 拒绝; 能调解吗 → 调解).
_YES_NO_ASK = (
    re.compile(
        r"(?:能不能|能否|可不可以|可否|可以不可以|要不要|需不需要|需要不需要|用不用|必须不必须|会不会"
        r"|准不准|允不允许|让不让|有没有权|是否)(?:再|还|也)?(?P<act>[^，,。？?\s]*)"
    ),
    # …可以调解不 / 能处罚不: a closing 不 asks as 吗 does (set K)
    re.compile(r"(?:能|可以|可|需要|要|必须|得|准|允许|让)(?P<act>[^，,。？?\s能可要]{1,16}?)(?:吗|么|嘛|不(?=[？?]?$))"),
    # a verb asked as itself-not-itself: 还罚不罚 → 罚, 收不收钱 → 收 (sets B, C, F, H)
    re.compile(r"(?P<act>[\u4e00-\u9fff])不(?P=act)"),
)
_WHO_ASK = re.compile(
    r"(?:由谁|谁来|谁才能|谁能|谁有权|谁|哪个机关|哪个部门|哪一级|哪级|什么机关|什么部门)(?:来|去|才能|能|可以)?"
    r"(?P<act>[^，,。？?\s]*)"
)
# A deontic operator: the yes/no answer. 可以 and 应当 stand in 13% and 29% of the six laws'
# sentences (of 1,321), the others in 7% or fewer: a sentence holding only those is most
# likely not the one that decides the ask, so they weigh half.
_DEONTIC = re.compile(
    r"不得|不准|禁止|严禁|有权|无权|不适用|只能|不予|必须|不收取|免予|不需要|无需|可以|应当"
)
_COMMON_DEONTIC = ("可以", "应当")
COMMON_WEIGHT = 0.5
# The party that does the act: 由…决定, 只能由法律设定, 负有举证责任.
_AGENT = re.compile(r"由(?=[^，。；]{1,20})|负有|承担")
# The shortest party named after 由 (法律, 院长).
AGENT_CHARS = 2
# How far past the operator the asked act may stand (不得向申请人收取任何费用: 10).
WINDOW = 16
# Characters of an ask that name no act (还能硬调吗 → 硬调; 自己另外搞一个 → 另外).
_FILLER = set("的了吗呢么嘛吧啊呀还也都就再来去给被把是有个一这那些最后")


def ask_kind(question: str) -> tuple[str, str]:
    """(YES_NO or WHO, the asked act), or ("", "") for any other question. A who-question
    with no act after its ask (决策机关指的是谁) asks what a term means, not who acts."""
    q = squash(question)
    m = _WHO_ASK.search(q)
    if m and m.group("act"):
        return WHO, m.group("act")
    for pattern in _YES_NO_ASK:
        m = pattern.search(q)
        if m and m.group("act"):
            return YES_NO, m.group("act")
    return "", ""


def operator_fit(kind: str, act: str, sentence: str) -> float:
    """How well the sentence puts the asked act under the asked operator, 0 to 1: the best
    share of the act's characters (its bigrams count double) found right after a deontic
    operator (YES_NO) or after the word naming the party that does it (WHO)."""
    chars = {ch for ch in act if "\u4e00" <= ch <= "\u9fff" and ch not in _FILLER}
    if not kind or not chars:
        return 0.0
    bigrams = {act[i : i + 2] for i in range(len(act) - 1) if act[i] in chars and act[i + 1] in chars}
    s = squash(sentence)
    operators = _DEONTIC if kind == YES_NO else _AGENT
    best = 0.0
    for m in operators.finditer(s):
        window = re.split(r"[。；;]", s[m.end() : m.end() + WINDOW])[0]
        if m.group() == "由":
            # 由 + the party + the act that closes the clause (只能由法律设定, 由…人员主持);
            # 由听证主持人在笔录中注明 names no one who 主持
            clause = re.split(r"[，,。；;：:]", s[m.end() :])[0][AGENT_CHARS:]
            window = clause[-(len(act) + AGENT_CHARS) :]
        share = sum(ch in window for ch in chars) / len(chars)
        if bigrams:
            share = (share + 2 * sum(b in window for b in bigrams) / len(bigrams)) / 3
        if kind == YES_NO and m.group() in _COMMON_DEONTIC:
            share *= COMMON_WEIGHT
        best = max(best, share)
    return best


# ---------------------------------------------------------------- listed category

# The category a list question asks for: the word after its ask (哪些情况 → 情况, 可以用哪些
# 方式 → 方式).
_LIST_HEAD = re.compile(r"(?:哪些|哪几[个种类项条]?|有什么|什么)([\u4e00-\u9fff]{2})")
# A law names the category of its enumeration: 有下列情形之一的, 下列事项不属于…,
# 采取座谈会、听证会…等多种方式, 通过…、…等形式开展学习.
_LISTED_BY = re.compile(r"下列([\u4e00-\u9fff]{2})")
_CLOSED_BY = re.compile(r"、[^，。；]{1,30}等[^，。；、]{0,6}?([\u4e00-\u9fff]{2})(?:[。；，]|$)")
_CLOSED_AT = re.compile(r"、[^，。；]{1,30}等(?:多种|各种|各类)?([\u4e00-\u9fff]{2})")


def list_head(question: str) -> str:
    """The category a list question asks for (情况, 方式), or ""."""
    m = _LIST_HEAD.search(squash(question))
    return m.group(1) if m else ""


def names_category(head: str, sentence: str) -> bool:
    """The sentence opens or closes an enumeration with the asked category: 下列情形 for 情况
    (a word sharing a character: the law's term for the staff's), 等多种方式 for 方式, 2个单项
    for 单项."""
    if not head:
        return False
    s = squash(sentence)
    if any(set(m.group(1)) & set(head) for m in _LISTED_BY.finditer(s)):
        return True
    if re.search(rf"[、和”][^，。；]*?[0-9一二三四五六七八九十两]+[个项家条种类批]{head}", s):
        return True  # …“践行‘三零’服务”“…”2个单项: items, then their count under the category (sets I, N)
    return any(m.group(1) == head for pattern in (_CLOSED_BY, _CLOSED_AT) for m in pattern.finditer(s))


# ---------------------------------------------------------------- exception

_EXCEPTION_START = re.compile(r"^(?:但是|但)[，,]?")
# A rule for the case the rule before it leaves out: its condition closes its first clause
# (不能出庭的，应当委托…; 清单之外，…不得索要证明; 当事人一方明确拒绝调解的，不得调解).
_CONDITION_START = re.compile(r"^[^，,。；;]{2,30}?(?:的|之外|以外)[，,]")


def exception_end(text: str, end: int) -> int:
    """The end of the sentence right after `end` in `text` when it states the exception to
    the rule before it (但是，…) or the rule for the case it leaves out (不能出庭的，应当…),
    else `end`. A yes/no question about a rule is answered by both: the lead that stopped
    at the first (负责人应当出庭应诉) missed the answer on sets A, D, H and M."""
    for s, e in sentence_spans(text):
        if s < end:
            continue
        sentence = text[s:e].strip()
        if _EXCEPTION_START.match(sentence):
            return e
        return e if _CONDITION_START.match(sentence) and _DEONTIC.search(sentence) else end
    return end


__all__ = [
    "list_head",
    "names_category",
    "WHO",
    "YES_NO",
    "ask_kind",
    "exception_end",
    "operator_fit",
    "rule_condition",
    "special_cases",
]


# ---------------------------------------------------------------- implementing rules

# A regulation that implements a law is named after it (行政复议法实施条例, 土地管理法实施条例).
_IMPLEMENTS = re.compile(r"(?:实施条例|实施细则|实施办法)$")
# What a question says when it asks about the implementing rules themselves.
_NAMES_IMPLEMENTING = re.compile(r"实施|条例|细则|办法")


def implemented_law(title: str, titles: frozenset[str], question: str) -> str:
    """The law a document implements when that law is in the index too and the question
    does not name the implementing rules: ``""`` otherwise.

    With the law library loaded, 行政复议申请期限是多少 was answered from 行政复议法实施条例
    第十六条 (how the period is counted for one kind of act) instead of the law's 第二十条: the
    regulation repeats the law's words (行政复议申请期限) around its narrower rules. A question
    that names a law's topic asks the law, as it asks the version in force (kb.validity);
    the library set's questions on 档案法, 土地管理法, 文物保护法 and 行政复议法 read the same
    way (their answers are in the law, while the index also holds the law's 实施条例).
    `titles` are the index's titles in kb.text.titles.normalize_title form.
    """
    m = _IMPLEMENTS.search(title)
    if not m or _NAMES_IMPLEMENTING.search(question):
        return ""
    base = title[: m.start()]
    return base if base in titles else ""
