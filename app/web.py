"""The web app: one Gradio page with 智能问答, 检索, 文号查询 and 文档管理 tabs, plus named API
endpoints (/ask, /search, /docs_lookup, /documents, /upload, /delete) for other systems.

UI events are private; each API endpoint is a thin typed wrapper over app.service, the same
functions the UI renders, so the two never disagree.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr
from gradio import FileData

from app import chrome, history, render, security, service
from app.documents import DocumentError, is_bundled
from app.eval_tab import build_eval_tab
from app.quiz_tab import build_quiz_tab
from app.roles import NotAllowed, is_admin
from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from kb.index import EmptyIndexError, Index
from kb.index.storage import StorageError
from kb.index.torch_child import EmbedderKilledError
from kb.profile import load_profile
from kb.text.clean import MAX_QUESTION_CHARS, InvalidQuestion

_CANCELLED = "\x00cancelled"
# The question names the document as the picker shows it (title and 文号), not by file name.
_CONFIRM_DELETE = (
    "(doc) => { const shown = document.querySelector('#kb-victim input')?.value || doc; "
    "return (!doc || confirm('确定删除《' + shown + '》吗？删除后该文档不再被检索或引用。')) ? doc : '\\x00cancelled'; }"
)
_USER_ERRORS = (InvalidQuestion, EmptyIndexError, DocumentError, StorageError, EmbedderKilledError)
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
    # Darker than the defaults so that text passes WCAG AA (4.5:1, checked by axe-core in
    # tests/test_web_browser.py): white on blue-500 is 3.7:1, on blue-700 6.7:1; grey-500
    # subdued text on white is 4.3:1, grey-600 7.6:1.
    return gr.themes.Default(
        primary_hue="blue", font=_FONTS, font_mono=["Noto Sans Mono", "monospace"]
    ).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_cancel_background_fill="#b42318",  # the red of 删除: white on red-500 is 3.8:1, here 6.5:1
        button_cancel_background_fill_hover="#912018",
        button_cancel_text_color="white",
        body_text_color_subdued="*neutral_600",
        block_info_text_color="*neutral_600",
        input_placeholder_color="*neutral_500",
    )


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
    """(shown, value): the title and 文号 people know, the file name as the value."""
    try:
        return [
            (f"{d.title}（{d.doc_number}）" if d.doc_number else d.title, d.doc_id)
            for d in service.document_records(index)
        ]
    except EmptyIndexError:
        return []


def _doc_title(index: Index, doc_id: str) -> str:
    """The title a person knows a document by; its file name only when the index lacks it."""
    try:
        return next((d.title for d in service.document_records(index) if d.doc_id == doc_id), doc_id)
    except EmptyIndexError:
        return doc_id


def _doc_rows(index: Index) -> list[list[Any]]:
    try:
        return render.document_rows(service.document_records(index))
    except EmptyIndexError:
        return []


def _counter_js(limit: int) -> str:
    """The question box's length counter, computed in the browser as the person types (kb.js)."""
    return f"(text) => window.kbCounter(text, {limit})"


def _counter_html(limit: int) -> str:
    """The counter before anything is typed (kb.js writes the same markup afterwards)."""
    return f'<span class="kb-counter" aria-live="polite">0 / {limit} 字</span>'


def shortened(message: str | None) -> str:
    """The question as sent: a message for an empty one, a notice when it was cut to the limit."""
    text = (message or "").strip()
    if not text:
        gr.Warning("请输入问题。", title="提示")
        return ""
    if len(text) > MAX_QUESTION_CHARS:
        gr.Warning(
            f"问题有 {len(text)} 字，超过 {MAX_QUESTION_CHARS} 字上限，已截取前 {MAX_QUESTION_CHARS} 字提问。",
            title="提示",
        )
        return text[:MAX_QUESTION_CHARS]
    return text


