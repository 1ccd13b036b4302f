"""The web page in headless Chromium (Debian's package, driven by Playwright), at 1366×900 and
at a 390×844 phone: a question gets an answer with its citation card; document text that
looks like HTML stays text; every word a person can read is Chinese; staff and administrators
see their own tabs; cards, 复制, follow-ups, reloads and the question box behave; axe-core
finds nothing serious on any tab; the quiz grades in words and colour; an upload shows one
progress bar and reads the 文号 under its title.

The screenshots in docs/ come from here: `KB_SCREENSHOT_DIR=docs pytest tests/test_web_browser.py`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from web_server import private_index, serving

from app.auth import authenticator, hash_password
from kb.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "2023年行政复议收到多少件申请？"
XSS = '页面中出现<script>window.__kbxss=1</script>和<img src=x onerror="window.__kbxss=2">时必须原样显示为文字。'

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
STAFF_TABS = ["智能问答", "检索", "文号查询", "学习测验"]
ADMIN_TABS = [*STAFF_TABS, "检索测试", "文档管理"]
# Latin words a page may show: file formats and MB on 文档管理, algorithm names on 检索测试 (admins only).
ADMIN_LATIN = {"Word", "PDF", "MB", "BM25", "RRF"}


@pytest.fixture
def viewport() -> dict:
    return {"width": 1280, "height": 1000}


@pytest.fixture
def page(tmp_path: Path, viewport: dict):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir for every test
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=viewport,
            locale="zh-CN",
        )
        page = context.pages[0] if context.pages else context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        yield page
        context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#kb-question textarea", timeout=60_000)
    page.wait_for_selector("#kb-footer [data-role]")  # the load event has revealed an administrator's tabs


def _tab_names(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('[role=tab]')].filter(t => t.offsetParent).map(t => t.innerText.trim())"
    )


def _show_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_timeout(600)


# Every word in Latin letters a person can read on the page: its visible text, and the
# tooltips, accessible names and placeholders of its visible elements.
_LATIN_WORDS = """() => {
  const seen = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder]')].filter(seen)
    .flatMap(el => ['aria-label', 'title', 'placeholder'].map(a => el.getAttribute(a) || ''));
  const text = [document.body.innerText, ...attrs].join(' ');
  return [...new Set(text.match(/[A-Za-z][A-Za-z0-9]+/g) || [])];
}"""


def _ask(page, url: str, question: str) -> None:
    page.goto(url)
    page.fill("#kb-question textarea", question)
    page.click("#kb-send")
    page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming)", timeout=90_000)


def _screenshot(page, tmp_path: Path, name: str) -> None:
    """A picture of the page; with KB_SCREENSHOT_DIR=docs it refreshes the README's."""
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("KB_SCREENSHOT_DIR"):
        shutil.copyfile(shot, Path(os.environ["KB_SCREENSHOT_DIR"]) / name)


@pytest.mark.parametrize("viewport", [DESKTOP])
def test_chat_answer_shows_citation_card(page, corpus_index, tmp_path: Path, viewport: dict) -> None:
    with serving(corpus_index) as url:
        _ask(page, url, QUESTION)
        answer = page.locator("#kb-chat .kb-answer").last
        assert "76" in answer.inner_text()
        card = page.locator("#kb-chat details.kb-card").filter(
            has=page.locator(".kb-label", has_text="二、（六）3.")
        )
        card.first.wait_for(state="visible")
        assert "共收到行政复议申请76件" in card.first.locator("mark").first.inner_text()
        card.first.locator("summary").click()  # the card opens to the surrounding text
        page.locator("#kb-chat details.kb-card[open] .kb-context").first.wait_for(state="visible")
        page.locator("#kb-chat details.kb-card[open] summary").first.click()  # closed again for the picture
        _screenshot(page, tmp_path, "screenshot-chat.png")


def test_html_in_documents_and_questions_renders_as_text(
    page, tmp_path: Path, small_corpus: Path, embeddings
) -> None:
    (small_corpus / "xss.txt").write_text(
        f"关于网页安全测试的通知\n一、测试要求\n1. {XSS}\n", encoding="utf-8"
    )
    index = private_index(tmp_path / "home", small_corpus, embeddings)
    with serving(index) as url:
        _ask(page, url, '<img src=x onerror="window.__kbxss=3">页面中出现什么时必须原样显示为文字？')
        chat = page.locator("#kb-chat")
        assert '<img src=x onerror="window.__kbxss=3">' in chat.inner_text()
        assert "<script>window.__kbxss=1</script>" in chat.inner_text()

        page.get_by_role("tab", name="检索", exact=True).click()
        page.get_by_label("检索内容").fill("网页安全测试 原样显示")
        page.get_by_role("button", name="检索", exact=True).click()
        results = page.locator("#kb-search-results .kb-card").first
        results.wait_for(state="visible", timeout=60_000)
        assert '<img src=x onerror="window.__kbxss=2">' in page.locator("#kb-search-results").inner_text()

        assert page.evaluate("() => window.__kbxss") is None
        injected = "() => [...document.scripts].filter(s => s.text.includes('__kbxss')).length"
        assert page.evaluate(injected) == 0
        assert page.locator("#kb-chat img[src='x'], #kb-search-results img").count() == 0
        assert page.dialogs == []
        page.screenshot(path=str(tmp_path / "screenshot-xss.png"), full_page=True)


