"""`kb ask`: a short answer with numbered citations, or a plain refusal.

Text mode streams the answer as it is produced, then lists the citations; --json prints
{answer, resolved_question, citations, refused, backend, related, notice} on one line.
`kb ask --json -` reads stdin line by line: a plain line is a question on its own, a JSON
line {"question": ..., "history": [...]} carries the conversation before it (history: the
earlier user questions as strings, or {"role", "content"} messages). A bad line gets an
error object and the next lines are answered.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.commands.common import EXIT_BAD_INPUT, print_json, queries
from kb.index import Index, open_index
from kb.text.clean import InvalidQuestion

ROLES = ("user", "assistant")
ERROR_JSON_LINE = "这一行不是有效的 JSON：{}"
ERROR_REQUEST = "JSON 行应为 {{\"question\": \"问题\", \"history\": [...]}}：{}"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="提问（带引用的回答）")
    p.add_argument(
        "question",
        help='问题；- 表示从标准输入逐行读取（每行一个问题，或 {"question": …, "history": […]} 形式的 JSON）',
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def parse_request(line: str) -> tuple[str, list[dict]]:
    """(question, history) of one stdin line: a plain question, or a JSON object with
    "question" and an optional "history". Raises InvalidQuestion saying what is wrong."""
    text = line.strip()
    if not text.startswith("{"):  # no question opens with a brace: such a line is meant as JSON
        return line, []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidQuestion(ERROR_JSON_LINE.format(err.msg)) from None
    question = data.get("question") if isinstance(data, dict) else None
    if not isinstance(question, str):
        raise InvalidQuestion(ERROR_REQUEST.format("缺少字符串 question"))
    return question, history_turns(data.get("history"))


def history_turns(value: object) -> list[dict]:
    """Earlier turns as chat messages: a string is a user question, a {"role", "content"}
    dict is kept as it is. Raises InvalidQuestion for anything else."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidQuestion(ERROR_REQUEST.format("history 应为列表"))
    turns: list[dict] = []
    for item in value:
        if isinstance(item, str):
            turns.append({"role": "user", "content": item})
        elif isinstance(item, dict) and item.get("role") in ROLES and isinstance(item.get("content"), str):
            turns.append({"role": item["role"], "content": item["content"]})
        else:
            raise InvalidQuestion(
                ERROR_REQUEST.format('history 的每一项应为字符串或 {"role": "user", "content": "…"}')
            )
    return turns


def print_citations(answer) -> None:
    for c in answer.citations:
        number = f"（{c.doc_number}）" if c.doc_number else ""
        number += f"【{c.validity}】" if c.validity else ""
        print(f"[{c.n}] 《{c.doc_title}》{number}{c.label}  {c.source}:{c.start}-{c.end}")
        print(f"    “{c.quote.strip()}”")
    if answer.related:
        print("可能相关（未必回答了该问题）：")
        for c in answer.related:
            note = f"【{c.validity}】" if c.validity else ""
            print(f"  - 《{c.doc_title}》{note}{c.label}：{c.quote.strip()[:80]}")


def print_answer(index: Index, question: str, history: list[dict] | None = None):
    """Print one answer, then its citations; 「理解为：…」 first when the question was read
    against the conversation. With a language model the extractive answer is printed at
    once and the generated one below it only once it has passed its check: a terminal
    sees a one-line progress note meanwhile, erased again, so nothing withdrawn stays on
    screen. Returns the final Answer."""
    from kb.answer import Answer, iter_answer, understand

    gen = index.current()
    understood = understand(question, history, gen.profile, gen)
    if understood.resolved:
        print(f"理解为：{understood.question}")
    live = sys.stdout.isatty()
    streamed: list[str] = []
    shown: Answer | None = None  # the extractive answer printed while the model writes
    final: Answer | None = None
    for item in iter_answer(index, question, history):
        if isinstance(item, Answer) and item.pending:
            shown = item
            _print_body(item)
            _progress(live, 0)
        elif isinstance(item, Answer):
            final = item
        elif shown is not None:  # a checked sentence of the generated answer
            streamed.append(item)
            _progress(live, len(streamed))
        else:
            sys.stdout.write(item)
            sys.stdout.flush()
    assert final is not None
    if shown is None:
        print(f"\n{final.notice}" if final.notice else "", end="")
        print("\n")
        print_citations(final)
        print()
        return final
    _progress(live, None)
    if final.backend != shown.backend:  # the generated answer passed: it replaces the one above
        print(GENERATED_HEADER)
        _print_body(final)
    elif final.notice:
        print(f"{final.notice}\n")
    return final


GENERATED_HEADER = "语言模型的回答（已逐句核验，取代上面的摘录式回答）："
PROGRESS = "（语言模型作答中，已核验{n}句……）"


def _print_body(answer) -> None:
    """An answer with its notice and citations, then a blank line."""
    print(answer.answer)
    if answer.notice:
        print(answer.notice)
    print()
    print_citations(answer)
    print()


def _progress(live: bool, n: int | None) -> None:
    """The one-line progress note of a terminal, rewritten in place; erased when n is None."""
    if not live:
        return
    sys.stdout.write("\r\033[K" + ("" if n is None else PROGRESS.format(n=n)))
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    from kb.answer import answer_question

    index = open_index()
    status = 0
    for line in queries(args.question):
        try:
            question, history = parse_request(line) if args.question == "-" else (line, [])
            if args.json:
                print_json(answer_question(index, question, history or None).to_dict())
            else:
                print_answer(index, question, history or None)
        except InvalidQuestion as err:
            status = EXIT_BAD_INPUT
            if args.json:
                print_json({"error": str(err)})
            else:
                print(str(err), file=sys.stderr)
    return status
