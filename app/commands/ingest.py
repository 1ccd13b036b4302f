"""`kb ingest`: bring the index in step with the corpus folder, with progress and a summary."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import EXIT_BAD_INPUT
from kb.config import settings as load_settings

SHOWN_NAMES = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="导入（或更新）文档目录")
    p.add_argument("--corpus", help="文档目录（默认 KB_CORPUS；未设置时为本仓库的 corpus/）")
    p.add_argument(
        "--pack",
        action="append",
        help="同时导入资料包（corpus/packs/ 下的文件夹，如 library），可重复；none 表示不导入任何资料包。"
        "默认 KB_PACKS；未设置时保留索引中已有的资料包",
    )
    p.add_argument("--rebuild", action="store_true", help="忽略已有向量，全部重建")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kb.index.embeddings import load_embeddings
    from kb.index.writer import ingest

    settings = load_settings(corpus=args.corpus, packs=",".join(args.pack) if args.pack else None)
    if not settings.corpus.is_dir():
        print(f"找不到文档目录：{settings.corpus}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # tqdm prints the rate and the time left ([elapsed<remaining]): the library takes minutes.
    bar = tqdm(
        total=0, unit="段", desc="向量化", disable=args.quiet, file=sys.stderr,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} 段 [已用 {elapsed}，预计剩余 {remaining}，{rate_fmt}]",
    )

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = ingest(settings, load_embeddings(settings.embeddings), rebuild=args.rebuild, progress=progress)
    bar.close()
    state = "无变化" if report.unchanged else "完成"
    print(
        f"导入{state}：{report.documents} 个文档，{report.chunks} 个片段"
        f"（新向量化 {report.embedded}，复用 {report.reused}），用时 {report.seconds:.1f} 秒"
        f"（向量化 {report.embed_seconds:.1f} 秒）。"
    )
    for label, names in (("新增", report.added), ("更新", report.changed), ("删除", report.removed)):
        if names:  # a pack adds hundreds: name a few and count the rest
            shown = "、".join(names[:SHOWN_NAMES])
            more = f" 等 {len(names)} 个" if len(names) > SHOWN_NAMES else ""
            print(f"{label}：{shown}{more}")
    if report.profile_changed:
        print("配置文件 profile.toml 已更改：已启用新配置。")
    for s in report.skipped:
        print(f"跳过 {s.file}：{s.reason}")
    return 0
