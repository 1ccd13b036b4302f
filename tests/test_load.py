"""The load benchmark (benchmarks/load.py) at small size: concurrent /ask calls over the Gradio
API from this process to a `kb serve` process on loopback, then answers during an upload's
ingest and during a `kb ingest` run by a third process on the same data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import CLI_NAME, run

pytestmark = pytest.mark.slow  # a load benchmark against kb serve


def test_concurrent_asks_and_asks_during_ingest(tmp_path: Path, short_corpus: Path) -> None:
    result = run(tmp_path / "home", short_corpus, n=16, concurrency=16)
    print(f"\n{result}")

    burst = result["burst"]
    assert burst["errors"] == 0, burst["error_samples"]
    assert burst["latency_ms"]["n"] == 16 and burst["latency_ms"]["p95"] is not None

    upload = result["during_upload"]
    assert upload["ingest_result"]["ok"] and upload["ingest_result"]["embedded"] > 0
    assert upload["errors"] == 0, upload["error_samples"]
    assert upload["answers_during_ingest"] > 0, "answers kept coming while the upload was ingested"

    cli = result["during_cli_ingest"]
    assert cli["ingest_result"]["returncode"] == 0, cli["ingest_result"]
    assert cli["errors"] == 0, cli["error_samples"]
    assert cli["answers_during_ingest"] > 0
    assert cli["server_sees_new_document"], "the serving process follows another process's ingest"
    assert not (short_corpus / CLI_NAME).exists()
