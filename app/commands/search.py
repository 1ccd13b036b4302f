"""`kb search`: hybrid search, as text or JSON, one query or a stream from stdin."""

from __future__ import annotations

import argparse

from app.commands.common import print_json, run_each
from kb.index import Index, open_index

FIELDS = ("rank", "score", "doc_title", "doc_number", "label", "text", "source", "validity")  # of service.hit_rows


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="混合检索")
    p.add_argument("query", help="查询内容；- 表示从标准输入逐行读取")
    p.add_argument("-k", type=int, default=5, help="返回条数")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def search_rows(index: Index, query: str, k: int) -> list[dict]:
    """The hits of app.service, with the fields the command prints."""
    from app import service

    return [{f: row[f] for f in FIELDS} for row in service.hit_rows(service.search_hits(index, query, k))]


def run(args: argparse.Namespace) -> int:
    index = open_index()

    def one(query: str) -> None:
        rows = search_rows(index, query, args.k)
        if args.json:
            print_json(rows)
            return
        for r in rows:
            number = f"（{r['doc_number']}）" if r["doc_number"] else ""
            note = f"【{r['validity']}】" if r["validity"] else ""
            print(f"[{r['rank']}] 《{r['doc_title']}》{number}{note} {r['label']}  score={r['score']:.4f}")
            print(f"    {r['text']}\n")

    return run_each(args.query, one, args.json)
