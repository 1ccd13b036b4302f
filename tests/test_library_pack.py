"""The national law library as a corpus pack, on a sample (tests/data/library_sample, never
the whole pack): its loader, versions and validity, that it stays off by default, registry
resolution, and answers with it switched on.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from corpora import LIBRARY_SAMPLE, corpus_with_library_sample

from app.cli import main
from ingest.corpus import corpus_files, load_corpus
from ingest.packs import available_packs, load_pack, version_date
from ingest.structure import chunk_document
from kb.answer import answer_question
from kb.answer.extractive import _known, passage_texts, read_as_put, term_weight
from kb.answer.questions import Term
from kb.answer.spelling import used
from kb.config import DEFAULT_CORPUS, settings
from kb.index import Index
from kb.index.writer import ingest
from kb.registry import build_registry
from kb.schema import Chunk, Hit
from kb.search.pack_fusion import (
    DENSE_WEIGHT,
    OFF_KIND_WEIGHT,
    PACK_DENSE_WEIGHT,
    RESTATED_WEIGHT,
    hold_back_restated,
    lead_piece_first,
)
from kb.search.query import named_docs
from kb.search.retrieval import CANDIDATES, PACK_WEIGHT, from_pack, rankings, rrf, search
from kb.training.quiz import pool_for
from kb.validity import current_first, validity_note

FUYI_2017 = "packs/library/诉讼与非诉讼程序法/行政复议法(2017-09-01).md"
HOLIDAYS_2013 = "packs/library/行政法规/全国年节及纪念日放假办法(2013-12-11).md"
HOLIDAYS_2024 = "packs/library/行政法规/全国年节及纪念日放假办法(2024-11-10).md"
MERGERS_2018 = "packs/library/行政法规/国务院关于经营者集中申报标准的规定(2018-09-18).md"
REPEALED = "packs/library/行政法规/城市维护建设税暂行条例(2011-01-08).md"
DISCLOSURE = "packs/library/行政法规/政府信息公开条例(2019-04-03).md"
COMPENSATION = "packs/library/宪法相关法/国家赔偿法(2012-10-26).md"


@pytest.fixture(scope="module")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_with_library_sample(tmp_path_factory.mktemp("sample") / "corpus")


@pytest.fixture(scope="module")
def pack_docs(sample_corpus: Path) -> dict:
    docs, skipped = load_pack(sample_corpus, "library")
    assert skipped == []
    return {d.doc_id: d for d in docs}


# ---------------------------------------------------------------- loader


def test_version_date_comes_from_the_file_name() -> None:
    assert version_date("诉讼与非诉讼程序法/行政复议法(2017-09-01).md") == "2017-09-01"
    assert version_date("说明.md") == ""


def test_a_law_reads_with_its_full_title_history_chapters_and_exact_articles(pack_docs: dict) -> None:
    doc = pack_docs[FUYI_2017]
    assert doc.title == "中华人民共和国行政复议法（2017年版）"  # the full name, and which version
    assert (doc.level, doc.published, doc.in_force_from) == ("法律", "2017-09-01", "2018-01-01")
    assert doc.date == "2017-09-01"
    assert "<!--" not in doc.text and not doc.text.startswith("#")
    chunks = chunk_document(doc)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    head = chunks[0]
    assert (head.kind, head.label) == ("preamble", "题注")
    assert head.text.startswith("中华人民共和国行政复议法")
    assert "1999年4月29日" in head.text and "第二次修正" in doc.text[head.start : chunks[1].start]
    articles = list(dict.fromkeys(c.label for c in chunks if c.kind == "body"))
    assert articles[0] == "第一条" and articles[-1] == "第四十三条" and len(articles) == 43
    first = next(c for c in chunks if c.label == "第一条")
    assert first.section_path == ("第一章 总则",)
    ninth = next(c for c in chunks if c.label == "第九条")
    assert ninth.section_path == ("第三章 行政复议申请",) and "六十日内" in ninth.text


def test_the_current_version_keeps_the_plain_title(pack_docs: dict) -> None:
    assert pack_docs[HOLIDAYS_2024].title == "全国年节及纪念日放假办法"
    assert pack_docs[HOLIDAYS_2013].title == "全国年节及纪念日放假办法（2013年版）"


# ---------------------------------------------------------------- versions and validity


def test_status_and_successor_point_to_the_one_copy_of_each_law(pack_docs: dict) -> None:
    assert "packs/library/诉讼与非诉讼程序法/行政复议法(2023-09-01).md" not in pack_docs  # corpus/ has it
    assert len(pack_docs) == 21
    assert pack_docs[FUYI_2017].status == "superseded"
    assert pack_docs[FUYI_2017].superseded_by == "xingzheng_fuyi_fa_2023.txt"
    assert pack_docs[HOLIDAYS_2013].superseded_by == HOLIDAYS_2024
    assert pack_docs[MERGERS_2018].status == "superseded"
    assert (pack_docs[REPEALED].status, pack_docs[REPEALED].superseded_by) == ("repealed", "")
    assert pack_docs[DISCLOSURE].status == "in_force"


def test_validity_notes_name_the_date_and_the_current_text(sample_corpus: Path) -> None:
    docs = {d.doc_id: d for d in load_corpus(sample_corpus, ("library",))[0]}
    holidays, review = validity_note(docs[HOLIDAYS_2013], docs), validity_note(docs[FUYI_2017], docs)
    assert holidays == "已被修订（2024-11-10，现行：《全国年节及纪念日放假办法》）"
    assert review == "已被修订（2023-09-01，现行：《中华人民共和国行政复议法》）"
    assert validity_note(docs[REPEALED], docs) == "已废止"
    assert validity_note(docs[DISCLOSURE], docs) == ""


# ---------------------------------------------------------------- off by default


def test_the_default_corpus_leaves_packs_out() -> None:
    assert available_packs(DEFAULT_CORPUS) == ["library"]
    assert not any(p.is_relative_to(DEFAULT_CORPUS / "packs") for p in corpus_files(DEFAULT_CORPUS))
    docs, _ = load_corpus(DEFAULT_CORPUS)
    assert len(docs) == 7 and not any(d.doc_id.startswith("packs/") for d in docs)


def test_packs_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings().pack_names is None  # unset: keep what the index holds
    monkeypatch.setenv("KB_PACKS", "library")
    assert settings().pack_names == ("library",)
    assert settings(packs="none").pack_names == ()


def _tiny_pack_corpus(root: Path) -> Path:
    """One plain document and a pack of the two short versions of 全国年节及纪念日放假办法."""
    root.mkdir()
    note = "第一条 本库收录放假安排。\n第二条 以现行规定为准。\n第三条 自公布之日起施行。\n"
    (root / "note.txt").write_text(note, encoding="utf-8")
    pack = root / "packs" / "library"
    (pack / "行政法规").mkdir(parents=True)
    with (LIBRARY_SAMPLE / "LAWS.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    keep = [r for r in rows if "全国年节" in r["file"]]
    with (pack / "LAWS.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(keep)
    for r in keep:
        shutil.copy2(LIBRARY_SAMPLE / r["file"], pack / r["file"])
    return root


def test_a_pack_goes_in_when_asked_stays_and_a_changed_status_reingests(tmp_path: Path, embeddings) -> None:
    corpus = _tiny_pack_corpus(tmp_path / "corpus")
    home = tmp_path / "home"
    first = ingest(settings(home=home, corpus=corpus), embeddings)
    assert first.documents == 1, "the default ingest reads no pack"
    on = ingest(settings(home=home, corpus=corpus, packs="library"), embeddings)
    assert on.documents == 3 and len(on.added) == 2
    kept = ingest(settings(home=home, corpus=corpus), embeddings)
    assert kept.unchanged and kept.documents == 3, "unset, the setting keeps the packs the index holds"

    laws = corpus / "packs" / "library" / "LAWS.tsv"
    corrected = laws.read_text(encoding="utf-8").replace("\tsuperseded\t", "\trepealed\t")
    laws.write_text(corrected, encoding="utf-8")
    changed = ingest(settings(home=home, corpus=corpus), embeddings)
    assert changed.changed == [HOLIDAYS_2013] and changed.embedded == 0, "same text: vectors reused"
    gen = Index(settings(home=home, corpus=corpus), embeddings).current()
    assert gen.doc_records[HOLIDAYS_2013].status == "repealed"
    assert {c.validity for c in gen.chunks.values() if c.doc_id == HOLIDAYS_2013} == {"已废止"}

    off = ingest(settings(home=home, corpus=corpus, packs="none"), embeddings)
    assert off.documents == 1 and len(off.removed) == 2


# ---------------------------------------------------------------- registry


def _registry(corpus: Path, packs: tuple[str, ...]):
    docs, _ = load_corpus(corpus, packs)
    return build_registry(docs, [c for d in docs for c in chunk_document(d)])


def test_a_cited_title_resolves_to_the_library_when_the_pack_is_on(sample_corpus: Path) -> None:
    off = _registry(sample_corpus, ())
    on = _registry(sample_corpus, ("library",))
    assert not off.by_title("中华人民共和国国家赔偿法").in_corpus  # cited by 行政复议法, text absent
    entry = on.by_title("中华人民共和国国家赔偿法")
    assert entry.in_corpus and entry.source_file == COMPENSATION and entry.citations
    # A title cited anywhere resolves to the version in force, never the older text.
    assert on.by_title("中华人民共和国行政复议法").source_file == "xingzheng_fuyi_fa_2023.txt"
    assert on.by_title("全国年节及纪念日放假办法").source_file == HOLIDAYS_2024
    assert on.by_title("全国年节及纪念日放假办法（2013年版）").source_file == HOLIDAYS_2013
    # A law's number is the order of its current version; its history lines cite nothing.
    assert on.by_number("国务院令第711号").source_file == DISCLOSURE
    assert on.by_number("国务院令第492号") is None
    assert _resolved_by_corpus(on) > _resolved_by_corpus(off)


def _resolved_by_corpus(registry) -> int:
    """Documents the bundled corpus cites whose text the index holds."""
    cited = (e for e in registry if any(not c.doc_id.startswith("packs/") for c in e.citations))
    return sum(e.in_corpus for e in cited)


# ---------------------------------------------------------------- answers with the pack on


def test_disclosure_deadline_is_twenty_working_days_citing_article_33(library_settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KB_HOME", str(library_settings.home))
    monkeypatch.setenv("KB_CORPUS", str(library_settings.corpus))
    assert main(["ask", "--json", "政府信息公开申请一般多少个工作日内答复？"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "20个工作日" in answer["answer"].split("\n")[0]
    lead = answer["citations"][0]
    assert (lead["doc_id"], lead["label"], lead["validity"]) == (DISCLOSURE, "第三十三条", "")
    assert lead["doc_title"] == "中华人民共和国政府信息公开条例"


@pytest.mark.parametrize("question", ["行政复议申请期限是多少？", "申请行政复议的期限是多久"])
def test_review_deadline_cites_the_2023_law_not_the_2017_text_or_the_regulation(library_index: Index, question: str) -> None:
    """The sample holds the 2017 law and 行政复议法实施条例 beside the 2023 law: the regulation
    repeats 行政复议申请期限 around its narrower rules (第十五条, 第十六条), and once led."""
    answer = answer_question(library_index, question)
    lead = answer.citations[0]
    assert (lead.doc_id, lead.label) == ("xingzheng_fuyi_fa_2023.txt", "第二十条")
    assert "六十日" in answer.answer.split("\n")[0]
    assert FUYI_2017 not in {c.doc_id for c in answer.citations}


def test_a_question_naming_the_regulation_is_answered_from_it(library_index: Index) -> None:
    answer = answer_question(library_index, "行政复议法实施条例对申请材料不齐全的，要求几日内通知补正？")
    assert answer.citations[0].doc_title == "中华人民共和国行政复议法实施条例"
    assert "5日内" in answer.answer.split("\n")[0]


def test_a_superseded_version_never_leads_unless_its_year_is_asked(library_index: Index) -> None:
    now = answer_question(library_index, "春节放假几天？")
    assert now.citations[0].doc_id == HOLIDAYS_2024 and "4天" in now.answer
    then = answer_question(library_index, "2013年的全国年节及纪念日放假办法规定春节放假几天？")
    lead = then.citations[0]
    assert lead.doc_id == HOLIDAYS_2013 and "3天" in then.answer
    assert lead.validity == "已被修订（2024-11-10，现行：《全国年节及纪念日放假办法》）"
    assert then.to_dict()["citations"][0]["validity"] == lead.validity


def test_superseded_passages_stay_searchable_behind_current_ones(library_index: Index) -> None:
    hits = search(library_index, "行政复议法 申请期限 六十日", k=60)
    docs = [h.chunk.doc_id for h in hits]
    assert FUYI_2017 in docs, "still searchable"
    first_old = docs.index(FUYI_2017)
    assert all(d != FUYI_2017 for d in docs[:first_old]) and "xingzheng_fuyi_fa_2023.txt" in docs[:first_old]
    assert all(h.chunk.validity.startswith("已被修订") for h in hits if h.chunk.doc_id == FUYI_2017)


def test_search_json_labels_a_superseded_text(library_settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KB_HOME", str(library_settings.home))
    monkeypatch.setenv("KB_CORPUS", str(library_settings.corpus))
    assert main(["search", "--json", "-k", "3", "2017年行政复议法 申请期限"]) == 0
    rows = json.loads(capsys.readouterr().out)
    old = [r for r in rows if r["source"] == FUYI_2017]
    assert old and old[0]["validity"].startswith("已被修订（2023-09-01")


def test_quizzes_draw_from_texts_in_force_only(library_index: Index) -> None:
    gen = library_index.current()
    pool_docs = {c.doc_id for c in pool_for(gen).candidates}
    assert DISCLOSURE in pool_docs or HOLIDAYS_2024 in pool_docs
    assert not pool_docs & {FUYI_2017, HOLIDAYS_2013, MERGERS_2018, REPEALED}


# ---------------------------------------------------------------- the corpus's own texts first (issue 13)


def test_the_bundled_laws_own_date_leads_over_a_pack_regulations(library_index: Index) -> None:
    """行政复议法实施条例 (sample) also says when it took effect: the bundled 行政复议法's
    第九十条 is the one asked about (gold f15 answered 2007年8月1日 with the pack on)."""
    answer = answer_question(library_index, "新修订的行政复议法从哪天起实施？")
    lead = answer.citations[0]
    assert (lead.doc_id, lead.label) == ("xingzheng_fuyi_fa_2023.txt", "第九十条")
    assert "2024年1月1日" in answer.answer.split("\n")[0]


def test_with_a_pack_rankings_fuse_by_score_and_pack_passages_weigh_less(library_index: Index) -> None:
    """Each ranking's scores scaled to 0..1 over its candidates; a dense score counts
    DENSE_WEIGHT times, a pack passage's PACK_DENSE_WEIGHT times more, and a pack passage's sum
    PACK_WEIGHT; the corpus's own keep theirs (a restated rule or a passage with no period
    for this 多少 question keeps its share)."""
    question = "行政复议申请期限是多少"  # not a date question: dense counts DENSE_WEIGHT
    gen, ranked = rankings(library_index, question)
    expected: dict[str, float] = {}
    for name, hits in ranked.items():
        top, bottom = max(s for _, s in hits), min(s for _, s in hits)
        for cid, s in hits:
            pack = from_pack(gen.chunks[cid].doc_id)
            weight = DENSE_WEIGHT * (PACK_DENSE_WEIGHT if pack else 1.0) if name.startswith("dense") else 1.0
            expected[cid] = expected.get(cid, 0.0) + weight * (s - bottom) / (top - bottom)
    hits = search(library_index, question, k=30)
    assert any(from_pack(h.chunk.doc_id) for h in hits) and any(not from_pack(h.chunk.doc_id) for h in hits)
    shares = [1.0, RESTATED_WEIGHT, OFF_KIND_WEIGHT, RESTATED_WEIGHT * OFF_KIND_WEIGHT]
    for h in hits:
        weight = PACK_WEIGHT if from_pack(h.chunk.doc_id) else 1.0
        # or an article's first piece moved just above a later piece of it (lead_piece_first)
        later = [o.score for o in hits if (o.chunk.doc_id, o.chunk.label) == (h.chunk.doc_id, h.chunk.label)
                 and o.chunk.part > h.chunk.part == 0]
        allowed = [expected[h.chunk.chunk_id] * weight * share for share in shares] + later
        assert h.score in [pytest.approx(a) for a in allowed]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_without_a_pack_rankings_fuse_by_rank(corpus_index: Index) -> None:
    """The corpus alone keeps reciprocal rank fusion: its leads must not move with the pack's fusion."""
    question = "行政复议申请期限是多少"
    gen, ranked = rankings(corpus_index, question)
    assert not gen.manifest.packs
    fused = {h.chunk.chunk_id: h.score for h in rrf(ranked, gen.chunks)}
    for h in search(corpus_index, question, k=10):
        assert h.score == pytest.approx(fused[h.chunk.chunk_id])


