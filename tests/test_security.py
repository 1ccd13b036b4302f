"""No way in for strangers, no way out for data.

- Nothing reaches the network: ingest, ask, search and serve run with every non-loopback
  connect and name lookup made to fail and recorded (and, where this machine allows it,
  inside an empty network namespace, `unshare -n`); the record must stay empty and the
  commands must still work. The telemetry switches come from kb/__init__.py alone: the
  test strips them from the environment first.
- `kb serve` listens on 127.0.0.1 unless told otherwise.
- --auth gates the upload and file routes too, not only pages and named endpoints; without a
  session every route shows nothing of the corpus or the API (the login page included), and
  the login page still works in a browser.
- Nothing fetches a URL for a caller: Gradio's file=/proxy routes and file objects naming a
  URL are refused, checked against a listener inside a private network namespace.
- Password guessing is braked per client without slowing logged-in users.
- Uploads: a server file named in a raw API call (refused in Chinese), or a 50 MB file, never
  reaches the corpus.
- The page in Chromium requests nothing but the app itself, even when a document carries a
  Markdown image that points elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from web_server import free_port, private_index, serving, start_serve

pytestmark = pytest.mark.slow  # kb in subprocesses, kb serve, a browser

ROOT = Path(__file__).resolve().parent.parent
TELEMETRY_VARS = (
    "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "GRADIO_ANALYTICS_ENABLED",
    "ANONYMIZED_TELEMETRY",
)
TRACKER = "http://203.0.113.9/kb-tracker.png"  # TEST-NET-3: never routed; the browser test aborts it anyway

# Runs `kb <args>` with socket connects and name lookups to anything but loopback made to fail,
# each attempt appended to $NET_LOG with the stack that made it.
GUARD = r"""
import json, os, socket, sys, traceback

LOG = os.environ["NET_LOG"]

def local(host):
    host = str(host or "")
    return host in ("", "localhost", "::1") or host.startswith(("127.", "::ffff:127."))

def record(kind, target):
    with open(LOG, "a") as f:
        f.write(json.dumps({"kind": kind, "target": repr(target), "stack": traceback.format_stack()[-6:]}) + "\n")

def guard(real):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
            record("connect", address)
            raise OSError(101, "network disabled by the test")
        return real(self, address)
    return connect

socket.socket.connect = guard(socket.socket.connect)
socket.socket.connect_ex = guard(socket.socket.connect_ex)
real_getaddrinfo = socket.getaddrinfo

def getaddrinfo(host, *args, **kwargs):
    if not local(host if not isinstance(host, bytes) else host.decode()):
        record("resolve", host)
        raise socket.gaierror(socket.EAI_NONAME, "name lookup disabled by the test")
    return real_getaddrinfo(host, *args, **kwargs)

socket.getaddrinfo = getaddrinfo
"""
RUN_KB = GUARD + "from app.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def _env(home: Path, corpus: Path, net_log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") and k not in TELEMETRY_VARS}
    env.update(KB_HOME=str(home), KB_CORPUS=str(corpus), NET_LOG=str(net_log), PYTHONPATH=str(ROOT))
    return env


def _attempts(net_log: Path) -> list[dict]:
    if not net_log.exists():
        return []
    return [json.loads(line) for line in net_log.read_text().splitlines()]


def test_the_guard_records_an_outbound_attempt(tmp_path: Path) -> None:
    """The control: the same guard does see a library reaching out."""
    net_log = tmp_path / "net.log"
    code = GUARD + "import httpx\ntry:\n    httpx.get('http://203.0.113.9/', timeout=2)\nexcept Exception:\n    pass\n"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "NET_LOG": str(net_log)}, check=True, timeout=60)
    assert ["203.0.113.9" in a["target"] for a in _attempts(net_log)] == [True]


def test_ingest_ask_search_need_no_network(tmp_path: Path, short_corpus: Path) -> None:
    net_log = tmp_path / "net.log"
    env = _env(tmp_path / "home", short_corpus, net_log)
    isolated = _can_unshare()
    prefix = ["unshare", "-n"] if isolated else []

    def kb(*args: str) -> str:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", RUN_KB, *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    assert "导入完成" in kb("ingest", "--quiet")
    answer = json.loads(kb("ask", "人民调解委员会由几人组成？", "--json"))
    assert not answer["refused"] and "三至九人" in answer["answer"]
    assert json.loads(kb("search", "测试任务完成率", "--json"))[0]["source"] == "notice.txt"
    assert kb("docs", "主席令第三十四号")
    assert _attempts(net_log) == [], _attempts(net_log)
    print(f"\nran {'in an empty network namespace and ' if isolated else ''}with non-loopback sockets disabled")


def _listeners(port: int) -> set[str]:
    """Local addresses listening on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            addr, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(addr)
    return found


