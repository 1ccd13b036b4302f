"""`kb ask`: a short answer with numbered citations, or a plain refusal.

Text mode streams the answer as it is produced, then lists the citations; --json prints
{answer, citations, refused, backend, related, notice} on one line. `kb ask --json -`
reads one question per line from stdin, each a fresh conversation.
"""

from __future__ import annotations

import argparse
import sys

from app.commands.common import print_json, run_each
from kb.index import open_index


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="提问（带引用的回答）")
    p.add_argument("question", help="问题；- 表示从标准输入逐行读取（每行一个独立问题）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def _print_citations(answer) -> None:
    for c in answer.citations:
        number = f"（{c.doc_number}）" if c.doc_number else ""
        print(f"[{c.n}] 《{c.doc_title}》{number}{c.label}  {c.source}:{c.start}-{c.end}")
        print(f"    “{c.quote.strip()}”")
    if answer.related:
        print("可能相关（未必回答了该问题）：")
        for c in answer.related:
            print(f"  - 《{c.doc_title}》{c.label}：{c.quote.strip()[:80]}")


def run(args: argparse.Namespace) -> int:
    from kb.answer import Answer, answer_question, iter_answer

    index = open_index()

    def one(question: str) -> None:
        if args.json:
            print_json(answer_question(index, question).to_dict())
            return
        streamed = []
        final: Answer | None = None
        for item in iter_answer(index, question):
            if isinstance(item, Answer):
                final = item
            else:
                streamed.append(item)
                sys.stdout.write(item)
                sys.stdout.flush()
        assert final is not None
        if "".join(streamed).strip() != final.answer.strip():  # a generated answer was withdrawn
            print(f"\n\n{final.notice}\n{final.answer}")
        elif final.notice:
            print(f"\n{final.notice}", end="")
        print("\n")
        _print_citations(final)
        print()

    return run_each(args.question, one, args.json)