def _pack_hit(doc: str, n: int, text: str, score: float) -> Hit:
    chunk = Chunk(doc_id=f"packs/library/行政法规/{doc}.md", doc_title=doc, doc_number="", section_path=(),
                  label=f"第{n}条", text=text, start=0, end=len(text), source=f"{doc}.md")
    return Hit(chunk=chunk, score=score)


def test_a_rule_the_library_restates_in_many_laws_is_held_back() -> None:
    """The same appeal clause in four sector rules: each keeps RESTATED_WEIGHT of its score and
    falls behind the passage that says something of its own; a clause only two laws share keeps all."""
    clause = "当事人对行政处罚决定不服的，可以自接到处罚决定通知之日起15日内，向作出处罚决定机关的上一级机关申请复议"
    restated = [_pack_hit(f"条例{n}", 1, f"第{n}条 {clause}；对复议决定不服的，可以向人民法院起诉。", 1.0 - n / 100)
                for n in range(4)]
    own = _pack_hit("行政诉讼程序规定", 1, "公民直接向人民法院提起诉讼的，应当自知道作出行政行为之日起六个月内提出。", 0.8)
    pair = [_pack_hit(f"办法{n}", 2, "城市绿地的养护管理责任由绿化管理单位负责，居住区绿地由物业单位养护。", 0.7)
            for n in range(2)]
    hits = sorted([*restated, own, *pair], key=lambda h: -h.score)
    hold_back_restated(hits)
    assert hits[0] is own
    assert all(h.score == pytest.approx((1.0 - n / 100) * RESTATED_WEIGHT) for n, h in enumerate(restated))
    assert all(h.score == 0.7 for h in pair)


