"""ingest.loaders on real files of every supported kind, built in tmp_path, plus the bundled corpus."""

from __future__ import annotations

import io
import pickle
import random
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, Decoded, LoadError, load_text, normalize_text

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ZH = "第一条　为了规范行政复议，保护公民、法人和其他组织的合法权益，根据宪法，制定本法。\n第二条　本法自公布之日起施行。"


def write(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF written by hand: one Helvetica text line per page, with a correct xref table."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    font = 3 + 2 * n
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, text in enumerate(pages):
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
        )
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
        objects += [page.encode(), b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("柳江区法治政府建设情况", level=1)
    document.add_paragraph("一、深入学习贯彻习近平法治思想")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2022年", "2023年"], ["行政复议案件", "35", "48"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "合计"
    table.cell(2, 2).text = "83"
    document.add_paragraph("二、推进依法行政")
    document.save(str(path))
    return path


def load_error(path: Path) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_text(path)
    assert str(info.value).startswith(f"{path.name}: ")
    assert info.value.path == path
    return info.value


# --- plain text and encodings ---------------------------------------------------------------


def test_utf8_text_is_kept_verbatim(tmp_path):
    result = load_text(write(tmp_path / "a.txt", ZH + "\n"))
    assert result == Decoded(ZH, "utf-8")


def test_utf8_bom_is_dropped(tmp_path):
    result = load_text(write(tmp_path / "a.txt", ZH, "utf-8-sig"))
    assert result.text == ZH and result.encoding == "utf-8-sig"


def test_gbk_file_decodes_as_gb18030(tmp_path):
    result = load_text(write(tmp_path / "gov.txt", ZH, "gbk"))
    assert result.text == ZH and result.encoding == "gb18030"


def test_gb18030_four_byte_characters(tmp_path):
    text = "广东省刘䶮与𠮷野家的名字用到了GB18030四字节字符，其余内容都是常用汉字，用于检验解码。"
    result = load_text(write(tmp_path / "rare.txt", text, "gb18030"))
    assert result.text == text and result.encoding == "gb18030"


def test_utf16_with_bom(tmp_path):
    result = load_text(write(tmp_path / "notepad.txt", ZH, "utf-16"))
    assert result.text == ZH and result.encoding == "utf-16"


def test_big5_is_not_turned_into_gbk_mojibake(tmp_path):
    # every Big5 byte pair is also valid GBK; the GB2312 check must send it on to charset-normalizer
    text = "中華人民共和國行政復議法。為了防止和糾正違法的或者不當的行政行為，保護公民、法人和其他組織的合法權益。"
    result = load_text(write(tmp_path / "tw.txt", text, "big5"))
    assert result.text == text and result.encoding in ("big5", "cp950", "big5hkscs")


def test_single_byte_guess_is_refused_not_mojibake(tmp_path):
    path = write(tmp_path / "fr.txt", "Le résumé du café était très élégant, déjà vu.", "latin-1")
    assert "无法识别文本编码" in load_error(path).reason


def test_crlf_and_cr_become_lf(tmp_path):
    result = load_text(write(tmp_path / "win.txt", "第一行\r\n第二行\r第三行\r\n"))
    assert result.text == "第一行\n第二行\n第三行"


def test_normalisation_rules(tmp_path):
    raw = "\ufeff\r\n\r\n\u3000\u3000第一条  \r\n\u200b\n\n\n\n\n第二\u200d条\t\n\n\n第三条\n\n\n\n"
    expected = "\u3000\u3000第一条\n\n第二条\n\n\n第三条"
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected  # idempotent: loading twice never shifts offsets
    assert load_text(write(tmp_path / "n.txt", raw)).text == expected


def test_uppercase_suffix(tmp_path):
    assert load_text(write(tmp_path / "A.TXT", ZH)).text == ZH


def test_markdown_marks_are_stripped_wording_kept(tmp_path):
    md = "# 行政复议法\n<!-- INFO END -->\n## 第一章 总则\n**第一条** 为了规范行政复议。\n正文里的 *强调* 保留原样。\n"
    result = load_text(write(tmp_path / "law.md", md))
    assert result.text == "行政复议法\n\n第一章 总则\n第一条 为了规范行政复议。\n正文里的 *强调* 保留原样。"


# --- failures of text files -----------------------------------------------------------------


def test_zero_byte_file(tmp_path):
    assert load_error(write(tmp_path / "empty.txt", b"")).reason == "文件为空"


def test_whitespace_only_file(tmp_path):
    assert load_error(write(tmp_path / "blank.md", " \r\n\u3000\n\ufeff\n")).reason == "文件中没有文字"


def test_binary_with_nul_bytes(tmp_path):
    assert "二进制" in load_error(write(tmp_path / "bin.txt", bytes(range(256)) * 8)).reason


def test_binary_without_nul_bytes(tmp_path):
    noise = bytes(b for b in random.Random(7).randbytes(4096) if b)
    assert "二进制" in load_error(write(tmp_path / "noise.txt", noise)).reason


def test_unsupported_suffix(tmp_path):
    err = load_error(write(tmp_path / "data.xls", b"whatever"))
    assert err.reason.startswith("不支持的文件类型：.xls")
    assert load_error(write(tmp_path / "README", b"x")).reason.startswith("不支持的文件类型：（无扩展名）")


def test_oversize_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written to disk
    err = load_error(path)
    assert "文件过大" in err.reason and "20 MB" in err.reason


def test_missing_file(tmp_path):
    assert load_error(tmp_path / "gone.txt").reason == "文件不存在"


def test_load_error_is_picklable_and_carries_fields(tmp_path):
    err = LoadError(tmp_path / "x.pdf", "文件为空")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == "x.pdf: 文件为空" and again.reason == "文件为空" and again.path == err.path


# --- docx -----------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_document_order(tmp_path):
    result = load_text(make_docx(tmp_path / "report.docx"))
    assert result.encoding == "docx"
    assert result.text.split("\n") == [
        "柳江区法治政府建设情况",
        "一、深入学习贯彻习近平法治思想",
        "指标\t2022年\t2023年",
        "行政复议案件\t35\t48",
        "合计\t83",  # the merged cell appears once
        "二、推进依法行政",
    ]


def test_docx_random_bytes(tmp_path):
    path = write(tmp_path / "broken.docx", random.Random(1).randbytes(2048))
    assert "无法解析 .docx 文件" in load_error(path).reason


def test_docx_truncated_zip(tmp_path):
    data = make_docx(tmp_path / "ok.docx").read_bytes()
    path = write(tmp_path / "truncated.docx", data[: len(data) // 2])
    assert "无法解析 .docx 文件" in load_error(path).reason


def test_docx_zip_that_is_not_word(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是 Word 文档")
    assert "无法解析 .docx 文件" in load_error(write(tmp_path / "fake.docx", buffer.getvalue())).reason


# --- pdf ------------------------------------------------------------------------------------


def test_pdf_text_extracted_page_by_page(tmp_path):
    path = write(tmp_path / "law.pdf", minimal_pdf(["Article 1 Hello PDF", "Article 2 Second page"]))
    result = load_text(path)
    assert result.encoding == "pdf"
    assert result.text == "Article 1 Hello PDF\nArticle 2 Second page"


def test_pdf_corrupt(tmp_path):
    path = write(tmp_path / "bad.pdf", b"%PDF-1.4\n" + random.Random(3).randbytes(1024))
    assert "无法解析 .pdf 文件" in load_error(path).reason


def test_pdf_truncated(tmp_path):
    data = minimal_pdf(["Article 1 Hello PDF"])
    assert "无法解析 .pdf 文件" in load_error(write(tmp_path / "cut.pdf", data[:60])).reason


def test_pdf_without_text_is_reported_as_scan(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    writer.write(path)
    assert load_error(path).reason == "PDF 中没有可提取的文字（可能是扫描件）"


def _encrypted_pdf(path: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(["Secret text"]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    writer.write(path)
    return path


def test_pdf_with_password(tmp_path):
    assert "已加密" in load_error(_encrypted_pdf(tmp_path / "locked.pdf", "secret")).reason


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path):
    assert load_text(_encrypted_pdf(tmp_path / "perm.pdf", "")).text == "Secret text"


# --- html -----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>柳江区人民政府</title>
<style>p { color: red; }</style><script>var secret = "不应出现";</script></head>
<body><!-- 注释不应出现 -->
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
<p>一、深入学习贯彻
   习近平法治思想</p>
<p>第一行<br>第二行<br/>第三行</p>
<noscript>请启用脚本</noscript>
<table><tr><th>指标</th><th>数量</th></tr><tr><td>行政复议</td><td>48</td></tr></table>
<p>&nbsp;&nbsp;结束。</p>
</body></html>
"""


def test_html_visible_text_only(tmp_path):
    result = load_text(write(tmp_path / "page.html", HTML, "gbk"))
    assert result.encoding == "gb18030"
    assert result.text.split("\n") == [
        "柳江区人民政府",
        "首页 > 政务公开",
        "一、深入学习贯彻 习近平法治思想",
        "第一行",
        "第二行",
        "第三行",
        "指标\t数量",
        "行政复议\t48",
        "\xa0\xa0结束。",
    ]
    for unwanted in ("不应出现", "请启用脚本", "color", "<", "注释"):
        assert unwanted not in result.text


def test_html_utf8_wins_over_wrong_meta_charset(tmp_path):
    # a page saved as UTF-8 but still declaring gb2312: decoding it as GB would give mojibake
    result = load_text(write(tmp_path / "page.HTM", HTML, "utf-8"))
    assert result.encoding == "utf-8" and "一、深入学习贯彻 习近平法治思想" in result.text


def test_html_gbk_without_meta(tmp_path):
    page = "<html><body><p>第一条</p><p>第二条</p></body></html>"
    result = load_text(write(tmp_path / "nometa.htm", page, "gbk"))
    assert result == Decoded("第一条\n第二条", "gb18030")


def test_html_declared_big5_charset(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
        "<body><p>中華人民共和國</p><p>行政訴訟法</p></body></html>"
    )
    assert load_text(write(tmp_path / "tw.html", page, "big5")) == Decoded(
        "中華人民共和國\n行政訴訟法", "big5"
    )


def test_html_pre_keeps_its_line_breaks(tmp_path):
    page = "<p>标题</p><pre>第一行\n第二行</pre><p>尾</p>"
    assert load_text(write(tmp_path / "pre.html", page)).text == "标题\n第一行\n第二行\n尾"


def test_html_without_text(tmp_path):
    assert (
        load_error(write(tmp_path / "empty.html", "<html><script>x=1</script></html>")).reason
        == "文件中没有文字"
    )


# --- bundled corpus -------------------------------------------------------------------------

CORPUS_STARTS = {
    "liujiang_fazhi_zhengfu_2023_report.txt": "2023年，柳江区坚持以习近平新时代中国特色社会主义思想为指导",
    "renmin_tiaojie_fa_2010.txt": "中华人民共和国人民调解法\n2010年8月28日",
    "xingzheng_chufa_fa_2021.txt": "中华人民共和国行政处罚法\n1996年3月17日",
    "xingzheng_fuyi_fa_2023.txt": "中华人民共和国行政复议法\n1999年4月29日",
    "xingzheng_susong_fa_2017.txt": "中华人民共和国行政诉讼法\n1989年4月4日",
    "youhua_yingshang_huanjing_tiaoli_2019.txt": "优化营商环境条例\n2019年10月8日",
    "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.txt": "重大行政决策程序暂行条例\n2019年4月20日",
}


@pytest.mark.parametrize("name", sorted(CORPUS_STARTS))
def test_corpus_file_starts_as_expected(name):
    result = load_text(CORPUS / name)
    assert result.encoding == "utf-8"
    assert result.text.lstrip(" \u3000").startswith(CORPUS_STARTS[name])


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_corpus_file_is_clean_and_unchanged(path):
    text = load_text(path).text
    assert "\r" not in text and "\ufffd" not in text
    # the corpus is already normal form: loading must not move any character (citation offsets)
    assert text == path.read_text(encoding="utf-8").strip("\n")


def test_supported_suffixes_all_load(tmp_path):
    makers = {
        ".txt": lambda p: write(p, ZH),
        ".md": lambda p: write(p, ZH),
        ".docx": make_docx,
        ".pdf": lambda p: write(p, minimal_pdf(["Hello"])),
        ".html": lambda p: write(p, "<p>你好</p>"),
        ".htm": lambda p: write(p, "<p>你好</p>"),
    }
    assert set(makers) == set(SUPPORTED_SUFFIXES)
    for suffix, make in makers.items():
        assert load_text(make(tmp_path / f"f{suffix}")).text
