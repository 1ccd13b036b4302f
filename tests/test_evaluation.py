"""`kb eval` and its scoring give exactly the numbers worked out by hand on tiny gold files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from kb.config import DEFAULT_CORPUS
from kb.evaluation import (
    GoldItem,
    check_citations,
    claim_before,
    facts_present,
    lead_line,
    load_gold,
    percentile,
    run_eval,
    source_texts,
    wrong_figure_lead,
)
from kb.schema import Chunk

REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"
TIAOJIE = "renmin_tiaojie_fa_2010.txt"


def _write_gold(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return source_texts(DEFAULT_CORPUS)


def _cite(texts: dict[str, str], n: int, doc: str, phrase: str, quote: str | None = None) -> dict:
    start = texts[doc].index(phrase)
    return {
        "n": n, "doc_id": doc, "doc_title": "", "label": "", "source": doc,
        "start": start, "end": start + len(phrase), "quote": phrase if quote is None else quote,
    }


def test_cli_eval_retrieval_metrics_match_hand_count(tmp_path, corpus_env, capsys):
    # q1 quotes 第七条 verbatim: rank 1. q2 names a document the corpus lacks: never relevant.
    # By hand: recall@1 = recall@5 = recall@10 = 1/2, MRR@10 = (1 + 0) / 2; refusal items: 1.
    gold = _write_gold(tmp_path / "gold.jsonl", [
        {"id": "q1", "question": "人民调解委员会是依法设立的调解民间纠纷的群众性组织", "type": "body",
         "answer_facts": ["群众性组织"], "source_contains": "调解民间纠纷的群众性组织", "doc": TIAOJIE},
        {"id": "q2", "question": "人民调解委员会是什么组织", "type": "about",
         "answer_facts": ["群众性组织"], "source_contains": "调解民间纠纷的群众性组织", "doc": "missing.txt"},
        {"id": "q3", "question": "柳江区2023年GDP是多少？", "type": "unanswerable",
         "answer_facts": [], "source_contains": None, "doc": None},
    ])
    assert main(["eval", "--gold", str(gold), "--k", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    overall = report["overall"]
    assert (overall["n"], overall["answerable"], overall["unanswerable"]) == (3, 2, 1)
    assert overall["recall@1"] == overall["recall@3"] == overall["recall@10"] == 0.5
    assert overall["mrr@10"] == 0.5
    assert report["by_type"]["body"]["recall@1"] == 1.0
    assert report["by_type"]["about"]["recall@10"] == 0.0
    miss = next(f for f in report["failures"] if f["id"] == "q2")
    assert "检索前10条未命中出处" in miss["problems"]
    assert len(miss["retrieved"]) == 3 and miss["retrieved"][0]["doc_title"]
    assert overall["search_ms_p50"] > 0
    if report["answers"]:  # the real answerer: both easy questions answered, GDP refused, quotes exact
        assert overall["answer_accuracy"] == 1.0
        assert overall["citations"] >= 2 and overall["citation_validity"] == 1.0
        assert overall["refusal_precision"] == overall["refusal_recall"] == 1.0
        assert overall["lead_accuracy"] == 1.0 and overall["false_refusal_rate"] == 0.0
        assert overall["wrong_figure_leads"] == overall["unanswerable_figure_leads"] == 0


def test_cli_eval_text_and_bad_gold(tmp_path, corpus_env, capsys):
    gold = _write_gold(tmp_path / "g.jsonl", [
        {"id": "q1", "question": "人民调解委员会是依法设立的调解民间纠纷的群众性组织", "type": "body",
         "answer_facts": ["群众性组织"], "source_contains": "调解民间纠纷的群众性组织", "doc": TIAOJIE},
    ])
    assert main(["eval", "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "召回率@1" in out and "1.000" in out
    assert "首行准确率" in out and "要点在全文任意处" in out and "误拒率" in out and "首行数字错误" in out
    # Two files: a report each, then one row of headline figures per file.
    other = _write_gold(tmp_path / "other.jsonl", [
        {"id": "u1", "question": "柳江区2023年GDP是多少？", "type": "unanswerable",
         "answer_facts": [], "source_contains": None, "doc": None},
    ])
    assert main(["eval", "--gold", str(gold), str(other)]) == 0
    out = capsys.readouterr().out
    assert out.count("标准问答集：") == 2 and "各问答集首行指标" in out
    rows = out.split("各问答集首行指标")[1].splitlines()
    assert any(line.split()[:2] == ["g", "1"] for line in rows) and any(line.split()[:2] == ["other", "1"] for line in rows)
    assert main(["eval", "--gold", str(tmp_path / "none.jsonl")]) == 2
    assert "找不到标准问答集文件" in capsys.readouterr().err
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    assert main(["eval", "--gold", str(tmp_path / "bad.jsonl")]) == 2
    assert "格式有误" in capsys.readouterr().err


def test_answer_citation_refusal_metrics_match_hand_count(tmp_path, corpus_index, texts):
    gold = _write_gold(tmp_path / "gold.jsonl", [
        {"id": "A", "question": "qa", "type": "figure", "answer_facts": ["76件"],
         "source_contains": "共收到行政复议申请76件", "doc": REPORT},
        {"id": "B", "question": "qb", "type": "figure", "answer_facts": ["99项"],
         "source_contains": "公布容缺受理行政审批事项99项", "doc": REPORT},
        {"id": "C", "question": "qc", "type": "body", "answer_facts": ["群众性组织"],
         "source_contains": "调解民间纠纷的群众性组织", "doc": TIAOJIE},
        {"id": "D", "question": "qd", "type": "unanswerable", "answer_facts": [], "source_contains": None, "doc": None},
        {"id": "E", "question": "qe", "type": "unanswerable", "answer_facts": [], "source_contains": None, "doc": None},
    ])
    items = load_gold(gold)
    chunks = list(corpus_index.current().chunks.values())

    def containing(phrase: str):
        return next(c for c in chunks if phrase in c.text)

    filler = [c for c in chunks if c.doc_id == "xingzheng_chufa_fa_2021.txt"][:10]
    # Retrieval by hand: A at rank 1, B at rank 3, C nowhere in the top 10.
    ranked = {
        "qa": [containing("共收到行政复议申请76件"), *filler[:9]],
        "qb": [filler[0], filler[1], containing("公布容缺受理行政审批事项99项"), *filler[2:9]],
        "qc": filler,
        "qd": filler,
        "qe": filler,
    }
    answers = {
        # A: right fact, quote is the source at its offsets and holds the claim's figure: valid.
        "qa": {"text": "去年共收到行政复议申请76 件[1]。",
               "citations": [_cite(texts, 1, REPORT, "共收到行政复议申请76件")], "refused": False},
        # B: fact missing; the quote is not the text at its offsets: invalid.
        "qb": {"text": "公布了容缺受理事项98项[1]。",
               "citations": [_cite(texts, 1, REPORT, "公布容缺受理行政审批事项99项", quote="公布容缺受理事项98项")],
               "refused": False},
        # C: an answerable question refused (a false refusal).
        "qc": {"text": "知识库中没有找到相关内容。", "citations": [], "refused": True},
        # D: unanswerable and refused (a true refusal).
        "qd": {"text": "知识库中没有找到相关内容。", "citations": [], "refused": True},
        # E: unanswerable but answered; the quote is genuine but lacks 100: unsupported.
        "qe": {"text": "GDP为100亿元[1]。",
               "citations": [_cite(texts, 1, REPORT, "共收到行政复议申请76件")], "refused": False},
    }
    report = run_eval(items, lambda q: ranked[q], lambda q: answers[q], texts, k=5)
    o = report["overall"]
    assert o["recall@1"] == pytest.approx(1 / 3)
    assert o["recall@5"] == o["recall@10"] == pytest.approx(2 / 3)
    assert o["mrr@10"] == pytest.approx((1 + 1 / 3) / 3)
    assert o["answer_accuracy"] == pytest.approx(1 / 3)
    assert o["citations"] == 3
    assert o["citation_quote_ok"] == pytest.approx(2 / 3)
    assert o["citation_supported"] == pytest.approx(2 / 3)
    assert o["citation_validity"] == pytest.approx(1 / 3)
    assert o["refusal_precision"] == 0.5 and o["refusal_recall"] == 0.5
    # Lead line: A's holds 76件; B's states 98项 where 99项 was asked (a wrong-figure lead);
    # C is refused (a false refusal, not a wrong figure); E gives a figure the corpus lacks.
    assert o["lead_accuracy"] == pytest.approx(1 / 3)
    assert o["false_refusal_rate"] == pytest.approx(1 / 3)
    assert o["wrong_figure_leads"] == 1 and o["unanswerable_figure_leads"] == 1
    assert report["by_type"]["figure"]["answer_accuracy"] == 0.5
    assert report["by_type"]["unanswerable"]["refusal_recall"] == 0.5
    assert report["by_type"]["unanswerable"]["answer_accuracy"] is None
    failures = {f["id"]: f["problems"] for f in report["failures"]}
    assert set(failures) == {"B", "C", "E"}
    assert "答案缺少要点：99项" in failures["B"] and "引用[1]的原文与出处不符" in failures["B"]
    assert "首行给出的数字不是所问的：98项" in failures["B"]
    assert failures["C"] == ["检索前10条未命中出处", "可回答的问题被拒答"]
    assert failures["E"] == ["库中无答案却未拒答", "库中无答案却在首行给出数字：100亿元", "引用[1]不支持所述内容：100"]
    assert next(f for f in report["failures"] if f["id"] == "B")["lead"] == "公布了容缺受理事项98项。"


def test_claims_and_facts():
    text = "共收到申请76件[1]，办结率98.5%[2][3]。依据江政办〔2023〕17号，期限为六十日。[4]"
    starts = [text.index(f"[{n}]") for n in range(1, 5)]
    assert claim_before(text, starts[0]) == "共收到申请76件"
    assert claim_before(text, starts[1]) == claim_before(text, starts[2]) == "，办结率98.5%"
    assert claim_before(text, starts[3]) == "依据江政办〔2023〕17号，期限为六十日"
    assert facts_present("共 76\n件", ["76件", "99项"]) == ["99项"]
    source = "按江政办〔2023〕17号，六十日内办结"
    view = {"text": "依据江政办[2023]17号，期限六十日[1]。", "citations": [
        {"n": 1, "doc_id": "x", "start": 0, "end": len(source), "quote": source}]}
    assert check_citations(view, {"x": source}) == [{"n": 1, "quote_ok": True, "supported": True, "missing": []}]
    view["text"] = "依据江政办[2023]18号，期限十五日[1]。"
    assert check_citations(view, {"x": source})[0]["missing"] == ["江政办〔2023〕18号", "十五"]


def test_percentile_interpolates_like_numpy():
    assert percentile([], 50) is None
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([float(i) for i in range(1, 21)], 95) == pytest.approx(19.05)


def test_lead_accuracy_and_wrong_figure_leads_match_hand_count(texts):
    # Five answerable figure questions, two unanswerable; retrieval is not scored here.
    rows = [
        ("L1", "共收到行政复议申请76件[1]。\n原文：……", ["76件"]),  # right lead
        ("L2", "2023年行政复议情况如下[1]。\n共收到行政复议申请76件。", ["76件"]),  # fact below; a year is no figure
        ("L3", "纠错或间接纠错增加16.2%[1]。\n共收到行政复议申请76件。", ["76件"]),  # wrong figure in the lead
        ("L4", "知识库中未找到能够回答该问题的内容。\n共收到行政复议申请76件。", ["76件"]),  # refused
        ("L5", "依照第六十二条作出决定[1]。", ["六十日"]),  # 第N条 states a figure, not the one asked
        ("U1", "全区GDP约为300亿元[1]。", []),  # unanswerable, a figure in the lead
        ("U2", "相关内容见行政复议法[1]。\n其中规定六十日。", []),  # unanswerable, answered, no figure in the lead
    ]
    gold_rows = [
        {"id": i, "question": i, "type": "figure" if i[0] == "L" else "unanswerable", "answer_facts": facts,
         "source_contains": "共收到行政复议申请76件" if i[0] == "L" else None, "doc": REPORT if i[0] == "L" else None}
        for i, _, facts in rows
    ]
    answers = {i: {"text": text, "citations": [], "refused": i == "L4"} for i, text, _ in rows}
    items = [GoldItem(**r) for r in gold_rows]
    report = run_eval(items, lambda q: [], lambda q: answers[q], texts)
    o = report["overall"]
    assert o["answerable"] == 5 and o["unanswerable"] == 2
    assert o["lead_accuracy"] == pytest.approx(1 / 5)  # L1
    assert o["answer_accuracy"] == pytest.approx(3 / 5)  # L1, L2, L3
    assert o["false_refusal_rate"] == pytest.approx(1 / 5)  # L4
    assert o["wrong_figure_leads"] == 2  # L3 (16.2%), L5 (第六十二条)
    assert o["unanswerable_figure_leads"] == 1  # U1
    assert o["refusal_recall"] == 0.0 and o["refusal_precision"] == 0.0
    problems = {f["id"]: f["problems"] for f in report["failures"]}
    assert "首行缺少要点：76件" in problems["L2"] and not any("数字" in p for p in problems["L2"])
    assert "首行给出的数字不是所问的：16.2%" in problems["L3"]
    assert problems["L4"] == ["检索前10条未命中出处", "可回答的问题被拒答"]
    assert "L1" in problems and problems["L1"] == ["检索前10条未命中出处"]  # retrieval found nothing: still listed
    assert "库中无答案却在首行给出数字：300亿元" in problems["U1"]
    assert problems["U2"] == ["库中无答案却未拒答"]
    assert lead_line("共76[1]件[2]。\n第二行") == "共76件。"
    assert wrong_figure_lead("共收到申请52件。", ["76件"]) and not wrong_figure_lead("共收到申请。", ["76件"])
    assert not wrong_figure_lead("2023年共收到申请。", ["76件"])
    assert not wrong_figure_lead("依法设立的群众性组织，共3类。", ["群众性组织"])  # no figure was asked for


def _chunk(texts: dict[str, str], doc: str, phrase: str) -> Chunk:
    start = texts[doc].index(phrase)
    return Chunk(doc, "", "", (), "", phrase, start, start + len(phrase), doc)


def test_follow_up_history_and_two_part_retrieval_match_hand_count(tmp_path, texts):
    gold = _write_gold(tmp_path / "g.jsonl", [
        # A follow-up: the earlier turn goes to the answerer; retrieval gets the question as asked.
        {"id": "f1", "history": ["去年行政复议收到多少件申请？"], "question": "那2022年呢？", "type": "followup",
         "answer_facts": ["52件"], "source_contains": "与2022年同期的收到52件相比", "doc": REPORT},
        # Two parts: only the second part's passage is retrieved (rank 2): a hit at 2.
        {"id": "t1", "question": "复议收到几件？容缺受理公布了几项？", "type": "two_part",
         "answer_facts": ["76件", "99项"], "source_contains": "共收到行政复议申请76件", "doc": REPORT,
         "label": "二、（六）3.", "source_contains_2": "公布容缺受理行政审批事项99项", "label_2": "二、（二）"},
        # Two parts, neither passage retrieved: a miss.
        {"id": "t2", "question": "复议收到几件？又公布了几项？", "type": "two_part",
         "answer_facts": ["76件", "99项"], "source_contains": "共收到行政复议申请76件", "doc": REPORT,
         "source_contains_2": "公布容缺受理行政审批事项99项"},
    ])
    items = load_gold(gold)
    assert items[0].history == ["去年行政复议收到多少件申请？"] and items[1].history == []
    assert items[1].passages == ["共收到行政复议申请76件", "公布容缺受理行政审批事项99项"]
    other = _chunk(texts, TIAOJIE, "调解民间纠纷的群众性组织")
    ranked = {
        "那2022年呢？": [_chunk(texts, REPORT, "与2022年同期的收到52件相比")],
        "复议收到几件？容缺受理公布了几项？": [other, _chunk(texts, REPORT, "公布容缺受理行政审批事项99项")],
        "复议收到几件？又公布了几项？": [other],
    }
    retrieved, asked = [], []

    def retrieve(q: str) -> list[Chunk]:
        retrieved.append(q)
        return ranked[q]

    def answer(q: str, history: list[dict] | None = None) -> dict:
        asked.append((q, history))
        text = "与2022年同期的收到52件相比[1]。" if history else "收到76件，公布99项。"
        return {"text": text, "citations": [], "refused": False}

    report = run_eval(items, retrieve, answer, texts)
    assert retrieved == [i.question for i in items]
    assert asked[0] == ("那2022年呢？", [{"role": "user", "content": "去年行政复议收到多少件申请？"}])
    assert asked[1] == ("复议收到几件？容缺受理公布了几项？", None)
    o = report["overall"]
    assert o["recall@1"] == pytest.approx(1 / 3) and o["recall@5"] == pytest.approx(2 / 3)
    assert o["mrr@10"] == pytest.approx((1 + 1 / 2) / 3)
    assert o["lead_accuracy"] == o["answer_accuracy"] == 1.0
    assert report["by_type"]["two_part"]["recall@5"] == 0.5
    assert [f["id"] for f in report["failures"]] == ["t2"]
    assert report["failures"][0]["problems"] == ["检索前10条未命中出处"]