def test_an_article_s_first_piece_goes_ahead_of_a_close_later_piece() -> None:
    """第二十七条's rule (its first piece) just above its later piece when that one leads by less
    than LEAD_PIECE_MARGIN of its score; a later piece far ahead stays ahead."""
    head = _pack_hit("劳动争议调解仲裁法", 27, "第二十七条 劳动争议申请仲裁的时效期间为一年。", 0.8)
    rest = replace(head, chunk=replace(head.chunk, text="因不可抗力或者有其他正当理由，仲裁时效中止。", start=30, end=52, part=1),
                   score=1.0)
    other = _pack_hit("工伤保险条例", 17, "第十七条 用人单位应当自事故伤害发生之日起30日内提出工伤认定申请。", 0.9)
    hits = [rest, other, head]
    lead_piece_first(hits)
    assert hits[0] is head and hits[1] is rest and head.score > rest.score
    far = replace(head, score=0.5)
    hits = [replace(rest, score=1.0), far]
    lead_piece_first(hits)
    assert hits[1] is far and far.score == 0.5


@pytest.mark.parametrize(
    ("question", "doc_id", "label"),
    [
        ("对复议决定不服，多少天内可以去法院起诉", "xingzheng_susong_fa_2017.txt", "第四十五条"),  # a period
        ("哪些处罚决定做之前要告诉当事人可以申请听证", "xingzheng_chufa_fa_2021.txt", "第六十三条"),  # a list
    ],
)
def test_with_a_pack_a_passage_of_the_asked_kind_goes_first(
    library_index: Index, question: str, doc_id: str, label: str
) -> None:
    """With the pack on, the article that states what is asked (a period, a list) leads;
    passages that state none of it keep OFF_KIND_WEIGHT. Without the rule, on this sample, the
    article on the same topic led: 行政诉讼法 第四十四条 (复议或起诉 may be chosen) before
    第四十五条, 行政处罚法 第四十四条 (告知 before a decision) before 第六十三条's list."""
    first = search(library_index, question, k=5)[0].chunk
    assert (first.doc_id, first.label) == (doc_id, label)