def test_serve_listens_on_loopback_only_and_never_calls_out(tmp_path: Path, short_corpus: Path) -> None:
    net_log = tmp_path / "net.log"
    env = _env(tmp_path / "home", short_corpus, net_log)
    proc, url = start_serve(env, launcher=[sys.executable, "-c", RUN_KB], timeout=240)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    try:
        assert _listeners(port) == {"0100007F"}, "bound to 127.0.0.1, nothing else"
        assert httpx.get(url).status_code == 200
        client = Client(url, verbose=False)
        answer = client.predict("人民调解委员会由几人组成？", None, api_name="/ask")
        assert "三至九人" in answer["answer"]
        assert client.predict("测试任务", 3, None, api_name="/search")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert _attempts(net_log) == [], _attempts(net_log)


def test_auth_also_gates_upload_and_file_routes(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    from app.auth import authenticator, hash_password

    index = private_index(tmp_path / "home", short_corpus, embeddings)
    check = authenticator({"staff": hash_password("法治2024", iterations=1000)})
    upload = tmp_path / "note.txt"
    upload.write_text("关于测试的通知\n一、全区完成测试3项。", encoding="utf-8")
    with serving(index, auth=check) as url:
        anonymous = httpx.Client(base_url=url)
        assert anonymous.post("gradio_api/upload", files={"files": ("note.txt", upload.read_bytes())}).status_code == 401
        assert anonymous.get("gradio_api/file=/etc/passwd").status_code in (401, 403)
        assert anonymous.post("gradio_api/queue/join", json={"data": [], "fn_index": 0}).status_code == 401
        assert anonymous.post("gradio_api/call/ask", json={"data": ["行政复议", None]}).status_code == 401
        # logged in, a server file is still out of reach
        client = Client(url, verbose=False, auth=("staff", "法治2024"))
        cookies = client.cookies
        staff = httpx.Client(base_url=url, cookies=cookies)
        assert staff.get("gradio_api/file=/etc/passwd").status_code in (403, 404)
    assert sorted(p.name for p in short_corpus.iterdir()) == ["SOURCES.tsv", "notice.txt", "renmin_tiaojie_fa_2010.txt"]


def test_uploads_cannot_pull_server_files_or_exceed_the_size_limit(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    index = private_index(tmp_path / "home", short_corpus, embeddings)
    secret = Path("/tmp") / f"kb-secret-{os.getpid()}.txt"  # in the temp dir, next to Gradio's cache
    secret.write_text("机密：管理员口令是123456。", encoding="utf-8")
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    before = sorted(p.name for p in short_corpus.iterdir())
    try:
        with serving(index) as url:
            payload = {"data": [{"path": str(secret), "meta": {"_type": "gradio.FileData"}}, False]}
            refused = httpx.post(f"{url}gradio_api/call/upload", json=payload)
            assert refused.status_code == 403
            assert refused.json() == {"detail": "只能使用通过上传接口上传的文件，不能指定服务器上的路径。"}
            raw = httpx.post(f"{url}gradio_api/upload", files={"files": ("big.txt", big.open("rb"))}, timeout=120)
            assert raw.status_code == 413
            with pytest.raises(Exception, match="maximum file size"):
                Client(url, verbose=False).predict(handle_file(big), False, api_name="/upload")
    finally:
        secret.unlink()
    assert sorted(p.name for p in short_corpus.iterdir()) == before
    assert "123456" not in json.dumps([c.text for c in index.current().chunks.values()], ensure_ascii=False)


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_page_requests_nothing_but_the_app(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    """Markdown from a document (an image pointing elsewhere, a javascript: link) is shown as
    text: the browser requests only loopback URLs. Any other request is aborted, not sent."""
    from playwright.sync_api import sync_playwright

    (short_corpus / "图片说明.txt").write_text(
        f"关于网页图片测试的通知\n一、测试要求\n1. 网页图片测试要求 ![追踪]({TRACKER}) 和 [点我](javascript:alert(1)) 以及 **加粗** 必须原样显示。\n",
        encoding="utf-8",
    )
    index = private_index(tmp_path / "home", short_corpus, embeddings)
    requested: list[str] = []
    with serving(index) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()

        def route(r) -> None:
            requested.append(r.request.url)
            if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.goto(url)
        page.fill("#kb-question textarea", "网页图片测试要求什么必须原样显示？")
        page.click("#kb-send")
        page.wait_for_selector("#kb-chat .kb-answer:not(.kb-streaming)", timeout=120_000)
        page.wait_for_timeout(500)
        chat = page.locator("#kb-chat").inner_text()
        assert f"![追踪]({TRACKER})" in chat and "**加粗**" in chat
        assert page.locator("#kb-chat a[href^='javascript']").count() == 0
        browser.close()
    outside = [u for u in requested if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], outside
    assert requested, "the route saw the page's requests"


def _route_urls(app) -> list[tuple[str, str]]:
    """(method, path) for every route of the running Gradio app, parameters filled in."""
    out = []

    def walk(routes) -> None:
        for r in routes:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif hasattr(r, "path"):
                path = re.sub(r"\{api_name\}", "ask", r.path)
                path = re.sub(r"\{[^}]+\}", "x", path)
                out.extend((m, path) for m in sorted(getattr(r, "methods", None) or ["GET"]))

    walk(app.routes)
    return out


def _fetch(client: httpx.Client, method: str, path: str, body: dict | None, seconds: float = 5) -> tuple[int, str]:
    """Status and the first 256 kB of a response, read for at most `seconds` (an event
    stream never ends by itself)."""
    data, deadline = b"", time.monotonic() + seconds
    with client.stream(method, path, json=body, timeout=seconds) as resp:
        try:
            for chunk in resp.iter_bytes():  # decoded: the app compresses what it sends
                data += chunk
                if len(data) > 256_000 or time.monotonic() > deadline:
                    break
        except httpx.ReadTimeout:
            pass
    return resp.status_code, data.decode("utf-8", "replace")


def test_nothing_about_the_corpus_or_the_api_reaches_a_stranger(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    """Under --auth, every route of the app, asked without a session, shows no document
    title (an uploaded one included) and no endpoint name; the login page still works.
    The control: the same strings are found once logged in."""
    from app import service
    from app.auth import authenticator, hash_password
    from app.web import build_app, launch

    index = private_index(tmp_path / "home", short_corpus, embeddings)
    upload = tmp_path / "leak_probe.txt"
    upload.write_text("关于登录页泄露探测的通知\n一、各单位完成探测任务5项。", encoding="utf-8")
    check = authenticator({"staff": hash_password("法治2024", iterations=1000)})
    with serving(index, auth=check) as url:
        staff = Client(url, verbose=False, auth=("staff", "法治2024"))
        assert staff.predict(handle_file(upload), False, api_name="/upload")["ok"]
    titles = [d["title"] for d in service.documents(index)] + [d["doc_id"] for d in service.documents(index)]
    assert "关于登录页泄露探测的通知" in titles
    demo = build_app(index)  # a restart: the page is built with the uploaded document
    url = launch(demo, host="127.0.0.1", port=free_port(), auth=check, block=False)
    try:
        staff = Client(url, verbose=False, auth=("staff", "法治2024"))
        signed_in = httpx.Client(base_url=url, cookies=staff.cookies, timeout=60)
        endpoints = [name.strip("/") for name in signed_in.get("gradio_api/info").json()["named_endpoints"]]
        assert {"ask", "docs_lookup", "retrieval_trace"} <= set(endpoints) and any(e.startswith("quiz") for e in endpoints)
        page = signed_in.get("").text  # the control: logged in, the page names them
        assert "关于登录页泄露探测的通知" in page and '"/retrieval_trace"' in page

        stranger = httpx.Client(base_url=url, timeout=60)
        routes = _route_urls(demo.app) + [
            ("GET", "/?page=x&deep_link=x"), ("GET", "/gradio_api/runs"), ("GET", "/gradio_api/info?all_endpoints=true"),
            ("GET", "/gradio_api/file=/etc/passwd"), ("GET", f"/gradio_api/file={upload}"), ("GET", "/theme.css"),
        ]
        seen: dict[str, str] = {}
        for method, path in routes:
            if path.rstrip("/") == "/login":
                continue
            body = {"data": ["行政复议", None], "fn_index": 0, "session_hash": "x"} if method == "POST" else None
            status, text = _fetch(stranger, method, path.lstrip("/"), body)
            seen[f"{method} {path} {status}"] = text
        assert len(seen) > 60
        for key, text in seen.items():
            assert not [t for t in titles if t and t in text], key
            assert "named_endpoints" not in text, key
            if " /assets/" not in key and " /static/" not in key:  # Gradio's own build
                assert not [e for e in endpoints if f"/{e}" in text or f'"{e}"' in text], key
        login_page = stranger.get("")
        assert login_page.status_code == 200 and '"auth_required":true' in login_page.text
        assert "window.gradio_api_info = {};" in login_page.text
        assert stranger.get("config").status_code == 401 and stranger.get("gradio_api/info").status_code == 401
        allowed = sorted(k for k in seen if k.split()[2] == "200")
        print(f"\n{len(seen)} route/method pairs without a session; answered 200: {allowed}")
    finally:
        demo.close()


# A "public" address (Gradio's own SSRF check lets it through, unlike the documentation
# ranges) that exists only on the loopback device of the test's own network namespace.
FAKE_PUBLIC = "11.0.0.7"

# Runs inside `unshare -n`: an address on lo, a listener on it that records every contact,
# `kb serve` (no --auth: the worst case), then each way of asking the server to fetch a URL.
# Prints one JSON object: the contacts and the answers.
FETCH_PROBE = r"""
import json, socket, subprocess, sys, threading, time
import httpx

ADDR = sys.argv[1]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", f"{ADDR}/32", "dev", "lo"], check=True)
contacts = []
listener = socket.create_server((ADDR, 80))

def serve():
    while True:
        conn, peer = listener.accept()
        conn.settimeout(2)
        try:
            contacts.append(conn.recv(200).decode("latin-1").split("\r\n")[0])
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfetched from outside\n")
        except OSError:
            contacts.append("(no request line)")
        conn.close()

threading.Thread(target=serve, daemon=True).start()
httpx.get(f"http://{ADDR}/control", timeout=5)  # the control: the listener does record

port = int(sys.argv[2])
proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
line = ""
while "已启动" not in line and proc.poll() is None:
    line = proc.stdout.readline()
url = f"http://127.0.0.1:{port}/"
target = f"http://{ADDR}/x.txt"
file_data = {"path": target, "url": target, "meta": {"_type": "gradio.FileData"}, "orig_name": "x.txt"}
probes = [
    ("GET", f"gradio_api/file={target}", None),
    ("HEAD", f"gradio_api/file={target}", None),
    ("GET", f"gradio_api/file=https://{ADDR}/x.txt", None),
    ("GET", f"gradio_api/file=HTTP://{ADDR}/x.txt", None),
    ("GET", f"gradio_api/file/{target}", None),
    ("GET", f"gradio_api/proxy={target}", None),
    ("GET", "gradio_api/run-history/buckets", None),
    ("POST", "gradio_api/call/upload", {"data": [file_data, False]}),
    ("POST", "gradio_api/call/ask", {"data": ["行政复议", [{"role": "user", "content": file_data}]]}),
    ("POST", "gradio_api/queue/join", {"data": [file_data, False], "fn_index": 0, "session_hash": "probe"}),
]
answers = []
try:
    for method, path, body in probes:
        r = httpx.request(method, url + path, json=body, timeout=30)
        answers.append({"probe": f"{method} {path}", "status": r.status_code, "body": r.text[:300]})
        if method == "POST" and r.status_code == 200 and "event_id" in r.text:  # let a queued call run
            httpx.get(url + path + "/" + r.json()["event_id"], timeout=30)
    time.sleep(1)
finally:
    proc.terminate()
    proc.wait(timeout=30)
print(json.dumps({"started": url in line, "contacts": contacts, "answers": answers}, ensure_ascii=False))
"""


def test_url_fetch_routes_never_leave_the_machine(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    """Gradio's URL-fetch route, its proxy route and a file object naming a URL, pointed at a
    listener on a fake public address inside a private network namespace: the listener sees
    nothing but the test's own control request, and every probe is refused."""
    from gradio.processing_utils import is_public_ip
    from safehttpx import is_public_ip as safehttpx_public

    assert is_public_ip(FAKE_PUBLIC) and safehttpx_public(FAKE_PUBLIC), "Gradio's own check would let it through"
    refused = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True) if shutil.which("unshare") else None
    if refused is None or refused.returncode != 0:
        pytest.skip(f"unshare -n refused: {refused.stderr.strip() if refused else 'no unshare command'}")
    private_index(tmp_path / "home", short_corpus, embeddings)
    env = _env(tmp_path / "home", short_corpus, tmp_path / "unused.log")
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", FETCH_PROBE, FAKE_PUBLIC, str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["started"]
    assert result["contacts"] == ["GET /control HTTP/1.1"], result["contacts"]
    for answer in result["answers"]:
        assert answer["status"] == 403, answer
        assert answer["probe"].startswith("HEAD") or "外部地址" in answer["body"], answer


def test_password_guessing_is_braked_and_logged_in_users_keep_their_speed(
    tmp_path: Path, short_corpus: Path, embeddings
) -> None:
    """Two threads guess for 6 s with the real 200,000-round hash: after 5 failures each
    check waits 1 s, 2 s, … and the refusals (429, Chinese, Retry-After) never run the hash.
    A logged-in user's answers meanwhile keep their speed; the right password works again
    once the wait is over. benchmarks/login_guessing.py measures the same at length."""
    from app.auth import authenticator, hash_password
    from app.security import FREE_FAILURES

    index = private_index(tmp_path / "home", short_corpus, embeddings)
    real = authenticator({"staff": hash_password("法治2024")})
    checks: list[float] = []

    def check(user: str, password: str) -> bool:
        checks.append(time.monotonic())
        return real(user, password)

    def timed_asks(client: Client, n: int) -> list[float]:
        took = []
        for _ in range(n):
            t = time.perf_counter()
            assert "三至九人" in client.predict("人民调解委员会由几人组成？", None, api_name="/ask")["answer"]
            took.append(time.perf_counter() - t)
        return sorted(took)

    with serving(index, auth=check) as url:
        staff = Client(url, verbose=False, auth=("staff", "法治2024"))
        before = timed_asks(staff, 10)
        checks.clear()
        answers: list[httpx.Response] = []
        stop = time.monotonic() + 6

        def guess() -> None:
            with httpx.Client(base_url=url, timeout=60) as h:
                while time.monotonic() < stop:
                    answers.append(h.post("login", data={"username": "staff", "password": f"g{len(answers)}"}))

        guessers = [threading.Thread(target=guess) for _ in range(2)]
        for t in guessers:
            t.start()
        during = timed_asks(staff, 10)
        for t in guessers:
            t.join()
        braked = [a for a in answers if a.status_code == 429]
        assert {a.status_code for a in answers} == {400, 429}
        assert FREE_FAILURES <= len(checks) <= FREE_FAILURES + 3, (len(checks), len(answers))
        assert all("请" in a.json()["detail"] and int(a.headers["retry-after"]) >= 1 for a in braked)
        assert any("登录失败次数过多" in a.json()["detail"] for a in braked)
        locked = httpx.post(f"{url}login", data={"username": "staff", "password": "法治2024"})
        assert locked.status_code == 429, "the right password waits too: no check while braked"
        with_session = httpx.post(f"{url}login", data={"username": "other", "password": "x"}, cookies=staff.cookies)
        assert with_session.status_code == 429, "a session does not lift the brake on its address"
        time.sleep(int(locked.headers["retry-after"]))
        assert Client(url, verbose=False, auth=("staff", "法治2024")).predict("调解", 3, None, api_name="/search")
    p95_before, p95_during = before[int(0.95 * (len(before) - 1))], during[int(0.95 * (len(during) - 1))]
    print(f"\n{len(answers)} guesses in 6 s, {len(checks)} checked; /ask p95 {p95_before:.2f} s before, {p95_during:.2f} s during")
    assert p95_during < 2 * p95_before + 0.5


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_login_page_works_in_a_browser_behind_the_gate(tmp_path: Path, short_corpus: Path, embeddings) -> None:
    """The gate leaves the login page whole: Chromium shows the form, loads only the page,
    Gradio's assets and the theme before the login (every one answered), then the app, where
    an upload through the page still works."""
    from playwright.sync_api import sync_playwright

    from app.auth import authenticator, hash_password

    index = private_index(tmp_path / "home", short_corpus, embeddings)
    check = authenticator({"staff": hash_password("法治2024", iterations=1000)})
    upload = tmp_path / "browser_upload.txt"
    upload.write_text("关于浏览器上传测试的通知\n一、完成上传测试2项。", encoding="utf-8")
    before: list[tuple[int, str]] = []
    with serving(index, auth=check) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(locale="zh-CN")
        page.on("response", lambda r: before.append((r.status, r.url.removeprefix(url.rstrip("/")))))
        page.goto(url)
        page.wait_for_selector("input[type=password]", timeout=30_000)
        assert "连续输错 5 次" in page.locator("body").inner_text()
        loaded = list(before)
        page.locator("input").first.fill("staff")
        page.locator("input[type=password]").fill("法治2024")
        page.locator("button").filter(has_text="登录").first.click()
        page.wait_for_selector("#kb-question", timeout=60_000)
        # logged in, an upload through the page passes the gate's file check
        page.get_by_role("tab", name="文档管理", exact=True).click()
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="选择文件并导入").click()
        chooser.value.set_files(str(upload))
        page.wait_for_selector("text=已导入《关于浏览器上传测试的通知》", timeout=120_000)
        browser.close()
    assert (short_corpus / "browser_upload.txt").exists()
    assert loaded and all(status == 200 for status, _ in loaded), loaded
    assert {path.split("?")[0] for _, path in loaded if not path.startswith(("/assets/", "/static/"))} <= {"/", "/theme.css", "/favicon.ico"}
