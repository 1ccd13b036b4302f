"""When the data directory cannot take a write: a full disk or a read-only mount.

Chroma reports both as an English database error ("database or disk is full", "attempt to
write a readonly database") and Python as an OSError; both become one StorageError whose
message names the directory and says what to do, so no command ends in a traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
# How Chroma's Rust side and SQLite word the same two conditions.
_FULL_WORDS = ("database or disk is full", "no space left on device", "os error 28", "disk quota exceeded")
_READ_ONLY_WORDS = ("readonly database", "read-only file system", "os error 30")


class StorageError(RuntimeError):
    """The data directory (or the corpus folder) refused a write; the message is for the user."""


def disk_full(directory: Path, kind: str = "数据目录") -> StorageError:
    return StorageError(
        f"磁盘空间不足：{kind} {directory} 所在的磁盘已满，本次导入未完成，未完成的部分已删除；"
        "原有索引不变，检索和问答照常。请释放磁盘空间后重新运行 kb ingest。"
    )


def read_only(directory: Path) -> StorageError:
    return StorageError(
        f"目录 {directory} 是只读的（或没有写入权限），无法导入、上传或删除文档；检索和问答照常。"
        "如需更新知识库，请在可写的数据目录上运行 kb ingest（KB_HOME 指定数据目录）。"
    )


def writable(directory: Path) -> bool:
    """Whether `directory` (or, before it exists, the nearest folder above it) takes writes.
    access() reports a read-only mount even to root, for whom permissions are no obstacle."""
    path = Path(directory)
    while not path.exists() and path != path.parent:
        path = path.parent
    return os.access(path, os.W_OK)


def classify(err: BaseException, directory: Path, kind: str = "数据目录") -> StorageError | None:
    """The StorageError `err` amounts to, or None when it is some other failure; `kind` names
    the directory in the message (数据目录 for the index, 文档目录 for the corpus folder)."""
    if isinstance(err, StorageError):
        return err
    code = err.errno if isinstance(err, OSError) else None
    words = str(err).lower()
    if code in _FULL_ERRNOS or any(w in words for w in _FULL_WORDS):
        return disk_full(directory, kind)
    if code in _READ_ONLY_ERRNOS or any(w in words for w in _READ_ONLY_WORDS):
        return read_only(directory)
    return None
