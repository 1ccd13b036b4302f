"""Property tests on random Unicode: the parsers that see user and document text never raise,
and every offset they return points at the text it claims.

Text is drawn from every code point Python can hold (lone surrogates, controls, private use
included), mixed with the characters the parsers care about so that structure really occurs.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.documents import DocumentError, safe_filename
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, decode_bytes, normalize_text
from ingest.structure import chunk_document
from kb.answer.questions import TYPES, analyze, classify, key_terms
from kb.schema import SourceDoc
from kb.text.clean import MAX_QUESTION_CHARS, InvalidQuestion, clean_question
from kb.text.docnum import canonical_docnum, display_from_key, find_docnums, normalize_docnum
from kb.text.numerals import cn_to_int

ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, surrogates too
STRUCTURE = list("一二三四五六七八九十百零、（）()12345.．第条章节编之。；！？\n\n\n 　\t") + [
    "第一条 ", "第二十条 ", "第三章 ", "一、", "（二）", "3.", "（4）", "江政办〔2023〕16号", "国务院令第713号",
    "江政发2013年26号", "2023年", "年", "号", "月",
]
DOC_TEXT = st.lists(st.one_of(ANY_CHAR, st.sampled_from(STRUCTURE)), max_size=400).map("".join)
QUESTIONISH = st.lists(
    st.one_of(ANY_CHAR, st.sampled_from(list("多少几件项年月日期限哪些什么是否的吗？?") + ["2023年", "行政复议", "第二十条"])),
    max_size=120,
).map("".join)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_chunks(text: str, max_chars: int, normalised: bool = True) -> None:
    doc = SourceDoc(doc_id="fuzz.txt", title="随机", doc_number="", text=text, source="fuzz.txt",
                    content_hash="0")
    chunks = chunk_document(doc, max_chars=max_chars)
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text), (c.start, c.end, len(text))
        # the document's own characters; a traditional one is matched through a same-length shadow
        assert text[c.start : c.end] == c.verbatim and len(c.text) == len(c.verbatim)
        assert c.text.strip() or not normalised  # (str.strip and the chunker differ on \x1c-\x1f)
        assert c.doc_id == "fuzz.txt" and c.label is not None
    bodies = sorted((c.start, c.end) for c in chunks if c.kind == "body")
    assert all(a[1] <= b[0] for a, b in zip(bodies, bodies[1:], strict=False)), "body chunks never overlap"


@FUZZ
@given(DOC_TEXT, st.sampled_from([20, 150, 400]))
def test_chunk_offsets_always_point_at_the_text(raw: str, max_chars: int) -> None:
    _check_chunks(normalize_text(raw), max_chars)  # as every loader hands text over


@FUZZ
@given(DOC_TEXT)
def test_chunker_survives_unnormalised_text(raw: str) -> None:
    _check_chunks(raw, 150, normalised=False)


@FUZZ
@given(DOC_TEXT)
def test_docnum_parser_is_total_and_its_spans_are_exact(text: str) -> None:
    for m in find_docnums(text):
        assert 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.raw
        assert normalize_docnum(m.raw) is not None
        display_from_key(m.key)
    normalize_docnum(text)
    canonical_docnum(text)
    cn_to_int(text)


@FUZZ
@given(QUESTIONISH)
def test_question_classifier_is_total(text: str) -> None:
    assert classify(text) in TYPES
    analysis = analyze(text)
    assert analysis.qtype in TYPES
    key_terms(text)


@FUZZ
@given(st.one_of(QUESTIONISH, DOC_TEXT))
def test_clean_question_returns_clean_text_or_a_message(text: str) -> None:
    try:
        cleaned = clean_question(text)
    except InvalidQuestion as err:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err))
        return
    assert 0 < len(cleaned) <= MAX_QUESTION_CHARS
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert not any(ch < " " or "\x7f" <= ch <= "\x9f" or "\ud800" <= ch <= "\udfff" for ch in cleaned)
    assert clean_question(cleaned) == cleaned, "cleaning twice changes nothing"


@FUZZ
@given(st.binary(max_size=600))
def test_decoding_bytes_gives_clean_text_or_a_reason(data: bytes) -> None:
    try:
        text, codec = decode_bytes(data, Path("fuzz.txt"))
    except LoadError as err:
        assert err.reason
        return
    assert codec and not any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08")


@FUZZ
@given(st.lists(st.one_of(ANY_CHAR, st.sampled_from(["../", "..\\", "/", ".", "~", ".txt", ".docx", "etc"])),
                max_size=40).map("".join))
def test_upload_names_never_leave_the_corpus(name: str) -> None:
    corpus = Path("/srv/kb/corpus")
    try:
        safe = safe_filename(name)
    except DocumentError as err:
        assert str(err)
        return
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert Path(safe).suffix in SUPPORTED_SUFFIXES
    assert (corpus / safe).resolve().parent == corpus