@pytest.mark.parametrize(
    ("question", "doc_id", "label"),
    [
        ("现场对个人罚款，最多能罚多少钱", "xingzheng_chufa_fa_2021.txt", "第五十一条"),
        ("人民调解当事人有哪些权力", "renmin_tiaojie_fa_2010.txt", "第二十三条"),
        # a date question keeps dense at its plain weight: else the title note (通过 dates) leads
        ("人民调解法啥时候起施行", "renmin_tiaojie_fa_2010.txt", "第三十五条"),
        ("行政处罚法21年修订版几号开始施行", "xingzheng_chufa_fa_2021.txt", "第八十六条"),
    ],
)
def test_with_a_pack_dense_counts_more_except_for_a_date(
    library_index: Index, question: str, doc_id: str, label: str
) -> None:
    """With the pack on, a dense score counts DENSE_WEIGHT times, except for a question asking
    a date. Without the weight, on this sample, 行政处罚法 第七十一条 and 人民调解法 第二十四条 led
    (the BM25 rankings' choice); with it for date questions too, the law's 题注 led."""
    first = search(library_index, question, k=5)[0].chunk
    assert (first.doc_id, first.label) == (doc_id, label)


def test_a_question_naming_an_older_version_puts_its_successor_behind(library_index: Index) -> None:
    """2017年的行政复议法: the 2023 law that replaced it goes behind the other hits, as the
    answer uses only the named version; a question naming no year keeps the 2023 law first."""
    hits = search(library_index, "行政复议法 申请期限 六十日", k=60)  # a law named finds its current text only
    plain = [h.chunk.doc_id for h in hits]
    assert plain[0] == "xingzheng_fuyi_fa_2023.txt" and FUYI_2017 in plain
    gen = library_index.current()
    named = [h.chunk.doc_id for h in current_first(hits, gen.doc_records, "2017年的行政复议法规定申请期限是多少")]
    first_new = named.index("xingzheng_fuyi_fa_2023.txt")
    assert FUYI_2017 in named[:first_new]
    assert all(d == "xingzheng_fuyi_fa_2023.txt" for d in named[first_new:])


