"""Decode one file (.txt/.md/.docx/.pdf/.html) into the text the knowledge base stores.

Every format ends in `normalize_text`, so offsets computed on the result are stable
no matter which loader produced it. Any problem becomes a `LoadError` whose reason
is Simplified Chinese, ready to show to the user next to the file name.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 20 * 1024 * 1024

_MB = 1024 * 1024
_BINARY = "文件包含二进制内容，不是文本文件"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# control bytes that no text codec without a BOM produces (ESC, SO, SI stay allowed for ISO-2022)
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x10-\x1a\x1c-\x1f\x7f]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
_BLANK_RUNS = re.compile(r"\n{4,}")  # 3+ blank lines
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+", re.M)
_MD_EMPHASIS = re.compile(r"^([ \t\u3000]*)(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\2", re.M)
_MD_COMMENT_LINE = re.compile(r"^[ \t]*<!--.*?-->[ \t]*$", re.M)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}
# multi-byte codecs whose strict decoding is real evidence; charset-normalizer's single-byte
# guesses (mac_latin2 for French, ...) are often mojibake, so those files are refused instead
_TRUSTED_GUESSES = ("big5", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "iso2022")
_BREAK, _CELL = "\x00", "\x01"  # HTML layout markers
_HTML_DROP = ("script", "style", "noscript", "template")
_HTML_BLOCKS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "title", "tr", "ul",
)  # fmt: skip


class LoadError(Exception):
    """A file that cannot become text; `reason` is meant for the user as is."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)  # both args kept so the error survives pickling
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path.name}: {self.reason}"


@dataclass(frozen=True)
class Decoded:
    """Normalised text plus how it was decoded: a text codec, or "docx"/"pdf" for those formats."""

    text: str
    encoding: str


def load_text(path: Path) -> Decoded:
    """Decode one file by its (case-insensitive) suffix and normalise the result."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise LoadError(path, f"不支持的文件类型：{shown}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
    if not path.exists():
        raise LoadError(path, "文件不存在")
    if not path.is_file():
        raise LoadError(path, "不是普通文件")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(path, f"文件过大（{size / _MB:.1f} MB），超过 {MAX_FILE_BYTES // _MB} MB 的上限")
    if size == 0:
        raise LoadError(path, "文件为空")

    if suffix in (".txt", ".md"):
        raw, encoding = decode_bytes(_read_bytes(path), path)
        if suffix == ".md":
            raw = _strip_markdown(normalize_text(raw))
    elif suffix == ".docx":
        raw, encoding = _read_docx(path), "docx"
    elif suffix == ".pdf":
        raw, encoding = _read_pdf(path), "pdf"
    else:
        raw, encoding = _read_html(path)

    text = normalize_text(raw)
    if not text:
        reason = "PDF 中没有可提取的文字（可能是扫描件）" if suffix == ".pdf" else "文件中没有文字"
        raise LoadError(path, reason)
    return Decoded(text, encoding)


def normalize_text(text: str) -> str:
    """The one normalisation every loader shares, so citations' offsets never depend on the format.

    Any line break (CRLF, CR, U+2028, form feed...) becomes LF; BOM and zero-width characters go;
    trailing whitespace goes but leading indentation (spaces, U+3000) stays; 3+ blank lines become
    one; blank lines at both ends go (so the text has no final newline).
    """
    lines = [line.rstrip() for line in text.translate(_INVISIBLE).splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines).strip("\n"))


def decode_bytes(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """Strictly decode text bytes: BOM, UTF-8, a declared charset, GB18030, then charset-normalizer.

    UTF-8 goes before any declared charset because it almost never validates by accident,
    while GB18030 or Latin-1 accept most byte strings and would turn a mislabelled file
    into mojibake. Each guess must decode without errors and look like text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _checked(_decode(data, codec), path, codec), codec
    if _BINARY_BYTES.search(data):
        raise LoadError(path, _BINARY)
    declared = (declared or "").lower()
    declared = "gb18030" if declared in _GB_ALIASES else declared
    for codec in dict.fromkeys(c for c in ("utf-8", declared, "gb18030") if c):
        text = _decode(data, codec)
        if text is not None and (codec != "gb18030" or _mostly_gb2312(text)):
            return _checked(text, path, codec), codec

    import charset_normalizer  # last resort: slow, and a guess

    best = charset_normalizer.from_bytes(data).best()
    if best is None or not best.encoding.startswith(_TRUSTED_GUESSES):
        raise LoadError(path, "无法识别文本编码，请另存为 UTF-8 后再导入")
    return _checked(str(best), path, best.encoding), best.encoding


