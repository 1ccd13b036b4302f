"""Fast checks of how the lead is chosen: a question cut into its asks, and the clause of a
sentence that states the asked figure (no index needed)."""

from __future__ import annotations

from kb.answer.extractive import _needs_subject, _only_periods, breakdown_item, type_ok
from kb.answer.parts import split_parts
from kb.answer.questions import FIGURE, analyze
from kb.answer.target import (
    asks_change,
    asks_total,
    focus_terms,
    head_term,
    money_fits,
    outcome_unstated,
    pick_figure_clause,
    states_change,
    states_level,
)


def test_split_parts_cuts_between_asks():
    assert split_parts("当场收缴罚款，个人最多罚多少，单位最多罚多少？") == [
        "当场收缴罚款个人最多罚多少",
        "当场收缴罚款单位最多罚多少",
    ]
    assert split_parts("普通程序多少天？简易程序呢？") == ["普通程序多少天", "简易程序呢"]


def test_one_ask_over_a_pair_is_two_asks():
    """各/分别 distributes an ask over the pair before it (fresh_d d103, fresh_e e77/e81)."""
    assert split_parts("不服一审判决和不服裁定 上诉期限各几天") == [
        "不服一审判决 上诉期限几天",
        "不服裁定 上诉期限几天",
    ]
    assert split_parts("当场处罚 个人和单位分别罚多少") == ["当场处罚 个人罚多少", "当场处罚 单位罚多少"]
    assert split_parts("复议和诉讼各收到多少件") == ["复议收到多少件", "诉讼收到多少件"]
    # the pair's second word runs into the predicate both share (set H)
    assert split_parts("一审判决和裁定不服上诉期限分别多久") == ["一审判决不服上诉期限多久", "裁定不服上诉期限多久"]
    for q in ["各类案件一共多少件", "复议和诉讼一共多少件", "各级政府分别有哪些职责"]:
        assert split_parts(q) == [q]  # 各类 is no distribution; no 各/分别; no pair


def test_split_parts_keeps_one_ask_whole():
    for q in [
        "咱们区那35件信访积案 实体性化解了多少",
        "上面那几件 里面撤销的是几件",
        "行政复议的期限是多久？",
    ]:
        assert split_parts(q) == [q]
    assert len(split_parts("A是多少？B是多少？C是多少？D是多少？")) == 1  # a list, not parts


def _pick(question: str, clauses: list[str]) -> int | None:
    a = analyze(question)
    fits = [type_ok(FIGURE, c, a) for c in clauses]
    borrows = [i > 0 and _needs_subject(c) for i, c in enumerate(clauses)]
    return pick_figure_clause(clauses, fits, borrows, a)


def test_the_asked_predicate_picks_the_clause():
    clauses = ["共收到行政复议申请76件", "受理73件", "审结65件"]
    assert _pick("行政复议申请受理了多少件？", clauses) == 1
    assert _pick("行政复议申请审结了多少件？", clauses) == 2
    assert _pick("一共收到多少件行政复议申请？", clauses) == 0
    a = analyze("拿地即开工的项目里已经拿到施工许可证的有几个")
    assert head_term(a) == "许可证" and "拿到" in focus_terms(a)


def test_no_clear_clause_means_the_whole_sentence():
    assert _pick("一共多少件？", ["受理73件", "审结65件"]) is None
    assert _pick("那35件里化解了多少件？", ["梳理出35件积案"]) is None  # the question's own figure


def test_a_rate_or_a_change_is_answered_by_one():
    clauses = ["全区共调解各类民间纠纷1460起", "调解成功1455起", "成功率为99.7%"]
    assert _pick("调解的成功率有多高？", clauses) == 2
    change = ["纠错案件共43件", "与2022年同期的37件相比", "增加16.2%"]
    assert _pick("纠错案件比2022年多了多少？", change) == 2


def test_the_head_of_the_asked_predicate():
    assert head_term(analyze("行政复议申请实际受理了几件")) == "受理"
    assert head_term(analyze("拿地即开工的项目中有几个取得了施工许可证")) == "取得"
    assert head_term(analyze("未结的行政应诉案件有几件？")) == "未结"  # the qualifier, not the counted noun
    assert head_term(analyze("承诺即开工项目的总投资额是多少？")) == "总投资额"  # a measure, not a count


def test_a_breakdown_item_only_when_it_holds_what_is_asked():
    clause = "代理本级政府作为被告的案件共88件（其中：经复议后诉讼21件、不服原行政行为直接起诉67件）"
    assert breakdown_item(clause, analyze("被告案件中经复议后诉讼的有多少件？")).endswith(
        "其中经复议后诉讼21件"
    )
    assert breakdown_item(clause, analyze("未结的行政应诉案件有几件？")) == ""


def test_measure_change_outcome_and_total_asks():
    money = analyze("这些项目总投资多少")
    assert money_fits(money, "总投资额达17.8万元") and not money_fits(money, "项目共计13个")
    assert money_fits(analyze("这些项目有几个"), "项目共计13个")  # a count asked: any figure
    assert _pick("这些项目总投资多少", ["申请项目共计13个", "总投资额达17.8万元"]) == 1
    assert _pick("这些项目的建设规模多大", ["申请项目共计13个", "建设规模达56.83平方米"]) == 1
    assert asks_change(analyze("收费比上一年多了多少")) and not asks_change(analyze("最多几个人"))
    assert states_change("收案增加46.2%") and not states_change("业务收费共195153元")
    won = analyze("这个称号最终评上了吗")
    assert outcome_unstated(won, "积极参加创建活动，制定工作方案")
    assert not outcome_unstated(won, "该区被评上示范区")
    taken = analyze("这个区最后评上全国示范区没有")  # the verb with its object before 没有
    assert outcome_unstated(taken, "积极参加创建活动，制定工作方案")
    assert not outcome_unstated(taken, "该区被评上全国示范区")
    assert asks_total(analyze("全区总共有多少名调解员")) and not asks_total(analyze("调委会由几人组成"))


def test_a_comparisons_base_or_a_change_is_no_level():
    rate = analyze("行政应诉的败诉率是多少")
    compared = "与2022年同期的结案101件，撤销4件，败诉率3.96%相比，2023年败诉率下降了2.68%。"
    assert not states_level(rate, compared)  # 2022's figures and a change
    assert states_level(rate, "撤销原行政行为1件，败诉率为1.28％。")
    assert states_level(analyze("2022年行政应诉的败诉率是多少"), compared)  # the base's year asked
    assert states_level(analyze("败诉率比上年下降了多少"), compared)  # a change asked
    assert states_level(rate, "执法案卷合格率提高到95%。")  # a change that arrives at a level


def test_a_count_is_no_period_of_time():
    assert _only_periods("被申请人应当自收到申请书副本之日起十日内提出答复")
    assert not _only_periods("共收到行政复议申请76件，受理73件")
    assert not _only_periods("当事人可以申请调解")  # no figure at all

