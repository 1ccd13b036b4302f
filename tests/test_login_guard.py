"""The rules of app/security.py on their own (the real server is tested in test_security.py):
the login brake's schedule, which paths make the server fetch elsewhere, which file objects
in an API call count as uploads, and which routes a stranger may reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio.utils import get_upload_folder

from app.security import (
    FETCH_REFUSED,
    FORGET_AFTER_S,
    MAX_DELAY_S,
    NOT_UPLOADED,
    LoginThrottle,
    fetches_elsewhere,
    file_inputs,
    is_public,
    refused_file,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_are_free_then_each_wait_doubles_up_to_the_cap() -> None:
    clock = Clock()
    brake = LoginThrottle(clock=clock)
    waits = []
    for _ in range(14):
        brake.record("10.0.0.1", ok=False)
        waits.append(brake.wait("10.0.0.1"))
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:10] == [1, 2, 4, 8, 16, 32]
    assert max(waits) == MAX_DELAY_S
    assert brake.wait("10.0.0.2") == 0, "per client: another address is not braked"
    clock.now += 5
    assert brake.wait("10.0.0.1") == MAX_DELAY_S - 5
    clock.now += FORGET_AFTER_S + 1
    assert brake.wait("10.0.0.1") == 0 and "10.0.0.1" not in brake.clients


def test_a_success_wipes_the_record() -> None:
    brake = LoginThrottle(clock=Clock())
    for _ in range(7):
        brake.record("10.0.0.1", ok=False)
    assert brake.wait("10.0.0.1") > 0
    brake.record("10.0.0.1", ok=True)
    assert brake.wait("10.0.0.1") == 0


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=http://11.0.0.7/x", "/gradio_api/file=https://11.0.0.7/x", "/gradio_api/file=HTTP://h/x",
        "/gradio_api/file= http://h/x", "/gradio_api/file=//h/x", "/gradio_api/file/http://h/x",
        "/gradio_api/proxy=http://h/x", "/gradio_api/run-history/buckets", "/gradio_api/file=ftp://h/x",
    ],
)
def test_routes_that_fetch_elsewhere(path: str) -> None:
    assert fetches_elsewhere(path)


@pytest.mark.parametrize("path", ["/gradio_api/file=/tmp/gradio/abc/回答.md", "/", "/gradio_api/info", "/assets/x.js"])
def test_routes_that_do_not(path: str) -> None:
    assert not fetches_elsewhere(path)


def test_only_uploads_are_accepted_as_file_objects() -> None:
    meta = {"_type": "gradio.FileData"}
    upload = str(Path(get_upload_folder()) / "abc" / "note.txt")
    payload = {"data": [{"path": upload, "meta": meta}, [{"content": {"path": "/etc/passwd", "meta": meta}}],
                        {"path": "not a file object"}], "fn_index": 3}
    assert file_inputs(payload) == [upload, "/etc/passwd"]
    assert refused_file(upload) is None
    assert refused_file("/etc/passwd") == NOT_UPLOADED
    assert refused_file(str(Path(get_upload_folder()) / ".." / "etc" / "passwd")) == NOT_UPLOADED
    assert refused_file("bad\x00path") == NOT_UPLOADED
    assert refused_file("http://11.0.0.7/x.txt") == FETCH_REFUSED


def test_a_stranger_reaches_the_login_page_and_its_assets_only() -> None:
    for path in ("/", "/assets/index.js", "/static/img/logo.svg", "/theme.css", "/gradio_api/startup-events"):
        assert is_public(path), path
    for path in ("/config", "/gradio_api/info", "/info", "/openapi.json", "/gradio_api/openapi.json", "/manifest.json",
                 "/gradio_api/runs", "/gradio_api/heartbeat/x", "/gradio_api/file=/tmp/x", "/monitoring",
                 "/gradio_api/upload", "/gradio_api/queue/join", "/svelte/x.js"):
        assert not is_public(path), path