@pytest.fixture(scope="module")
def app_url(corpus_index):
    """One server for the tests that only read the page (loopback, no login: an administrator)."""
    with serving(corpus_index) as url:
        yield url


@pytest.mark.parametrize("viewport", SCREENS)
def test_page_speaks_chinese_on_every_tab(page, app_url: str, viewport: dict) -> None:
    """No English word and no "Gradio" anywhere a person can read, tab by tab; the footer
    names the office and offers 使用说明, not Gradio's links or the API page."""
    _open(page, app_url)
    assert _tab_names(page) == ADMIN_TABS  # on a phone too: no tab behind a "⋯" menu
    assert page.locator("button[aria-label='More tabs'], button[aria-label='更多标签页']").count() == 0
    for name in ADMIN_TABS:
        _show_tab(page, name)
        allowed = ADMIN_LATIN if name in ("检索测试", "文档管理") else set()
        assert set(page.evaluate(_LATIN_WORDS)) <= allowed, name
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], name
    hidden_latin = page.evaluate(
        """() => [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
             .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || ''))
             .filter(v => /[A-Za-z]{3,}/.test(v) && !/^(BM25|RRF)/.test(v.replace(/^[^A-Za-z]*/, '')))"""
    )
    assert hidden_latin == []  # tooltips and labels not on screen yet (a table's menus, the upload input)
    footer = page.locator("#kb-footer")
    assert "柳江区司法局" in footer.inner_text() and "使用说明" in footer.inner_text()
    footer.get_by_text("使用说明").click()
    assert "文号查询" in footer.inner_text()  # the help opens in place
    assert "Gradio" not in page.evaluate("() => document.body.innerText")
    assert page.locator("footer a[href*='view=api'], a:has-text('API')").count() == 0


def test_quiz_error_toast_is_titled_in_chinese(page, app_url: str) -> None:
    _open(page, app_url)
    _show_tab(page, "学习测验")
    page.get_by_label("出题范围").click()
    page.get_by_role("option", name="中华人民共和国人民调解法").click()
    for kind in ("单项选择", "法条期限与机关", "文号与标题", "判断正误"):
        page.get_by_label(kind, exact=True).uncheck()
    page.get_by_role("button", name="开始测验").click()
    toast = page.locator(".toast-body").first
    toast.wait_for(state="visible", timeout=30_000)
    text = toast.inner_text()
    assert "没有可出的题目" in text and "出错了" in text and "Error" not in text, text


def _login(page, url: str, user: str, password: str) -> None:
    response = page.request.post(f"{url}login", form={"username": user, "password": password})
    assert response.ok, response.status


@pytest.mark.parametrize("viewport", SCREENS)
def test_staff_and_admin_views(page, corpus_index, viewport: dict) -> None:
    """The --auth file's :admin accounts get 文档管理 and 检索测试; staff get the four others,
    and cannot delete a bundled document through the API either."""
    users = {"staff": hash_password("s-pass", 1000), "boss": hash_password("b-pass", 1000)}
    with serving(corpus_index, auth=authenticator(users), admins=frozenset({"boss"})) as url:
        _login(page, url, "staff", "s-pass")
        _open(page, url)
        assert _tab_names(page) == STAFF_TABS
        for name in STAFF_TABS:
            _show_tab(page, name)
            assert set(page.evaluate(_LATIN_WORDS)) == set(), name
        refused = page.request.post(
            f"{url}gradio_api/call/delete", data={"data": ["xingzheng_fuyi_fa_2023.txt"]}
        )
        event = refused.json()["event_id"]
        result = page.request.get(f"{url}gradio_api/call/delete/{event}").text()
        data = json.loads(result.split("data:", 1)[1])
        assert "event: error" in result and data["error"] == "只有管理员可以删除随库文档。"
        assert "xingzheng_fuyi_fa_2023.txt" in [d.doc_id for d in corpus_index.current().manifest.docs]

        page.context.clear_cookies()
        _login(page, url, "boss", "b-pass")
        _open(page, url)
        assert _tab_names(page) == ADMIN_TABS
        _show_tab(page, "文档管理")
        docs = page.locator("#kb-docs").inner_text()
        assert "中华人民共和国行政复议法" in docs and "xingzheng_fuyi_fa" not in docs  # titles, not file names


