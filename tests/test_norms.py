"""Which rule sentence of a law answers: the general rule unless the question names the
special case, the sentence that puts the asked act under the asked operator for yes/no and
who questions, and a rule with its exception. Questions are worded here, not taken from
the question sets."""

from __future__ import annotations

import pytest

from kb.answer import answer_question
from kb.answer.norms import (
    WHO,
    YES_NO,
    ask_kind,
    exception_end,
    implemented_law,
    list_head,
    names_category,
    operator_fit,
    rule_condition,
    special_cases,
)
from kb.answer.target import period_acts


def _lead(answer) -> str:
    return answer.answer.split("\n")[0]


def test_ask_kind_reads_the_operator_and_the_act():
    assert ask_kind("罚款能不能分期缴纳") == (YES_NO, "分期缴纳")
    assert ask_kind("调解员可以收红包吗") == (YES_NO, "收红包")
    assert ask_kind("法院审行政案子可以调解不") == (YES_NO, "调解")  # a closing 不 asks as 吗
    assert ask_kind("不服的可以不申请复议直接起诉") == ("", "")  # 不 inside is no ask
    assert ask_kind("轻微违法改正了还罚不罚") == (YES_NO, "罚")  # a verb asked as itself-not-itself
    assert ask_kind("听证由谁来主持？") == (WHO, "主持")
    assert ask_kind("决策机关指的是谁？") == ("", "")  # what a term means, not who acts
    assert ask_kind("行政复议的期限是多久") == ("", "")


def test_operator_fit_wants_the_act_under_the_operator():
    assert operator_fit(YES_NO, "收费", "调解纠纷，不得收费。") == 1.0
    assert operator_fit(YES_NO, "收费", "当事人可以申请调解。") == 0.0
    # 可以 and 应当 stand in most law sentences: they decide less than 不得 or 有权
    assert operator_fit(YES_NO, "拒绝", "当事人可以拒绝。") < operator_fit(YES_NO, "拒绝", "当事人有权拒绝。")
    assert operator_fit(WHO, "主持", "听证由行政机关指定的人员主持。") == 1.0
    assert operator_fit(WHO, "主持", "由听证主持人在笔录中注明。") == 0.0


def test_special_case_unless_the_question_names_it():
    condition = rule_condition(["公民不服复议决定的", "可以在十五日内起诉"])
    assert condition == "公民不服复议决定的"
    assert special_cases(condition, "起诉的期限是多久") == 1
    assert special_cases(condition, "对复议决定不服，起诉期限是多久") == 0
    # the consequence after the listed cases (对复议决定不服的，可以再起诉) is no condition
    listed = rule_condition(["有下列情形之一的", "应当先申请复议", "对复议决定不服的", "可以再起诉："])
    assert listed == "有下列情形之一的"
    general = rule_condition(["公民直接向人民法院提起诉讼的", "应当在六个月内提出"])
    assert special_cases(general, "起诉的期限是多久") == 0
    # the agency's failure to act on an earlier application is an earlier procedure's outcome
    inaction = rule_condition(["公民申请行政机关履行法定职责", "行政机关在接到申请之日起两个月内不履行的"])
    assert special_cases(inaction, "行政诉讼的期限是多久") == 1
    assert special_cases(inaction, "行政机关不履行职责，多久可以起诉") == 0


def test_exception_end_takes_the_but_sentence():
    text = "法院不适用调解。但是，赔偿案件可以调解。调解应当自愿。"
    assert text[: exception_end(text, len("法院不适用调解。"))] == "法院不适用调解。但是，赔偿案件可以调解。"
    assert exception_end(text, len(text) - len("调解应当自愿。")) == len(text) - len("调解应当自愿。")
    # the rule for the case the first leaves out: its condition closes its first clause
    text = "负责人应当出庭。不能出庭的，应当委托工作人员出庭。会议应当公开。"
    assert text[: exception_end(text, len("负责人应当出庭。"))] == "负责人应当出庭。不能出庭的，应当委托工作人员出庭。"
    text = "部门应当公布清单。清单之外，不得索要证明。"
    assert exception_end(text, len("部门应当公布清单。")) == len(text)
    # a condition with no rule after it is no exception
    text = "负责人应当出庭。不能出庭的，由法院记录在案。"
    assert exception_end(text, len("负责人应当出庭。")) == len("负责人应当出庭。")


