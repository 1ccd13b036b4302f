"""The web app's safety rules on their own: upload names, the password file, HTML escaping."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app import render
from app.auth import AuthFileError, auth_line, authenticator, read_admins, read_auth_file
from app.documents import DocumentError, delete_document, safe_filename, save_upload


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.INI.md", "win.INI.md"),
        ("/abs/path/报告 2023（定稿）.DOCX", "报告_2023（定稿）.docx"),
        (".hidden.txt", "hidden.txt"),
        ("a\x00b\u202e.pdf", "ab.pdf"),
        ("通知<script>.html", "通知_script.html"),
    ],
)
def test_safe_filename_stays_a_plain_name(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["evil.exe", "noext", "../..", "...txt", "SOURCES.tsv", ".txt"])
def test_safe_filename_rejects_bad_names(name: str) -> None:
    with pytest.raises(DocumentError):
        safe_filename(name)


def test_upload_lands_inside_corpus_and_is_checked(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    src = tmp_path / "upload.bin"
    src.write_text("关于测试的通知\n一、全区完成测试任务12项。", encoding="utf-8")
    assert save_upload(corpus, src, "../../etc/passwd.txt") == "passwd.txt"
    assert (corpus / "passwd.txt").read_text(encoding="utf-8").startswith("关于测试的通知")
    assert not (tmp_path / "etc").exists()
    with pytest.raises(DocumentError, match="同名"):
        save_upload(corpus, src, "passwd.txt")
    assert save_upload(corpus, src, "passwd.txt", overwrite=True) == "passwd.txt"
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DocumentError, match="二进制"):
        save_upload(corpus, binary, "b.txt")
    assert sorted(p.name for p in corpus.iterdir()) == ["passwd.txt"]  # no temp file left behind


def test_delete_stays_inside_corpus_and_drops_catalog_row(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    (corpus / "a.txt").write_text("甲", encoding="utf-8")
    (corpus / "b.txt").write_text("乙", encoding="utf-8")
    header = "file\ttitle\tdoc_number\tissuer\tdate\n"
    (corpus / "SOURCES.tsv").write_text(header + "a.txt\t甲\t\t\t\nb.txt\t乙\t\t\t\n", encoding="utf-8")
    for bad in ("../outside.txt", "", ".", "missing.txt"):
        with pytest.raises(DocumentError):
            delete_document(corpus, bad)
    assert (tmp_path / "outside.txt").exists()
    delete_document(corpus, "a.txt")
    assert not (corpus / "a.txt").exists()
    assert (corpus / "SOURCES.tsv").read_text(encoding="utf-8") == header + "b.txt\t乙\t\t\t\n"


def test_password_file_forms(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    plain = hashlib.sha256(b"pw2").hexdigest()
    path.write_text(f"# staff\n{auth_line('alice', 'pw1')}\n\nbob:{plain}\n", encoding="utf-8")
    check = authenticator(read_auth_file(path))
    assert check("alice", "pw1") and check("bob", "pw2")
    assert not check("alice", "pw2") and not check("bob", "pw1") and not check("carol", "pw1")
    path.write_text("alice:not-a-hash\n", encoding="utf-8")
    with pytest.raises(AuthFileError, match="第 1 行"):
        read_auth_file(path)
    path.write_text("# nobody\n", encoding="utf-8")
    with pytest.raises(AuthFileError):
        read_auth_file(path)


def test_auth_file_marks_administrators(tmp_path: Path) -> None:
    """`user:hash:admin` marks an administrator; a file with no mark (the old format) makes
    every account one; any other third field is a format error naming its line."""
    path = tmp_path / "users.txt"
    path.write_text(f"{auth_line('alice', 'pw1')}:admin\n{auth_line('bob', 'pw2')}\n", encoding="utf-8")
    assert read_admins(path) == {"alice"}
    check = authenticator(read_auth_file(path))
    assert check("alice", "pw1") and check("bob", "pw2")  # the mark is not part of the hash
    path.write_text(f"{auth_line('alice', 'pw1')}\n{auth_line('bob', 'pw2')}\n", encoding="utf-8")
    assert read_admins(path) == {"alice", "bob"}
    path.write_text(f"{auth_line('alice', 'pw1')}:root\n", encoding="utf-8")
    with pytest.raises(AuthFileError, match="第 1 行"):
        read_admins(path)


def test_document_text_is_escaped_in_every_render() -> None:
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    card = render.citation_card(
        {"n": 1, "doc_title": evil, "doc_number": evil, "label": evil, "source": evil},
        evil,
        (0, 8),
        {"before": evil, "quote": evil, "after": evil},
    )
    msg = render.answer_body(evil + "[1]", notice=evil)
    for html_text in (card, msg, render.status(evil), render.streaming_body(evil), render.error_body(evil)):
        assert "<script" not in html_text and "<img" not in html_text
        assert "&lt;script&gt;" in html_text
    assert "<mark>&lt;script&gt;</mark>" in card
    assert '<sup class="kb-ref">[1]</sup>' in msg


def test_term_spans_fold_width_and_case() -> None:
    text = "江政办〔２０２３〕16号 规定 ABC"
    assert render.term_spans(text, ["2023", "abc"]) == [(4, 8), (16, 19)]
    assert render.marked("a<b", [(1, 2)]) == "a<mark>&lt;</mark>b"


def test_upload_must_come_from_gradio_upload_folder(tmp_path: Path) -> None:
    import gradio as gr

    from app.web import _uploaded_path

    for bad in ({"path": "/etc/hostname"}, {"path": str(tmp_path)}, {"path": ""}, None):
        with pytest.raises(DocumentError):
            _uploaded_path(bad)
    folder = Path(gr.utils.get_upload_folder()) / "kb-test"
    folder.mkdir(parents=True, exist_ok=True)
    ok = folder / "x.txt"
    ok.write_text("x", encoding="utf-8")
    try:
        assert _uploaded_path({"path": str(ok), "orig_name": "通知.txt"}) == (ok.resolve(), "通知.txt")
    finally:
        ok.unlink()


def test_a_resolved_follow_up_is_shown_as_understood() -> None:
    from app.render import answer_markdown, answer_message
    from kb.answer import Answer

    follow = Answer(question="那2022年呢？", answer="收到52件。", resolved_question="2022年行政复议收到多少件申请")
    assert "理解为：2022年行政复议收到多少件申请" in answer_message(follow, None)
    assert "> 理解为：2022年行政复议收到多少件申请" in answer_markdown(follow)
    alone = Answer(question="行政复议申请期限是多久？", answer="六十日。")
    assert "理解为" not in answer_message(alone, None) and "理解为" not in answer_markdown(alone)
    html = answer_message(Answer(question="那<b>呢", answer="x", resolved_question="<script>"), None)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_copied_answer_is_plain_text_with_sources() -> None:
    answer = {
        "question": "那2022年呢？",
        "resolved_question": "2022年行政复议收到多少件申请",
        "answer": "与2022年同期的收到52件相比。[1]",
        "citations": [
            {"n": 1, "doc_title": "某区2023年报告", "doc_number": "江政办〔2023〕16号", "label": "二、（六）3."}
        ],
    }
    text = render.answer_plain(answer)
    assert text.splitlines() == [
        "问：那2022年呢？",
        "（理解为：2022年行政复议收到多少件申请）",
        "答：与2022年同期的收到52件相比。[1]",
        "出处：",
        "[1] 《某区2023年报告》（江政办〔2023〕16号） 二、（六）3.",
    ]
    button = render.copy_button('<script>x</script>\n第二行')
    assert "<script>" not in button and "<span>&lt;script&gt;x&lt;/script&gt;</span><span>第二行</span>" in button


def test_conversations_kept_newest_first_and_trimmed() -> None:
    from app import history

    store = dict(history.EMPTY)
    for n in range(history.MAX_CHATS + 2):
        turns = [{"question": f"问题{n}-{t}", "answer": "答"} for t in range(history.MAX_TURNS + 3)]
        messages = [m for t in turns for m in ({"role": "user"}, {"role": "assistant"})]
        store = history.saved(store, f"c{n}", messages, turns)
    last = f"c{history.MAX_CHATS + 1}"
    assert store["current"] == last and len(store["chats"]) == history.MAX_CHATS
    assert [cid for _, cid in history.choices(store)][0] == last
    kept = history.current(store)
    assert len(kept["turns"]) == history.MAX_TURNS and len(kept["messages"]) == 2 * history.MAX_TURNS
    assert kept["title"] == f"问题{history.MAX_CHATS + 1}-0"  # named by its first question, even once trimmed
    store = history.saved(store, "c3", [], [{"question": "再问"}])  # an older one moves to the front
    assert store["chats"][0]["id"] == "c3" and len(store["chats"]) == history.MAX_CHATS
    assert history.current({"chats": "junk"}) is None and history.choices(None) == []


def test_progress_line_has_count_and_time_left() -> None:
    from app.web import embedding_desc

    assert embedding_desc(0, 480, 0.0) == "正在向量化 0 / 480 段"
    assert embedding_desc(120, 480, 12.0) == "正在向量化 120 / 480 段，约剩 36 秒"
    assert embedding_desc(10, 480, 10.0) == "正在向量化 10 / 480 段，约剩 8 分钟"


def test_roles_from_login_or_loopback() -> None:
    from types import SimpleNamespace

    from app.roles import is_admin

    def request(user=None, host="127.0.0.1"):
        return SimpleNamespace(username=user, client=SimpleNamespace(host=host))

    assert is_admin(request(), None) and is_admin(request(host="::1"), None)
    assert not is_admin(request(host="10.0.0.8"), None)  # no login, another machine: staff
    assert is_admin(request("boss"), frozenset({"boss"})) and not is_admin(request("staff"), frozenset({"boss"}))
    assert is_admin(request("anyone"), None)  # --auth without marks: every account
    assert not is_admin(None, None)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("关于开展法治宣传月活动的通知\n江司通〔2024〕9号\n各单位：\n", "江司通〔2024〕9号"),
        ("关于开展法治宣传月活动的通知\n\n　江司通〔2024〕9号　\n", "江司通〔2024〕9号"),
        ("关于开展法治宣传月活动的通知\n根据江司通〔2024〕9号文件要求，现通知如下。\n", ""),
        ("通知\n各单位：\n一、\n二、\n三、\n江司通〔2024〕9号\n", ""),  # too far below the title
    ],
)
def test_docnum_on_a_line_under_the_title(text: str, number: str) -> None:
    from ingest.corpus import _header_docnum

    assert _header_docnum(text) == number