def build_chat_tab(index: Index, demo: gr.Blocks) -> None:
    profile = load_profile(index.settings.corpus)  # the title and examples belong to the corpus
    with gr.Tab("智能问答", id="chat"):
        chatbot = gr.Chatbot(
            label="对话",
            show_label=False,  # a floating label would cover the chat's heading on a phone
            elem_id="kb-chat",
            height=600,
            placeholder=f"**{profile.title}**<br>{profile.chat_intro}",
            examples=[{"text": q} for q in profile.examples] or None,
            buttons=[],  # Gradio's copy gives the HTML: each answer has its own 复制 (render.py)
            feedback_options=None,
            layout="panel",
        )
        with gr.Row():
            box = gr.Textbox(
                label="问题",
                placeholder="请输入问题，按回车发送",
                show_label=False,
                scale=6,
                elem_id="kb-question",
            )
            send = gr.Button("提问", variant="primary", scale=1, elem_id="kb-send")
            clear = gr.Button("新对话", scale=1, elem_id="kb-new")
        with gr.Row(equal_height=True):
            counter = gr.HTML(
                _counter_html(MAX_QUESTION_CHARS), elem_id="kb-counter", padding=False, scale=1
            )
            recent = gr.Dropdown(
                choices=[],
                value=None,
                label="最近的对话",
                elem_id="kb-recent",
                scale=2,
                min_width=160,
                allow_custom_value=True,  # its choices come from the browser, after the page is built
            )
        with gr.Accordion("导出最近一次回答（含引用，可粘贴到文档）", open=False):
            md_text = gr.Textbox(label="回答全文", lines=8, buttons=["copy"], interactive=False)
            md_file = gr.DownloadButton("下载回答文件", value=None, size="sm")
        store = gr.BrowserState(
            history.EMPTY, storage_key="kb-conversations", secret=history.secret(index.settings.home)
        )
        chat_id = gr.State(None)
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

        def save(messages: list, turns: list, store: dict, cid: str | None):
            if not turns:  # nothing was asked (an empty question): nothing to keep
                return gr.skip(), gr.skip(), gr.skip()
            cid = cid or history.new_id()
            store = history.saved(store, cid, messages, turns)
            return store, cid, gr.update(choices=history.choices(store), value=cid)

        for trigger in (box.submit, send.click):
            trigger(shortened, box, box, api_visibility="private").then(
                chat, [box, chatbot, turns], outs, api_visibility="private", concurrency_id="answer"
            ).then(save, [chatbot, turns, store, chat_id], [store, chat_id, recent], api_visibility="private")

        def on_example(evt: gr.SelectData) -> str:
            return evt.value["text"]

        chatbot.example_select(on_example, None, box, api_visibility="private").then(
            chat, [box, chatbot, turns], outs, api_visibility="private", concurrency_id="answer"
        ).then(save, [chatbot, turns, store, chat_id], [store, chat_id, recent], api_visibility="private")
        box.change(None, box, counter, js=_counter_js(MAX_QUESTION_CHARS))

        def restore(store: dict, cid: str | None = None):
            chat = history.find(store, cid) if cid else history.current(store)
            if chat is None:
                return [], [], None, gr.update(choices=history.choices(store), value=None)
            value = chat["id"]
            return chat["messages"], chat["turns"], value, gr.update(choices=history.choices(store), value=value)

        demo.load(restore, store, [chatbot, turns, chat_id, recent], api_visibility="private")
        def pick(cid: str | None, store: dict):
            if not history.find(store, cid):  # text typed into the picker, not a kept conversation
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return restore(store, cid)

        recent.input(pick, [recent, store], [chatbot, turns, chat_id, recent], api_visibility="private")
        clear.click(
            lambda: ([], [], "", None, None, None),
            None,
            [chatbot, turns, md_text, md_file, chat_id, recent],
            api_visibility="private",
        )
        # the chat's own 清空对话 icon starts a new conversation too (the kept one stays listed)
        chatbot.clear(lambda: ([], None, None), None, [turns, chat_id, recent], api_visibility="private")


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


