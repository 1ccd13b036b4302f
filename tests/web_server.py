"""Helpers for the web tests: a real app server on a free loopback port, closed afterwards."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.config import settings
from kb.index import Index
from kb.indexer import ingest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index: Index, auth=None) -> Iterator[str]:
    """The whole app (UI and API) for `index`, on loopback; yields its URL."""
    from app.web import build_app, launch

    demo = build_app(index)
    url = launch(demo, host="127.0.0.1", port=free_port(), auth=auth, block=False)
    try:
        yield url
    finally:
        demo.close()


def private_index(home: Path, corpus: Path, embeddings) -> Index:
    """An index of a test's own corpus folder in its own data dir (safe to mutate)."""
    s = settings(home=home, corpus=corpus)
    ingest(s, embeddings)
    return Index(s, embeddings)
