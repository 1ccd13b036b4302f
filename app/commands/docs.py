"""`kb docs`: the 文号 registry, whole or looked up by number, title or measure."""

from __future__ import annotations

import argparse

from app.commands.common import print_json
from kb.index import open_index
from kb.registry import RegistryEntry


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="文号登记表：列出或按文号、标题、措施查询")
    p.add_argument("query", nargs="?", help="文号、标题或措施（留空则列出全部）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def _line(entry: RegistryEntry) -> str:
    number = entry.doc_number or "（无文号）"
    where = "全文在库" if entry.in_corpus else "全文不在库"
    return f"《{entry.title}》 {number}  {where}  被引用 {entry.cited_count} 次"


def run(args: argparse.Namespace) -> int:
    registry = open_index().current().registry
    if args.query:
        found = registry.lookup(args.query)
        if args.json:
            print_json([{**e.to_dict(), "score": round(s, 4)} for e, s in found])
            return 0
        if not found:
            print(f"登记表中未找到与“{args.query}”相关的文件。")
        for entry, _ in found:
            print(_line(entry))
            for c in entry.citations:
                print(f"    引用处：《{c.doc_title}》{c.label}  {c.sentence}")
        return 0
    entries = list(registry)
    if args.json:
        print_json([e.to_dict() for e in entries])
        return 0
    for entry in entries:
        print(_line(entry))
    s = registry.summary()
    print(f"共 {s['entries']} 个文件，{s['with_number']} 个有文号，{s['in_corpus']} 个全文在库。")
    return 0