def embedding_desc(done: int, total: int, elapsed: float) -> str:
    """正在向量化 120 / 480 段，约剩 36 秒: the ETA from the rate so far (Gradio appends the
    bar's own percentage, " - 25.0%", computed from the same done / total)."""
    left = elapsed * (total - done) / done if done else None
    eta = "" if left is None else f"，约剩 {left:.0f} 秒" if left < 90 else f"，约剩 {left / 60:.0f} 分钟"
    return f"正在向量化 {done} / {total} 段{eta}"


def build_admin_tab(
    index: Index, doc_filter: gr.Dropdown, admins: frozenset[str] | None
) -> tuple[gr.Tab, gr.Dataframe, gr.Dropdown]:
    """文档管理, shown to administrators only (the page's load event reveals it)."""
    with gr.Tab("文档管理", id="admin", visible=False) as tab:
        table = gr.Dataframe(
            value=_doc_rows(index),
            headers=["标题", "文号", "片段数", "导入时间"],
            interactive=False,
            wrap=True,
            label="知识库中的文档",
            elem_id="kb-docs",
            column_widths=["46%", "26%", "10%", "18%"],
        )
        gr.Markdown(
            f"支持纯文本、Word、PDF 和网页文件，单个不超过 {MAX_FILE_BYTES // 2**20} MB。"
            "上传后自动导入；删除后该文档不再被检索或引用。"
        )
        writable = not index.read_only
        if not writable:
            gr.HTML(
                render.status("数据目录为只读：上传和删除已停用，检索和问答照常。", ok=False),
                elem_id="kb-read-only",
            )
        with gr.Row(equal_height=True):
            # An upload button, not gr.File: gr.File's upload-progress stream calls close() on
            # gradio's EventSource stand-in, a stub that logs "Method not implemented." twice
            # per upload (gradio 6.31); the import has its own progress bar on the status line.
            overwrite = gr.Checkbox(label="覆盖同名文件", value=False, scale=2)  # read when a file is chosen
            file = gr.UploadButton(
                "选择文件并导入",
                file_types=list(SUPPORTED_SUFFIXES),
                variant="primary",
                scale=3,
                elem_id="kb-upload",
                interactive=writable,
            )
        with gr.Row():
            victim = gr.Dropdown(
                choices=_doc_choices(index),
                value=None,
                label="选择要删除的文档",
                elem_id="kb-victim",
                scale=3,
                allow_custom_value=True,
            )
            delete_btn = gr.Button("删除并更新索引", variant="stop", scale=2, interactive=writable)
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
            """One bar, on the status line: the share of new passages embedded, and the time
            left at the rate so far."""
            started = time.monotonic()

            def step(done: int, total: int) -> None:
                if total:
                    progress(done / total, desc=embedding_desc(done, total, time.monotonic() - started))

            return step

        def on_upload(file: Any, overwrite: bool, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a tracker)
            try:
                if not is_admin(request, admins):
                    raise NotAllowed("导入文档")
                path, name = _uploaded_path(file)
                progress(0, desc="正在检查并导入文件")
                result = service.upload(index, path, name, overwrite, progress_fn(progress))
            except (*_USER_ERRORS, NotAllowed) as err:
                return refreshed(str(err), False)
            title = _doc_title(index, result["doc_id"])
            return refreshed(
                f"已导入《{title}》：新向量化 {result['embedded']} 段，用时 {result['seconds']:.1f} 秒。", True
            )

        def on_delete(doc_id: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a tracker)
            if doc_id == _CANCELLED:
                return refreshed("已取消删除。", True)
            if not doc_id:
                return refreshed("请先选择要删除的文档。", False)
            try:
                if not is_admin(request, admins):
                    raise NotAllowed("删除文档")
                progress(0, desc="正在删除并重建索引")
                title = _doc_title(index, doc_id)
                result = service.delete(index, doc_id, progress_fn(progress))
            except (*_USER_ERRORS, NotAllowed) as err:
                return refreshed(str(err), False)
            return refreshed(f"已删除《{title}》，索引已更新（现有 {result['documents']} 个文档）。", True)

        outs = [status, table, victim, doc_filter, file]
        file.upload(
            on_upload,
            [file, overwrite],
            outs,
            api_visibility="private",
            concurrency_id="ingest",
            show_progress_on=status,  # one bar, not one over every output
        )
        delete_btn.click(
            on_delete,
            victim,
            outs,
            api_visibility="private",
            concurrency_id="ingest",
            js=_CONFIRM_DELETE,
            show_progress_on=status,
        )
    return tab, table, victim


