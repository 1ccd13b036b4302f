"""Recent conversations kept in the visitor's browser (gr.BrowserState), so a reload or a
closed tab does not lose them. Plain functions over the stored dict:

    {"current": id or None, "chats": [{"id", "title", "messages", "turns", "at"}, …]}

newest first. The server keeps nothing: each browser holds its own.
"""

from __future__ import annotations

import secrets
import time
import uuid
from pathlib import Path
from typing import Any

# Recent conversations kept, and turns kept of each: a rendered answer with its cards is
# 3–12 KB of HTML (measured on the bundled corpus), so 8 × 10 turns stays near 1 MB,
# well inside the 5 MB a browser gives localStorage even after BrowserState's encryption.
MAX_CHATS = 8
MAX_TURNS = 10
TITLE_CHARS = 24

EMPTY: dict[str, Any] = {"current": None, "chats": []}


def _chats(store: Any) -> list[dict]:
    chats = store.get("chats") if isinstance(store, dict) else None
    return [c for c in chats or [] if isinstance(c, dict) and c.get("id")]


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def title_of(turns: list[dict]) -> str:
    """A conversation is named by its first question."""
    first = next((str(t.get("question", "")).strip() for t in turns if t.get("question")), "")
    return first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "") or "新对话"


def saved(store: Any, chat_id: str, messages: list[dict], turns: list[dict]) -> dict:
    """The store with this conversation put first (replacing its older copy), trimmed."""
    if not turns:
        return store if isinstance(store, dict) else dict(EMPTY)
    kept_turns = turns[-MAX_TURNS:]
    kept_messages = messages[-2 * len(kept_turns) :] if messages else []
    chat = {
        "id": chat_id,
        "title": title_of(turns),
        "messages": kept_messages,
        "turns": kept_turns,
        "at": time.time(),
    }
    others = [c for c in _chats(store) if c["id"] != chat_id]
    return {"current": chat_id, "chats": [chat, *others][:MAX_CHATS]}


def find(store: Any, chat_id: str | None) -> dict | None:
    return next((c for c in _chats(store) if c["id"] == chat_id), None)


def current(store: Any) -> dict | None:
    """The conversation to show after a reload: the one last open, if it is still kept."""
    return find(store, store.get("current") if isinstance(store, dict) else None)


def choices(store: Any) -> list[tuple[str, str]]:
    """(label, id) of the kept conversations, newest first, for the 最近的对话 picker."""
    out = []
    for c in _chats(store):
        when = time.strftime("%m-%d %H:%M", time.localtime(c.get("at") or 0))
        out.append((f"{c.get('title') or '新对话'}（{when}）", c["id"]))
    return out


def secret(home: Path) -> str:
    """The key BrowserState encrypts with, kept in the data folder so that conversations
    survive a server restart (a fresh random key would make every stored one unreadable)."""
    path = Path(home) / "browser-state.key"
    try:
        return path.read_text(encoding="utf-8").strip() or _write_secret(path)
    except FileNotFoundError:
        return _write_secret(path)
    except OSError:
        return secrets.token_hex(16)


def _write_secret(path: Path) -> str:
    key = secrets.token_hex(16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key, encoding="utf-8")
    except OSError:
        pass  # a read-only data folder: conversations last until the server restarts
    return key