def _boxes_overlap(page, selectors: list[str]) -> list[tuple[str, str]]:
    """Pairs of the given elements whose boxes intersect (each selector's first visible match)."""
    return page.evaluate(
        """(sels) => {
          const rect = (s) => { const e = [...document.querySelectorAll(s)].find(x => x.offsetParent);
                                 return e && e.getBoundingClientRect(); };
          const rs = sels.map(s => [s, rect(s)]).filter(([, r]) => r && r.width && r.height);
          const out = [];
          for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {
            const [a, p] = rs[i], [b, q] = rs[j];
            if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
              out.push([a, b]);
          }
          return out;
        }""",
        selectors,
    )


@pytest.mark.parametrize("viewport", SCREENS)
def test_answer_view(page, app_url: str, viewport: dict, tmp_path: Path) -> None:
    """Cards open and close with the quote shown once; 复制 gives plain text with 出处; a
    follow-up shows the question it was understood as; a reload keeps the conversation."""
    _open(page, app_url)
    page.evaluate("() => { navigator.clipboard.writeText = async (t) => { window.__copied = t; }; }")
    page.fill("#kb-question textarea", QUESTION)
    page.click("#kb-send")
    page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming)", timeout=90_000)
    card = page.locator("#kb-chat details.kb-card").first
    quote = "共收到行政复议申请76件"
    assert card.inner_text().count(quote) == 1
    card.locator("summary").click()
    card.locator(".kb-context").wait_for(state="visible")
    assert card.inner_text().count(quote) == 1  # the open card shows the context, not the quote again
    card.locator(".kb-less", has_text="收起").click()
    assert card.get_attribute("open") is None and card.locator(".kb-context").is_hidden()
    if viewport is PHONE:
        page.evaluate("() => window.scrollTo(0, 0)")
        _screenshot(page, tmp_path, "screenshot-phone.png")

    page.locator("#kb-chat .kb-copy").last.click()
    copied = page.evaluate("() => window.__copied")
    assert "<" not in copied and copied.startswith(f"问：{QUESTION}")
    assert "答：" in copied and "出处：" in copied
    assert "《柳州市柳江区2023年法治政府建设年度报告》" in copied and "二、（六）3." in copied
    labels = page.evaluate(
        "() => [...document.querySelectorAll('#kb-chat [aria-label]')].map(e => e.getAttribute('aria-label'))"
    )
    assert labels and not [x for x in labels if "<" in x or "message" in x]  # no HTML, no English

    page.fill("#kb-question textarea", "那2022年呢？")
    page.click("#kb-send")
    page.locator("#kb-chat .kb-understood").wait_for(state="visible", timeout=90_000)
    assert "2022年" in page.locator("#kb-chat .kb-understood").inner_text()
    page.wait_for_timeout(1000)  # the conversation is saved after the answer

    page.reload()
    page.wait_for_selector("#kb-footer [data-role]")
    page.locator("#kb-chat .kb-answer").nth(1).wait_for(state="visible", timeout=30_000)
    assert page.locator("#kb-chat .kb-answer").count() == 2
    page.locator("#kb-recent input").click()
    kept = page.get_by_role("option").filter(has_text=QUESTION[:10])
    assert kept.count() == 1
    kept.click()  # the conversation already shown: it stays
    page.wait_for_timeout(500)
    assert page.locator("#kb-chat .kb-answer").count() == 2
    page.click("#kb-new")
    page.locator("#kb-chat .kb-answer").first.wait_for(state="detached")
    page.get_by_label("最近的对话").click()  # the earlier conversation is one pick away
    page.get_by_role("option").filter(has_text=QUESTION[:10]).click()
    page.locator("#kb-chat .kb-answer").nth(1).wait_for(state="visible", timeout=30_000)