def test_term_weights_are_the_corpus_own_when_a_pack_is_on(library_index: Index, corpus_index: Index) -> None:
    """The pack must not make the bundled laws' topic words rare (复议 1.4 -> 4.7 over the
    whole library): a word the corpus's own passages use weighs as on the corpus alone, and a
    word only the pack uses no more than a word of one own passage."""
    lib, own = library_index.current(), corpus_index.current()
    for word in ("复议", "行政诉讼", "罚款", "决定书"):
        assert term_weight(lib, word) == pytest.approx(term_weight(own, word))
    top = math.log(len(passage_texts(own)) + 1)
    assert 0.5 <= term_weight(lib, "年休假") <= top


def test_a_word_held_only_inside_longer_words_is_read_as_the_word_meant(library_index: Index) -> None:
    """上诉期 is held by one passage, inside 上诉期限: no passage uses it as a word, so it is
    read through 上诉 (kb.answer.spelling.used). At library size a typo (复义 in 修复义务) is
    held the same way and was left unread (set H h18, h32)."""
    gen = library_index.current()
    assert not used(gen, "上诉期") and used(gen, "上诉") and used(gen, "复议")
    lead = answer_question(library_index, "行政诉讼上诉期 判决和裁定各是几天").answer.split("\n")[0]
    assert "十五日" in lead and "十日" in lead


