"""The 学习测验 tab: a quiz drawn from the corpus, graded on submit, with the cited passage
for every wrong answer and a button to retry the missed ones.

The page has a fixed number of question slots, shown or hidden per quiz, so the events
have fixed inputs and outputs and gradio_client can drive them by name:

- /quiz_start(doc, n, kinds, seed): draw a quiz; returns the slot contents
- /quiz_submit(answer_1 … answer_20 (options), text_1 … text_20 (blanks)): grade; returns the score
- /quiz_retry(): load the questions missed in the last submission
"""

from __future__ import annotations

import random
import re

import gradio as gr

from app import service
from kb.index import EmptyIndexError, Index
from kb.text.titles import short_title
from kb.training.grading import score_line
from kb.training.quiz import BLANK, KIND_NAMES, KINDS, Question

MAX_QUESTIONS = 20
ALL_DOCS = "全部文件"
_LETTERS = "ABCDEFGH"
TOAST_TITLE = "提示"  # gradio 6.31 still shows its type ("Error"): app/kb.js puts it into Chinese
# Right and wrong in words and colour (render.CSS): an emoji alone is a box without an emoji font.
RIGHT = '<span class="kb-right">正确</span>'
WRONG = '<span class="kb-wrong">错误</span>'

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Corpus text as Markdown literal text (a 《…》 title or a + must not turn into markup)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _question_md(i: int, q: Question) -> str:
    prompt = _md(q.prompt.replace(BLANK, "\x00")).replace("\x00", "＿＿＿＿")
    return f"**第 {i} 题**（{KIND_NAMES[q.kind]}）\n\n{prompt}"


def _doc_titles(index: Index) -> list[str]:
    return service.quiz_documents(index)


def _slots(questions: list[Question]) -> list:
    """Updates for every slot: group visibility, question text, options, blank box."""
    groups, texts, radios, boxes = [], [], [], []
    for i in range(MAX_QUESTIONS):
        if i < len(questions):
            q = questions[i]
            groups.append(gr.update(visible=True))
            texts.append(_question_md(i + 1, q))
            if q.options:
                choices = [(f"{_LETTERS[j]}. {o}", o) for j, o in enumerate(q.options)]
                radios.append(gr.update(choices=choices, value=None, visible=True))
                boxes.append(gr.update(value="", visible=False))
            else:
                radios.append(gr.update(choices=[], value=None, visible=False))
                hint = f"填写数字（单位：{q.unit}）" if q.unit else "填写答案"
                boxes.append(gr.update(value="", visible=True, placeholder=hint))
        else:
            groups.append(gr.update(visible=False))
            texts.append("")
            radios.append(gr.update(choices=[], value=None, visible=False))
            boxes.append(gr.update(value="", visible=False))
    return [*groups, *texts, *radios, *boxes]


def _result_md(result) -> str:
    lines = [f"### {score_line(result)}", ""]
    for i, g in enumerate(result.items, start=1):
        q = g.question
        given = g.given or "（未作答）"
        if g.correct:
            lines.append(f"- {RIGHT} 第 {i} 题：{_md(given)}")
            continue
        c = q.citation
        label = "" if c.label in ("", "题注") else c.label
        lines.append(f"- {WRONG} 第 {i} 题：你的答案 {_md(given)}；正确答案 **{_md(q.display_answer)}**")
        if q.alteration is not None:
            lines.append(f"  - 题目把原文的“{_md(q.alteration.original)}”改成了“{_md(q.alteration.altered)}”")
        lines.append(f"  - 出处：《{_md(short_title(c.doc_title, keep_note=True))}》{_md(label)}")
        lines.append(f"  > {_md(c.quote)}")
    if not result.wrong:
        lines.append("\n全部答对！")
    return "\n".join(lines)


