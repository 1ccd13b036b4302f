"""`kb serve`: the web app. Ingests the corpus folder first when the index is empty, then
prints the address; `--auth FILE` puts every page and API call behind a login.
`kb serve --hash-password USER` prints a line for that file."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import threading
from typing import TYPE_CHECKING

from app.commands.common import EXIT_BAD_INPUT
from kb.config import port
from kb.config import settings as load_settings

if TYPE_CHECKING:
    from kb.index import Index

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动网页版知识库（默认 http://127.0.0.1:7860）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机 127.0.0.1；内网访问用 0.0.0.0）")
    p.add_argument("--port", type=_port, default=7860, help="端口（默认 7860）")
    p.add_argument("--auth", metavar="FILE", help="账号密码文件：每行 用户名:口令哈希，管理员行末加 :admin")
    p.add_argument(
        "--hash-password", metavar="USER", help="为账号生成一行密码文件内容（从终端或标准输入读口令）后退出"
    )
    p.set_defaults(func=run)


def _port(text: str) -> int:
    try:
        return port(text)
    except ValueError as err:  # argparse shows this message, not "invalid value"
        raise argparse.ArgumentTypeError(f"{err}（收到“{text}”）") from None


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("口令：")
    if getpass.getpass("再次输入口令：") != first:
        raise ValueError("两次输入的口令不一致。")
    return first


def _print_auth_line(user: str) -> int:
    from app.auth import AuthFileError, auth_line

    try:
        print(auth_line(user, _read_password()))
    except (AuthFileError, ValueError) as err:
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def ensure_ingested(index) -> None:
    """Bring the index in step with the corpus folder before serving: on a fresh clone this
    builds it (with progress); after a crash mid-upload it indexes the file that reached the
    folder. An unchanged folder costs one read of it (and removes what killed runs left). On a
    shared Chroma server only an empty index is filled: another machine's folder may hold
    documents this one lacks."""
    from tqdm import tqdm

    from kb.index import store
    from kb.index.writer import ingest

    first = store.read_manifest(index.client) is None
    if not first and index.settings.chroma_host:
        return
    if first:
        print(f"知识库为空，正在导入文档目录 {index.settings.corpus} ……", file=sys.stderr, flush=True)
    bar = tqdm(total=0, unit="段", desc="向量化", file=sys.stderr, disable=not first)

    def progress(done: int, total: int) -> None:
        bar.total, bar.n = total, done
        bar.refresh()

    report = ingest(index.settings, index.embeddings, progress=progress)
    bar.close()
    if not report.unchanged:
        print(f"导入完成：{report.documents} 个文档，{report.chunks} 个片段。", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.hash_password:
        return _print_auth_line(args.hash_password)

    from app.auth import AuthFileError, authenticator, read_admins, read_auth_file

    auth = admins = None
    if args.auth:
        try:
            auth = authenticator(read_auth_file(args.auth))
            admins = read_admins(args.auth)
        except AuthFileError as err:
            print(str(err), file=sys.stderr)
            return EXIT_BAD_INPUT

    from app.web import build_app, launch
    from kb.index import open_index

    settings = load_settings()
    if not settings.corpus.is_dir():
        print(f"找不到文档目录：{settings.corpus}", file=sys.stderr)
        return EXIT_BAD_INPUT
    index = open_index(settings)
    if index.read_only:  # serve what is there; the page says uploads are off
        print(
            f"数据目录 {settings.home} 为只读：不导入文档目录，上传和删除已停用，检索和问答照常。",
            file=sys.stderr, flush=True,
        )
    else:
        ensure_ingested(index)
    prefetch_registry(index)
    try:
        launch(build_app(index, admins), host=args.host, port=args.port, auth=auth)
    except OSError as err:
        print(f"无法在 {args.host}:{args.port} 启动：{err}", file=sys.stderr)
        return 1
    return 0


def prefetch_registry(index: Index) -> threading.Thread:
    """Build the 文号 registry in the background while the server starts: with the law
    library loaded it takes 7.7 s (measured on the whole pack, 2026-11-29), which the first
    文号 question or the 文号 tab would otherwise wait for. A failure here is left to that
    first use, which reports it as it always did."""

    def build() -> None:
        try:
            index.current().registry  # noqa: B018 - built and kept by the generation
        except Exception as err:  # noqa: BLE001 - see the docstring
            log.warning("registry prefetch failed, the first 文号 question builds it: %r", err)

    thread = threading.Thread(target=build, name="registry-prefetch", daemon=True)
    thread.start()
    return thread
