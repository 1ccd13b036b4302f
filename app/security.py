"""What a stranger can reach on the web server, and what the server reaches for anyone.

One ASGI middleware in front of Gradio's own routes (issue 16 items 3, 4 and 8):
- the outbound fetch routes are closed for everyone: `/gradio_api/file=http://…` and
  `/gradio_api/proxy=…` made the server open connections to addresses a caller chose, and
  the run-history routes talk to the Hugging Face hub. The product promises no egress;
- a file named in an API call must be one uploaded through Gradio's upload route: a URL there
  made Gradio download it, and a server path was refused with `{"error": null}`;
- under `--auth`, a client without a session gets the login page and its static assets and
  nothing else. Gradio embeds the full API description (endpoint names, quiz document
  titles) in the login page itself, so the gate also strips that from the page;
- login attempts are braked per client address: after FREE_FAILURES failures each further
  attempt waits twice as long as the last, and a refused attempt never runs the password
  hash. Checks run one at a time (a parallel burst is decided one by one, each seeing the
  failures before it), in a worker thread, so guessing cannot stall the event loop that
  serves logged-in users (Gradio calls a plain `auth` callable on the loop itself).

Behind a reverse proxy every client shares the proxy's address: the brake then applies to
all of them together (the safe direction).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from gradio.utils import get_upload_folder
from gradio_client.utils import is_file_obj_with_meta
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Five mistyped passwords cost nothing (the figure); then 1 s, 2 s, 4 s … between
# checks, capped at 5 minutes. Measured on loopback (benchmarks/login_guessing.py): 200
# guesses from 4 threads got 5 checks instead of 200 at 11.5/s, and a guesser waiting out
# every Retry-After got 9 checks in 30 s (docs/bad-input.md).
FREE_FAILURES = 5
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 300.0
FORGET_AFTER_S = 3600.0  # a client with no failure for an hour starts clean
MAX_CLIENTS = 10_000  # bound on the table; the least recently failed are dropped first

LOGIN_MESSAGE = "请输入账号和密码（连续输错 5 次后，每次重试需等待更久）"
SIGN_IN_FIRST = "请先登录。"
FETCH_REFUSED = "本服务不从外部地址获取文件。"
PAGE_UNSAFE = "登录页无法安全显示，请联系管理员。"
NOT_UPLOADED = "只能使用通过上传接口上传的文件，不能指定服务器上的路径。"

_LOGIN = {"/login", "/login/"}
# What the login page loads before anyone signs in (recorded from Chromium, see
# tests/test_security.py), plus what Gradio's own launch asks of itself.
_PUBLIC_EXACT = {
    "/", "/logout", "/favicon.ico", "/theme.css", "/robots.txt", "/gradio_api/startup-events",
    "/gradio_api/login_check",
}
_PUBLIC_PREFIX = ("/assets/", "/static/")  # Gradio's own build, nothing of ours
# Routes that make the server itself connect somewhere: never served.
_FETCH_ROUTE = re.compile(r"^/gradio_api/(?:file=|file/)(?P<target>.*)$", re.S)
_CLOSED_PREFIX = ("/gradio_api/proxy=", "/gradio_api/run-history/")
_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.I)  # http:, https:, ftp:, HTTP: …
_API_INFO = re.compile(rb"<script>window\.gradio_api_info = .*?;</script>", re.S)


@dataclass
class _Client:
    failures: int = 0
    last_failure: float = 0.0


@dataclass
class LoginThrottle:
    """Failures per client address, and how long that client must wait before the next check."""

    clock: Callable[[], float] = time.monotonic
    clients: dict[str, _Client] = field(default_factory=dict)

    def delay(self, failures: int) -> float:
        """Seconds a client must wait after `failures` failed attempts."""
        if failures < FREE_FAILURES:
            return 0.0
        return min(FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES), MAX_DELAY_S)

    def wait(self, client: str) -> float:
        """0 if `client` may have a password checked now, else the seconds left to wait."""
        rec = self.clients.get(client)
        if rec is None:
            return 0.0
        now = self.clock()
        if now - rec.last_failure > FORGET_AFTER_S:
            del self.clients[client]
            return 0.0
        return max(0.0, rec.last_failure + self.delay(rec.failures) - now)

    def record(self, client: str, ok: bool) -> None:
        """A check's outcome: success wipes the client's record, failure adds to it."""
        if ok:
            self.clients.pop(client, None)
            return
        if client not in self.clients and len(self.clients) >= MAX_CLIENTS:
            oldest = sorted(self.clients, key=lambda k: self.clients[k].last_failure)
            for k in oldest[: MAX_CLIENTS // 10]:
                del self.clients[k]
        rec = self.clients.setdefault(client, _Client())
        rec.failures += 1
        rec.last_failure = self.clock()


def off_loop(check: Callable[[str, str], bool]) -> Callable[[str, str], Awaitable[bool]]:
    """`check` as a coroutine Gradio awaits: the slow hash runs in a worker thread (PBKDF2
    releases the GIL), one check at a time, so it never blocks answers to logged-in users."""
    limiter: anyio.CapacityLimiter | None = None  # created on the loop that first needs it

    async def check_async(user: str, password: str) -> bool:
        nonlocal limiter
        limiter = limiter or anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(check, user, password, limiter=limiter)

    return check_async


def route_path(scope: Scope) -> str:
    """The request path below the app's mount point."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):] or "/"
    return path