def test_a_verb_only_the_pack_uses_is_read_as_on_the_corpus_alone(library_index: Index, corpus_index: Index) -> None:
    """累计 is used by library passages (印花税, 年休假) and by none of the corpus's own: it says
    how the question is put. Weighed over the pack it outweighed the topic, and the bundled
    law's 六十日内 fell under the coverage bar (the same happened to 要判, 上限, 追责 and 撤消 on
    the whole library: sets K, L and M). A noun only the pack uses still weighs as a topic."""
    lib = library_index.current()
    verb, noun = Term("累计", pos="v"), Term("年休假", pos="n")
    assert read_as_put(lib, verb) and not _known(lib, verb)
    assert not read_as_put(lib, Term("春节", pos="t")), "a time word is a topic (春节放假几天)"
    assert term_weight(lib, verb) == term_weight(corpus_index.current(), verb) == 1.0
    assert not read_as_put(lib, noun) and term_weight(lib, noun) > 1.0
    assert not read_as_put(corpus_index.current(), verb), "on the corpus alone nothing changes"
    question = "行政复议申请期限累计是多少天"
    lead = answer_question(library_index, question).answer.split("\n")[0]
    assert "六十日内" in lead
    assert lead == answer_question(corpus_index, question).answer.split("\n")[0]