def add_api(index: Index, admins: frozenset[str] | None = None) -> None:
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

    def delete(doc_id: str, request: gr.Request) -> dict:
        """从文档目录删除一个文档（doc_id 即 /documents 返回的文件名）并更新索引；随库文档只有管理员可删除。"""
        try:
            if is_bundled(index.settings.corpus, doc_id) and not is_admin(request, admins):
                raise NotAllowed("删除随库文档")
            return service.delete(index, doc_id)
        except (*_USER_ERRORS, NotAllowed) as err:
            raise gr.Error(str(err)) from err

    for fn, cid in ((ask, "answer"), (search, None), (docs_lookup, None), (documents, None)):
        gr.api(fn, api_name=fn.__name__, concurrency_id=cid)
    for fn in (upload, delete):
        gr.api(fn, api_name=fn.__name__, concurrency_id="ingest", concurrency_limit=1)


def build_app(index: Index, admins: frozenset[str] | None = None) -> gr.Blocks:
    """The whole page; the 学习测验 and 检索测试 tabs are built by their own modules.

    `admins` are the accounts that get the administrators' tabs (app.roles); None means
    every logged-in account, or, without a login, whoever browses from the server itself."""
    profile = load_profile(index.settings.corpus)
    with gr.Blocks(title=profile.title, analytics_enabled=False) as demo:
        gr.Markdown(f"# {profile.title}\n{profile.intro}")
        with gr.Tabs(overflow_behavior="wrap"):  # a phone shows every tab, none behind a "⋯" menu
            build_chat_tab(index, demo)
            doc_filter = build_search_tab(index)
            build_registry_tab(index)
            build_quiz_tab(index)
            eval_tab = build_eval_tab(index, admins)
            admin_tab, table, victim = build_admin_tab(index, doc_filter, admins)
        footer = chrome.footer(profile)
        add_api(index, admins)

        def on_load(request: gr.Request):  # another process may have ingested since the page was built
            admin = is_admin(request, admins)
            choices = _doc_choices(index)
            return (
                gr.update(visible=admin),
                gr.update(visible=admin),
                _doc_rows(index) if admin else [],
                gr.update(choices=choices if admin else []),
                gr.update(choices=choices),
                chrome.footer_html(profile, admin),
            )

        demo.load(
            on_load,
            None,
            [eval_tab, admin_tab, table, victim, doc_filter, footer],
            api_visibility="private",
        )
    demo.queue(default_concurrency_limit=2)
    return demo


def launch(
    demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: Any = None, block: bool = True
) -> str:
    """Start the server; returns the local URL. `auth` is the callable from app.auth.

    app.security guards every route: no outbound fetches, nothing but the login page before
    a login, and a brake on password guessing."""
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        auth=security.off_loop(auth) if auth else None,
        auth_message=security.LOGIN_MESSAGE if auth else None,
        app_kwargs={"middleware": security.middleware()},
        max_file_size=MAX_FILE_BYTES,
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,
        theme=theme(),
        css=render.CSS,
        footer_links=[],  # no Gradio or API links for staff: the API is documented in the README
        i18n=chrome.i18n(),
        head=chrome.head(),
    )
    if block:
        shown = url if host not in ("0.0.0.0", "::", "") else f"http://127.0.0.1:{port}/（已监听所有网卡）"
        print(f"法治政府知识库已启动：{shown}", flush=True)
        demo.block_thread()
    return url
