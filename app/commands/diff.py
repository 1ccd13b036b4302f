"""`kb diff`: 新旧条文对照 of a law whose versions the index holds, article by article."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import print_json
from app.service import DiffError, LawDiff, law_diff
from kb.article_diff import KIND_NAMES, Article, ArticleChange, counts
from kb.index import open_index
from kb.index.store import DocRecord
from kb.validity import version_line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="新旧条文对照：列出法律新旧版本间新增、删除、修改的条文")
    p.add_argument("law", help="法律法规名称，如 行政复议法")
    p.add_argument("--year", default="", help="旧版本的年份（默认：现行版本的上一版）")
    p.add_argument("--all", action="store_true", help="也列出未变的条文")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        diff = law_diff(open_index(), args.law, args.year)
    except DiffError as err:
        if args.json:
            print_json({"error": str(err)})
        else:
            print(str(err), file=sys.stderr)
        return 1
    if args.json:
        print_json(to_dict(diff))
    else:
        print(render_text(diff, show_unchanged=args.all))
    return 0


def render_text(diff: LawDiff, show_unchanged: bool = False) -> str:
    counted = counts(diff.changes)
    lines = [
        f"新旧条文对照：{version_line(diff.old)} → {version_line(diff.new)}",
        " · ".join(f"{name} {counted[kind]} 条" for kind, name in KIND_NAMES.items()),
    ]
    titles = {diff.old.doc_id: diff.old.title, diff.new.doc_id: diff.new.title}
    for change in diff.changes:
        if change.kind == "unchanged" and not show_unchanged:
            continue
        lines.append("")
        lines.append(_heading(change))
        for side, article in (("旧", change.old), ("新", change.new)):
            if article is not None:
                body = "\n    ".join(line for line in article.text.splitlines() if line.strip())
                lines.append(f"  {side}〔《{titles[article.doc_id]}》{article.label}〕{body}")
    return "\n".join(lines)


def _heading(change: ArticleChange) -> str:
    name = KIND_NAMES[change.kind]
    if change.old and change.new:
        moved = (
            change.old.label
            if change.old.label == change.new.label
            else f"{change.old.label} → {change.new.label}"
        )
        return f"{name}  {moved}" + (
            f"（相似度 {change.similarity:.2f}）" if change.kind == "changed" else ""
        )
    return f"{name}  {(change.new or change.old).label}"


def _article(article: Article | None, title: str) -> dict | None:
    if article is None:
        return None
    return {
        "doc_id": article.doc_id,
        "title": title,
        "label": article.label,
        "text": article.text,
        "start": article.start,
        "end": article.end,
    }


def _version(doc: DocRecord) -> dict:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "published": doc.published or doc.date,
        "status": doc.status,
    }


def to_dict(diff: LawDiff) -> dict:
    return {
        "old": _version(diff.old),
        "new": _version(diff.new),
        "summary": counts(diff.changes),
        "changes": [
            {
                "kind": c.kind,
                "similarity": round(c.similarity, 3),
                "old": _article(c.old, diff.old.title),
                "new": _article(c.new, diff.new.title),
            }
            for c in diff.changes
        ],
    }
