"""The web page in headless Chromium (Debian's package, driven by Playwright): a question gets
an answer with its citation card, and document text that looks like HTML stays text."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from web_server import private_index, serving

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


@pytest.fixture
def page(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir for every test
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 1000},
            locale="zh-CN",
        )
        page = context.pages[0] if context.pages else context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        yield page
        context.close()


def _ask(page, url: str, question: str) -> None:
    page.goto(url)
    page.fill("#kb-question textarea", question)
    page.click("#kb-send")
    page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming)", timeout=90_000)


def test_chat_answer_shows_citation_card(page, corpus_index, tmp_path: Path) -> None:
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
        shot = tmp_path / "screenshot-chat.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("KB_SCREENSHOT_OUT"):  # how docs/screenshot-chat.png is refreshed
            shutil.copyfile(shot, os.environ["KB_SCREENSHOT_OUT"])


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
