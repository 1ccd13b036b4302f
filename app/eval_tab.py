"""The 检索测试 tab: one question, every retrieval stage with its scores, for people tuning the search."""

from __future__ import annotations

import gradio as gr

from app import service
from app.roles import is_admin
from kb.index import EmptyIndexError, Index
from kb.text.clean import InvalidQuestion

STAGE_TITLES = {
    "bm25_words": "BM25（词）",
    "bm25_bigrams": "BM25（二元字）",
    "dense": "向量检索（余弦相似度）",
    "fused": "RRF 融合",
    "final": "最终结果（含文号置顶）",
}
HEADERS = ["名次", "得分", "文件", "位置", "片段"]
RANK_NAMES = {
    "dense": "向量", "bm25_words": "词", "bm25_bigrams": "二元", "docnum": "文号",
    "dense@doc": "向量·限定文件", "bm25_words@doc": "词·限定文件", "bm25_bigrams@doc": "二元·限定文件",
}


def _table(rows: list[dict]) -> list[list]:
    out = []
    for r in rows:
        text = r["text"]
        if "ranks" in r:
            ranks = "，".join(f"{RANK_NAMES.get(n, n)}#{v}" for n, v in r["ranks"].items())
            text = f"[{ranks}] {text}"
        out.append([r["rank"], r["score"], r["doc_title"], r["label"], text])
    return out


def _summary(trace: dict) -> str:
    t = trace["timings_ms"]
    lines = [
        f"**查询**：{trace['question']}",
        f"**向量检索用语**：{trace['dense_query']}　**BM25 用语**：{trace['lexical_query']}",
        f"**问题点名的文件**：{'、'.join(trace['named_docs']) or '无'}",
        f"**BM25 分词**：{' / '.join(trace['tokens']['bm25_words']) or '（无）'}",
        f"**二元字**：{' '.join(trace['tokens']['bm25_bigrams'][:40]) or '（无）'}",
        f"**识别到的文号**：{'、'.join(trace['docnums']) or '无'}",
        "**耗时**：" + "，".join(f"{name} {ms} ms" for name, ms in t.items()),
    ]
    ans = trace["answer"]
    if ans is not None:
        state = "（拒答）" if ans["refused"] else ""
        lines.append(f"\n**回答**{state}（{ans['backend'] or '未知后端'}）：{ans['text']}")
        for s in ans["sentences"]:
            lines.append(f"- [{s['n']}] 《{s['doc_title']}》{s['label']}：{s['quote']}")
    return "\n\n".join(lines)


def run_trace(index: Index, question: str) -> list:
    """Markdown summary plus one table per stage; errors become a message, never a traceback."""
    empty = [[] for _ in STAGE_TITLES]
    try:
        trace = service.trace(index, question)
    except (InvalidQuestion, EmptyIndexError) as err:
        return [f"⚠️ {err}", *empty]
    return [_summary(trace), *(_table(trace["stages"][name]) for name in STAGE_TITLES)]


def build_eval_tab(index: Index, admins: frozenset[str] | None = None) -> gr.Tab:
    """Add the 检索测试 tab to the gr.Blocks being built (call inside `with gr.Blocks():`).
    Hidden until the page's load event finds an administrator (app.roles)."""
    with gr.Tab("检索测试", id="trace", visible=False) as tab:
        gr.Markdown("输入一个问题，查看每一路检索（BM25 词、BM25 二元字、向量）、融合结果和最终选用的句子及其得分。")
        with gr.Row():
            question = gr.Textbox(label="问题", placeholder="例如：申请行政复议的期限是多久？", scale=4)
            button = gr.Button("运行检索测试", variant="primary", scale=1)
        summary = gr.Markdown()
        tables = [
            gr.Dataframe(headers=HEADERS, label=title, wrap=True, interactive=False)
            for title in STAGE_TITLES.values()
        ]

        def on_run(q: str, request: gr.Request) -> list:
            if not is_admin(request, admins):
                return ["⚠️ 只有管理员可以使用检索测试。", *([] for _ in STAGE_TITLES)]
            return run_trace(index, q)

        outputs = [summary, *tables]
        button.click(on_run, inputs=question, outputs=outputs, api_name="retrieval_trace")
        question.submit(on_run, inputs=question, outputs=outputs, api_visibility="private")
    return tab
