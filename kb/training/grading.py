"""Grading quiz answers the way a person writes them, and explaining each with its source.

A cadre who answers 七十六, 76件 or "76 件" to a blank whose source says 76件 is right;
so is 60天 for 六十日 and 江政办[2023]16号 for 江政办〔2023〕16号. Wrong units (60个月 for
六十日) and wrong numbers stay wrong. Every graded answer carries the quoted passage and
its label, so a wrong answer always leads back to what to reread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.text.docnum import keys_compatible, normalize_docnum
from kb.text.figures import parse_figure, unit_class, unit_family
from kb.text.normalize import compact
from kb.text.titles import normalize_title, short_title
from kb.training.quiz import FALSE, KIND_NAMES, TRUE, Question

_TRUE_WORDS = {"正确", "对", "是", "√", "✓", "t", "true", "y", "yes", "1", "真"}
_FALSE_WORDS = {"错误", "错", "否", "不对", "×", "✗", "x", "f", "false", "n", "no", "0", "假"}
_LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Graded:
    question: Question
    given: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class QuizResult:
    items: list[Graded]

    @property
    def score(self) -> int:
        return sum(g.correct for g in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def wrong(self) -> list[Graded]:
        return [g for g in self.items if not g.correct]

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "total": self.total,
            "items": [
                {
                    "qid": g.question.qid,
                    "given": g.given,
                    "correct": g.correct,
                    "answer": g.question.display_answer,
                    "explanation": g.explanation,
                    "citation": g.question.to_dict()["citation"],
                }
                for g in self.items
            ],
        }




def _same_unit(given: str, expected: str) -> bool:
    """No unit, the same unit (日/天), or one of its family (件/起): a person may write any."""
    return (
        not given
        or unit_class(given) == unit_class(expected)
        or bool(unit_family(given) & unit_family(expected))
    )


def numbers_equal(given: str, expected: str, unit: str = "") -> bool:
    """True when `given` is the number `expected` (+ `unit`) in another writing."""
    g = parse_figure(given)
    e = parse_figure(f"{expected}{unit}")
    if g is None or e is None:
        return False
    return abs(g[0] - e[0]) < 1e-9 and _same_unit(g[1], e[1])


def docnums_equal(given: str, expected: str) -> bool:
    a, b = normalize_docnum(given or ""), normalize_docnum(expected or "")
    return bool(a and b) and (a == b or keys_compatible(a, b))


def titles_equal(given: str, expected: str) -> bool:
    a, b = normalize_title(compact(given)), normalize_title(compact(expected))
    return bool(a) and a == b


def _text_equal(given: str, expected: str) -> bool:
    return bool(compact(given)) and compact(given).strip("。.") == compact(expected)


def _option_of(question: Question, given: str) -> str | None:
    """The option a letter (A, b, （C）, 3) names, or None."""
    g = compact(given).strip("()（）.、 ").upper()
    if len(g) == 1 and g in _LETTERS[: len(question.options)]:
        return question.options[_LETTERS.index(g)]
    if g.isdigit() and 1 <= int(g) <= len(question.options) and question.answer_type != "number":
        return question.options[int(g) - 1]
    return None


def _matches(question: Question, given: str, expected: str) -> bool:
    t = question.answer_type
    if t == "number":
        return numbers_equal(given, expected, question.unit)
    if t == "docnum":
        return docnums_equal(given, expected)
    if t == "title":
        return titles_equal(given, expected)
    if t == "truth":
        g = compact(given).lower()
        return (expected == TRUE and g in _TRUE_WORDS) or (expected == FALSE and g in _FALSE_WORDS)
    return _text_equal(given, expected)


def is_correct(question: Question, given: str) -> bool:
    """Whether `given` answers the question: an option letter, the option, or an equivalent."""
    if not (given or "").strip():
        return False
    if question.options:
        chosen = _option_of(question, given)
        if chosen is not None:
            return chosen == question.answer
    return _matches(question, given, question.answer)


def explain(question: Question) -> str:
    """The right answer, the quoted source with its label, and for a false statement the change."""
    c = question.citation
    where = f"《{c.doc_title}》{c.label}" if c.label not in ("", "题注") else f"《{c.doc_title}》"
    lines = [f"正确答案：{question.display_answer}"]
    alt = question.alteration
    if question.answer_type == "truth":
        if alt is not None:
            lines.append(f"题目把原文的“{alt.original}”改成了“{alt.altered}”。")
        else:
            lines.append("题目与原文一致。")
    lines.append(f"出处：{where}：“{c.quote}”")
    return "\n".join(lines)


def grade(question: Question, given: str) -> Graded:
    return Graded(question, given or "", is_correct(question, given or ""), explain(question))


def grade_quiz(questions: Sequence[Question], answers: Sequence[str | None]) -> QuizResult:
    """Grades every question; a missing answer is a wrong one."""
    padded = list(answers) + [None] * (len(questions) - len(answers))
    return QuizResult([grade(q, a or "") for q, a in zip(questions, padded, strict=False)])


def score_line(result: QuizResult) -> str:
    pct = 100 * result.score / result.total if result.total else 0
    return f"得分：{result.score} / {result.total}（{pct:.0f}%）"


def review_lines(result: QuizResult) -> list[str]:
    """What to reread: each missed question's source, once per passage."""
    seen: set[tuple[str, int]] = set()
    out = []
    for g in result.wrong:
        c = g.question.citation
        if (c.doc_id, c.start) in seen:
            continue
        seen.add((c.doc_id, c.start))
        label = "" if c.label in ("", "题注") else c.label
        out.append(f"《{short_title(c.doc_title, keep_note=True)}》{label}（{KIND_NAMES[g.question.kind]}）：{c.quote}")
    return out