PORT_RULES = "行政法规/地方口岸管理机构职责范围暂行规定(1987-04-14).md"


def test_a_pack_regulation_numbered_like_a_report_is_no_report_section(tmp_path: Path, embeddings) -> None:
    """地方口岸管理机构职责范围暂行规定 numbers its provisions 一、二、 like the district's report:
    with it loaded, “23年搞了哪几项专项监督检查” was answered with its 五、督促检查口岸检查检验单位
    as 报告“…”部分列出 (set L l86, the whole library). What was done is read from the report."""
    corpus = tmp_path / "corpus"
    (corpus / "packs" / "library" / "行政法规").mkdir(parents=True)
    report = "liujiang_fazhi_zhengfu_2023_report.txt"
    shutil.copy2(DEFAULT_CORPUS / report, corpus / report)
    with (DEFAULT_CORPUS / "SOURCES.tsv").open(encoding="utf-8") as f:
        catalog = [line for line in f if line.startswith(("file", report))]
    (corpus / "SOURCES.tsv").write_text("".join(catalog), encoding="utf-8")
    shutil.copy2(DEFAULT_CORPUS / "packs" / "library" / PORT_RULES, corpus / "packs" / "library" / PORT_RULES)
    with (LIBRARY_SAMPLE / "LAWS.tsv").open(encoding="utf-8") as f:
        header = f.readline()
    row = f"{PORT_RULES}\t地方口岸管理机构职责范围暂行规定\t行政法规\t1987-04-14\t\tin_force\t\n"
    (corpus / "packs" / "library" / "LAWS.tsv").write_text(header + row, encoding="utf-8")
    s = settings(home=tmp_path / "home", corpus=corpus, packs="library")
    assert ingest(s, embeddings).documents == 2
    index = Index(s, embeddings)
    assert any(from_pack(c.doc_id) and c.label.startswith("五、") for c in index.current().chunks.values())
    answer = answer_question(index, "23年搞了哪几项专项监督检查")
    assert answer.citations and all(not from_pack(c.doc_id) for c in answer.citations)
    assert "专项监督检查" in answer.answer.split("\n")[0]