def _decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)  # strict: a wrong codec fails instead of yielding U+FFFD
    except (UnicodeDecodeError, LookupError):
        return None


def _checked(text: str | None, path: Path, codec: str) -> str:
    if text is None:
        raise LoadError(path, f"文件带有 {codec} 字节顺序标记，但内容无法按此编码解码")
    if _CONTROL.search(text):
        raise LoadError(path, _BINARY)
    return text


def _mostly_gb2312(text: str) -> bool:
    """GB18030 accepts almost any high bytes (Big5, Latin-1 too); real GBK prose stays within GB2312."""
    wide = "".join(_NON_ASCII.findall(text))
    common = len(wide.encode("gb2312", errors="ignore")) // 2
    return common >= 0.8 * len(wide)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(path, "无法读取文件（权限不足或文件被占用）") from exc


def _strip_markdown(text: str) -> str:
    """Drop heading marks, a leading emphasis pair and comment lines; the wording stays."""
    text = _MD_COMMENT_LINE.sub("", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\1\3", text)


def _read_docx(path: Path) -> str:
    """Paragraphs and tables in document order; a table row becomes one tab-separated line."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if not isinstance(block, Table):
                lines.append(block.text)
                continue
            for row in block.rows:
                cells = row.cells
                # a horizontally merged cell is repeated once per grid column it spans
                unique = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
                lines.append("\t".join(" ".join(c.text.split("\n")) for c in unique))
    except Exception as exc:  # python-docx raises zip, XML and KeyError alike on a broken file
        raise LoadError(path, "无法解析 .docx 文件：文件已损坏或不是有效的 Word 文档") from exc
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        # many PDFs are "encrypted" only to set permissions and open with an empty password
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(path, "PDF 文件已加密，无法提取文字")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many error types on damaged files
        raise LoadError(path, "无法解析 .pdf 文件：文件已损坏、已加密或不是有效的 PDF") from exc


def _read_html(path: Path) -> tuple[str, str]:
    """Visible text only: scripts and styles dropped, blocks and <br> become line breaks.

    Breaks are marked with control characters (which decoded text cannot contain) and
    added inside tags, because inserting next to a tag costs a scan of its siblings.
    """
    from bs4 import BeautifulSoup

    data = _read_bytes(path)
    match = _META_CHARSET.search(data[:4096])
    text, encoding = decode_bytes(data, path, match.group(1).decode("ascii") if match else None)

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for pre in soup.find_all("pre"):  # the one place where source line breaks are visible
        for string in pre.find_all(string=True):
            string.replace_with(string.replace("\n", _BREAK))
    for tag in soup.find_all(True):
        if tag.name in _HTML_BLOCKS or tag.name == "br":
            tag.insert(0, _BREAK)
            tag.append(_BREAK)
        elif tag.name in ("td", "th"):
            tag.append(_CELL)
    # source whitespace collapses as in a browser; U+3000 and &nbsp; are not collapsed
    text = re.sub(r"[ \t\r\n\f]+", " ", soup.get_text()).replace(_CELL, "\t")
    return re.sub(f" ?{_BREAK}[ {_BREAK}]*", "\n", text), encoding