@pytest.mark.parametrize("viewport", SCREENS)
def test_question_box_feedback_and_layout(page, app_url: str, viewport: dict) -> None:
    """An empty question gets a message, the counter counts, a long paste is cut with a
    notice; nothing on the page overlaps and nothing runs off the side of a phone."""
    _open(page, app_url)
    page.click("#kb-send")
    toast = page.locator(".toast-body").first
    toast.wait_for(state="visible", timeout=30_000)
    assert "请输入问题" in toast.inner_text() and "提示" in toast.inner_text()
    page.locator(".toast-close").first.click()

    page.fill("#kb-question textarea", "申请行政复议的期限是多久？")
    page.locator("#kb-counter", has_text="13 / 500 字").wait_for()
    long = "行政复议" * 1250  # a 5,000-character paste
    page.fill("#kb-question textarea", long)
    page.locator("#kb-counter .kb-over", has_text="5000 / 500 字").wait_for()
    page.click("#kb-send")
    page.locator(".toast-body", has_text="已截取前 500 字").wait_for(state="visible", timeout=30_000)
    page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming), #kb-chat .kb-error", timeout=90_000)
    assert "问题过长" not in page.locator("#kb-chat").inner_text()

    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    parts = ["h1", "[role=tablist]", "#kb-chat", "#kb-question", "#kb-send", "#kb-new", "#kb-counter", "#kb-recent"]
    assert _boxes_overlap(page, parts) == []


AXE = Path(PROJECT_ROOT) / "build/axe/node_modules/axe-core/axe.min.js"  # what `make browser` installs
AXE_FAIL = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core from npm, installed into the project's build/ folder on first use (never a CDN)."""
    if not AXE.exists():
        if not shutil.which("npm"):
            pytest.skip("needs npm for axe-core (make browser)")
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(AXE.parents[2]), "axe-core@4"],
            check=True,
            timeout=300,
        )
    return AXE


def _axe(page, script: Path) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(script))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                         where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )


# True once an element and its ancestors are fully opaque: Gradio fades an output while its
# event runs, and axe would measure the faded colours.
_SETTLED = """(selector) => {
  let e = document.querySelector(selector);
  if (!e) return false;
  for (; e; e = e.parentElement) if (getComputedStyle(e).opacity !== '1') return false;
  return true;
}"""


@pytest.mark.parametrize("viewport", SCREENS)
def test_axe_finds_no_serious_violation_on_any_tab(page, app_url: str, viewport: dict, axe_script: Path) -> None:
    """WCAG AA contrast and the rest of axe-core's rules: nothing serious or critical on any
    tab, with an answer and its cards on the chat tab. The per-tab summary is printed."""
    _open(page, app_url)
    page.fill("#kb-question textarea", QUESTION)
    page.click("#kb-send")
    page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming)", timeout=90_000)
    page.locator("#kb-chat details.kb-card summary").first.click()
    page.wait_for_function(_SETTLED, arg="#kb-chat .kb-card")
    summary, failing = {}, {}
    for name in ADMIN_TABS:
        _show_tab(page, name)
        if name == "检索":  # hits with their 文号, the text staff look for first
            page.get_by_label("检索内容").fill("申请行政复议 期限")
            page.get_by_role("button", name="检索", exact=True).click()
            page.locator("#kb-search-results .kb-docnum").first.wait_for(state="visible", timeout=60_000)
            page.wait_for_function(_SETTLED, arg="#kb-search-results .kb-card")
        found = _axe(page, axe_script)
        summary[name] = {v["id"]: (v["impact"], v["nodes"]) for v in found}
        failing[name] = [v for v in found if v["impact"] in AXE_FAIL]
    print(f"axe-core {viewport['width']}px:", summary)
    assert failing == {name: [] for name in ADMIN_TABS}


