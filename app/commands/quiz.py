"""`kb quiz`: a quiz drawn from the corpus — JSON for tools, or an interactive round in the
terminal that grades as you go and ends with the score and the passages to reread."""

from __future__ import annotations

import argparse
import random
import sys

from app.commands.common import EXIT_BAD_INPUT, print_json
from kb.training.quiz import KIND_NAMES, KINDS, Question


def register(sub: argparse._SubParsersAction) -> None:
    kinds = "，".join(f"{k}={v}" for k, v in KIND_NAMES.items())
    p = sub.add_parser("quiz", help="学习测验：从知识库出题、判分并给出处")
    p.add_argument("--n", type=int, default=10, help="题目数量（默认 10）")
    p.add_argument("--doc", help="只从这份文件出题（标题的一部分或文件名）")
    p.add_argument("--kind", action="append", help=f"题型，可重复或用逗号分隔：{kinds}")
    p.add_argument("--seed", help="随机种子：同一种子出同一套题（默认随机）")
    p.add_argument("--json", action="store_true", help="输出 JSON（不作答）")
    p.add_argument("--stats", action="store_true", help="显示题库统计：各题型候选数与各过滤原因的淘汰数")
    p.set_defaults(func=run)


def _kinds(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [k.strip() for v in values for k in v.replace("，", ",").split(",") if k.strip()]
    bad = [k for k in out if k not in KINDS]
    if bad:
        raise ValueError(f"未知题型：{'、'.join(bad)}。可选：{'、'.join(KINDS)}")
    return out


def _read_answer() -> str | None:
    """One line of stdin; None at end of input (a pipe that ran out ends the quiz)."""
    line = sys.stdin.readline()
    if line == "":
        return None
    if not sys.stdin.isatty():  # piped answers are not echoed: show them so the transcript reads
        print(line.strip())
    return line.strip()


def _show(i: int, total: int, q: Question) -> None:
    print(f"\n第 {i}/{total} 题（{KIND_NAMES[q.kind]}）")
    print(q.prompt)
    for letter, option in zip("ABCD", q.options, strict=False):
        print(f"  {letter}. {option}")
    hint = "请输入选项字母或答案" if q.options else "请输入答案（可带单位）"
    print(f"{hint}：", end="", flush=True)


def _interactive(questions: list[Question]) -> int:
    from kb.training.grading import grade, grade_quiz, review_lines, score_line

    answers: list[str | None] = []
    for i, q in enumerate(questions, start=1):
        _show(i, len(questions), q)
        given = _read_answer()
        if given is None:
            print("\n（输入已结束，其余题目记为未作答。）")
            break
        answers.append(given)
        g = grade(q, given)
        print("✓ 回答正确" if g.correct else "✗ 回答错误")
        print(g.explanation)
    result = grade_quiz(questions, answers)
    unanswered = len(questions) - len(answers)
    print("\n" + score_line(result) + (f"，未作答 {unanswered} 题" if unanswered else ""))
    review = review_lines(result)
    if review:
        print("需要复习的原文：")
        for line in review:
            print(f"  · {line}")
    else:
        print("全部答对，没有需要复习的原文。")
    return 0


def _print_stats(stats: dict) -> None:
    from kb.training.quiz import REJECT_REASONS

    print("题型\t候选\t通过")
    for k in KINDS:
        print(f"{KIND_NAMES[k]}\t{stats['candidates'][k]}\t{stats['accepted'][k]}")
    print("淘汰原因\t数量")
    for r, n in stats["rejected"].items():
        print(f"{REJECT_REASONS[r]}\t{n}")
    d = stats["disambiguated"]
    print(f"另有 {d['year']} 题补充了年份、{d['item']} 题补充了条目以区分同名指标。")


def run(args: argparse.Namespace) -> int:
    from kb.index import open_index
    from kb.training.quiz import documents, generate_quiz, pool_for, quiz_stats

    try:
        kinds = _kinds(args.kind)
    except ValueError as err:
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.n < 1:
        print("题目数量至少为 1。", file=sys.stderr)
        return EXIT_BAD_INPUT
    pool = pool_for(open_index().current())
    if args.stats:
        stats = quiz_stats(pool)
        if args.json:
            print_json(stats)
        else:
            _print_stats(stats)
        return 0
    seed = args.seed if args.seed is not None else str(random.randrange(10**6))
    questions = generate_quiz(pool, n=args.n, seed=seed, doc=args.doc, kinds=kinds)
    if not questions:
        where = f"与“{args.doc}”匹配的文件" if args.doc else "知识库"
        print(f"{where}中没有可出的题目。可选文件：{'、'.join(documents(pool))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print_json({"seed": seed, "count": len(questions), "questions": [q.to_dict() for q in questions]})
        return 0
    if len(questions) < args.n:
        print(f"只找到 {len(questions)} 道符合条件的题目。")
    print(f"学习测验：共 {len(questions)} 题（随机种子 {seed}，用 --seed {seed} 可重做同一套题）")
    return _interactive(questions)