def fetches_elsewhere(path: str) -> bool:
    """A request that would make the server open a connection to another address."""
    if path.startswith(_CLOSED_PREFIX):
        return True
    m = _FETCH_ROUTE.match(path)
    return bool(m and (_SCHEME.match(m.group("target")) or m.group("target").lstrip().startswith("//")))


def file_inputs(data: Any) -> list[str]:
    """The paths of every file object in a request's JSON, found the way Gradio finds them
    before it copies (or downloads) each into its cache."""
    if is_file_obj_with_meta(data):
        return [data["path"]]
    if isinstance(data, dict):
        return [p for v in data.values() for p in file_inputs(v)]
    if isinstance(data, list):
        return [p for v in data for p in file_inputs(v)]
    return []


def refused_file(path: str) -> str | None:
    """Why a file object's path may not be used (None if it is an upload), in Chinese."""
    if _SCHEME.match(path) or path.lstrip().startswith("//"):
        return FETCH_REFUSED
    try:
        inside = Path(path).resolve().is_relative_to(Path(get_upload_folder()).resolve())
    except (ValueError, OSError):  # a NUL byte, a loop of links
        inside = False
    return None if inside else NOT_UPLOADED


def is_public(path: str) -> bool:
    """Routes a client without a session may reach: the login page and its assets."""
    return path in _PUBLIC_EXACT or path.startswith(_PUBLIC_PREFIX)


def signed_in(scope: Scope) -> bool:
    """The request carries a session cookie Gradio issued (the same test as its login_check)."""
    app = scope.get("app")
    cookie_id = getattr(app, "cookie_id", None)
    if cookie_id is None:
        return False
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in getattr(app, "tokens", {})


def _auth_on(scope: Scope) -> bool:
    """`kb serve --auth`: Gradio's own login with the session cookies signed_in reads."""
    return getattr(scope.get("app"), "auth", None) is not None


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "?"


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str, headers: dict | None = None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await JSONResponse({"detail": message}, status_code=status, headers=headers)(scope, receive, send)


class Guard:
    """The middleware; Gradio's App is reached as scope["app"] (Starlette sets it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.throttle = LoginThrottle()
        self.checking: asyncio.Lock | None = None  # one login check at a time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        if fetches_elsewhere(path):
            await _refuse(scope, receive, send, 403, FETCH_REFUSED)
        elif not _auth_on(scope):
            await self._checked_inputs(scope, receive, send)
        elif path in _LOGIN and scope.get("method") == "POST":  # braked for sessions too
            await self._login(scope, receive, send)
        elif signed_in(scope):
            await self._checked_inputs(scope, receive, send)
        elif path == "/" and scope.get("method") == "GET":
            await self._login_page(scope, receive, send)
        elif is_public(path):
            await self.app(scope, receive, send)
        else:
            await _refuse(scope, receive, send, 401, SIGN_IN_FIRST)

    async def _checked_inputs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on unless its JSON names a file that was not uploaded."""
        content_type = HTTPConnection(scope).headers.get("content-type", "")
        if scope.get("method") != "POST" or not content_type.startswith("application/json"):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            reasons = [r for p in file_inputs(json.loads(body)) if (r := refused_file(p))]
        except (ValueError, RecursionError):
            reasons = []  # Gradio answers malformed JSON itself
        if reasons:
            await _refuse(scope, receive, send, 403, reasons[0])
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = _client(scope)
        if await self._braked(client, scope, receive, send):  # refused at once, no queueing
            return
        self.checking = self.checking or asyncio.Lock()
        async with self.checking:
            if await self._braked(client, scope, receive, send):  # failures while this one queued
                return
            status = 0

            async def watch(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, watch)
            finally:
                self.throttle.record(client, ok=status == 200)

    async def _braked(self, client: str, scope: Scope, receive: Receive, send: Send) -> bool:
        wait = self.throttle.wait(client)
        if wait <= 0:
            return False
        seconds = math.ceil(wait)
        message = f"登录失败次数过多，请 {seconds} 秒后再试。"
        await _refuse(scope, receive, send, 429, message, {"Retry-After": str(seconds)})
        return True

    async def _login_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Gradio's login page with the embedded API description emptied."""
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        page = b"".join(body)
        page, found = _API_INFO.subn(b"<script>window.gradio_api_info = {};</script>", page)
        if not found and b"gradio_api_info" in page:  # the template changed: fail closed
            await _refuse(scope, receive, send, 500, PAGE_UNSAFE)
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(page)).encode()))
        await send({"type": "http.response.start", "status": start.get("status", 200), "headers": headers})
        await send({"type": "http.response.body", "body": page})


def middleware() -> list[Middleware]:
    """What `demo.launch(app_kwargs={"middleware": …})` takes."""
    return [Middleware(Guard)]
