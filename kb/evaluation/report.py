"""From item records to the numbers `kb eval` prints: metrics overall and per type, and the
failures in words a reader can act on.

Answers are scored strictly (issue 12): `lead_accuracy` counts only the lead line,
`answer_accuracy` ("facts anywhere") the whole reply, and a lead that states a figure but
not the one asked for is counted apart (`wrong_figure_leads`), because it misleads where a
refusal would not.
"""

from __future__ import annotations

RECALL_KS = (1, 5, 10)


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def metrics(records: list[dict], k: int = 5) -> dict:
    """Every metric over a list of item records; None where a metric has nothing to count."""
    answerable = [r for r in records if r["answerable"]]
    ranks = [r["rank"] for r in answerable]
    ks = sorted(set(RECALL_KS) | {k})
    out: dict = {"n": len(records), "answerable": len(answerable), "unanswerable": len(records) - len(answerable)}
    for kk in ks:
        out[f"recall@{kk}"] = _ratio(sum(1 for x in ranks if x and x <= kk), len(answerable))
    out["mrr@10"] = (sum(1 / x for x in ranks if x and x <= 10) / len(answerable)) if answerable else None
    answered = [r for r in records if "answer" in r]
    if answered:
        ans_ok = [r for r in answered if r["answerable"]]
        out["lead_accuracy"] = _ratio(sum(1 for r in ans_ok if r["lead_ok"]), len(ans_ok))
        out["answer_accuracy"] = _ratio(sum(1 for r in ans_ok if r["facts_ok"]), len(ans_ok))
        out["false_refusal_rate"] = _ratio(sum(1 for r in ans_ok if r["refused"]), len(ans_ok))
        out["wrong_figure_leads"] = sum(1 for r in ans_ok if r["wrong_figure_lead"])
        out["unanswerable_figure_leads"] = sum(1 for r in answered if not r["answerable"] and r["wrong_figure_lead"])
        cits = [c for r in answered for c in r["citations"]]
        out["citations"] = len(cits)
        out["citation_quote_ok"] = _ratio(sum(1 for c in cits if c["quote_ok"]), len(cits))
        out["citation_supported"] = _ratio(sum(1 for c in cits if c["supported"]), len(cits))
        out["citation_validity"] = _ratio(sum(1 for c in cits if c["quote_ok"] and c["supported"]), len(cits))
        tp = sum(1 for r in answered if r["refused"] and not r["answerable"])
        fp = sum(1 for r in answered if r["refused"] and r["answerable"])
        fn = sum(1 for r in answered if not r["refused"] and not r["answerable"])
        out["refusal_precision"] = _ratio(tp, tp + fp)
        out["refusal_recall"] = _ratio(tp, tp + fn)
        latencies = [r["answer_ms"] for r in answered]
        out["answer_ms_p50"] = percentile(latencies, 50)
        out["answer_ms_p95"] = percentile(latencies, 95)
    latencies = [r["search_ms"] for r in records]
    out["search_ms_p50"] = percentile(latencies, 50)
    out["search_ms_p95"] = percentile(latencies, 95)
    return out


def problems(record: dict) -> list[str]:
    """Why a record counts as a failure, in words a reader of `kb eval` can act on."""
    out = []
    if record["answerable"] and not (record["rank"] and record["rank"] <= 10):
        out.append("检索前10条未命中出处")
    if "answer" not in record:
        return out
    if record["answerable"] and record["refused"]:
        out.append("可回答的问题被拒答")
    if not record["answerable"] and not record["refused"]:
        out.append("库中无答案却未拒答")
    if record["missing_facts"]:
        out.append("答案缺少要点：" + "、".join(record["missing_facts"]))
    elif record["lead_missing"]:
        out.append("首行缺少要点：" + "、".join(record["lead_missing"]))
    if record["wrong_figure_lead"]:
        what = "库中无答案却在首行给出数字" if not record["answerable"] else "首行给出的数字不是所问的"
        out.append(what + "：" + "、".join(record["lead_figures"]))
    for c in record["citations"]:
        if not c["quote_ok"]:
            out.append(f"引用[{c['n']}]的原文与出处不符")
        if not c["supported"]:
            out.append(f"引用[{c['n']}]不支持所述内容：" + "、".join(c["missing"]))
    return out


def summarize(records: list[dict], k: int = 5) -> dict:
    """Overall metrics, the same per question type, and the failures with what was retrieved."""
    types = sorted({r["type"] for r in records})
    failures = []
    for r in records:
        found = problems(r)
        if found:
            failures.append({
                "id": r["id"], "question": r["question"], "history": r.get("history", []), "type": r["type"],
                "problems": found, "rank": r["rank"], "lead": r.get("lead"), "answer": r.get("answer"),
                "retrieved": r["retrieved"][:k],
            })
    return {
        "k": k,
        "overall": metrics(records, k),
        "by_type": {t: metrics([r for r in records if r["type"] == t], k) for t in types},
        "failures": failures,
    }
