"""Optional generated answers through any OpenAI-compatible server (vLLM, Ollama, llama.cpp
server, a cloud API), via LangChain's ChatOpenAI.

Off unless KB_LLM=openai. The prompt numbers the passages and demands [n] after every
claim, no outside knowledge and the refusal sentence when the passages are silent; the
answer is then checked by kb.answer.grounding before it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kb.config import settings
from kb.schema import Chunk

MAX_HISTORY_MESSAGES = 4

SYSTEM_PROMPT = """你是“法治政府知识库”的问答助手，只能依据用户消息中编号的资料回答问题。
规则：
1. 只使用资料中的内容，不得使用资料以外的任何知识，不得推测或编造。
2. 每一句陈述的句末都要用方括号标注所依据资料的编号，例如：共收到行政复议申请76件。[1]
3. 只能使用资料中存在的编号；数字、日期、文号必须与资料原文完全一致。
4. 如果资料不能回答问题，只回答一句：“知识库中未找到……”（写明缺少的内容），不要给出其他内容。
5. 先用一句话直接回答，再视需要补充一两句依据。使用简体中文，不使用 Markdown。"""


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
    question: str, passages: list[Chunk], history: list[dict] | None = None
) -> list[tuple[str, str]]:
    """System rules, the last turns of the conversation, then the passages and the question."""
    messages: list[tuple[str, str]] = [("system", SYSTEM_PROMPT)]
    for turn in (history or [])[-MAX_HISTORY_MESSAGES:]:
        role = turn.get("role") if isinstance(turn, dict) else None
        content = turn.get("content") if isinstance(turn, dict) else None
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            messages.append(("human" if role == "user" else "ai", content[:2000]))
    blocks = "\n\n".join(passage_block(n, c) for n, c in enumerate(passages, start=1))
    messages.append(("human", f"资料：\n{blocks}\n\n问题：{question}"))
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
