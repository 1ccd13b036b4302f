"""Optional generated answers through any OpenAI-compatible server (vLLM, Ollama, llama.cpp
server, a cloud API), via LangChain's ChatOpenAI.

Off unless KB_LLM=openai. The prompt numbers the passages, shows one worked example with
[n], demands [n] after every claim and no outside knowledge, and spells out the refusal
sentence; each sentence of the answer is then checked by kb.answer.grounding before it is
shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kb.config import settings
from kb.schema import Chunk

MAX_HISTORY_MESSAGES = 4
# An answer is one to three sentences; a small model that rambles past this is cut off
# (and costs seconds per hundred tokens on CPU).
MAX_ANSWER_TOKENS = 400

# What small models (1.5B) follow: numbered passages, the rules as short commands, one worked
# example with [n] at the end of the sentence, and the refusal as the exact sentence to
# write. The example is invented and not about any corpus, so nothing of it can be cited.
REFUSAL_SENTENCE = "知识库中未找到相关内容。"
SYSTEM_PROMPT = f"""你是“法治政府知识库”的问答助手。用户消息里有编号的资料[1]、[2]……和一个问题，你只能依据这些资料回答。
规则：
1. 只使用资料中的内容，不得使用资料以外的任何知识，不得推测、估算或编造。
2. 每句话的句号后面写上所依据资料的编号，例如：……办结118件。[1]
3. 只能使用资料里有的编号；数字、单位、年份、文件标题和文号照抄资料原文，一个字也不改。
4. 如果资料不能回答问题，只写这一句：{REFUSAL_SENTENCE}
5. 用一两句话直接回答问题，使用简体中文，不使用 Markdown，不要只列出资料编号。

示例（仅示范格式）：
资料：
[1] 《某区2023年工作报告》一、（二）
全年共受理群众投诉120件，办结118件，办结率98.3%。
[2] 《某市投诉处理办法》第十条
第十条 投诉应当自受理之日起十五个工作日内办结。
问题：全年办结了多少件投诉？
回答：全年共办结群众投诉118件，办结率98.3%。[1]"""


@dataclass(frozen=True)
class LLMSettings:
    base_url: str | None
    api_key: str
    model: str
    timeout: float = 60.0


class LLMUnavailable(RuntimeError):
    """The model server could not be reached or answered with an error."""


def backend() -> str:
    """The configured backend: openai when KB_LLM=openai, else extractive. Read per answer,
    so a changed environment takes effect without reopening the index."""
    return "openai" if settings().llm.strip().lower() == "openai" else "extractive"


def llm_settings() -> LLMSettings:
    """The model server from kb.config.Settings (OPENAI_BASE_URL, OPENAI_API_KEY, KB_LLM_MODEL,
    KB_LLM_TIMEOUT)."""
    s = settings()
    return LLMSettings(
        base_url=s.openai_base_url,
        api_key=s.openai_api_key.get_secret_value(),
        model=s.llm_model,
        timeout=s.llm_timeout,
    )


def passage_block(n: int, chunk: Chunk) -> str:
    """One numbered passage as the model sees it: where it comes from, then its text."""
    number = f"（{chunk.doc_number}）" if chunk.doc_number else ""
    return f"[{n}] 《{chunk.doc_title}》{number}{chunk.label}\n{chunk.text}"


def build_messages(
    question: str, passages: list[Chunk], history: list[dict] | None = None, system: str = SYSTEM_PROMPT
) -> list[tuple[str, str]]:
    """System rules, the last turns of the conversation, then the passages and the question
    (`system`: another prompt, for comparing prompts on the same questions)."""
    messages: list[tuple[str, str]] = [("system", system)]
    for turn in (history or [])[-MAX_HISTORY_MESSAGES:]:
        role = turn.get("role") if isinstance(turn, dict) else None
        content = turn.get("content") if isinstance(turn, dict) else None
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            messages.append(("human" if role == "user" else "ai", content[:2000]))
    blocks = "\n\n".join(passage_block(n, c) for n, c in enumerate(passages, start=1))
    messages.append(("human", f"资料：\n{blocks}\n\n问题：{question}\n回答："))
    return messages


def stream_answer(messages: list[tuple[str, str]], settings: LLMSettings | None = None) -> Iterator[str]:
    """Text deltas from the model; raises LLMUnavailable when the server fails."""
    from langchain_openai import ChatOpenAI

    s = settings or llm_settings()
    model = ChatOpenAI(
        model=s.model,
        base_url=s.base_url,
        api_key=s.api_key,
        temperature=0,
        streaming=True,
        timeout=s.timeout,
        max_retries=1,
        max_tokens=MAX_ANSWER_TOKENS,
    )
    try:
        for chunk in model.stream(messages):
            content = chunk.content
            if isinstance(content, str):
                if content:
                    yield content
            elif isinstance(content, list):  # content blocks
                for block in content:
                    text = block.get("text") if isinstance(block, dict) else None
                    if text:
                        yield text
    except Exception as err:  # noqa: BLE001 - any transport or API error means: no model answer
        raise LLMUnavailable(str(err)) from err
