"""`kb eval`: score search and answers on a gold file, overall, per question type, with failures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import print_json
from kb.index import open_index

LABELS = {
    "recall@1": "召回率@1",
    "recall@5": "召回率@5",
    "recall@10": "召回率@10",
    "mrr@10": "MRR@10",
    "lead_accuracy": "首行准确率",
    "answer_accuracy": "答案准确率（要点在全文任意处）",
    "false_refusal_rate": "误拒率（可回答却拒答）",
    "wrong_figure_leads": "首行数字错误（题）",
    "unanswerable_figure_leads": "无答案却首行给数字（题）",
    "citation_validity": "引用有效率",
    "refusal_precision": "拒答精确率",
    "refusal_recall": "拒答召回率",
    "search_ms_p50": "检索耗时 p50 (ms)",
    "search_ms_p95": "检索耗时 p95 (ms)",
    "answer_ms_p50": "问答耗时 p50 (ms)",
    "answer_ms_p95": "问答耗时 p95 (ms)",
}
TYPE_COLUMNS = (
    "n", "recall@1", "recall@5", "mrr@10", "lead_accuracy", "answer_accuracy", "false_refusal_rate",
    "wrong_figure_leads", "citation_validity", "refusal_recall",
)
# Column heads of the tables (the long names are in LABELS and in the JSON).
SHORT = {
    "lead_accuracy": "首行准确", "answer_accuracy": "全文准确", "false_refusal_rate": "误拒率",
    "wrong_figure_leads": "首行错数", "unanswerable_figure_leads": "无答给数", "citation_validity": "引用有效",
    "refusal_recall": "拒答召回", "answer_ms_p50": "问答p50",
}
# The headline figures of issue 12, one row per file when several are scored.
HEADLINE = ("lead_accuracy", "answer_accuracy", "false_refusal_rate", "wrong_figure_leads",
            "refusal_recall", "unanswerable_figure_leads", "answer_ms_p50")


def register(sub: argparse._SubParsersAction) -> None:
    from kb.evaluation import DEFAULT_GOLD

    p = sub.add_parser("eval", help="用标准问答集评测检索、答案、引用与拒答")
    p.add_argument("--gold", type=Path, nargs="+", default=[DEFAULT_GOLD],
                   help="标准问答集 JSONL 文件，可给多个（如 tests/data/*.jsonl），逐个评测并汇总首行指标")
    p.add_argument("--k", type=int, default=5, help="另算召回率@k，并在失败项中列出前 k 条检索结果")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def fmt(value: object, ms: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}" if ms else f"{value:.3f}"
    return str(value)


def print_report(report: dict) -> None:
    overall = report["overall"]
    print(f"标准问答集：{report['gold']}（{overall['n']} 题：可回答 {overall['answerable']}，"
          f"无答案 {overall['unanswerable']}）")
    k = report["k"]
    keys = list(LABELS)
    if f"recall@{k}" not in keys:
        keys.insert(3, f"recall@{k}")
    for key in keys:
        if key in overall:
            print(f"  {LABELS.get(key, '召回率@' + str(k)):<16} {fmt(overall[key], key.endswith('_ms_p50') or key.endswith('_ms_p95'))}")
    print("\n按题型：")
    print("  " + "  ".join(f"{SHORT.get(c, c):>10}" for c in ("题型", *TYPE_COLUMNS)))
    for name, m in report["by_type"].items():
        print("  " + "  ".join(f"{v:>10}" for v in (name, *(fmt(m.get(c)) for c in TYPE_COLUMNS))))
    print(f"\n失败 {len(report['failures'])} 项：")
    for f in report["failures"]:
        asked = " → ".join([*f.get("history", []), f["question"]])
        print(f"- [{f['id']}] {asked}（{f['type']}）：{'；'.join(f['problems'])}")
        if f.get("lead") is not None:
            print(f"    首行：{f['lead'][:120]}")
        for r in f["retrieved"]:
            print(f"    {r['rank']}. 《{r['doc_title']}》{r['label']} {r['text'][:50]}")


def print_headlines(reports: list[dict]) -> None:
    """One row per question set: the strict answer figures side by side."""
    print("\n各问答集首行指标：")
    print("  " + "  ".join(f"{SHORT.get(c, c):>10}" for c in ("问答集", "n", *HEADLINE)))
    for report in reports:
        o = report["overall"]
        cells = (Path(report["gold"]).stem, o["n"], *(fmt(o.get(c), c.endswith("_ms_p50")) for c in HEADLINE))
        print("  " + "  ".join(f"{v:>10}" for v in cells))


def run(args: argparse.Namespace) -> int:
    from kb.evaluation import evaluate_index

    for gold in args.gold:
        if not gold.is_file():
            print(f"找不到标准问答集文件：{gold}", file=sys.stderr)
            return 2
    index = open_index()
    reports = []
    for gold in args.gold:
        try:
            reports.append(evaluate_index(index, gold, k=args.k))
        except (ValueError, TypeError) as err:  # a malformed line: bad JSON or missing fields
            print(f"标准问答集格式有误（{gold}，每行应为含 question、answer_facts、source_contains 的 JSON）：{err}",
                  file=sys.stderr)
            return 2
    if args.json:  # one file: its report, as before; several: a list of reports
        print_json(reports[0] if len(reports) == 1 else reports)
        return 0
    for n, report in enumerate(reports):
        if n:
            print("\n" + "=" * 40 + "\n")
        print_report(report)
    if len(reports) > 1:
        print_headlines(reports)
    return 0