@pytest.mark.parametrize(
    ("question", "fact", "label"),
    [
        ("直接向法院起诉行政机关，期限是多久？", "六个月", "第四十六条"),
        ("行政复议的申请期限一般是多少天？", "六十日", "第二十条"),
        # the general rule is not among the first hits: looked for deeper
        ("跳过复议直接起诉，期限有多长", "六个月", "第四十六条"),
        # 第四十七条 (两个月内不履行的) is a special case, not the rule (fresh_c, d, e, g)
        ("行政诉讼的期限是多久", "六个月", "第四十六条"),
        # the question names the special case: its rule answers
        ("申请行政机关履行法定职责，行政机关不履行的，多久以后可以起诉？", "两个月", "第四十七条"),
        ("收到复议决定书后还是不服，多少天内要去法院起诉？", "十五日", "第四十五条"),
    ],
)
def test_general_rule_unless_the_special_case_is_named(corpus_index, question, fact, label):
    answer = answer_question(corpus_index, question)
    assert fact in _lead(answer)
    assert answer.citations[0].label == label


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("人民调解委员会调解纠纷收不收钱？", "不收取任何费用"),
        ("行政复议机关受理申请时能收费吗", "不得向申请人收取任何费用"),
        ("执法人员检查时不出示证件，当事人可以拒绝吗？", "有权拒绝"),
        ("行政处罚的听证由谁来主持？", "非本案调查人员主持"),
        ("行政诉讼的诉讼费用由谁承担？", "败诉方承担"),
        ("审判人员的回避由谁决定？", "由院长决定"),
    ],
)
def test_yes_no_and_who_questions_take_the_deciding_sentence(corpus_index, question, fact):
    assert fact in _lead(answer_question(corpus_index, question))


def test_a_yes_no_answer_carries_the_rule_and_its_exception(corpus_index):
    answer = answer_question(corpus_index, "法院审行政诉讼案件，允许调解吗？")
    lead = _lead(answer)
    assert "不适用调解" in lead and "行政赔偿、补偿" in lead
    quote = answer.citations[0]
    assert "不适用调解" in quote.quote and "可以调解" in quote.quote


@pytest.mark.parametrize(
    ("question", "rule", "exception"),
    [
        # the rule for the case the first sentence leaves out (sets A, D, H and M)
        ("被诉的行政机关，负责人是不是一定得出庭？", "负责人应当出庭应诉", "委托行政机关相应的工作人员出庭"),
        ("当事人有一方不愿调解，调委会还可以调解吗？", "主动调解", "明确拒绝调解的，不得调解"),
        ("头一回违法、后果轻微又及时改了，还罚不罚？", "不予行政处罚", "初次违法"),
    ],
)
def test_a_yes_no_answer_carries_the_rule_for_the_case_left_out(corpus_index, question, rule, exception):
    lead = _lead(answer_question(corpus_index, question))
    assert rule in lead and exception in lead


def test_list_head_and_category():
    assert list_head("执法时可以采取哪些措施") == "措施"
    assert names_category("情况", "有下列情形之一的，应当先申请复议：")  # the law's word for it
    assert names_category("措施", "可以采取查封、扣押、冻结等强制措施。")
    assert not names_category("措施", "当事人可以申请听证。")
    # items, then their count under the category; a bare count names no list (sets I, N)
    assert names_category("单项", "申报了综合项和“甲方案”“乙方案”2个单项。")
    assert not names_category("项目", "目前共有18个项目开展了审批模式。")


def test_a_list_question_takes_the_enumeration_of_its_category(corpus_index):
    lead = _lead(answer_question(corpus_index, "决策听取群众意见，有哪些方式可选？"))
    assert "座谈会" in lead and "问卷调查" in lead


def test_implemented_law_unless_the_question_names_the_regulation():
    titles = frozenset({"行政复议法", "行政复议法实施条例", "土地管理法实施条例"})
    assert implemented_law("行政复议法实施条例", titles, "行政复议申请期限是多少") == "行政复议法"
    assert implemented_law("行政复议法实施条例", titles, "实施条例里申请期限怎么算") == ""
    assert implemented_law("土地管理法实施条例", titles, "征地要谁批准") == ""  # the law is not indexed
    assert implemented_law("行政复议法", titles, "行政复议申请期限是多少") == ""


def test_period_acts_are_what_the_period_bounds():
    assert period_acts("可以自知道该行政行为之日起六十日内提出行政复议申请；但是法律另有规定的除外。") == [
        "提出行政复议申请"
    ]
    assert period_acts("行政复议机关收到行政复议申请后，应当在五日内进行审查。") == ["进行审查"]
    assert period_acts("自2024年1月1日起施行。") == []