def test_a_superseded_version_is_named_only_by_its_year(library_index: Index) -> None:
    """The library's 2017 行政复议法 stands beside the corpus's 2023 one: 行政复议法 names the
    law in force (only it may answer, kb.validity.answerable), 2017年的行政复议法 the old one."""
    gen = library_index.current()
    assert named_docs(gen.doc_titles, "新的行政复议法哪天开始施行", gen.doc_records) == {"xingzheng_fuyi_fa_2023.txt"}
    assert FUYI_2017 in named_docs(gen.doc_titles, "2017年的行政复议法哪天开始施行", gen.doc_records)
    assert FUYI_2017 in named_docs(gen.doc_titles, "新的行政复议法哪天开始施行"), "without versions: every title"


@pytest.mark.parametrize("question", ["新修订的行政复议法从哪天起实施？", "行政复议法规定的申请期限是多少天"])
def test_bm25_inside_a_named_corpus_law_reads_the_corpus_alone(
    library_index: Index, corpus_index: Index, question: str
) -> None:
    """Inside the corpus's own law a question names, BM25 ranks its articles as on the corpus
    alone. Over the whole library 行政复议 became rare, the articles repeating it outranked the
    rest, and 第九十条 (本法自2024年1月1日起施行) fell out of the search inside the law (gold
    f15; sets D, E, F, I and K asked the same)."""
    _, lib = rankings(library_index, question)
    _, own = rankings(corpus_index, question)
    for name in ("bm25_words@doc", "bm25_bigrams@doc"):
        assert [cid for cid, _ in lib[name]] == [cid for cid, _ in own[name]]
        assert [s for _, s in lib[name]] == pytest.approx([s for _, s in own[name]])


def test_a_pack_sentence_far_from_the_question_does_not_answer(library_index: Index) -> None:
    """The library holds most words of any question: 房产税税率是多少 (no 房产税 law in the
    sample) was answered with 土地增值税实行四级超率累进税率 on words alone. A pack sentence the
    question does not name answers only when close in meaning (MIN_DENSE_PACK; gold u09 and
    u20 on the whole library); close ones still answer."""
    assert answer_question(library_index, "房产税税率是多少").refused
    assert "两年" in answer_question(library_index, "国家赔偿请求时效是多久").answer.split("\n")[0]
    lead = answer_question(library_index, "职工累计工作满10年，年休假有几天").answer.split("\n")[0]
    assert "10天" in lead


def test_pack_passages_add_answer_candidates_and_take_none_of_the_corpus_own(library_index: Index) -> None:
    """Each pack passage among the answerer's first K_HITS lets the next own passage of the
    fused list in: with the whole library, 行政诉讼法 第四十六条 had fallen to 19th behind
    sector rules and the court's own 五日 of 第六十七条 led (sets O, Q and R)."""
    from kb.answer.extractive import K_HITS, gather
    from kb.answer.questions import analyze
    from kb.search.request import Request

    question = "行政复议申请期限是多少"
    req = Request(library_index)
    fused = search(library_index, question, k=CANDIDATES)  # what gather reads past its first K_HITS
    first = fused[:K_HITS]
    pushed = sum(from_pack(h.chunk.doc_id) for h in first)
    assert pushed  # the sample's 行政复议法 versions and regulation are among them
    hits, _ = gather(req, analyze(question), question)
    own = [h.chunk.chunk_id for h in fused if not from_pack(h.chunk.doc_id)]
    got = [h.chunk.chunk_id for h in hits if not from_pack(h.chunk.doc_id)]
    assert set(own[:K_HITS]) <= set(got)  # the first ten own passages, as without the pack
    assert {h.chunk.chunk_id for h in first} <= {h.chunk.chunk_id for h in hits}
