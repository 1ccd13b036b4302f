"""Structure recovery on the real report and a real law: labels, heading paths, exact offsets."""

from __future__ import annotations

from ingest.corpus import load_corpus, load_document, read_catalog
from ingest.structure import MAX_CHUNK_CHARS, chunk_document, is_law
from kb.config import DEFAULT_CORPUS
from kb.schema import Chunk, SourceDoc

REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"
FUYI = "xingzheng_fuyi_fa_2023.txt"


def _doc(name: str) -> SourceDoc:
    return load_document(DEFAULT_CORPUS / name, DEFAULT_CORPUS, read_catalog(DEFAULT_CORPUS))


def _chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    found = [c for c in chunks if needle in c.text]
    assert len(found) == 1, f"{needle!r} in {len(found)} chunks"
    return found[0]


def test_every_chunk_is_an_exact_slice_of_its_document() -> None:
    docs, skipped = load_corpus(DEFAULT_CORPUS)
    assert len(docs) == 7 and skipped == []
    for doc in docs:
        chunks = chunk_document(doc)
        assert chunks, doc.doc_id
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.text == c.text.strip()
        starts = [c.start for c in chunks]
        assert starts == sorted(starts)
        assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_report_labels_follow_its_headings() -> None:
    doc = _doc(REPORT)
    assert not is_law(doc.text)
    chunks = chunk_document(doc)
    fuyi = _chunk_with(chunks, "共收到行政复议申请76件")
    assert fuyi.label == "二、（六）3."
    assert fuyi.section_path[0].startswith("二、2023年法治政府建设主要举措和成效")
    assert fuyi.section_path[1] == "（六）深化矛盾纠纷多元化解工作"
    assert fuyi.section_path[2] == "3. 依法履行行政复议职责"
    assert _chunk_with(chunks, "公布容缺受理行政审批事项99项").label == "二、（二）3."
    assert _chunk_with(chunks, "从九个方面作出具体规定").label == "一、（二）"
    assert _chunk_with(chunks, "法治政府建设存在一定程度的不均衡").label == "三、"
    assert _chunk_with(chunks, "严禁越权发文").label == "四、（二）"
    assert chunks[0].label == "导语" and chunks[0].kind == "preamble"
    assert {c.doc_title for c in chunks} == {"柳州市柳江区2023年法治政府建设年度报告"}


def test_law_articles_keep_their_items_and_chapters() -> None:
    doc = _doc(FUYI)
    assert is_law(doc.text)
    assert doc.title == "中华人民共和国行政复议法" and doc.doc_number == "中华人民共和国主席令第九号"
    chunks = chunk_document(doc)
    art20 = [c for c in chunks if c.label == "第二十条"]
    assert art20[0].text.startswith("第二十条 公民、法人或者其他组织认为行政行为侵犯其合法权益的，可以自知道")
    assert "六十日" in art20[0].text
    assert art20[0].section_path == ("第二章 行政复议申请", "第三节 申请的提出")
    # （一）（二） items stay inside their article instead of becoming sections
    art11 = [c for c in chunks if c.label == "第十一条"]
    assert any("（一）" in c.text for c in art11)
    assert not any(c.label.startswith("（") for c in chunks)
    labels = {c.label for c in chunks if c.kind == "body"}
    assert "第一条" in labels and "第九十条" in labels and len(labels) == 90
    assert chunks[0].label == "题注" and "1999年4月29日" in chunks[0].text


def test_long_items_split_at_sentence_ends_with_their_label() -> None:
    chunks = chunk_document(_doc(REPORT))
    pieces = [c for c in chunks if c.label == "二、（六）1."]
    assert len(pieces) >= 2
    assert [p.part for p in pieces] == list(range(len(pieces)))
    for p in pieces:
        assert p.text[-1] in "。；！？”" or p is pieces[-1]
    # no sentence is cut: the one long single-sentence citation list stays whole
    citing = _chunk_with(chunks, "江法委发〔2023〕3号")
    assert "江政办〔2023〕16号" in citing.text and len(citing.text) > MAX_CHUNK_CHARS


def test_uncatalogued_document_takes_its_title_from_its_first_line(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("关于开展测试工作的通知\n一、目标\n完成任务。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("这是一句话，没有标题。\n第二行。\n", encoding="utf-8")
    docs, _ = load_corpus(tmp_path)
    titles = {d.doc_id: d.title for d in docs}
    assert titles == {"a.txt": "关于开展测试工作的通知", "b.txt": "b"}
