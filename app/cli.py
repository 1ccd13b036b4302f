"""`kb` command line: ingest, search, ask, docs, quiz, eval, serve."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable

from kb.config import settings as load_settings
from kb.index import EmptyIndexError, Index, open_index
from kb.validate import InvalidQuestion

EXIT_BAD_INPUT = 2


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _queries(arg: str) -> Iterable[str]:
    """`-` reads one query per line from stdin (one process, many queries)."""
    if arg != "-":
        yield arg
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip():
            yield line


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kb.embeddings import load_embeddings
    from kb.indexer import ingest

    settings = load_settings(corpus=args.corpus)
    if not settings.corpus.is_dir():
        print(f"找不到文档目录：{settings.corpus}", file=sys.stderr)
        return EXIT_BAD_INPUT
    bar = tqdm(total=0, unit="段", desc="向量化", disable=args.quiet, file=sys.stderr)

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
        if names:
            print(f"{label}：{'、'.join(names)}")
    for s in report.skipped:
        print(f"跳过 {s.file}：{s.reason}")
    return 0


def search_rows(index: Index, query: str, k: int) -> list[dict]:
    from kb.retrieval import search

    return [
        {
            "rank": rank,
            "score": round(hit.score, 6),
            "doc_title": hit.chunk.doc_title,
            "doc_number": hit.chunk.doc_number,
            "label": hit.chunk.label,
            "text": hit.chunk.text,
            "source": hit.chunk.source,
        }
        for rank, hit in enumerate(search(index, query, k=k), start=1)
    ]


def cmd_search(args: argparse.Namespace) -> int:
    index = open_index()

    def one(query: str) -> None:
        rows = search_rows(index, query, args.k)
        if args.json:
            _print_json(rows)
            return
        for r in rows:
            number = f"（{r['doc_number']}）" if r["doc_number"] else ""
            print(f"[{r['rank']}] 《{r['doc_title']}》{number} {r['label']}  score={r['score']:.4f}")
            print(f"    {r['text']}\n")

    return _each(args.query, one, args.json)


def _each(arg: str, run: Callable[[str], None], as_json: bool) -> int:
    """Run one query or a stream of them; bad input is reported per query, never a traceback."""
    status = 0
    for query in _queries(arg):
        try:
            run(query)
        except InvalidQuestion as err:
            status = EXIT_BAD_INPUT
            if as_json:
                _print_json({"error": str(err)})
            else:
                print(str(err), file=sys.stderr)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="法治政府知识库")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="导入（或更新）文档目录")
    p.add_argument("--corpus", help="文档目录（默认 ./corpus 或 KB_CORPUS）")
    p.add_argument("--rebuild", action="store_true", help="忽略已有向量，全部重建")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="混合检索")
    p.add_argument("query", help="查询内容；- 表示从标准输入逐行读取")
    p.add_argument("-k", type=int, default=5, help="返回条数")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_search)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        return args.func(args)
    except EmptyIndexError as err:
        print(str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"已中断（{time.perf_counter() - t0:.1f} 秒）。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
