"""Who is an administrator: staff see 智能问答, 检索, 文号查询 and 学习测验; administrators also
see 文档管理 and 检索测试 and may delete the bundled documents.

Behind `--auth`, the password file names the administrators (app.auth.read_admins). Without
a login, the person at the server's own machine (a loopback client) is both; anyone else
reaching an unprotected server is staff.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

import gradio as gr


def is_admin(request: gr.Request | None, admins: Collection[str] | None) -> bool:
    """Whether the caller of an event may use the administrators' tabs and actions."""
    if request is None:
        return False
    user = getattr(request, "username", None)
    if user:
        return admins is None or user in admins
    if admins:  # a login is required, and this request has none
        return False
    host = getattr(getattr(request, "client", None), "host", "") or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NotAllowed(PermissionError):
    """An administrator's action asked for by staff; the message is for the user."""

    def __init__(self, action: str) -> None:
        super().__init__(f"只有管理员可以{action}。")
