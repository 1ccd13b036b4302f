"""Everything on the page that is not a tab: Chinese for Gradio's own strings, the footer
(office name and 使用说明 instead of Gradio's links), and the page script (app/kb.js).

Gradio translates its own labels from per-locale tables; its zh-CN table lacks the keys
below (found by diffing its en and zh-CN tables in gradio 6.31), so they are given here
through gr.I18n. The few labels Gradio writes in code, outside the tables, are put into
Chinese by app/kb.js.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from app import render
from kb.profile import Profile

# Gradio 6.31's en keys with no zh-CN entry, for the components this page uses.
_MISSING_ZH = {
    "common.complete": "完成",  # a status tracker asks for it, though no table has it
    "chatbot.complete": "完成",
    "chatbot.copy_message": "复制",
    "chatbot.copied_message": "已复制",
    "chat_interface.new_chat": "新对话",
    "chat_interface.message_placeholder": "请输入问题",
    "chat_interface.additional_inputs": "更多选项",
    "chat_interface.chatbot": "对话",
    "chat_interface.conversation": "对话",
    "common.download_all": "全部下载",
    "common.runs": "运行记录",
    "common.runs_description": "本浏览器保存的运行记录",
    "common.back_to_app": "返回",
    "common.back_to_app_description": "返回应用",
    "common.progress": "进度",
    "common.run": "运行",
    "dataframe.filter": "筛选",
    "dataframe.clear_filter": "清除筛选",
    "dataframe.import_empty_file": "文件为空。",
    "dataframe.import_no_column_names": "文件没有列名。",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
}
# Chinese pages in any browser language a Chinese office uses.
_LOCALES = ("zh-CN", "zh", "zh-TW", "zh-HK")

SCRIPT = (Path(__file__).with_name("kb.js")).read_text(encoding="utf-8")


def i18n() -> gr.I18n:
    return gr.I18n(**{locale: dict(_MISSING_ZH) for locale in _LOCALES})


def head() -> str:
    return f"<script>{SCRIPT}</script>"


def footer(profile: Profile) -> gr.HTML:
    """The page's footer: who runs it, and how to use it (in place of Gradio's links)."""
    return gr.HTML(footer_html(profile), elem_id="kb-footer")


def footer_html(profile: Profile, admin: bool | None = None) -> str:
    return render.footer(profile.office or profile.title, admin)
