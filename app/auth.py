"""Password file for `kb serve --auth FILE`: one `user:hash` line per account; a line ending
in `:admin` (`user:hash:admin`) marks an administrator, who also gets 文档管理 and 检索测试.
A file that marks nobody makes every account an administrator, as before the mark existed.

Two hash forms are accepted:
- `pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>` (salted, slow: what `kb serve
  --hash-password` writes and what should be used);
- a bare 64-digit sha256 hex of the password (unsalted, for files made with `sha256sum`).
Lines that are blank or start with `#` are ignored. The file is read once at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from pathlib import Path

PBKDF2_ITERATIONS = 200_000
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_PBKDF2 = re.compile(r"^pbkdf2_sha256\$(\d+)\$([0-9a-fA-F]+)\$([0-9a-fA-F]{64})$")
_USER = re.compile(r"^[^\s:]+$")
ADMIN_MARK = "admin"


class AuthFileError(ValueError):
    """The password file cannot be used; the message names the line."""


def hash_password(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 hash in the file's format."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def auth_line(user: str, password: str) -> str:
    """One line of the password file."""
    if not _USER.match(user):
        raise AuthFileError("用户名不能为空，且不能包含空格或冒号。")
    if not password:
        raise AuthFileError("密码不能为空。")
    return f"{user}:{hash_password(password)}"


def verify(password: str, stored: str) -> bool:
    """Constant-time check of a password against one stored hash."""
    m = _PBKDF2.match(stored)
    if m:
        iterations, salt, expected = int(m.group(1)), bytes.fromhex(m.group(2)), m.group(3).lower()
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations).hex()
        return hmac.compare_digest(digest, expected)
    if _SHA256.match(stored):
        digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
        return hmac.compare_digest(digest, stored.lower())
    return False


def read_auth_file(path: str | Path) -> dict[str, str]:
    """user -> stored hash; raises AuthFileError on a malformed line or an empty file."""
    return {user: stored for user, (stored, _) in _accounts(Path(path)).items()}


def read_admins(path: str | Path) -> frozenset[str]:
    """The administrators a password file names (every account when it marks none)."""
    accounts = _accounts(Path(path))
    marked = frozenset(user for user, (_, admin) in accounts.items() if admin)
    return marked or frozenset(accounts)


def _accounts(path: Path) -> dict[str, tuple[str, bool]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise AuthFileError(f"无法读取密码文件 {path}：{err.strerror}") from err
    users: dict[str, tuple[str, bool]] = {}
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, stored = line.partition(":")
        stored, mark, role = stored.partition(":")
        well_formed = _USER.match(user) and (_PBKDF2.match(stored) or _SHA256.match(stored))
        if not sep or not well_formed or (mark and role.strip() != ADMIN_MARK):
            raise AuthFileError(
                f"密码文件 {path.name} 第 {no} 行格式不对：应为 用户名:sha256十六进制 或 用户名:pbkdf2_sha256$…"
                "（管理员在行末加 :admin）"
            )
        users[user] = (stored, bool(mark))
    if not users:
        raise AuthFileError(f"密码文件 {path.name} 中没有任何账号。")
    return users


def authenticator(users: dict[str, str]) -> Callable[[str, str], bool]:
    """The callable Gradio's `auth=` takes: it gates every page and API route."""

    dummy = hash_password(secrets.token_hex(8))

    def check(user: str, password: str) -> bool:
        stored = users.get(user)
        if stored is None:
            verify(password, dummy)  # the same work as for a known user: no timing hint
            return False
        return verify(password, stored)

    return check
