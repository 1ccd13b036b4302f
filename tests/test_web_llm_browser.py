"""The web chat with a language model, in headless Chromium: the extractive answer is on
screen while the (stub) model is still writing, and the generated answer replaces it only
when it passes, with the note that says which backend answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_stub import model_server
from web_server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUESTION = "去年行政复议收到了多少件申请？"
FACT = "共收到行政复议申请76件"
PIECE_DELAY_S = 0.3  # the stub streams 4 characters per piece: the reply takes ~5 s

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


def _numbered(body: dict, needle: str) -> int:
    import re

    prompt = body["messages"][-1]["content"]
    for m in re.finditer(r"^\[(\d+)\] 《[^\n]*\n([^\n]*)", prompt, flags=re.M):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no passage holds {needle}")


@pytest.mark.parametrize("passes", [True, False])
def test_extractive_first_then_the_checked_generated_answer(corpus_index, monkeypatch, tmp_path, passes):
    from playwright.sync_api import sync_playwright

    from kb.answer.pipeline import NOTICE_FAILED_CHECK, NOTICE_GENERATED

    with model_server(monkeypatch, delay=PIECE_DELAY_S) as stub, sync_playwright() as p:
        figure = "76件，受理73件" if passes else "78件"
        stub.script = lambda body: f"2023年共收到行政复议申请{figure}。[{_numbered(body, FACT)}]全区还新建了三个调解室。"
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS, locale="zh-CN"
        )
        page = context.pages[0] if context.pages else context.new_page()
        try:
            with serving(corpus_index) as url:
                page.goto(url)
                page.fill("#kb-question textarea", QUESTION)
                page.click("#kb-send")
                page.get_by_text("语言模型作答中", exact=False).wait_for(timeout=90_000)
                bubble = page.locator("#kb-chat .kb-answer:not(.kb-streaming)").last
                assert FACT in bubble.inner_text()  # the extractive answer, while the model writes
                assert page.locator("#kb-chat details.kb-card").count() >= 1
                note = NOTICE_GENERATED if passes else NOTICE_FAILED_CHECK
                page.locator("#kb-chat .kb-notice", has_text=note).last.wait_for(timeout=90_000)
                chat = page.locator("#kb-chat").inner_text()
                assert "语言模型作答中" not in chat and "调解室" not in chat and "78件" not in chat
                if passes:
                    assert "受理73件。" in chat and "另有1句无法在资料中核实，已删去。" in chat
        finally:
            context.close()