@pytest.mark.parametrize("viewport", SCREENS)
def test_quiz_tab(page, app_url: str, corpus_index, viewport: dict, tmp_path: Path) -> None:
    """提交答卷 waits for a quiz; an empty answer sheet is refused with a warning, a partly
    answered one is graded with one; right and wrong are words in colour; one box per blank."""
    from kb.training.quiz import BLANK, generate_quiz, pool_for

    questions = generate_quiz(pool_for(corpus_index.current()), n=10, seed="7")  # what the tab draws
    assert all(q.prompt.count(BLANK) == 1 for q in questions if not q.options)  # one blank, one box
    _open(page, app_url)
    _show_tab(page, "学习测验")
    submit = page.get_by_role("button", name="提交答卷")
    assert submit.is_disabled()
    page.get_by_label("随机种子（留空则随机）").fill("7")
    page.get_by_role("button", name="开始测验").click()
    page.get_by_text("随机种子 7").wait_for(timeout=60_000)
    assert submit.is_enabled()

    submit.click()
    page.locator(".toast-body", has_text="还没有作答任何题目").wait_for(state="visible", timeout=30_000)
    page.locator(".toast-close").first.click()

    def answer(i: int, right: bool) -> None:
        q = questions[i]
        if q.options:
            j = next(j for j, o in enumerate(q.options) if (o == q.answer) == right)
            page.locator(f"#kb-quiz-choice-{i + 1}").get_by_text(f"{'ABCDEFGH'[j]}. {q.options[j]}").click()
        else:
            page.locator(f"#kb-quiz-blank-{i + 1}").get_by_role("textbox").fill(
                f"{q.answer}{q.unit}" if right else "999999"
            )

    answer(0, True)  # one question answered, the rest left blank
    submit.click()
    page.locator(".toast-body", has_text="未作答，按答错计分").wait_for(state="visible", timeout=30_000)
    page.locator(".kb-right").first.wait_for(state="visible", timeout=30_000)
    assert page.locator(".kb-right").count() == 1 and page.locator(".kb-wrong").count() == 9
    page.locator(".toast-close").first.click()

    for i in range(len(questions)):
        answer(i, right=i % 3 != 1)
    submit.click()
    page.get_by_text("得分：7 / 10").wait_for(timeout=30_000)
    right, wrong = page.locator(".kb-right").first, page.locator(".kb-wrong").first
    assert right.inner_text() == "正确" and wrong.inner_text() == "错误"
    assert right.evaluate("e => getComputedStyle(e).color") == "rgb(5, 96, 58)"  # green
    assert wrong.evaluate("e => getComputedStyle(e).color") == "rgb(145, 32, 24)"  # red
    page.get_by_text("得分：7 / 10").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => window.scrollBy(0, -80)")
    page.wait_for_timeout(300)
    if viewport is DESKTOP:
        _screenshot(page, tmp_path, "screenshot-quiz.png")


_PROGRESS_HOSTS = """() => [...document.querySelectorAll('.progress-level-inner, .progress-bar')]
  .filter(e => e.offsetParent).map(e => (e.closest('[id]') || e).id)"""


def test_upload_shows_one_progress_bar_and_reads_the_number_under_the_title(
    page, tmp_path: Path, short_corpus: Path, embeddings
) -> None:
    """An administrator uploads a notice: one progress bar (on the status line), the 文号 on
    the line under its title is recognised, the table shows its title; the browser console
    stays free of warnings (gr.File's upload progress logged "Method not implemented.")."""
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    index = private_index(tmp_path / "home", short_corpus, embeddings)
    notice = tmp_path / "tongzhi_fazhi_xuanchuan.txt"
    notice.write_text(
        "关于开展法治宣传月活动的通知\n江司通〔2024〕9号\n各单位：\n"
        # long enough (480 passages, several batches of 64 on each core: some seconds to embed
        # here) for the bar to be seen with its estimate between batches
        + "".join(f"{i}. 各单位应当在宣传月内组织第{i}场普法讲座，讲授行政复议法和人民调解法，并报送活动记录。\n" for i in range(1, 481)),
        encoding="utf-8",
    )
    with serving(index) as url:
        _open(page, url)
        _show_tab(page, "文档管理")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="选择文件并导入").click()
        chooser.value.set_files(str(notice))
        bars: set[str] = set()  # the elements that showed a progress bar during the import
        lines: set[str] = set()  # what the bar said
        status = page.locator(".kb-status-ok, .kb-status-err")
        while not status.count():
            bars |= set(page.evaluate(_PROGRESS_HOSTS))
            lines |= set(page.locator(".progress-level").all_inner_texts())
            page.wait_for_timeout(100)
        assert any("正在向量化" in line and "约剩" in line and "%" in line for line in lines), lines
        assert all(line.count("%") <= 1 for line in lines), lines  # one percentage, Gradio's
        assert "已导入《关于开展法治宣传月活动的通知》" in status.inner_text()
        assert len(bars) == 1, bars
        docs = page.locator("#kb-docs")
        docs.locator("[data-testid^=cell-]", has_text="关于开展法治宣传月活动的通知").first.wait_for()
        assert "江司通〔2024〕9号" in docs.inner_text() and "tongzhi" not in docs.inner_text()

        page.get_by_label("选择要删除的文档").click()  # the picker names it by title and 文号 too
        page.get_by_role("option", name="关于开展法治宣传月活动的通知（江司通〔2024〕9号）").click()
        page.evaluate("() => { window.confirm = (m) => { window.__asked = m; return true; }; }")
        page.get_by_role("button", name="删除并更新索引").click()
        page.locator(".kb-status-ok", has_text="已删除《关于开展法治宣传月活动的通知》").wait_for(timeout=60_000)
        asked = page.evaluate("() => window.__asked")
        assert "关于开展法治宣传月活动的通知" in asked and "tongzhi" not in asked
    assert [m for m in console if m.startswith(("warning", "error"))] == []
