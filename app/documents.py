"""Document management for the web app: put an uploaded file into the corpus folder, or take
one out, then bring the index in step. The folder is the truth; the index follows it.

An upload is checked (type, size, readable text) before it reaches the folder, under a
sanitised name that cannot leave the folder, so a bad file never breaks the next ingest.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
import uuid
from pathlib import Path

from ingest.corpus import CATALOG_NAME, is_document_name, read_catalog
from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, LoadError, load_text
from ingest.packs import CATALOG_NAME as PACK_CATALOG_NAME
from kb.index import storage
from kb.profile import PROFILE_NAME

MAX_NAME_CHARS = 80
_UNSAFE = re.compile(r"[^\w.\-（）()【】\[\]·、，]+")  # \w keeps CJK, letters and digits
_MB = 1024 * 1024


class DocumentError(ValueError):
    """An upload or delete that cannot be done; the message is for the user."""


def safe_filename(name: str) -> str:
    """A plain file name for the corpus folder: no directories, no hidden or control
    characters, a supported suffix. `../../etc/passwd.txt` becomes `passwd.txt`."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        raise DocumentError(f"不支持的文件类型：{name}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
    suffix = "." + suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"不支持的文件类型：{suffix}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
    stem = _UNSAFE.sub("_", stem).strip("._- ")
    stem = re.sub(r"_+", "_", stem)[:MAX_NAME_CHARS]
    if not stem:
        raise DocumentError("文件名无效：去掉不安全字符后为空，请改名后重新上传。")
    return stem + suffix


def _inside(corpus: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(corpus.resolve())


def save_upload(corpus: Path, src: str | Path, original_name: str, overwrite: bool = False) -> str:
    """Check an uploaded file and place it in the corpus folder; returns its doc_id (file name).

    Raises DocumentError with the reason (type, size, unreadable, name taken)."""
    src = Path(src)
    name = safe_filename(original_name)
    size = src.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"文件过大（{size / _MB:.1f} MB），上限为 {MAX_FILE_BYTES // _MB} MB。")
    target = corpus / name
    if not _inside(corpus, target):
        raise DocumentError("文件名无效。")
    if target.exists() and not overwrite:
        raise DocumentError(f"文档目录中已有同名文件 {name}：请先删除旧文件，或勾选“覆盖同名文件”。")
    # a dot-name is invisible to the corpus reader, so a concurrent ingest never sees half a file
    tmp = corpus / f".upload-{uuid.uuid4().hex}{target.suffix}"
    try:
        corpus.mkdir(parents=True, exist_ok=True)
        _drop_stale_uploads(corpus)
        shutil.copyfile(src, tmp)
        try:
            load_text(tmp)
        except LoadError as err:
            raise DocumentError(f"{name}：{err.reason}") from err
        os.replace(tmp, target)
    except OSError as err:  # a full disk or a read-only corpus folder, named in the message
        raise storage.classify(err, corpus, "文档目录") or err from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only folder holds no temporary copy
    return name


def _drop_stale_uploads(corpus: Path, max_age: float = 3600.0) -> None:
    """Temporary copies left by an upload whose process was killed (older than any live one)."""
    for path in corpus.glob(".upload-*"):
        try:
            if time.time() - path.stat().st_mtime > max_age:
                path.unlink()
        except OSError:
            pass


def is_bundled(corpus: Path, doc_id: str) -> bool:
    """A document the corpus ships with: one its catalog (SOURCES.tsv) describes. Only an
    administrator may delete it; staff uploads are not in the catalog."""
    try:
        return Path(str(doc_id or "")).as_posix() in read_catalog(Path(corpus))
    except (OSError, ValueError):
        return False


def delete_document(corpus: Path, doc_id: str) -> Path:
    """Remove a document's file (and its catalog row) from the corpus folder."""
    path = corpus / str(doc_id or "")
    if not doc_id or not _inside(corpus, path) or path.resolve() == corpus.resolve():
        raise DocumentError("无效的文档。")
    if not path.is_file():
        raise DocumentError(f"文档目录中没有 {doc_id}。")
    if not is_document_name(path.name):
        raise DocumentError(_not_a_document(path.name))
    try:
        path.unlink()
        _drop_catalog_row(corpus, Path(doc_id).as_posix())
    except OSError as err:
        raise storage.classify(err, corpus, "文档目录") or err from None
    return path


def _not_a_document(name: str) -> str:
    """Why a metadata file is refused: deleting the catalog once stripped every 文号 and title."""
    if name in (CATALOG_NAME, PACK_CATALOG_NAME):
        return f"{name} 是文档目录的目录清单（记录各文档的标题、文号等），不是文档，不能删除。"
    if name == PROFILE_NAME:
        return f"{name} 是本库的配置文件（地区名称、页面标题等），不是文档，不能删除。"
    return f"{name} 不是知识库中的文档（只有 {'、'.join(SUPPORTED_SUFFIXES)} 文件是文档），不能删除。"


def _drop_catalog_row(corpus: Path, doc_id: str) -> None:
    """Line-wise, so every other row of SOURCES.tsv stays byte for byte as it was."""
    catalog = corpus / CATALOG_NAME
    if not catalog.exists():
        return
    lines = catalog.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if line.split("\t", 1)[0] != doc_id]
    if len(kept) != len(lines):
        tmp = catalog.with_name(f".{CATALOG_NAME}.tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        os.replace(tmp, catalog)
