"""The web app's named API, driven with gradio_client against a real server on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError
from kb_process import kb_env
from web_server import private_index, serving, start_serve

pytestmark = pytest.mark.slow  # every test talks to a running web server

REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"


@pytest.fixture(scope="module")
def corpus_client(corpus_index):
    """Read-only: this server stands on the shared corpus index, so nothing here uploads or deletes."""
    with serving(corpus_index) as url:
        yield Client(url, verbose=False)


def test_api_names_are_stable(corpus_client: Client) -> None:
    names = set(corpus_client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/ask", "/search", "/docs_lookup", "/documents", "/upload", "/delete"} <= names


def test_ask_answers_with_exact_citations(corpus_client: Client, corpus_index) -> None:
    r = corpus_client.predict("2023年行政复议收到多少件申请？", None, api_name="/ask")
    assert not r["refused"]
    assert "76" in r["answer"]
    assert r["citations"] and "[1]" in r["answer"]
    assert any(c["doc_id"] == REPORT and c["label"] == "二、（六）3." for c in r["citations"])
    chunks = corpus_index.current().chunks
    for c in r["citations"]:
        chunk = chunks[c["chunk_id"]]
        assert chunk.text[c["start"] - chunk.start : c["end"] - chunk.start] == c["quote"]


def test_ask_takes_history_and_rejects_empty(corpus_client: Client) -> None:
    history = [
        {"role": "user", "content": "2023年行政复议收到多少件申请？"},
        {"role": "assistant", "content": "共收到行政复议申请76件[1]。"},
    ]
    r = corpus_client.predict("申请行政复议的期限是多久？", history, api_name="/ask")
    assert "六十日" in r["answer"] or "60日" in r["answer"]
    with pytest.raises(Exception, match="问题不能为空"):
        corpus_client.predict("   ", None, api_name="/ask")


def test_search_with_document_filter(corpus_client: Client) -> None:
    hits = corpus_client.predict("行政复议申请期限", 5, None, api_name="/search")
    assert len(hits) == 5 and hits[0]["rank"] == 1
    only = corpus_client.predict("行政复议申请期限", 5, [REPORT], api_name="/search")
    assert only and all(h["doc_id"] == REPORT for h in only)
    assert {"doc_title", "doc_number", "label", "text", "score", "matched_by"} <= set(only[0])


def test_docs_lookup_by_number_title_and_all(corpus_client: Client) -> None:
    by_number = corpus_client.predict("江政办〔2023〕16号", api_name="/docs_lookup")
    assert by_number[0]["doc_number"] == "江政办〔2023〕16号"
    assert not by_number[0]["in_corpus"] and by_number[0]["citations"]
    assert by_number[0]["citations"][0]["doc_id"] == REPORT
    law = corpus_client.predict("行政复议法", api_name="/docs_lookup")
    assert law[0]["in_corpus"] and law[0]["source_file"] == "xingzheng_fuyi_fa_2023.txt"
    everything = corpus_client.predict("", api_name="/docs_lookup")
    assert len(everything) > 20


def test_documents_lists_chunks_and_time(corpus_client: Client) -> None:
    docs = {d["doc_id"]: d for d in corpus_client.predict(api_name="/documents")}
    assert REPORT in docs and docs[REPORT]["chunks"] > 10 and docs[REPORT]["ingested_at"][:2] == "20"


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("关于推进智慧停车管理工作的通知")
    d.add_paragraph("一、工作成效")
    d.add_paragraph("1. 截至2023年底，全区共建成智慧停车泊位1280个，停车诱导屏36块。")
    d.save(str(path))
    return path


def test_upload_ask_delete_then_refuse(tmp_path: Path, small_corpus: Path, embeddings) -> None:
    index = private_index(tmp_path / "home", small_corpus, embeddings)
    question = "全区共建成智慧停车泊位多少个？"
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x00\x00")
    with serving(index) as url:
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="不支持的文件类型"):
            client.predict(handle_file(exe), False, api_name="/upload")
        # a raw call naming a file on the server instead of uploading one is refused
        payload = {"data": [{"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}, False]}
        refused = httpx.post(f"{url}gradio_api/call/upload", json=payload)
        assert refused.status_code == 403 and "不能指定服务器上的路径" in refused.json()["detail"]
        assert sorted(p.name for p in small_corpus.iterdir()) == [
            "SOURCES.tsv",
            "notice.txt",
            "renmin_tiaojie_fa_2010.txt",
        ]

        up = client.predict(handle_file(_docx(tmp_path / "智慧停车 通知.docx")), False, api_name="/upload")
        doc_id = up["doc_id"]
        assert up["ok"] and doc_id == "智慧停车_通知.docx" and (small_corpus / doc_id).is_file()
        with pytest.raises(Exception, match="同名"):
            client.predict(handle_file(tmp_path / "智慧停车 通知.docx"), False, api_name="/upload")
        listed = {d["doc_id"]: d for d in client.predict(api_name="/documents")}
        assert listed[doc_id]["chunks"] >= 1

        answer = client.predict(question, None, api_name="/ask")
        assert not answer["refused"] and "1280" in answer["answer"]
        assert any(c["doc_id"] == doc_id for c in answer["citations"])

        gone = client.predict(doc_id, api_name="/delete")
        assert gone["ok"] and not (small_corpus / doc_id).exists()
        assert doc_id not in {d["doc_id"] for d in client.predict(api_name="/documents")}

        again = client.predict(question, None, api_name="/ask")
        assert again["refused"]
        assert all(c["doc_id"] != doc_id for c in again["citations"] + again["related"])
        hits = client.predict("智慧停车泊位 停车诱导屏", 10, None, api_name="/search")
        assert all(h["doc_id"] != doc_id for h in hits)
        with pytest.raises(Exception, match="没有"):
            client.predict(doc_id, api_name="/delete")


def test_auth_file_gates_pages_and_api(tmp_path: Path, small_corpus: Path) -> None:
    """`kb serve --auth FILE` end to end: first start ingests, prints the address, then
    nothing answers without a login."""
    from app.auth import auth_line

    users = tmp_path / "users.txt"
    users.write_text(auth_line("staff", "法治2024") + "\n", encoding="utf-8")
    proc, url = start_serve(kb_env(tmp_path / "home", small_corpus), "--auth", str(users), timeout=180)
    try:
        assert httpx.get(url + "config").status_code == 401
        assert httpx.get(url + "gradio_api/info").status_code == 401
        call = httpx.post(url + "gradio_api/call/search", json={"data": ["调解", 3, None]})
        assert call.status_code == 401
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        with pytest.raises((AuthenticationError, ValueError), match="login"):
            Client(url, verbose=False, auth=("staff", "wrong"))
        client = Client(url, verbose=False, auth=("staff", "法治2024"))
        assert client.predict("人民调解委员会", 3, None, api_name="/search")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
