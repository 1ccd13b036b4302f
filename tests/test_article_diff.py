"""新旧条文对照 on small laws written for the test: renumbering, insertion, removal, rewording."""

from ingest.structure import chunk_document
from kb.article_diff import articles_of, diff_articles
from kb.schema import Chunk, SourceDoc

OLD = """示范法
第一条　为了规范行政复议工作，保护公民、法人和其他组织的合法权益，制定本法。
第二条　公民认为具体行政行为侵犯其合法权益的，可以自知道之日起六十日内提出行政复议申请。
第三条　行政复议机关收到申请后，应当在五日内进行审查，对不符合规定的申请决定不予受理。
第四条　行政复议原则上采取书面审查的办法。
第五条　本法自1999年10月1日起施行。
"""

NEW = """示范法
第一条　为了规范行政复议工作，保护公民、法人和其他组织的合法权益，制定本法。
第二条　行政复议工作应当坚持中国共产党的领导，实质性化解行政争议。
第三条　公民认为行政行为侵犯其合法权益的，可以自知道之日起六十日内提出行政复议申请；法律规定的申请期限超过六十日的除外。
第四条　行政复议机关收到申请后，应当在五日内进行审查，对不符合规定的申请决定不予受理，并说明理由。
第五条　本法自2024年1月1日起施行。
"""


def _articles(text: str, doc_id: str):
    doc = SourceDoc(doc_id=doc_id, title="示范法", doc_number="", text=text, source=doc_id, content_hash=doc_id)
    return articles_of(text, chunk_document(doc))


def test_articles_are_matched_by_wording_across_renumbering():
    changes = diff_articles(_articles(OLD, "old"), _articles(NEW, "new"))
    pairs = {(c.kind, c.old.label if c.old else None, c.new.label if c.new else None) for c in changes}
    assert ("unchanged", "第一条", "第一条") in pairs
    assert ("added", None, "第二条") in pairs
    assert ("changed", "第二条", "第三条") in pairs  # renumbered and reworded
    assert ("changed", "第三条", "第四条") in pairs
    assert ("removed", "第四条", None) in pairs  # 书面审查 has no successor
    assert ("changed", "第五条", "第五条") in pairs  # the commencement date
    assert len(changes) == 6  # every article of both versions exactly once


def test_each_side_quotes_its_document_exactly():
    old, new = _articles(OLD, "old"), _articles(NEW, "new")
    for c in diff_articles(old, new):
        for side, text in ((c.old, OLD), (c.new, NEW)):
            if side:
                assert side.text == text[side.start:side.end]
                assert side.text.startswith(side.label)


def test_articles_split_into_parts_are_diffed_whole():
    long_article = "第一条　" + "。".join(f"行政机关应当主动公开目录{i}所列的政府信息并接受社会监督" for i in range(20)) + "。"
    text = "示范法\n" + long_article + "\n第二条　本法自公布之日起施行。\n第三条　本法由国务院负责解释。\n"
    doc = SourceDoc(doc_id="d", title="示范法", doc_number="", text=text, source="d", content_hash="d")
    chunks = chunk_document(doc)
    assert len([c for c in chunks if c.label == "第一条"]) > 1
    article, _, _ = articles_of(text, chunks)
    assert article.text == long_article


def test_headings_and_preamble_are_not_articles():
    chunks = [
        Chunk("d", "t", "", ("第一章 总则",), "第一章", "第一章 总则", 0, 6, "d", kind="heading"),
    ]
    assert articles_of("第一章 总则", chunks) == []
