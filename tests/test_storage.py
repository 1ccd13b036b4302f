"""The data directory and the corpus folder under stress: catalog files that must not be deleted,
metadata edits, a disk that fills up during an ingest, a data directory mounted read-only, and
generations left behind by killed runs.

The disk is really full and the mount really read-only: a small tmpfs, and a read-only bind
mount (root ignores file permissions, but not a read-only mount). Both need the mount syscall;
where it is refused (an unprivileged container) those tests skip and say so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from corpora import LAW, REPORT, write_tiny_corpus

from app import service
from app.cli import main
from app.commands.serve import ensure_ingested
from app.documents import DocumentError
from ingest.corpus import CATALOG_NAME
from kb.config import DEFAULT_CORPUS, Settings, settings
from kb.index import Index, store
from kb.index.storage import StorageError
from kb.index.writer import ingest
from kb.search.retrieval import search

QUERIES = ("人民调解委员会由几人组成", "人民调解员应当具备什么条件", "测试任务完成率", "行政复议收到多少件申请")
NEW_NUMBER = "中华人民共和国主席令第三十四号（测试改）"
NEW_TITLE = "中华人民共和国人民调解法（测试标题）"


def _mount(*args: str) -> None:
    """Run mount(8); skip the test when the kernel refuses the syscall (no CAP_SYS_ADMIN)."""
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        if "permission denied" in done.stderr.lower() or "not permitted" in done.stderr.lower():
            pytest.skip(f"mount refused in this environment: {done.stderr.strip()}")
        raise AssertionError(f"mount {' '.join(args)} failed: {done.stderr}")


@contextmanager
def mounted(*args: str, target: Path) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    _mount(*args, str(target))
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def _collections(s: Settings) -> set[str]:
    return {c.name for c in store.open_client(s).list_collections()} - {store.META_COLLECTION}


def _results(index: Index) -> dict[str, list[str]]:
    return {q: [h.chunk.chunk_id for h in search(index, q, k=5)] for q in QUERIES}


def _kb(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, s: Settings, *args: str):
    """`kb <args>` in this process against `s`: (exit status, stdout, stderr)."""
    monkeypatch.setenv("KB_HOME", str(s.home))
    monkeypatch.setenv("KB_CORPUS", str(s.corpus))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- catalog and metadata ---------------------------------------------------------------------


def test_catalog_and_profile_are_never_deleted_as_documents(tmp_path: Path, embeddings) -> None:
    corpus = write_tiny_corpus(tmp_path / "corpus")
    shutil.copy(DEFAULT_CORPUS / "profile.toml", corpus / "profile.toml")
    s = settings(home=tmp_path / "home", corpus=corpus)
    ingest(s, embeddings)
    index = Index(s, embeddings)
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    for name, words in ((CATALOG_NAME, "目录清单"), ("profile.toml", "配置文件")):
        with pytest.raises(DocumentError, match=words) as err:
            service.delete(index, name)
        assert name in str(err.value) and "不能删除" in str(err.value)
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before
    assert index.current().doc_records[LAW].doc_number  # the catalog still names the law


@pytest.mark.slow  # a real web server
def test_delete_refuses_the_catalog_over_the_api(tmp_path: Path, embeddings) -> None:
    from gradio_client import Client
    from web_server import private_index, serving

    corpus = write_tiny_corpus(tmp_path / "corpus")
    index = private_index(tmp_path / "home", corpus, embeddings)
    catalog = (corpus / CATALOG_NAME).read_bytes()
    with serving(index) as url:
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="SOURCES.tsv 是文档目录的目录清单"):
            client.predict(CATALOG_NAME, api_name="/delete")
        listed = {d["doc_id"]: d for d in client.predict(api_name="/documents")}
    assert (corpus / CATALOG_NAME).read_bytes() == catalog
    assert listed[LAW]["doc_number"] == "中华人民共和国主席令第三十四号"


def test_a_changed_title_or_number_is_reingested_without_rebuild(
    tmp_path: Path, embeddings, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_tiny_corpus(tmp_path / "corpus")
    s = settings(home=tmp_path / "home", corpus=corpus)
    ingest(s, embeddings)
    catalog = corpus / CATALOG_NAME
    rows = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = []
    for row in rows:
        cells = row.rstrip("\n").split("\t")
        if cells[0] == LAW:
            cells[1], cells[2] = NEW_TITLE, NEW_NUMBER
        edited.append("\t".join(cells) + "\n")
    catalog.write_text("".join(edited), encoding="utf-8")

    code, out, err = _kb(capsys, monkeypatch, s, "ingest", "--quiet")
    assert code == 0, err
    assert "导入完成" in out and f"更新：{LAW}" in out
    assert "新向量化 0" in out  # the text is the same: every vector is reused
    code, out, _ = _kb(capsys, monkeypatch, s, "docs", "--json")
    entries = json.loads(out)
    law = next(e for e in entries if LAW in json.dumps(e, ensure_ascii=False))
    assert NEW_NUMBER in json.dumps(law, ensure_ascii=False)
    hits = search(Index(s, embeddings), "人民调解委员会由几人组成", k=3)
    assert {h.chunk.doc_number for h in hits if h.chunk.doc_id == LAW} == {NEW_NUMBER}
    assert hits[0].chunk.doc_title == NEW_TITLE

    # the catalog deleted by hand, then put back: each step is seen by a plain ingest
    catalog.unlink()
    assert _kb(capsys, monkeypatch, s, "ingest", "--quiet")[1].count("更新") == 1
    catalog.write_text("".join(rows), encoding="utf-8")
    code, out, _ = _kb(capsys, monkeypatch, s, "ingest", "--quiet")
    assert "导入完成" in out and "新向量化 0" in out
    assert Index(s, embeddings).current().doc_records[LAW].doc_number == "中华人民共和国主席令第三十四号"

    # a new profile: a new generation (nothing embedded), so a serving process reopens with it
    serving = Index(s, embeddings)
    assert serving.current().profile.district == ""  # the tiny corpus has no profile
    shutil.copy(DEFAULT_CORPUS / "profile.toml", corpus / "profile.toml")
    code, out, _ = _kb(capsys, monkeypatch, s, "ingest", "--quiet")
    assert "导入完成" in out and "profile.toml 已更改" in out and "新向量化 0" in out
    assert serving.current().profile.district == "柳江区"
    assert "导入无变化" in _kb(capsys, monkeypatch, s, "ingest", "--quiet")[1]


# -- generations left by killed runs ----------------------------------------------------------


def _leave_orphan(s: Settings) -> str:
    """What an ingest killed midway leaves: a half-filled collection nobody points to, and
    its BM25 folder (the state test_atomic_ingest produces with real kills)."""
    client = store.open_client(s)
    orphan = store.new_generation(client)
    orphan.add(ids=["x"], documents=["半截"], metadatas=[{"doc_id": "x"}], embeddings=[[0.0] * 384])
    store.lexical_dir(s, orphan.name).mkdir(parents=True)
    return orphan.name


def test_unchanged_ingest_and_serve_start_remove_orphaned_generations(tmp_path: Path, embeddings) -> None:
    s = settings(home=tmp_path / "home", corpus=write_tiny_corpus(tmp_path / "corpus"))
    current = ingest(s, embeddings).collection
    orphan = _leave_orphan(s)
    assert _collections(s) == {current, orphan}
    report = ingest(s, embeddings)
    assert report.unchanged and report.collection == current
    assert _collections(s) == {current}
    assert not store.lexical_dir(s, orphan).exists()

    orphan = _leave_orphan(s)
    ensure_ingested(Index(s, embeddings))  # what `kb serve` does before it listens
    assert _collections(s) == {current}
    assert sorted(p.name for p in (s.home / "lexical").iterdir()) == [current]


# -- a full disk ------------------------------------------------------------------------------


def _fill(mount: Path, leave: int) -> Path:
    """Fill the filesystem at `mount` until `leave` bytes are free."""
    st = os.statvfs(mount)
    filler = mount / "filler"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    return filler


# Free bytes left on the 16 MB tmpfs: the tiny index takes 0.8 MB, adding the whole report
# needs about 1.3 MB more; with 200 KB free the write fails inside Chroma ("database or disk
# is full"), with 1.5 MB it fits.
_LEFT_FREE = 200_000


def test_a_full_disk_fails_in_chinese_keeps_the_old_index_and_recovers(
    tmp_path: Path, embeddings, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mounted("-t", "tmpfs", "-o", "size=16m", "tmpfs", target=tmp_path / "disk") as disk:
        corpus = write_tiny_corpus(tmp_path / "corpus")
        s = settings(home=disk / "home", corpus=corpus)
        current = ingest(s, embeddings).collection
        index = Index(s, embeddings)  # a serving process's index, open through all of it
        before = _results(index)
        shutil.copy(DEFAULT_CORPUS / REPORT, corpus / "full_report.txt")
        filler = _fill(disk, _LEFT_FREE)

        code, out, err = _kb(capsys, monkeypatch, s, "ingest", "--quiet")
        assert code == 2 and not out
        assert f"数据目录 {s.home} 所在的磁盘已满" in err and "释放磁盘空间后重新运行 kb ingest" in err
        assert "Traceback" not in err and "database" not in err
        assert _results(index) == before  # the old index keeps answering
        assert _collections(s) == {current}  # the partial generation is gone
        assert sorted(p.name for p in (s.home / "lexical").iterdir()) == [current]

        # In this process too (an upload in `kb serve`): refused the same way, then, once
        # space is freed, the next ingest succeeds and the open index follows it.
        with pytest.raises(StorageError, match="磁盘已满"):
            ingest(s, embeddings)
        assert _results(index) == before
        filler.unlink()
        report = ingest(s, embeddings)
        assert not report.unchanged and report.added == ["full_report.txt"]
        assert index.current().manifest.collection == report.collection
        assert "full_report.txt" in index.current().doc_records
        code, out, err = _kb(capsys, monkeypatch, s, "search", "2023年行政复议收到多少件申请", "--json")
        assert code == 0, err


# -- a read-only data directory ---------------------------------------------------------------


@pytest.fixture
def read_only_home(tmp_path: Path, embeddings) -> Iterator[tuple[Settings, Settings]]:
    """(writable settings, the same index seen through a read-only bind mount)."""
    corpus = write_tiny_corpus(tmp_path / "corpus")
    rw = settings(home=tmp_path / "home", corpus=corpus)
    ingest(rw, embeddings)
    target = tmp_path / "ro"
    with mounted("--bind", str(rw.home), target=target):
        _mount("-o", "remount,bind,ro", str(target))
        with pytest.raises(OSError, match="Read-only"):
            (target / "probe").write_text("x")
        yield rw, settings(home=target, corpus=corpus)


def test_read_only_data_dir_answers_without_writing(
    read_only_home, embeddings, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    rw, ro = read_only_home
    index = Index(ro, embeddings)
    assert index.read_only and index.client is None
    assert _results(index) == _results(Index(rw, embeddings))  # same passages, same order

    code, out, err = _kb(capsys, monkeypatch, ro, "search", "人民调解委员会由几人组成", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["source"] == LAW
    code, out, err = _kb(capsys, monkeypatch, ro, "ask", "2023年行政复议收到多少件申请？", "--json")
    assert code == 0, err
    assert "76" in json.loads(out)["answer"]

    for args in (("ingest", "--quiet"), ("ingest", "--rebuild", "--quiet")):
        code, out, err = _kb(capsys, monkeypatch, ro, *args)
        assert code == 2 and f"目录 {ro.home} 是只读的" in err and "Traceback" not in err
    with pytest.raises(StorageError, match="只读"):
        service.upload(index, ro.corpus / LAW, "新文件.txt")
    assert not (ro.corpus / "新文件.txt").exists()


def test_read_only_index_without_a_vector_file_answers_by_keywords(
    tmp_path: Path, embeddings, caplog: pytest.LogCaptureFixture
) -> None:
    """An index written before vector files existed, mounted read-only: BM25 still answers."""
    corpus = write_tiny_corpus(tmp_path / "corpus")
    rw = settings(home=tmp_path / "home", corpus=corpus)
    name = ingest(rw, embeddings).collection
    (store.lexical_dir(rw, name) / "vectors.npz").unlink()
    with mounted("--bind", str(rw.home), target=tmp_path / "ro") as target:
        _mount("-o", "remount,bind,ro", str(target))
        index = Index(settings(home=target, corpus=corpus), embeddings)
        hits = search(index, "人民调解委员会由几人组成", k=3)
    assert hits and hits[0].chunk.doc_id == LAW
    assert all("dense" not in h.ranks for h in hits)
    assert "没有向量文件，只能按关键词检索" in caplog.text


def test_read_only_corpus_folder_refuses_uploads_by_name(tmp_path: Path, embeddings) -> None:
    corpus = write_tiny_corpus(tmp_path / "corpus")
    s = settings(home=tmp_path / "home", corpus=tmp_path / "ro-corpus")
    with mounted("--bind", str(corpus), target=s.corpus):
        _mount("-o", "remount,bind,ro", str(s.corpus))
        ingest(s, embeddings)
        index = Index(s, embeddings)
        upload = tmp_path / "上传.txt"
        upload.write_text("关于测试的通知\n一、全区完成测试任务8项。\n", encoding="utf-8")
        with pytest.raises(StorageError, match=f"目录 {s.corpus} 是只读的"):
            service.upload(index, upload, "上传.txt")
        with pytest.raises(StorageError, match=f"目录 {s.corpus} 是只读的"):
            service.delete(index, "notice.txt")


@pytest.mark.slow  # `kb serve` as its own process
def test_serve_on_a_read_only_data_dir_answers_and_disables_uploads(read_only_home) -> None:
    import httpx
    from gradio_client import Client
    from kb_process import kb_env
    from web_server import start_serve

    _, ro = read_only_home
    proc, url = start_serve(kb_env(ro.home, ro.corpus), timeout=180)
    try:
        client = Client(url, verbose=False)
        answer = client.predict("人民调解委员会由哪些人组成？", None, api_name="/ask")
        assert not answer["refused"] and answer["citations"]
        with pytest.raises(Exception, match="是只读的"):
            client.predict("notice.txt", api_name="/delete")
        page = httpx.get(f"{url}config", timeout=30).text
        assert "数据目录为只读：上传和删除已停用" in page
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (ro.corpus / "notice.txt").exists()
