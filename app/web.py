"""The web app: one Gradio page with 智能问答, 检索, 文号查询 and 文档管理 tabs, plus named API
endpoints (/ask, /search, /docs_lookup, /documents, /upload, /delete) for other systems.

UI events are private; each API endpoint is a thin typed wrapper over app.service, the same
functions the UI renders, so the two never disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
from gradio import FileData

from app import render, service
from app.documents import DocumentError
from app.eval_tab import build_eval_tab
from app.quiz_tab import build_quiz_tab
from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from kb.index import EmptyIndexError, Index
from kb.profile import load_profile
from kb.text.clean import InvalidQuestion

_CANCELLED = "\x00cancelled"
_CONFIRM_DELETE = "(doc) => (!doc || confirm('确定删除 ' + doc + ' 吗？删除后该文档不再被检索或引用。')) ? doc : '\\x00cancelled'"
_USER_ERRORS = (InvalidQuestion, EmptyIndexError, DocumentError)
_FONTS = [
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "system-ui",
    "sans-serif",
]


def theme() -> gr.themes.Base:
    """Local fonts only: the intranet page must not wait on a font CDN."""
    return gr.themes.Default(primary_hue="blue", font=_FONTS, font_mono=["Noto Sans Mono", "monospace"])


def _uploaded_path(file: Any) -> tuple[Path, str]:
    """Path and original name of an uploaded file, which must sit in Gradio's upload cache:
    an API caller must not name a server file (/etc/passwd) for us to copy into the corpus."""
    if isinstance(file, dict):
        path, name = file.get("path"), file.get("orig_name")
    else:
        path, name = getattr(file, "path", file), getattr(file, "orig_name", None)
    if not path:
        raise DocumentError("请先选择要上传的文件。")
    path = Path(str(path)).resolve()
    if not path.is_relative_to(Path(gr.utils.get_upload_folder()).resolve()) or not path.is_file():
        raise DocumentError("上传的文件无效，请重新上传。")
    return path, name or path.name


def _history(turns: list[dict]) -> list[dict]:
    """Earlier turns as role/content messages for the answerer (answer text without sources)."""
    out: list[dict] = []
    for t in turns[-6:]:
        out.append({"role": "user", "content": t.get("question", "")})
        out.append({"role": "assistant", "content": t.get("answer", "")})
    return out


def _markdown_file(text: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="kb-export-")) / "回答.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _doc_choices(index: Index) -> list[tuple[str, str]]:
    try:
        return [(f"{d.title}（{d.doc_id}）", d.doc_id) for d in service.document_records(index)]
    except EmptyIndexError:
        return []


def _doc_rows(index: Index) -> list[list[Any]]:
    try:
        return render.document_rows(service.document_records(index))
    except EmptyIndexError:
        return []


def build_chat_tab(index: Index) -> None:
    profile = load_profile(index.settings.corpus)  # the title and examples belong to the corpus
    with gr.Tab("智能问答", id="chat"):
        chatbot = gr.Chatbot(
            label="对话",
            elem_id="kb-chat",
            height=600,
            placeholder=f"**{profile.title}**<br>{profile.chat_intro}",
            examples=[{"text": q} for q in profile.examples] or None,
            buttons=["copy"],
            feedback_options=None,
            layout="panel",
        )
        with gr.Row():
            box = gr.Textbox(
                placeholder="请输入问题，按回车发送",
                show_label=False,
                scale=6,
                elem_id="kb-question",
                max_length=500,
            )
            send = gr.Button("提问", variant="primary", scale=1, elem_id="kb-send")
            clear = gr.Button("新对话", scale=1)
        with gr.Accordion("导出最近一次回答（Markdown，含引用）", open=False):
            md_text = gr.Textbox(label="Markdown", lines=8, buttons=["copy"], interactive=False)
            md_file = gr.DownloadButton("下载 .md 文件", value=None, size="sm")
        turns = gr.State([])

        def chat(message: str, messages: list, turns: list):
            question = (message or "").strip()
            if not question:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            messages = [*messages, {"role": "user", "content": render.esc_lines(question)}]
            messages.append({"role": "assistant", "content": render.streaming_body("正在检索相关条文……")})
            yield "", messages, turns, gr.skip(), gr.skip()
            # shown under the extractive answer while a model writes one that replaces it only if it passes
            generating = "语言模型作答中（逐句核验，通过后替换上面的回答）："
            text, answer, gen, shown = "", None, None, ""
            try:
                for part in service.ask_stream(index, question, history=_history(turns) or None):
                    if isinstance(part, str):  # after a pending answer: the generated one, beside it
                        text += part
                        draft = render.streaming_body(f"{generating}{text}")
                        messages[-1]["content"] = shown + draft if shown else render.streaming_body(text)
                        yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
                    else:
                        answer, gen = part
                        if answer.pending:  # the extractive answer, shown at once
                            shown = render.answer_message(answer, gen)
                            messages[-1]["content"] = shown + render.streaming_body(generating)
                            yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
            except _USER_ERRORS as err:
                messages[-1]["content"] = render.error_body(str(err))
                yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
                return
            if answer is None:
                messages[-1]["content"] = render.error_body("未能生成回答，请稍后重试。")
                yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
                return
            messages[-1]["content"] = render.answer_message(answer, gen)
            md = render.answer_markdown(answer)
            turn = {"question": question, **answer.to_dict()}
            yield gr.skip(), messages, [*turns, turn], md, _markdown_file(md)

        outs = [box, chatbot, turns, md_text, md_file]
        for trigger in (box.submit, send.click):
            trigger(chat, [box, chatbot, turns], outs, api_visibility="private", concurrency_id="answer")

        def on_example(evt: gr.SelectData) -> str:
            return evt.value["text"]

        chatbot.example_select(on_example, None, box, api_visibility="private").then(
            chat, [box, chatbot, turns], outs, api_visibility="private", concurrency_id="answer"
        )
        clear.click(
            lambda: ([], [], "", None), None, [chatbot, turns, md_text, md_file], api_visibility="private"
        )


def build_search_tab(index: Index) -> gr.Dropdown:
    with gr.Tab("检索", id="search"):
        with gr.Row():
            query = gr.Textbox(label="检索内容", placeholder="例如：容缺受理 / 行政复议 期限", scale=5)
            k = gr.Slider(1, 20, value=8, step=1, label="条数", scale=1)
        doc_filter = gr.Dropdown(
            choices=_doc_choices(index), value=[], multiselect=True, label="限定文档（不选则检索全部文档）"
        )
        run = gr.Button("检索", variant="primary")
        results = gr.HTML(elem_id="kb-search-results")

        def on_search(q: str, k: int, doc_ids: list[str] | None) -> str:
            try:
                hits = service.search_hits(index, q, int(k), doc_ids)
                terms = service.query_terms(index, q)
            except _USER_ERRORS as err:
                return render.status(str(err), ok=False)
            return render.search_results(hits, terms)

        for trigger in (query.submit, run.click):
            trigger(on_search, [query, k, doc_filter], results, api_visibility="private")
    return doc_filter


def build_registry_tab(index: Index) -> None:
    hints = load_profile(index.settings.corpus).lookup_examples
    with gr.Tab("文号查询", id="docnum") as registry_tab:
        query = gr.Textbox(
            label="文号、标题或措施（留空列出全部）",
            placeholder=f"例如：{' / '.join(hints)}" if hints else None,
        )
        table = gr.Dataframe(
            headers=["标题", "文号", "全文在库", "引用处"],
            interactive=False,
            wrap=True,
            max_height=420,
            column_widths=["34%", "18%", "10%", "38%"],
            elem_id="kb-registry",
        )
        gr.Markdown("点击表格中的一行，查看引用该文件的原文段落。")
        detail = gr.HTML()
        keys = gr.State([])

        def on_lookup(q: str):
            try:
                entries = [e for e, _ in service.registry_entries(index, q)]
            except EmptyIndexError as err:
                return [], [], render.status(str(err), ok=False)
            note = "" if entries else render.status(f"登记表中未找到与“{q}”相关的文件。", ok=False)
            return render.registry_rows(entries), [e.key for e in entries], note

        def on_select(keys: list[str], evt: gr.SelectData) -> str:
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            entry = service.registry_entry(index, keys[row]) if 0 <= row < len(keys) else None
            return render.citing_passages(entry) if entry else ""

        for trigger in (query.submit, query.change):
            trigger(
                on_lookup, query, [table, keys, detail], api_visibility="private", trigger_mode="always_last"
            )
        registry_tab.select(on_lookup, query, [table, keys, detail], api_visibility="private")
        table.select(on_select, keys, detail, api_visibility="private")
        build_diff_view(index)


def build_diff_view(index: Index) -> None:
    """新旧条文对照 of a law with several versions in the index (the law library pack)."""
    with gr.Accordion("新旧条文对照", open=False, elem_id="kb-diff"):
        with gr.Row():
            law = gr.Textbox(label="法律法规名称", placeholder="例如：行政复议法", scale=4)
            year = gr.Textbox(label="旧版本年份（可不填）", placeholder="默认为现行版本的上一版", scale=2)
        run = gr.Button("对照")
        result = gr.HTML()

        def on_diff(name: str, year: str) -> str:
            if not (name or "").strip():
                return render.status("请输入法律法规名称。", ok=False)
            try:
                diff = service.law_diff(index, name.strip(), (year or "").strip())
            except (service.DiffError, EmptyIndexError) as err:
                return render.status(str(err), ok=False)
            return render.law_diff(diff)

        for trigger in (law.submit, run.click):
            trigger(on_diff, [law, year], result, api_visibility="private")


def build_admin_tab(index: Index, doc_filter: gr.Dropdown) -> list[gr.components.Component]:
    with gr.Tab("文档管理", id="admin"):
        table = gr.Dataframe(
            value=_doc_rows(index),
            headers=["标题", "文号", "文件", "片段数", "导入时间"],
            interactive=False,
            wrap=True,
            label="知识库中的文档",
            elem_id="kb-docs",
            column_widths=["30%", "20%", "28%", "8%", "14%"],
        )
        types = "、".join(s for s in SUPPORTED_SUFFIXES)
        gr.Markdown(
            f"支持 {types} 文件，单个不超过 {MAX_FILE_BYTES // 2**20} MB。上传后自动导入；删除后该文档不再被检索或引用。"
        )
        with gr.Row():
            file = gr.File(
                label="上传文档", file_types=list(SUPPORTED_SUFFIXES), scale=3, elem_id="kb-upload"
            )
            with gr.Column(scale=2):
                overwrite = gr.Checkbox(label="覆盖同名文件", value=False)
                upload_btn = gr.Button("上传并导入", variant="primary")
        with gr.Row():
            victim = gr.Dropdown(
                choices=_doc_choices(index),
                value=None,
                label="选择要删除的文档",
                scale=3,
                allow_custom_value=True,
            )
            delete_btn = gr.Button("删除并更新索引", variant="stop", scale=2)
        status = gr.HTML()

        def refreshed(message: str, ok: bool):
            choices = _doc_choices(index)
            return (
                render.status(message, ok),
                _doc_rows(index),
                gr.update(choices=choices, value=None),
                gr.update(choices=choices),
                None if ok else gr.skip(),  # the file box empties after a successful upload
            )

        def progress_fn(progress: gr.Progress):
            def step(done: int, total: int) -> None:
                if total:
                    progress((done, total), desc="正在向量化新段落", unit="段")

            return step

        def on_upload(file: Any, overwrite: bool, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a tracker)
            try:
                path, name = _uploaded_path(file)
                progress(0, desc="正在检查并导入文件")
                result = service.upload(index, path, name, overwrite, progress_fn(progress))
            except _USER_ERRORS as err:
                return refreshed(str(err), False)
            return refreshed(result["message"], True)

        def on_delete(doc_id: str | None, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a tracker)
            if doc_id == _CANCELLED:
                return refreshed("已取消删除。", True)
            if not doc_id:
                return refreshed("请先选择要删除的文档。", False)
            try:
                progress(0, desc="正在删除并重建索引")
                result = service.delete(index, doc_id, progress_fn(progress))
            except _USER_ERRORS as err:
                return refreshed(str(err), False)
            return refreshed(result["message"], True)

        outs = [status, table, victim, doc_filter, file]
        upload_btn.click(
            on_upload, [file, overwrite], outs, api_visibility="private", concurrency_id="ingest"
        )
        delete_btn.click(
            on_delete, victim, outs, api_visibility="private", concurrency_id="ingest", js=_CONFIRM_DELETE
        )
    return [table, victim]


def add_api(index: Index) -> None:
    """The named endpoints other systems call (see the README's API section)."""

    def ask(question: str, history: list[dict] | None = None) -> dict:
        """回答一个问题：返回答案文本（含 [n] 标注）、引用（文件、文号、条款、原文及位置）、是否拒答。"""
        try:
            return service.ask(index, question, history)
        except _USER_ERRORS as err:
            raise gr.Error(str(err)) from err

    def search(query: str, k: int = 5, doc_ids: list[str] | None = None) -> list[dict]:
        """混合检索：返回最相关的 k 个段落；doc_ids 限定在这些文档内检索。"""
        try:
            return service.search(index, query, k, doc_ids)
        except _USER_ERRORS as err:
            raise gr.Error(str(err)) from err

    def docs_lookup(query: str = "") -> list[dict]:
        """文号登记表：按文号、标题或措施查询；留空返回全部。"""
        try:
            return service.docs_lookup(index, query)
        except _USER_ERRORS as err:
            raise gr.Error(str(err)) from err

    def documents() -> list[dict]:
        """知识库中的文档：文件、标题、文号、片段数、导入时间。"""
        try:
            return service.documents(index)
        except EmptyIndexError:
            return []

    def upload(file: FileData, overwrite: bool = False) -> dict:
        """上传一个文档（.txt/.md/.docx/.pdf/.html，≤20 MB）到文档目录并导入。"""
        try:
            path, name = _uploaded_path(file)
            return service.upload(index, path, name, overwrite)
        except _USER_ERRORS as err:
            raise gr.Error(str(err)) from err

    def delete(doc_id: str) -> dict:
        """从文档目录删除一个文档（doc_id 即 /documents 返回的文件名）并更新索引。"""
        try:
            return service.delete(index, doc_id)
        except _USER_ERRORS as err:
            raise gr.Error(str(err)) from err

    for fn, cid in ((ask, "answer"), (search, None), (docs_lookup, None), (documents, None)):
        gr.api(fn, api_name=fn.__name__, concurrency_id=cid)
    for fn in (upload, delete):
        gr.api(fn, api_name=fn.__name__, concurrency_id="ingest", concurrency_limit=1)


def build_app(index: Index) -> gr.Blocks:
    """The whole page; the 学习测验 and 检索测试 tabs are built by their own modules."""
    profile = load_profile(index.settings.corpus)
    with gr.Blocks(title=profile.title, analytics_enabled=False) as demo:
        gr.Markdown(f"# {profile.title}\n{profile.intro}")
        build_chat_tab(index)
        doc_filter = build_search_tab(index)
        build_registry_tab(index)
        build_quiz_tab(index)
        build_eval_tab(index)
        table, victim = build_admin_tab(index, doc_filter)
        add_api(index)

        def on_load():  # another process may have ingested since the page was built
            choices = _doc_choices(index)
            return _doc_rows(index), gr.update(choices=choices), gr.update(choices=choices)

        demo.load(on_load, None, [table, victim, doc_filter], api_visibility="private")
    demo.queue(default_concurrency_limit=2)
    return demo


def launch(
    demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: Any = None, block: bool = True
) -> str:
    """Start the server; returns the local URL. `auth` is the callable from app.auth."""
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="请输入账号和密码" if auth else None,
        max_file_size=MAX_FILE_BYTES,
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,
        theme=theme(),
        css=render.CSS,
    )
    if block:
        shown = url if host not in ("0.0.0.0", "::", "") else f"http://127.0.0.1:{port}/（已监听所有网卡）"
        print(f"法治政府知识库已启动：{shown}", flush=True)
        demo.block_thread()
    return url
