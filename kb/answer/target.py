"""What a figure question counts, and which clause of a sentence states it.

A report sentence often holds several figures (共收到行政复议申请76件，受理73件，审结65件).
The question's own predicate, the words next to its 多少/几 (“已经拿到施工许可证的有几个”,
“实际受理了几件”), says which one is asked; the topic before it (“拿地即开工的项目里”) is
shared by every clause of the sentence and decides nothing. A clause that opens without a
subject (受理73件) reads with the clause before it. When no clause stands out, the caller
quotes the whole sentence rather than a clause that may state the wrong figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jieba.posseg as pseg

from kb.answer.questions import NUMBER, RATE, YEAR, Analysis, Term, written_negation
from kb.text.asks import plain_ask
from kb.text.figures import PERSON_UNITS, comparison_spans, durations, find_figures, is_money
from kb.text.normalize import nfkc, squash
from kb.text.sentences import clause_spans

# Where a figure question says what it counts: its ask word.
# 多大 asks a size (建设规模是多大) as 多高 asks a height (fresh_c).
_ASK = re.compile(r"多少|几|多高|多大|百分之几|比例|比率|占比")
_SHARE = re.compile(r"百分之|百分比|比例|比率|占比|占多少|率[又也还]?(?:是|为|有)?(?:多少|几|多高)")
# A question about a change (比上年多了多少, 降了多少, 涨了百分之几) is answered by the clause
# stating the change, not by either year's count (fresh_a and heldout both ask this way).
# 最多几个人 / 至少几天 ask a bound, not a change (heldout h27).
_CHANGE_ASK = re.compile(r"(?<![最至])(?:多|少|增|涨|升|降|减|提高|下降|增长|增加|减少)了?(?:百分之)?(?:多少|几)")
_CHANGE = re.compile(r"增长|增加|上升|提高|下降|减少|降低|同比|增幅|降幅|个百分点")
# A question asking what something costs: only a sum of money answers it. On every set
# (gold r52, fresh_a a08, fresh_b b07 b42, fresh_c c45, heldout h23) an answerable one is
# answered in 元/万元, while fresh_b and fresh_c led with a count of 项目 (13个 for 总投资额)
# or 学习安排4次 (for 经费预算) when a sentence held both or no sum at all.
_MONEY_ASK = re.compile(r"钱|经费|预算|收费|费用|投资|金额|资金|罚没|报酬|补贴|(?<![加处])罚款?(?:是)?(?:多少|几)(?![条件个项次天日年月名人家户])")
_PERCENT = re.compile(r"[%％]|百分之|个百分点")
# The counted noun right before its ask (…案件有几件, …项目一共有多少个): it names what every
# clause counts, not which one is asked.
_COUNTED_NOUN_ASK = re.compile(r"(?:一共|总共|共)?(?:有|是)?(?:多少|几)[个件项名人位户家份条次起种类所宗批]")
_CLASSIFIERS = set("个件项天日年月名人位户家份条次起元种类届场倍所宗批")
# What ends the asked predicate on its left: punctuation, a space, or a topic marker
# (…的项目里 / 其中 / 当中): the words before it set the topic every clause shares.
_BOUNDARY = re.compile(r"[，,。？?！!；;、：:\s]|里面|里头|其中|当中|之中|(?<=[\u4e00-\u9fff])里")
# Weights of a question word found in a clause. The topic words sit in a sentence's first
# clause and outvote the asked predicate unless it weighs more: on fresh_a, heldout and
# answer_heldout (拿地即开工…已取得施工许可证, 受理/撤销/审结 of one 复议 sentence) the
# predicate's words were in the answering clause and the topic's in the first one.
FOCUS_WEIGHT = 2.0  # a word of the asked predicate (between the boundaries around 多少/几)
HEAD_WEIGHT = 3.0  # added for its head, the word right before 多少/几
INHERITED_WEIGHT = 0.4  # a follow-up's word carried over from the previous question
SUBJECT_WEIGHT = 0.5  # a word a subjectless clause (受理73件) borrows from the clause before
YEAR_WEIGHT = 1.0  # the clause names the asked year (2022年同比…)
# A one-character word (拿, 地, 即 of 拿地即开工) is found in almost any clause: it tells
# clauses apart by chance.
CHAR_WEIGHT = 0.3


def _last_ask(q: str, ask: re.Pattern[str] = _ASK) -> re.Match[str] | None:
    """The last ask word: an earlier one points at something (政府规范性文件那几件 …是几件)."""
    found = list(ask.finditer(q))
    return found[-1] if found else None


def asks_share(analysis: Analysis) -> bool:
    """The question asks for a share or a rate (百分之几, 比例, 占比, …率是多少), or names a
    rate and asks nothing else (去年民间纠纷调解成功率; 成功率呢 after a count: sets E, H
    got the count's clause)."""
    q = nfkc(analysis.question)
    return bool(_SHARE.search(q)) or (any(t.kind == RATE for t in analysis.hard) and not _ASK.search(q))


def asks_money(analysis: Analysis) -> bool:
    """The figure question asks for a sum of money (总投资额是多少, 收了多少钱)."""
    return analysis.qtype == "figure" and bool(_MONEY_ASK.search(nfkc(analysis.question)))


def money_fits(analysis: Analysis, clause: str) -> bool:
    """The clause can answer as to its measure: a money question needs a figure in money."""
    return not asks_money(analysis) or any(is_money(f.unit) for f in find_figures(clause))


def asks_change(analysis: Analysis) -> bool:
    """The question asks how much something changed (比上年增长了多少, 降了百分之几)."""
    return bool(_CHANGE_ASK.search(nfkc(analysis.question)))


def states_change(sentence: str) -> bool:
    """The sentence states a change (增加46.2%, 下降了2.68%, 同比…), not a level alone."""
    return bool(_CHANGE.search(sentence))


def focus_terms(analysis: Analysis) -> set[str]:
    """The question's words inside the asked predicate: from the boundary before the ask
    word to the next one after it. Empty when the question has no ask word."""
    q = nfkc(analysis.question)
    m = _last_ask(q)
    if not m:
        return set()
    left = 0
    for b in _BOUNDARY.finditer(q, 0, m.start()):
        left = b.end()
    nxt = _BOUNDARY.search(q, m.end())
    right = nxt.start() if nxt else len(q)
    span = squash(q[left:right])
    return {t.text for t in analysis.soft if any(f in span for f in t.forms)}


def head_term(analysis: Analysis) -> str:
    """The question word nearest to the ask word: 受理 in “实际受理了几件”, 许可证 in
    “已经拿到施工许可证的有几个”, 取得 in “有几个取得了施工许可证” (a classifier after
    the ask word is skipped; a tie goes to the word before). When that word is the counted
    noun itself with its qualifier before 的 (“未结的行政应诉案件有几件”), or a verb with the
    counted noun after the ask (“…审批的事项涉及几个单位”), the qualifier. An act the count
    ends on (“自己梳理的积案实体化解几件”) stays the head (化解, not 梳理: sets K and S).
    The head of the asked predicate; "" when none."""
    q = squash(nfkc(analysis.question))
    m = _last_ask(q)
    if not m:
        return ""
    after_ask = m.end() + (1 if q[m.end() : m.end() + 1] in _CLASSIFIERS else 0)
    best, best_gap, best_at = "", len(q) + 1, -1
    # longest first: a one-character word inside a longer one (拿 of 拿地 in 拿到) is no nearer
    for t in sorted(analysis.soft, key=lambda t: -len(t.text)):
        for f in t.forms:
            end = q.rfind(f, 0, m.start())
            if end >= 0 and m.start() - (end + len(f)) < best_gap:
                best, best_gap, best_at = t.text, m.start() - (end + len(f)), end
            pos = q.find(f, after_ask)
            if pos >= 0 and pos - after_ask < best_gap:
                best, best_gap, best_at = t.text, pos - after_ask, -1
    ask = _COUNTED_NOUN_ASK.match(q, best_at + len(best)) if best_at > 0 else None
    acts = any(t.text == best and t.pos[:1] == "v" for t in analysis.soft)
    if ask and (not acts or re.match(r"[\u4e00-\u9fff]", q[ask.end() :])):  # a noun, or a noun after the ask
        de = q.rfind("的", 0, best_at)
        topic_end = max((b.end() for b in _BOUNDARY.finditer(q, 0, best_at)), default=0)
        if de > topic_end:  # a 的 before the topic's end (审结的知识产权案件里专利纠纷) qualifies the topic
            before = [(q.rfind(f, 0, de), t.text) for t in analysis.soft for f in t.forms]
            pos, word = max(before, default=(-1, ""))
            if pos >= 0 and pos + len(word) >= de - 1:
                return word
    return best


def asked_figures(analysis: Analysis) -> set[str]:
    """Figures the question states itself (那35件信访积案…): never the answer."""
    return {squash(t.text) for t in analysis.terms if t.kind == NUMBER}


def own_figures(clause: str, given: set[str]) -> frozenset[str]:
    """The figures of a clause (not years, not ordinals), less those the question gives."""
    return frozenset(
        squash(f.raw)
        for f in find_figures(re.sub(r"《[^《》]*》", "", clause))  # not 2021—2025 of a title
        if f.unit != "第" and not f.is_year and squash(f.raw) not in given
    )


def years_in(analysis: Analysis) -> set[str]:
    """The years and the rates (成功率) the question names: a clause naming one states it."""
    return {t.text for t in analysis.hard if t.kind in (YEAR, RATE)}


def _asked_years(analysis: Analysis) -> set[str]:
    """The years the question names, as a figure's value reads them (2023)."""
    return {t.text[:4] for t in analysis.hard if t.kind == YEAR and t.text[:4].isdigit()}


__all__ = [
    "FOCUS_WEIGHT",
    "pick_figure_clause",
    "asked_figures",
    "asks_change",
    "asks_total",
    "counts_a_kind",
    "part_unstated",
    "past_given_group",
    "asks_money",
    "money_fits",
    "outcome_unstated",
    "partner_unstated",
    "ranking_unstated",
    "restates_given",
    "sibling_counts",
    "states_change",
    "states_level",
    "counts_asked",
    "counts_for_names",
    "focus_terms",
    "head_term",
    "own_figures",
    "restates_count",
    "years_in",
]


def pick_figure_clause(
    clauses: list[str], fits: list[bool], borrows: list[bool], analysis: Analysis
) -> int | None:
    """The index of the clause stating the asked figure: among clauses holding a figure of
    the asked kind (`fits`) that the question does not give itself, the one holding most of
    the question, its predicate weighing most. `borrows[i]`: clause i reads with clause
    i-1's subject. None when no clause stands out (a tie, or nothing of the question)."""
    given = asked_figures(analysis)
    focus = focus_terms(analysis)
    if focus == {t.text for t in analysis.soft}:
        focus = set()  # the whole question is the predicate: it tells clauses apart by nothing
    head = head_term(analysis)
    acts = any(t.text == head and t.pos[:1] == "v" for t in analysis.soft)  # 化解, not 项目
    years = years_in(analysis)

    def held(clause: str) -> set[str]:
        c = squash(clause)
        return {t.text for t in analysis.soft if any(f in c for f in t.forms)}

    def w(term: str) -> float:
        base = INHERITED_WEIGHT if term in inherited else 1.0
        if len(term) == 1:
            base *= CHAR_WEIGHT
        return base * (FOCUS_WEIGHT if term in focus else 1.0) + (HEAD_WEIGHT if term == head else 0.0)

    inherited = {t.text for t in analysis.soft if t.inherited}
    share = asks_share(analysis)
    if share:  # a rate asked: a clause stating a rate, or (none) the sentence whole
        fits = [f and bool(_PERCENT.search(c)) for f, c in zip(fits, clauses, strict=True)]
    if _CHANGE_ASK.search(nfkc(analysis.question)) and any(
        fits[i] and _CHANGE.search(c) for i, c in enumerate(clauses)
    ):
        fits = [
            f and bool(_CHANGE.search(c)) for f, c in zip(fits, clauses, strict=True)
        ]  # a change: a change
    scores: list[tuple[float, int]] = []
    for i, clause in enumerate(clauses):
        if not fits[i] or not own_figures(clause, given):
            continue
        own = held(clause)
        borrowed = held(clauses[i - 1]) - own if i > 0 and borrows[i] else set()
        score = sum(w(t) for t in own) + SUBJECT_WEIGHT * sum(w(t) for t in borrowed)
        if acts and _next_to_figure(clause, head):
            score += HEAD_WEIGHT  # the asked act states this figure (实体性化解7件), not one beside it
        if any(y in squash(clause) for y in years):
            score += YEAR_WEIGHT
        scores.append((score, i))
    if not scores:
        return None
    scores.sort(key=lambda x: (-x[0], x[1]))
    best_score, best = scores[0]
    if best_score <= 0 or (len(scores) > 1 and scores[1][0] >= best_score):
        return None
    return best


# How near its figure the head must stand to state it: 化解7件, 7件已化解.
HEAD_REACH = 1


def _next_to_figure(clause: str, head: str) -> bool:
    """The asked act stands right before or after one of the clause's figures (实体性化解7件),
    or the clause opens with the figure and says the act after it (10件完成程序性化解: sets K,
    S and T got the 35件 of the clause before), so that figure is its count; a figure counting
    the topic (…自行梳理出来的35件信访积案的化解处置工作) has the act further off. Only for a
    verb: a noun next to a figure (18个项目) is what it counts, which every clause of the
    sentence may count."""
    c = squash(clause)
    for f in find_figures(c):
        if f.is_year:
            continue
        before = c.rfind(head, 0, f.start)
        after = c.find(head, f.end)
        if (before >= 0 and f.start - (before + len(head)) <= HEAD_REACH) or (0 <= after - f.end <= HEAD_REACH):
            return True
        if f.start == 0 and after >= 0:
            return True  # the clause opens with its count, the act after it (10件完成程序性化解)
    return False


# Parts of speech that say how a question is put, not what it counts (已经, 一共, 里面):
# as kb.answer.extractive.FUNCTION_POS.
_FUNCTION_POS = ("p", "r", "d", "f", "s", "c", "u")


def _content(term: Term, known: Callable[[Term], bool]) -> bool:
    """A word that names what is counted: two characters or more, not a function word, the
    question's own (not a follow-up's inherited one), and used by the corpus (an unseen word
    such as 加罚 or 明录 is a way of saying it, which the thesaurus may not know)."""
    return len(term.text) > 1 and term.pos[:1] not in _FUNCTION_POS and not term.inherited and known(term)


def counts_asked(analysis: Analysis, sentence: str, lead: str, known: Callable[[Term], bool]) -> bool:
    """Does the figure `lead` (the clauses quoted from `sentence`) count what the question
    asks? No when
    - the head of the asked predicate, said before its ask word (执法人员 of 全区行政执法
      人员一共有多少人), is a noun the corpus uses, yet the sentence says it in no form: its
      figure counts something else (行政执法监督员15人; 抽查对象668户 for 发现有问题的企业多少户),
      unless the sentence names what the question counts after its ask word (覆盖了多少个依
      申请政务服务事项 ~ 76个依申请政务服务事项: the head is a way of putting it) or holds
      a one-character head (收 of 收了多少件 in 收到52件) (fresh_c c14, c45, c94);
    - none of the asked predicate's words is in the lead while another clause of the
      sentence holds them: that clause states no figure, the lead's figure is another's
      (学习安排4次，通过…区政府常务会议会前学法…开展学习培训 for 常务会议会前学法学了几次).
    - a change is asked (比上年增长了多少) and the sentence states none: its figure is a level.
      Every answerable change question of gold, fresh_a and fresh_b is answered by a
      sentence saying 增加/下降; fresh_a, fresh_b and fresh_c each ask one the corpus does
      not answer, and a level was quoted for it.
    A share question (败诉率, 输了官司的比例) is read by its rate, not its head: always yes.
    Measured on gold and fresh_a (unanswerable totals and counts answered with a neighbouring
    figure), with no answerable question of gold, fresh_a, heldout or answer_heldout lost."""
    if analysis.qtype == "figure" and asks_change(analysis) and not states_change(sentence):
        return False  # a change asked, a level stated (业务收费共195153元 for 比上年增长了多少)
    if analysis.qtype not in ("figure", "deadline") or asks_share(analysis):
        return True
    s, quoted = squash(sentence), squash(lead)
    if any(_negated(t) and t.text in focus_terms(analysis) and not any(f in quoted for f in t.forms) for t in analysis.soft):
        return False  # 几件没结 asked, a figure of what was done quoted (收到申请76件)

    def held(term: Term, text: str) -> bool:
        return any(f in text for f in term.forms)

    focus = focus_terms(analysis)
    head = next((t for t in analysis.soft if t.text == head_term(analysis)), None)
    if analysis.qtype != "figure":
        # 几天 (a deadline question) is read only by an act the head leaves unsaid (审批 of
        # 平均审批用了几天): the laws say a named head in their own words (提前 → 五日前);
        # on gold and heldout, checking it refused 7 answerable deadline questions.
        if head is None or len(head.text) > 1:
            return True
        fallback = _content_head(analysis, focus, known)
        return fallback is None or held(fallback, s) or not _before_ask(analysis, fallback)
    if head is not None and len(head.text) == 1 and _acts_in(head, sentence):
        head = None  # the asked act itself is there (收 of 收了多少件 in 收到52件)
    elif head is None or not _content(head, known):
        head = _content_head(analysis, focus, known)
    if (
        head is not None
        and _content(head, known)
        and not held(head, s)
        and _before_ask(analysis, head)
        and not _names_counted(analysis, s)
    ):
        return False
    if asks_money(analysis) and _sums(lead) and _sums(sentence) <= _sums(lead):
        return True  # a sum asked, and the lead states the sentence's only sum: it is the one
    asked = [t for t in analysis.soft if t.text in focus and _content(t, known)]
    if not asked or not any(held(t, s) for t in asked):
        return True
    if any(held(t, quoted) for t in asked):
        return analysis.qtype != "figure" or not _figure_apart(quoted, asked)
    # held only by the sentence's opening clause, its topic, which every later clause shares
    # (共办理各类公证事项333件，业务收费共195153元 for 公证收了多少钱): not another figure's words
    opening = re.split(r"[，,；;]", s, maxsplit=1)[0]
    rest = s[len(opening) :]
    return not quoted.startswith(opening[:4]) and not any(held(t, rest) for t in asked)


# A figure a change arrives at (提高到95%, 下降至3件) is a level, not the change.
_ARRIVES = re.compile(r"(?:到|至|为|达)$")


def states_level(analysis: Analysis, sentence: str) -> bool:
    """The sentence states a figure of the question's own period: one outside a comparison's
    base (unless the question names the base's year) and, unless a change is asked, not a
    change (下降了2.68%). 应诉败诉率多少 was answered with 与2022年同期的…败诉率3.96%相比，2023年
    败诉率下降了2.68% (sets D and H: d94, d99, h80), whose rates are 2022's and a change;
    the report states 2023's 1.28% in the sentence before."""
    text = nfkc(sentence)
    asked_years = _asked_years(analysis)
    change = asks_change(analysis)
    base = [
        (a, b)
        for a, b in comparison_spans(text)
        if not {f.value for f in find_figures(text[a:b]) if f.is_year} & asked_years
    ]
    for f in find_figures(text):
        if f.is_year or f.unit == "第" or any(a <= f.start < b for a, b in base):
            continue
        clause = re.split(r"[，,；;：:]", text[: f.start])[-1]
        if change or not _CHANGE.search(clause) or _ARRIVES.search(clause):
            return True
    return False


def _figure_apart(lead: str, asked: list[Term]) -> bool:
    """The lead counts first and names the asked words only after, in clauses without a
    figure (纳入区委理论学习中心组学习安排4次，通过…区政府常务会议会前学法…开展学习培训 for
    常务会议会前学法搞了几次: sets E and K): the figure counts another thing. A subject said
    before its figure (合议庭的成员，应当是三人以上的单数) is the figure's own, and a figure in a
    condition (不满十四周岁的未成年人有违法行为的，不予行政处罚) is that of what follows."""
    clauses = [c for c in re.split(r"[，,；;。]", lead) if c]
    counted = [i for i, c in enumerate(clauses) if any(not f.is_year for f in find_figures(c))]
    naming = [i for i, c in enumerate(clauses) if any(f in c for t in asked for f in t.forms)]
    if not counted or not naming or clauses[min(counted)].endswith("的"):
        return False
    return min(naming) > min(counted) and not set(naming) & set(counted)


# What a question counts, said after its ask word and classifier (多少个依申请政务服务事项): a
# sentence holding it whole counts that thing. Shorter tails (件, 人) name nothing.
MIN_COUNTED_TAIL = 3


def _names_counted(analysis: Analysis, sentence: str) -> bool:
    """The sentence holds the question's words after its ask word and classifier whole."""
    q = squash(nfkc(analysis.question))
    m = _last_ask(q)
    if not m:
        return False
    tail = q[m.end() + (1 if q[m.end() : m.end() + 1] in _CLASSIFIERS else 0) :]
    tail = re.split(r"[，,。？?！!；;\s]|呢|吗|的", tail, maxsplit=1)[0]
    return len(tail) >= MIN_COUNTED_TAIL and tail in sentence


def _acts_in(head: Term, sentence: str) -> bool:
    """A one-character head (收 of 收了多少件) is the sentence's act when a verb of it starts
    with that character (收到52件), not when the character is part of another word: 收 of
    收监执行审查案13件 (a prisoner's committal) or 类 of 各类检察建议 (sets Q and R: 那行政诉讼呢
    and 52件里面生态环境类的有几件 were answered with those clauses' figures)."""
    return any(
        w.word.startswith(f) and (w.word == f or w.flag.startswith("v"))
        for w in pseg.lcut(squash(sentence))
        for f in head.forms
    )


def _sums(text: str) -> set[str]:
    """The sums of money a text states (195153元, 17.8万元)."""
    return {squash(f.raw) for f in find_figures(text) if is_money(f.unit)}


def _negated(term: Term) -> bool:
    """A spoken negated predicate (没结, read also as 未结): the figure asked counts what was
    not done, so a lead without the negation counts its opposite."""
    return bool(written_negation(term.text))


def _before_ask(analysis: Analysis, term: Term) -> bool:
    """`term` is said before the ask word (企业有多少户), not after it: a noun after it
    (收到了多少件申请) is what the passage's figures count as a rule, often said in the sentence
    before (收到行政复议申请76件。与2022年同期的收到52件相比)."""
    q = squash(nfkc(analysis.question))
    m = _last_ask(q)
    return bool(m) and any(0 <= q.rfind(f, 0, m.start()) for f in term.forms)


def _content_head(analysis: Analysis, focus: set[str], known: Callable[[Term], bool]) -> Term | None:
    """When the head says nothing of what is counted (用 of 平均审批用了几天, 持证 of
    持证的行政执法人员 when the corpus never says 持证), the asked predicate's content word
    nearest before the ask word (审批, 执法人员): it names the act or the thing counted."""
    q = squash(nfkc(analysis.question))
    m = _last_ask(q)
    if not m:
        return None
    best, best_end = None, -1
    for t in analysis.soft:
        if t.text not in focus or not _content(t, known) or t.pos[:1] == "t":
            continue  # a time word (逾期 of 罚款逾期不交每天加罚多少) names no act and no thing
        end = max((q.rfind(f, 0, m.start()) + len(f) for f in t.forms if q.rfind(f, 0, m.start()) >= 0), default=-1)
        if end > best_end:
            best, best_end = t, end
    return best


# “哪三家/哪两个” asks for the members and gives their number itself.
_WHICH_N = re.compile(r"哪([一二两三四五六七八九十\d]+[个家项位条种类件所名])")
# A count the question gives, then an ask for its members: 那13个项目具体是哪些, 3家是哪几家,
# 那2家申请人叫什么, 3件信访积案分别是什么事 (fresh_d d141, fresh_e e119/e122/e123/e126/e130).
_GIVEN_COUNT = re.compile(r"(?<![\d第])(\d+|[一二两三四五六七八九十]+)\s*([个家项位条种类件所名户])")
_MEMBERS_ASKED = re.compile(r"哪些|哪几|哪[一二两三四五六七八九十\d]+|叫(?:什么|啥)|是(?:什么|啥)|分别是|都是谁|是谁|名单|名字|名称")
# A lead that names members: a 、-series of items without figures, quoted names the question
# does not already hold, or 《titles》 (维持19件、撤销28件 are counts by kind, not members).
_SERIES_ITEM = re.compile(r"(?<=[、])[^、，。；：]+|[^、，。；：]+(?=、)")
_QUOTED = re.compile(r"[“‘]([^”’]+)[”’]")


def _members_asked(question: str) -> str:
    """The part of the question that gives the count whose members it asks for ("" when it
    asks no members)."""
    which = _WHICH_N.search(question)
    if which:
        return which.group(1)
    ask = _MEMBERS_ASKED.search(question)
    if not ask:
        return ""
    counts = [m.group(0) for m in _GIVEN_COUNT.finditer(question, 0, ask.start())]
    return counts[-1] if counts else ""


def _names_members(question: str, lead: str) -> bool:
    if "《" in lead:
        return True
    if any(q not in question for q in _QUOTED.findall(lead)):
        return True
    return any(not find_figures(item) for item in _SERIES_ITEM.findall(lead))


def restates_count(analysis: Analysis, lead: str) -> bool:
    """The question asks which members a count it gives has (哪三家公司, 那13个项目具体是哪些,
    败诉的那1件是什么案子) and the lead names none (no 、-series of names, no quoted name the
    question does not hold, no 《title》): the count is never the answer, and a lead without
    names answers nothing else, whether it restates the count (共有3家企业获得…) or states
    another sentence's figures (与2022年同期的结案101件…相比 for the 1 case lost: set Q q127).
    An answer that names them (申报了…“践行‘三零’服务…”…两个单项) stands."""
    question = plain_ask(analysis.question)  # 是啥 asks as 是什么
    return bool(_members_asked(question)) and not _names_members(question, lead)


# Who the members of a group are (区级特邀执法监督员都有谁, 15个监督员都是谁): names answer, and
# the report names none; a lead counting the people (聘任…监督员15人) restates the group's
# size. Sets F-O ask it of the 15 监督员 (refused there because 15个 is no corpus word) and set
# P without a count (p113, answered with 15人).
_WHO_ARE = re.compile(r"(?:都|分别|具体|到底)?(?:是|有)谁[呢吗啊呀？?。\s]*$|叫(?:什么|啥)名字")


def counts_for_names(analysis: Analysis, lead: str) -> bool:
    """The question asks who the members are and the lead only counts people, naming none."""
    question = nfkc(analysis.question)
    if not _WHO_ARE.search(question) or _names_members(question, lead):
        return False
    return any(f.unit in PERSON_UNITS for f in find_figures(lead))


def modifier_dropped(
    analysis: Analysis, sentence: str, passage: str, elsewhere: Callable[[str], bool], known: Callable[[Term], bool]
) -> bool:
    """The question qualifies what it counts (较大数额罚款, 诉前调解成功率), the figure's
    sentence names the bare noun (一百元以下罚款, 调解成功率为99.7%), its passage names the
    qualifier nowhere, and another passage names the qualified noun word for word (（一）较大
    数额罚款；, 参与法院诉前调解纠纷200多件): the corpus tells the qualified thing apart, so
    this figure counts something else (民间纠纷's rate, another fine). Seen on sets C, D, G, H
    and J (c104, j131 and 较大数额罚款 three times); no other lead of the 1,656 set questions
    changes. A modifier the passage states outside the sentence (under its heading, or in the
    sentence before: 执法检查…执法人员) is not dropped. `elsewhere(phrase)`: whether a passage
    other than this one holds the phrase (的 aside)."""
    if analysis.qtype != "figure":
        return False
    q, s, around = squash(nfkc(analysis.question)), squash(sentence), squash(passage)
    focus = focus_terms(analysis)
    if not any(t.text in focus and _content(t, known) for t in analysis.soft):
        # the ask names nothing (较大数额罚款 具体是多少钱: 具体): the topic is what it asks of
        focus = {t.text for t in analysis.soft}
    # 罚款, and 调解 (a verb); not a one-character word, which another passage holds inside a
    # longer one: 检察院发 of 检察院发了多少检察建议 is in the library's 人民检察院发现… (sets O
    # and R refused the report's 发出各类检察建议46件 so, with the library loaded)
    held = [t for t in analysis.soft if len(t.text) > 1 and any(f in s for f in t.forms)]
    for term in analysis.soft:
        if term.text not in focus or not _content(term, known) or any(f in around for f in term.forms):
            continue
        start = q.find(term.text)
        for head in held:
            end = q.find(head.text, start + len(term.text))
            phrase = q[start : end + len(head.text)].replace("的", "") if start >= 0 and end >= 0 else ""
            if phrase and elsewhere(phrase):
                return True
    return False


# A question whether something finally happened (…最后评上了没有, 最终通过了吗, 现在完成了
# 没有): the activity sentence (积极参加…创建活动, 申报了…, 推进…建设) says it was tried, not
# that it succeeded. The verb of the outcome before 了没有/了吗/没: after 最后/最终/到底/结果,
# or a two-character verb right before 了没(有) (sets J and L; every question of the sets
# that ends so is unanswerable), or the verb with its object before 没有 (最后评上…示范市没有:
# set M).
_OUTCOME = re.compile(
    r"(?:(?:最后|最终|到底|结果)(?P<verb>[\u4e00-\u9fff]{1,4}?)(?:了没有|了没|了吗|没有|没)"
    r"|(?:最后|最终|到底|结果)(?P<taken>[\u4e00-\u9fff]{2})[\u4e00-\u9fff]{1,20}?(?:了没有|了没|没有|没)"
    r"|(?P<done>[\u4e00-\u9fff]{2})了没有?"
    # an outcome word asked without 最后 (示范市创建成功没有: set P; sets B-O said 最后评上没有)
    r"|(?P<won>成功|评上|选上|获批|通过)了?(?:没有|没|吗))[？?]?\s*$"
)


def outcome_unstated(analysis: Analysis, sentence: str) -> bool:
    """The question asks whether an outcome came about (最后评上了没有, 现在完成了没有) and the
    sentence does not name that outcome: it reports the effort, and answering with it would
    read as a yes (sets B-L ask this of the 示范 campaign, set L of a reform; no answerable
    question asks so)."""
    m = _OUTCOME.search(nfkc(analysis.question))
    return bool(m) and squash(m.group("verb") or m.group("taken") or m.group("done") or m.group("won")) not in squash(sentence)


# With whom something was done (跟哪个法院搞的府院联动, 是跟哪家单位合建的): the answer is a
# second party the sentence joins to the act (柳江区司法局与柳南区法院…). A sentence that joins
# none (柳江区建立联合实验室) names only the one who acted: sets G and O ask the lab's partner,
# which the report never names, and got that sentence. 和什么会合在一起开的 asks a thing, not a
# party (heldout h03: 述法会暨…动员部署会议).
_PARTNER_ASK = re.compile(r"(?:跟|和|与|同)(?:哪|谁|什么(?:单位|部门|机构|机关|企业|公司|法院))")
_JOINERS = ("与", "和", "同", "跟", "会同", "联合", "携手", "协同")
# How a party's name ends when jieba does not tag it as a name (法院 of 柳南区法院).
_PARTY_ENDS = ("院", "局", "委", "府", "办", "所", "厅", "部", "会", "中心", "公司", "单位", "企业", "机构", "机关", "学校", "大学", "银行")
_NAME_FLAGS = ("nr", "ns", "nt", "nz")


def partner_unstated(analysis: Analysis, sentence: str) -> bool:
    """The question asks with whom something was done and the sentence joins no second
    party to it: no joining word followed, before the next verb, by a name or a body."""
    if not _PARTNER_ASK.search(nfkc(analysis.question)):
        return False
    words = list(pseg.cut(nfkc(sentence)))
    for i, w in enumerate(words):
        if w.word not in _JOINERS:
            continue
        for after in words[i + 1 :]:
            if after.flag.startswith(("v", "x")) and after.flag != "vn":
                break
            if after.flag.startswith(_NAME_FLAGS) or after.word.endswith(_PARTY_ENDS):
                return False
    return True


# Which one ranks first (被申请最多的是哪个部门, 哪个镇调解得最多), or where one ranks: the
# report counts, it never ranks its departments, towns or itself; a sentence without a
# superlative answers with a bare count or a rule (sets J and K; no answerable question of
# any set asks so).
_RANK_ASK = re.compile(
    r"最(?:多|少|高|低|大|小|快|慢|早|晚|好|差)的?(?:是)?(?:哪|谁|什么)|(?:哪|谁)[^，。？?\s]{0,10}最(?:多|少|高|低|大|小)"
    # a place in a ranking (在柳州排第几, 全市排第几名): sets C, D, E, G, P, R, T and U ask it
    # of the district, which the report never ranks; 第三批 of 第三批…示范市创建 answered T and U.
    # 排第几批 asks which batch (全自治区首批), not a rank
    r"|排(?:名)?(?:在)?第?(?:几|多少)(?![批次届期轮])|第几名"
)
_RANKED = re.compile(r"最(?:多|少|高|低|大|小)(?!限度)|第一(?!批|次|责任)|首位|居首|之首|榜首|排名|排在|位列")


def ranking_unstated(analysis: Analysis, sentence: str) -> bool:
    """The question asks which one comes first and the sentence ranks nothing."""
    return bool(_RANK_ASK.search(nfkc(analysis.question))) and not _RANKED.search(sentence)


# Any ask word, for a question of any type.
_ANY_ASK = re.compile(r"多少|几|哪|什么|啥|怎么|怎样|如何|谁")


def restates_given(analysis: Analysis, lead: str) -> bool:
    """The question points at a count it gives (那8件后来怎么处理的, 52件…胜诉了几件) and the
    lead states that count with none of the words the question asks with: it is the sentence
    the count came from, and says nothing more of those things (sets J and K). A lead that
    names the ask (76件复议申请里受理了几件: 收到申请76件，受理73件) stands."""
    q = nfkc(analysis.question)
    ask = _last_ask(q, _ANY_ASK)
    if not ask:
        return False
    given = {(f.value, f.unit) for m in _GIVEN_COUNT.finditer(q, 0, ask.start()) for f in find_figures(m.group(0))}
    if _members_asked(q) and any(
        (f.value, f.unit) in given and lead[max(0, f.start - 2) : f.start].rstrip().endswith(("”", "’", "》"))
        for f in find_figures(lead)
    ):
        return False  # 两个单项叫啥, and the lead names them right before their count: “…” “…”2个单项
    named = [m.span() for m in _QUOTED.finditer(lead)]  # “两个责任”: a name, not a count
    stated = {
        (f.value, f.unit)
        for f in find_figures(lead)
        if not f.is_year and not lead.startswith(("（", "("), f.end) and not any(a <= f.start < b for a, b in named)
    }
    if not given & stated:  # a count with its breakdown (审结65件（其中：维持19件…）) says more of them
        return False
    plain = squash(lead)
    asked = _own_ask(analysis)
    return not any(f in plain for t in analysis.terms if t.text in asked for f in t.forms if len(f) > 1)


# How far from another count its noun may stand (16个项目, 项目共计13个) to count the same thing.
NOUN_REACH = 4


def past_given_group(analysis: Analysis, sentence: str, lead: str) -> bool:
    """The question names its group by a count it gives (拿地即开工那18个项目投资总额多少),
    the sentence states that count, and between it and the lead's figure another count of
    the same noun opens another group (…18个项目…申请“承诺即开工”项目共计13个，…总投资额
    达17.8万元): the figure belongs to that group (sets I, K and L ask so, all unanswerable)."""
    q = nfkc(analysis.question)
    ask = _last_ask(q, _ANY_ASK)
    if not ask:
        return False
    plain = nfkc(sentence)
    at = plain.find(nfkc(lead).rstrip("。；;，, "))
    if at < 0:
        return False
    for m in _GIVEN_COUNT.finditer(q, 0, ask.start()):
        noun = re.match(r"[\u4e00-\u9fff]{2}", q[m.end() :])
        given = find_figures(m.group(0))
        if not noun or not given:
            continue
        value, unit, noun = given[0].value, given[0].unit, noun.group(0)
        figs = find_figures(plain)
        start = next((f.end for f in figs if (f.value, f.unit) == (value, unit) and plain.startswith(noun, f.end)), None)
        if start is None or start > at:
            continue
        for f in figs:
            if start <= f.start < at and f.unit == unit and f.value != value:
                near = plain[max(0, f.start - NOUN_REACH - len(noun)) : f.end + len(noun)]
                if noun in near:
                    return True
    return False


def _own_ask(analysis: Analysis) -> set[str]:
    """The words of the question's own ask: the verb ending nearest before its last ask word
    (胜诉 of …胜诉了几件, not 案子 of 那8件复议案子怎么处理) and the words after it (处理)."""
    q = squash(nfkc(analysis.question))
    m = _last_ask(q, _ANY_ASK)
    if not m:
        return set()
    out, nearest, nearest_end = set(), "", -1
    for t in analysis.terms:
        at = max((q.find(f) for f in t.forms), default=-1)
        if at < 0:
            continue
        if at >= m.end():
            out.add(t.text)
        elif at + len(t.text) > nearest_end:
            nearest, nearest_end = (t.text if t.pos[:1] == "v" else ""), at + len(t.text)
    return out | ({nearest} if nearest else set())


# A total asked (一共, 总共, 全区…多少): on every set each answerable one is stated by a report
# of what was done (共收到合法性审核文件19件, 全区共调解…1460起), never by a law. A law's
# figure is what a rule allows (可以指定一名或者数名人民调解员, 由委员三至九人组成): quoted
# for a total it reads as a count (fresh_c: 全区一共有多少名人民调解员).
_TOTAL_ASK = re.compile(r"一共|总共|总计|合计|全[区县市]")


def asks_total(analysis: Analysis) -> bool:
    """The figure question asks how many there are in all (一共, 全区…多少)."""
    return analysis.qtype == "figure" and bool(_TOTAL_ASK.search(nfkc(analysis.question)))


# What a count counts runs from its classifier to the clause's end (4个行业性人民调解委员会).
_COUNTED_RUN = re.compile(r"[^，,。；;：:、（）()]*")


def counts_a_kind(analysis: Analysis, lead: str) -> bool:
    """How many X there are in all (全区一共有多少个人民调解委员会: nouns only, no act that
    would pick them out), and the lead counts a kind of X, named by words between its count
    and X that the question does not hold (4个行业性人民调解委员会): the report's count of
    one kind is no total (sets H and L: 镇村两级调委会一共有多少个 and 全区一共有多少个人民调解
    委员会, both answered so). A question with an act (多少个事项实现不见面审批) names its
    set by that act, and the sentence's qualifier (76个依申请政务服务事项) describes it."""
    if not asks_total(analysis) or any(t.pos[:1] == "v" for t in analysis.soft):
        return False
    counted = _counted_noun(analysis)
    if counted is None:
        return False
    q = squash(nfkc(analysis.question))
    for fig in find_figures(lead):
        if fig.is_year or fig.unit not in _CLASSIFIERS:
            continue
        run = squash(_COUNTED_RUN.match(lead, fig.end).group(0))
        at = min((i for i in (run.find(f) for f in counted.forms) if i >= 0), default=-1)
        kind = run[:at].replace("的", "") if at > 0 else ""
        if len(kind) >= 2 and kind not in q:
            return True
    return False


# A count asked inside a whole the question names: 复议申请里有多少件是…, 16万件里…的有多少件,
# 35件信访积案里涉及…的有几件. Not 哪里/这里/那里/公里; 中 only after a count (200多件中).
_INSIDE = re.compile(r"(?<![哪这那公])(?:里面|里头|里|当中|之中)|(?<=[件起个项人家宗])中")


def part_unstated(analysis: Analysis, lead: str) -> bool:
    """The question asks how many of a whole it names are of one part (复议申请里有多少件是针对
    行政处罚的), the part named by a noun after 里/中 that the whole does not hold, and no figure
    of the lead shares a clause with that noun: the lead counts the whole or another part
    (共收到行政复议申请76件; 涉及稳控的10件敏感群体案; …8个单位…76个…16万件, 涵盖了…企业开办…).
    The report breaks few totals down, and sets A, E, F, H-J, L-N, P, R, S and T ask for parts
    it never states; most were refused by other checks, set T's t115, t123 and t125 were not.
    Of the 95 questions of gold and sets A-T this reads as such, the 59 answerable keep their
    right leads (合法性审核里非规范性文件有几件: 5件为非规范性文件)."""
    if analysis.qtype != "figure":
        return False
    q = squash(nfkc(analysis.question))
    m = _INSIDE.search(q)
    if not m or not re.search(r"多少|几", q[m.end() :]):
        return False
    whole, after = q[: m.start()], q[m.end() :]
    marks = [
        t for t in analysis.soft
        if t.noun and not t.inherited and len(t.text) >= 2 and t.text in after and t.text not in whole
    ]
    if not marks:
        return False
    for a, b in clause_spans(lead):
        clause = lead[a:b]
        if any(not f.is_year for f in find_figures(clause)) and any(f in clause for t in marks for f in t.forms):
            return False
    return True


def _counted_noun(analysis: Analysis) -> Term | None:
    """The noun the question counts: right after 多少个 (多少个人民调解委员会), else right
    before its ask (调委会一共有多少个)."""
    q = squash(nfkc(analysis.question))
    m = _COUNTED_NOUN_ASK.search(q)
    if not m:
        return None
    after = [t for t in analysis.soft if t.noun and q.find(t.text, m.end()) == m.end()]
    if after:
        return after[0]
    before = [(q.rfind(t.text, 0, m.start()), t) for t in analysis.soft if t.noun]
    before = [(at, t) for at, t in before if at >= 0]
    return max(before, key=lambda x: x[0])[1] if before else None


# ---------------------------------------------------------------- periods

_CLAUSE_END = re.compile(r"[，,。；;：:！!？?]")
_WITHIN = re.compile(r"^(?:以内|之内|内)")


def period_acts(sentence: str) -> list[str]:
    """What must be done within each period a sentence states: the rest of the period's
    clause (六十日内|提出行政复议申请, 五日内|进行审查, 六十日内|作出行政复议决定).

    A deadline question names the act it asks about (申请复议的期限): a rule whose period
    bounds that act answers it, one whose period bounds the next step of the same procedure
    (收到申请后五日内审查) does not, though both sentences hold every word of the question."""
    return [_WITHIN.sub("", act) for _, act in _periods(sentence)]


def _periods(sentence: str) -> list[tuple[str, str]]:
    """Each period of the sentence as (its clause before it, the rest of its clause after it):
    五日内 of 行政复议机关应当自收到申请之日起五日内书面通知申请人补正 is (行政复议机关应当自
    收到申请之日起, 书面通知申请人补正)."""
    out = []
    for f in durations(sentence):
        start = max(sentence.rfind(ch, 0, f.start) for ch in "，,；;。") + 1
        m = _CLAUSE_END.search(sentence, f.end)
        out.append((sentence[start : f.start], sentence[f.end : m.start() if m else len(sentence)]))
    return out


# A party to a procedure, as a deadline question names who must act (申请人, 行政机关, 当事人).
_PARTY = re.compile(r"(?:人|机关|机构|法院|当事人|单位)$")
MAX_ACTOR_GAP = 4  # the ask between the party and its act: 申请人要几天内补正


def asked_actor(analysis: Analysis) -> str:
    """The party a deadline question asks the period of: a party noun right before the act,
    with at most the ask between them (申请人 of 申请人补正期限多长, 申请人要几天内补正);
    "" when the question names none."""
    q = squash(nfkc(analysis.question))
    found = [(q.find(t.text), t) for t in analysis.soft if not t.inherited and q.find(t.text) >= 0]
    found.sort(key=lambda p: p[0])
    for (pos, noun), (pos2, verb) in zip(found, found[1:], strict=False):
        gap = pos2 - pos - len(noun.text)
        if _PARTY.search(noun.text) and len(noun.text) >= 2 and verb.pos[:1] == "v" and 0 <= gap <= MAX_ACTOR_GAP:
            return noun.text
    return ""


def others_period(sentence: str, actor: str) -> bool:
    """Every period of the sentence bounds what another party does to `actor`: the actor is
    named after the period, in the act, and another party before it (行政复议机关应当…五日内
    书面通知申请人补正 for 申请人几天内补正, which 申请人应当…十日内提交补正材料 answers;
    sets D, E and I led with the agency's 五日)."""
    periods = _periods(sentence) if actor else []
    if not periods:
        return False
    for lead_in, act in periods:
        if actor in lead_in or actor not in act or not _PARTY.search(re.split(r"应当|可以|必须", lead_in)[0]):
            return False
    return True


# How many more of the question's words a sibling clause must hold than the lead's own
# figure clause to be what the question counts: one word is a topic every clause of the
# sentence shares (共办理各类公证事项333件，业务收费共195153元 for 公证收了多少钱); two are the
# thing itself (参与法院诉前调解纠纷200多件 for 调委会参与的法院诉前调解调成功了多少件).
SIBLING_MARGIN = 2
# Fewer characters than this before a clause's figure name a measure or an act of the topic
# the sentence opened with (总投资额达17.8万元, 实体性化解7件, 受理73件), not a subject of
# its own (公益诉讼检察案件52件, 联合法院采取远程视频调解方式…化解矛盾纠纷2件): sets A-U lose
# 14 right leads of 承诺即开工's 总投资额 and 35件积案's 实体性化解 without it.
OWN_SUBJECT = 8
# A clause that opens with these reads as a part of the clause before (其中调解结案6件).
_PART_OPENS = ("其中", "含", "占", "包括")


def sibling_counts(analysis: Analysis, sentence: str, lead: str, known: Callable[[Term], bool]) -> bool:
    """Another clause of the sentence, with a figure of its own, holds the question's words
    and the lead's figure clause does not: that clause counts what the question asks, and
    the lead's figure, in a clause with its own subject, counts something else. Sets B, N,
    Q, S, T and U ask how many of the 200多件 诉前调解 succeeded, which the report never
    states, and got its next clause (联合法院采取远程视频调解方式…成功化解矛盾纠纷2件); this
    refuses all but N's (调解 is in both clauses). Set U asked how many of the 46件 检察建议
    were 公益诉讼 ones and got 公益诉讼检察案件52件: a clause stating the count the question
    names its whole by (46件) is that whole. A clause with no subject of its own before its
    figure (受理73件, 总投资额达17.8万元) continues the one before it and is not judged."""
    if analysis.qtype != "figure" or asks_share(analysis) or asks_change(analysis):
        return False
    given = asked_figures(analysis)
    words = [t for t in analysis.soft if _content(t, known)]
    text = nfkc(sentence)
    spans = clause_spans(text)
    quoted = nfkc(lead).rstrip("。；;，, ")
    lead_at = text.find(quoted)
    if lead_at < 0:
        return False
    lead_end = lead_at + len(quoted)

    def figures(clause: str) -> list:
        return [f for f in find_figures(clause) if not f.is_year and f.unit != "第"]

    def held(clause: str) -> int:
        c = squash(clause)
        return sum(any(f in c for f in t.forms) for t in words) + sum(g in c for g in given)

    own = [
        (a, b)
        for a, b in spans
        if a >= lead_at and b <= lead_end and any(squash(f.raw) not in given for f in figures(text[a:b]))
    ]
    if not own:
        return False
    for a, b in own:
        clause = text[a:b].strip()
        first = next(f for f in figures(clause) if squash(f.raw) not in given)
        before = squash(clause[: first.start])
        if clause.startswith(_PART_OPENS) or len(re.findall(r"[\u4e00-\u9fff]", before)) < OWN_SUBJECT:
            return False  # a part of the clause before, or a measure of its topic (总投资额达17.8万元)
    best_own = max(held(text[a:b]) for a, b in own)
    own_given = {g for a, b in own for g in given if g in squash(text[a:b])}
    for a, b in spans:
        clause = squash(text[a:b])
        if (a, b) in own or not figures(clause):
            continue
        if held(clause) >= best_own + SIBLING_MARGIN or any(g in clause for g in given - own_given):
            return True  # the thing asked, or the whole the question names by its count
    return False
