"""`kb diff` on the library sample: the 2017 行政复议法 of the pack against the corpus's 2023 text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.service import DiffError, law_diff
from ingest.loaders import load_text
from kb.index import Index

OLD_REVIEW = "packs/library/诉讼与非诉讼程序法/行政复议法(2017-09-01).md"
NEW_REVIEW = "xingzheng_fuyi_fa_2023.txt"


def _pair(diff, old_label: str):
    return next(c for c in diff.changes if c.old is not None and c.old.label == old_label)


def test_review_law_2017_against_2023_matches_moved_articles(library_index: Index) -> None:
    diff = law_diff(library_index, "行政复议法")
    assert (diff.old.doc_id, diff.new.doc_id) == (OLD_REVIEW, NEW_REVIEW)
    kinds = {c.kind for c in diff.changes}
    assert {"changed", "added", "removed"} <= kinds
    # The 60-day decision limit moved from 第三十一条 to 第六十二条; the examination within
    # five days from 第十七条 to 第三十条: matched by wording across the renumbering.
    assert _pair(diff, "第三十一条").new.label == "第六十二条"
    assert _pair(diff, "第十七条").new.label == "第三十条"
    # every article of each version appears exactly once
    assert sorted(c.new.label for c in diff.changes if c.new) == sorted({c.new.label for c in diff.changes if c.new})
    assert len([c for c in diff.changes if c.new]) == 90
    assert len([c for c in diff.changes if c.old]) == 43


def test_each_side_quotes_its_own_file_exactly(library_index: Index) -> None:
    diff = law_diff(library_index, "《中华人民共和国行政复议法》")
    corpus = Path(library_index.settings.corpus)
    texts = {d.doc_id: load_text(corpus / d.doc_id).text for d in (diff.old, diff.new)}
    for change in diff.changes:
        for article in (change.old, change.new):
            if article is not None:
                assert article.text == texts[article.doc_id][article.start : article.end]
                assert article.text.startswith(article.label)


def test_an_earlier_version_is_chosen_by_its_year(library_index: Index) -> None:
    diff = law_diff(library_index, "放假办法", year="2013")
    assert diff.old.published.startswith("2013") and diff.new.published.startswith("2024")
    with pytest.raises(DiffError, match="没有 2001 年的版本"):
        law_diff(library_index, "放假办法", year="2001")


def test_a_law_with_one_version_or_none_says_so(library_index: Index) -> None:
    with pytest.raises(DiffError, match="只有一个版本"):
        law_diff(library_index, "国家赔偿法")
    with pytest.raises(DiffError, match="未找到"):
        law_diff(library_index, "不存在的条例")


def test_kb_diff_cli_text_and_json(library_settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KB_HOME", str(library_settings.home))
    monkeypatch.setenv("KB_CORPUS", str(library_settings.corpus))
    assert main(["diff", "行政复议法"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("新旧条文对照：《中华人民共和国行政复议法（2017年版）》")
    assert "修改  第三十一条 → 第六十二条" in text
    assert main(["diff", "行政复议法", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["added"] == sum(c["kind"] == "added" for c in data["changes"]) > 0
    assert main(["diff", "国家赔偿法"]) == 1
    assert "只有一个版本" in capsys.readouterr().err


def test_web_view_shows_changes_with_both_sources(library_index: Index) -> None:
    from app import render

    html = render.law_diff(law_diff(library_index, "行政复议法"))
    assert "《中华人民共和国行政复议法（2017年版）》（2017-09-01，已被修订） → " in html
    assert "修改 36 条" in html and html.count('class="kb-card kb-diff-') == 36 + 53 + 6
    assert "第六十二条" in html and "kb-diff-unchanged" not in html