def build_quiz_tab(index: Index) -> None:
    """The 学习测验 tab, inside the caller's gr.Blocks."""
    with gr.Tab("学习测验", id="quiz"):
        gr.Markdown(
            "从知识库原文出题：数字填空、单项选择、法条期限与机关、文号与标题、判断正误。提交后判分，答错的题给出原文出处。"
        )
        with gr.Row():
            doc = gr.Dropdown(
                choices=[ALL_DOCS, *_doc_titles(index)], value=ALL_DOCS, label="出题范围", scale=3
            )
            n = gr.Slider(1, MAX_QUESTIONS, value=10, step=1, label="题目数量", scale=2)
            seed = gr.Textbox(label="随机种子（留空则随机）", scale=1)
        kinds = gr.CheckboxGroup(choices=[(KIND_NAMES[k], k) for k in KINDS], value=list(KINDS), label="题型")
        start = gr.Button("开始测验", variant="primary")
        status = gr.Markdown()
        state = gr.State({})
        groups, texts, radios, boxes = [], [], [], []
        for i in range(1, MAX_QUESTIONS + 1):
            with gr.Group(visible=False) as group:
                texts.append(gr.Markdown())
                radios.append(gr.Radio(choices=[], label="选择答案", visible=False, elem_id=f"kb-quiz-choice-{i}"))
                boxes.append(gr.Textbox(label="填写答案", visible=False, elem_id=f"kb-quiz-blank-{i}"))
            groups.append(group)
        submit = gr.Button("提交答卷", variant="primary", interactive=False)  # live once a quiz starts
        result = gr.Markdown()
        retry = gr.Button("重做错题", visible=False)
        slot_outputs = [*groups, *texts, *radios, *boxes]
        load_outputs = [state, status, *slot_outputs, result, retry, submit]
        submit_outputs = [state, result, retry]

        def load(questions: list[Question], heading: str) -> list:
            st = {"questions": [q.to_dict() for q in questions], "missed": []}
            return [st, heading, *_slots(questions), "", gr.update(visible=False), gr.update(interactive=True)]

        def on_start(doc_title: str, size: float, kind_list: list[str] | None, seed_text: str) -> list:
            seed_value = (seed_text or "").strip() or str(random.randrange(10**6))
            doc_filter = None if not doc_title or doc_title == ALL_DOCS else doc_title
            try:
                questions = service.quiz_start(index, int(size), seed_value, doc_filter, kind_list)
            except EmptyIndexError as err:
                raise gr.Error(str(err), title=TOAST_TITLE) from err
            if not questions:
                raise gr.Error("所选范围和题型中没有可出的题目，请换一个文件或题型。", title=TOAST_TITLE)
            where = "全部文件" if doc_filter is None else f"《{short_title(doc_filter, keep_note=True)}》"
            heading = f"共 {len(questions)} 题（{where}，随机种子 {seed_value}）。作答后点“提交答卷”。"
            return load(questions, heading)

        def on_submit(st: dict, *answers: str | None) -> list:
            questions = [Question.from_dict(d) for d in (st or {}).get("questions", [])]
            if not questions:
                raise gr.Error("请先点“开始测验”。", title=TOAST_TITLE)
            picked, typed = answers[:MAX_QUESTIONS], answers[MAX_QUESTIONS:]
            given = [(picked[i] if q.options else typed[i]) or "" for i, q in enumerate(questions)]
            blank = [i for i, g in enumerate(given, start=1) if not str(g).strip()]
            if len(blank) == len(questions):
                gr.Warning("还没有作答任何题目，请作答后再提交。", title=TOAST_TITLE)
                return [gr.skip()] * len(submit_outputs)
            if blank:
                shown = "、".join(str(i) for i in blank[:10]) + ("等" if len(blank) > 10 else "")
                gr.Warning(f"第 {shown} 题未作答，按答错计分。", title=TOAST_TITLE)
            graded = service.quiz_grade(questions, given)
            st = {**st, "missed": [g.question.to_dict() for g in graded.wrong]}
            return [st, _result_md(graded), gr.update(visible=bool(graded.wrong))]

        def on_retry(st: dict) -> list:
            missed = [Question.from_dict(d) for d in (st or {}).get("missed", [])]
            if not missed:
                raise gr.Error("没有需要重做的错题。", title=TOAST_TITLE)
            return load(missed, f"重做错题：共 {len(missed)} 题。")

        start.click(
            on_start,
            inputs=[doc, n, kinds, seed],
            outputs=load_outputs,
            api_name="quiz_start",
        )
        submit.click(
            on_submit,
            inputs=[state, *radios, *boxes],
            outputs=submit_outputs,
            api_name="quiz_submit",
        )
        retry.click(
            on_retry,
            inputs=[state],
            outputs=load_outputs,
            api_name="quiz_retry",
        )
