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
    "answer_accuracy": "答案准确率",
    "citation_validity": "引用有效率",
    "refusal_precision": "拒答精确率",
    "refusal_recall": "拒答召回率",
    "search_ms_p50": "检索耗时 p50 (ms)",
    "search_ms_p95": "检索耗时 p95 (ms)",
    "answer_ms_p50": "问答耗时 p50 (ms)",
    "answer_ms_p95": "问答耗时 p95 (ms)",
}
TYPE_COLUMNS = ("n", "recall@1", "recall@5", "mrr@10", "answer_accuracy", "citation_validity", "refusal_recall")


def register(sub: argparse._SubParsersAction) -> None:
    from kb.evaluation import DEFAULT_GOLD

    p = sub.add_parser("eval", help="用标准问答集评测检索、答案、引用与拒答")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="标准问答集 JSONL 文件")
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
    print("  " + "  ".join(f"{c:>10}" for c in ("题型", *TYPE_COLUMNS)))
    for name, m in report["by_type"].items():
        print("  " + "  ".join(f"{v:>10}" for v in (name, *(fmt(m.get(c)) for c in TYPE_COLUMNS))))
    print(f"\n失败 {len(report['failures'])} 项：")
    for f in report["failures"]:
        print(f"- [{f['id']}] {f['question']}（{f['type']}）：{'；'.join(f['problems'])}")
        if f.get("answer"):
            print(f"    答：{f['answer'][:120]}")
        for r in f["retrieved"]:
            print(f"    {r['rank']}. 《{r['doc_title']}》{r['label']} {r['text'][:50]}")


def run(args: argparse.Namespace) -> int:
    from kb.evaluation import evaluate_index

    if not args.gold.is_file():
        print(f"找不到标准问答集文件：{args.gold}", file=sys.stderr)
        return 2
    try:
        report = evaluate_index(open_index(), args.gold, k=args.k)
    except (ValueError, TypeError) as err:  # a malformed line: bad JSON or missing fields
        print(f"标准问答集格式有误（每行应为含 question、answer_facts、source_contains 的 JSON）：{err}", file=sys.stderr)
        return 2
    if args.json:
        print_json(report)
    else:
        print_report(report)
    return 0
