"""`kb chat`: a conversation in the terminal. Each question is read with the ones before it
(“那2022年呢？”), answered like `kb ask` with its citations, and 「理解为：…」 shows how a
follow-up was understood. Questions come from the keyboard or from piped stdin, one per
line; an empty line, end of input or Ctrl-C ends the conversation. --json prints one
object per answer, {question, answer, resolved_question, citations, …}.
"""

from __future__ import annotations

import argparse
import sys

from app.commands.ask import print_answer
from app.commands.common import EXIT_BAD_INPUT, Terminated, print_json
from kb.index import open_index
from kb.text.clean import InvalidQuestion

PROMPT = "问："
GREETING = "输入问题后回车；可以接着追问（如“那2022年呢？”）。空行、Ctrl-D 或 Ctrl-C 结束。"
# Turns kept for reading a follow-up: the resolver looks back a few questions only, and a
# long session must not grow without bound.
MAX_TURNS = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="多轮对话（可追问，显示理解后的问题）")
    p.add_argument("--json", action="store_true", help="每个回答输出一行 JSON")
    p.set_defaults(func=run)


def _read(interactive: bool, prompt: str) -> str | None:
    """The next question, or None when the conversation ends (EOF, an empty line)."""
    try:
        line = input(prompt) if interactive else sys.stdin.readline()
    except EOFError:
        return None
    if not interactive and not line:
        return None  # end of piped input
    line = line.strip()
    return line or None


def run(args: argparse.Namespace) -> int:
    from kb.answer import answer_question

    index = open_index()
    interactive = sys.stdin.isatty()
    if interactive and not args.json:
        print(GREETING)
    history: list[dict] = []
    status = 0
    try:
        prompt = "" if args.json else PROMPT  # JSON output stays one object per line
        while (question := _read(interactive, prompt)) is not None:
            try:
                if args.json:
                    answer = answer_question(index, question, history or None)
                    print_json({"question": question, **answer.to_dict()})
                else:
                    answer = print_answer(index, question, history or None)
            except InvalidQuestion as err:
                status = EXIT_BAD_INPUT
                if args.json:
                    print_json({"question": question[:200], "error": str(err)})
                else:
                    print(str(err), file=sys.stderr)
                continue
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.answer},
            ]
            history = history[-2 * MAX_TURNS :]
    except Terminated:
        raise  # not the user ending the conversation: kb reports it
    except KeyboardInterrupt:
        print()
    return status
