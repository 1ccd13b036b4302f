"""Follow-ups rewritten into standalone questions (kb.answer.followup), and the pipeline
answering the rewritten question and reporting it as `resolved_question`.

The conversations are written from the report and the gold questions' wording, not taken
from a question set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.answer import answer_question
from kb.answer.cooccurrence import chooser
from kb.answer.followup import COMPARE, STANDALONE, SUBJECT, TOPIC, YEAR, resolve

YEAR_OF_REPORT = 2023


@pytest.mark.parametrize(
    ("previous", "question", "kind", "resolved"),
    [
        # topic switch: the term sharing characters with the new one is replaced
        ("去年跨省通办一共办了多少件业务", "那全城通办呢？", TOPIC, "去年全城通办一共办了多少件业务"),
        # …with the old thing's act next to it: no law 申请行政诉讼 (fresh_c, d, e, g)
        ("申请行政复议的期限是多久？", "那行政诉讼呢", TOPIC, "行政诉讼的期限是多久"),
        ("行政复议申请期限是多久", "那行政诉讼呢？", TOPIC, "行政诉讼期限是多久"),
        ("行政诉讼直接起诉的时限有多长", "那行政复议呢", TOPIC, "行政复议的时限有多长"),  # adverb + verb + 的
        ("区级特邀行政执法监督员聘了多少人", "镇级的呢", TOPIC, "镇级特邀行政执法监督员聘了多少人"),
        # topic switch with nothing in common: what is counted changes, not who counts
        ("检察院民事检察监督案件办了多少", "那刑事的呢", TOPIC, "检察院刑事检察监督案件办了多少"),
        ("检察院办了多少民事检察监督案件", "那行政的呢", TOPIC, "检察院办了多少行政检察监督案件"),
        # …nor the act asked after the ask word; a compound keeps its first word (sets D, L)
        ("行政处罚立案后多长时间要作出决定", "那复议呢", TOPIC, "行政复议立案后多长时间要作出决定"),
        # the topic's head is in the question already: only its first word switches
        ("行政处罚立案后多久得作出决定", "那复议决定呢", TOPIC, "行政复议立案后多久得作出决定"),
        # another measure of the same thing replaces the ask (sets E and K)
        ("2023年全区调处了多少起民间纠纷", "那成功率呢", TOPIC, "2023年全区调处了民间纠纷成功率是多少"),
        # the subject keeps a verb that names it (复议); only the act before the ask goes (set I)
        ("2023年复议审结了多少件案件", "其中维持的有几件", SUBJECT, "2023年复议中维持的有几件"),
        # year switch: the year is replaced, or put in front when there was none
        ("2022年行政应诉的败诉率是多少", "那2023年呢", YEAR, "2023年行政应诉的败诉率是多少"),
        ("区门户网站去年发了多少条信息？", "那2022年呢？", YEAR, "区门户网站2022年发了多少条信息"),
        ("全区一共调处了多少起民间纠纷", "2022年呢", YEAR, "2022年全区一共调处了多少起民间纠纷"),
        ("23年公证处办了多少件公证", "那22年呢", YEAR, "2022年公证处办了多少件公证"),  # two-digit years
        # the year before the previous turn's: counted from that turn, not from the report's year
        ("区门户网站去年发了多少条信息？", "那前一年呢", YEAR, "区门户网站2022年发了多少条信息"),
        ("2022年行政应诉的败诉率是多少", "上一年呢", YEAR, "2021年行政应诉的败诉率是多少"),
        # a year with 同期 and a bare ask is still only a year
        ("2023年全区调解成功了多少起纠纷", "2022年同期有多少", YEAR, "2022年全区调解成功了多少起纠纷"),
        # nothing in common: the word of the follow-up's kind (a noun) is replaced, not 当场
        ("对个人当场罚款最多罚多少", "那单位呢", TOPIC, "对单位当场罚款最多罚多少"),
        # a term after the ask word, and one verb is a kind of work, not a situation
        ("检察院办了多少件民事检察监督案件", "那刑事执行监督呢", TOPIC, "检察院办了多少件刑事执行监督案件"),
        # a new action replaces the one after the ask word (多少天内可以…)
        (
            "对处罚决定不服 多少天内可以申请复议",
            "那直接向法院起诉呢",
            TOPIC,
            "对处罚决定不服 多少天内可以直接向法院起诉",
        ),
        # topic and year at once
        ("去年行政复议收到多少件申请？", "那2022年行政诉讼呢", TOPIC, "2022年行政诉讼收到多少件申请"),
        # comparison: the year before the one asked about
        ("去年全年合法性审核的文件一共多少件", "和上年比呢", COMPARE, "2022年全年合法性审核的文件一共多少件"),
        ("2023年行政复议纠错了多少件", "比上年呢", COMPARE, "2022年行政复议纠错了多少件"),
        # its own question about the previous subject
        ("去年行政复议收到了多少件申请？", "其中撤销了几件", SUBJECT, "去年行政复议中撤销了几件"),
        ("去年行政复议收到多少件申请？", "那撤销了多少件？", SUBJECT, "去年行政复议撤销了多少件"),
        ("市场监管双随机一共抽查了多少户？", "里面有问题的几户", SUBJECT, "市场监管双随机中有问题的几户"),
    ],
)
def test_follow_up_is_rewritten(previous, question, kind, resolved):
    r = resolve(question, previous, YEAR_OF_REPORT)
    assert (r.kind, r.question) == (kind, resolved)
    assert r.resolved


@pytest.mark.parametrize(
    ("previous", "question"),
    [
        ("去年行政复议收到了多少件申请？", "申请行政复议的期限是多久？"),
        ("容缺受理一共公布了多少项", "人民调解委员会由哪些人组成？"),
        ("去年行政复议收到了多少件申请？", "江政办2023年17号是什么文件"),
        ("去年行政复议收到了多少件申请？", "那申请行政复议的期限是多久？"),  # 那, but its own topic
        ("公证去年办了多少件", "业务收费一共多少钱"),
        ("", "那2022年呢？"),  # nothing to lean on: asked as typed
    ],
)
def test_standalone_question_passes_through(previous, question):
    r = resolve(question, previous, YEAR_OF_REPORT)
    assert (r.kind, r.question) == (STANDALONE, question)
    assert not r.resolved


def test_comparison_without_a_known_year_still_names_the_subject():
    r = resolve("和上年比呢", "去年行政复议收到多少件申请？", None)
    assert r.kind == COMPARE and r.question.startswith("去年行政复议") and "上年" in r.question


TEXT = st.text(max_size=60) | st.sampled_from(["那", "呢", "其中", "2022年", "和上年比呢", "去年", "？", ""])


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.one_of(st.none(), st.integers(1900, 2100)))
def test_resolver_is_total(question, previous, year):
    r = resolve(question, previous, year)
    assert isinstance(r.question, str)
    if not r.resolved:
        assert r.question == question.strip()


def _user(*turns: str) -> list[dict]:
    return [{"role": "user", "content": t} for t in turns]


def test_pipeline_answers_the_resolved_question(tiny_index):
    """On the tiny corpus (it holds 二、（六）3., the 行政复议 figures)."""
    first = "2023年行政复议收到多少件申请？"
    a1 = answer_question(tiny_index, first)
    assert a1.resolved_question == first and a1.to_dict()["resolved_question"] == first
    a2 = answer_question(tiny_index, "那2022年呢？", _user(first))
    assert a2.question == "那2022年呢？"
    assert a2.resolved_question == "2022年行政复议收到多少件申请"
    assert a2.to_dict()["resolved_question"] == a2.resolved_question
    assert not a2.refused and "52件" in a2.answer.split("\n")[0]


def test_pipeline_resolves_a_chain_of_follow_ups(tiny_index):
    history = _user("2023年行政复议收到多少件申请？", "那撤销了多少件？")
    a = answer_question(tiny_index, "那2022年呢？", history)
    assert a.resolved_question == "2022年行政复议撤销了多少件"


def test_pipeline_leaves_a_standalone_question_alone(tiny_index):
    q = "人民调解委员会由哪些人组成？"
    a = answer_question(tiny_index, q, _user("2023年行政复议收到多少件申请？"))
    assert a.resolved_question == q == a.question


def test_consecutive_standalone_questions_are_not_rewritten():
    """The gold questions stand alone: read each after the one before it, none is taken for
    a follow-up (a wrong rewrite would answer another question than the one asked)."""
    path = Path(__file__).parent / "data" / "gold.jsonl"
    questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    rewritten = [
        (p, q, r.question) for p, q in zip(questions, questions[1:], strict=False) if (r := resolve(q, p, 2023)).resolved
    ]
    assert rewritten == []


def test_comparison_follow_up_leads_with_last_year_and_the_change(corpus_index):
    """“跟前一年相比呢” reads as the year before; the report states it as 与2022年同期…相比，
    2023年…增加…%, and the lead is that whole comparison, not the dangling 与…相比 clause."""
    a = answer_question(corpus_index, "跟前一年相比呢", _user("2023年行政复议共收到多少件申请"))
    assert a.resolved_question == "2022年行政复议共收到多少件申请"
    lead = a.answer.split("\n")[0]
    assert not a.refused and "52件" in lead and "46.2%" in lead


def test_another_action_takes_the_question_asked(corpus_index):
    """A follow-up naming another action (going to court instead of 复议) keeps the ask."""
    a = answer_question(corpus_index, "那直接向法院起诉呢", _user("对处罚决定不服 多少天内可以申请复议"))
    assert a.resolved_question == "对处罚决定不服 多少天内可以直接向法院起诉"
    assert not a.refused and "六个月" in a.answer.split("\n")[0]


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a kind of the old thing named by what qualifies it, ending in 的: the old qualifier
        # (all of it, not its last word) goes, the thing it qualifies stays (sets N and O)
        ("区里自行梳理的信访积案有几件", "那中央交办的呢", "中央交办的信访积案有几件"),
        # …and a pointer word after the 的 stands for that thing (那些, 这个)
        ("中央交办的信访积案化解了多少", "那自行梳理出来的那些呢", "自行梳理出来的信访积案化解了多少"),
        ("2023年中央交办的信访积案有几件", "自己梳理的这些呢", "2023年自己梳理的信访积案有几件"),
    ],
)
def test_a_qualifier_replaces_the_old_qualifier(previous, question, resolved):
    r = resolve(question, previous, YEAR_OF_REPORT)
    assert (r.kind, r.question) == (TOPIC, resolved)


def test_a_topic_switch_offers_the_wider_spans_holding_the_replaced_one():
    """The structural rewrite replaces one word; the alternatives replace longer runs around
    it, never a run without it (that would keep the old thing), nor the ask."""
    r = resolve("那行政复议呢", "调委会调解民间纠纷收不收费", YEAR_OF_REPORT)
    assert r.question == "行政复议调解民间纠纷收不收费" and r.topic == "行政复议"
    assert "行政复议纠纷收不收费" in r.alternatives  # 纠纷, what the fee is asked of, stays
    assert all("收不收费" in a for a in r.alternatives)
    assert not any(a.startswith("调委会") for a in r.alternatives)
    # a chooser picks among them; without one the structural rewrite stands
    picked = resolve(
        "那行政复议呢", "调委会调解民间纠纷收不收费", YEAR_OF_REPORT, lambda texts, _topic: texts.index("行政复议纠纷收不收费")
    )
    assert picked.question == "行政复议纠纷收不收费" and picked.kind == TOPIC


def test_the_corpus_decides_how_much_of_the_old_question_goes(corpus_index):
    """No passage names 行政复议 with 民间纠纷: the rewrite that keeps it is not asked, and the
    answer is 行政复议法's own rule on fees, not 人民调解法's (set O asked this; set D the same
    of 人民调解委员会)."""
    a = answer_question(corpus_index, "那行政复议呢", _user("人民调解委员会调解民间纠纷收不收费"))
    assert "民间纠纷" not in a.resolved_question and "人民调解" not in a.resolved_question
    assert a.resolved_question.startswith("行政复议")
    assert not a.refused and "不得向申请人收取任何费用" in a.answer.split("\n")[0]


def test_a_rewrite_the_corpus_supports_stands(corpus_index):
    """区级 and 镇级 share the report's sentence, and so does the rest of the question: the
    structural rewrite is kept, not one that drops words a passage holds."""
    gen = corpus_index.current()
    choose = chooser(gen)
    r = resolve("那镇级的呢", "区级特邀行政执法监督员聘了多少人", YEAR_OF_REPORT, choose)
    assert r.question == "镇级特邀行政执法监督员聘了多少人"
    texts = ["行政复议调解民间纠纷收不收费", "行政复议民间纠纷收不收费", "行政复议收不收费"]
    assert choose(texts, "行政复议") != 0
    assert choose(texts, "某个语料里没有的东西") == 0  # no evidence: the structural rewrite


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # the thing, 呢, then words that narrow it: they belong to the thing (set N)
        ("申请行政复议的期限是多久", "那行政诉讼呢，直接起诉的", "行政诉讼直接起诉的期限是多久"),
        # …then a yes-or-no ask in other words: the previous question's ask stands (set D)
        ("人民调解委员会调解收费吗", "那行政复议呢？收不收钱", "人民调解委员行政复议调解收费吗"),
        # …then a count ask of its own: read as before, the old subject in front (set I)
        ("2023年复议审结的案件里撤销了几件", "那维持呢 有几件", "2023年复议审结的案件维持呢 有几件"),
    ],
)
def test_a_thing_followed_by_more_words(previous, question, resolved):
    assert resolve(question, previous, YEAR_OF_REPORT).question == resolved


def test_the_word_asked_about_stays_in_every_alternative():
    """收费 of 调解收费吗 is what the question asks about: a wider rewrite replaces the old
    thing's words before it, never it."""
    r = resolve("那申请行政复议呢 要钱不", "人民调解委员会调解民间纠纷收费吗", YEAR_OF_REPORT)
    assert r.topic == "申请行政复议" and r.alternatives
    assert all(a.endswith("收费吗") for a in (r.question, *r.alternatives))


@pytest.mark.parametrize(
    ("previous", "question", "expected"),
    [
        ("人民调解委员会调解民间纠纷收费吗", "那申请行政复议呢 要钱不", "不得向申请人收取任何费用"),
        ("申请行政复议的期限是多久", "那行政诉讼呢，直接起诉的", "六个月"),
    ],
)
def test_a_thing_followed_by_more_words_is_answered(corpus_index, previous, question, expected):
    a = answer_question(corpus_index, question, _user(previous))
    assert a.resolved_question != question
    assert not a.refused and expected in a.answer.split("\n")[0]
