"""Settings, declared once: name, default, environment variable and help.

Layers, lowest first: the defaults below, then ``NEWSBRIEF_*`` environment
variables, then keyword arguments (the CLI passes its flags this way).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def default_db_url() -> str:
    """A file in the platform's user data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'newsbrief' / 'newsbrief.db'}"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "NEWSBRIEF_DB", "Database URL (sqlite:///path.db or postgresql://...)."),
    Setting("user_agent", "NEWSBRIEF_USER_AGENT", "User-Agent sent when fetching."),
    Setting("allow_private", None, "Allow fetching loopback and private addresses."),
    Setting("timeout", "NEWSBRIEF_TIMEOUT", "Network timeout in seconds."),
    Setting("max_bytes", "NEWSBRIEF_MAX_BYTES", "Largest document read, in bytes."),
    Setting("crawl_interval", "NEWSBRIEF_CRAWL_INTERVAL", "Seconds between requests to one host."),
    Setting("ner", "NEWSBRIEF_NER", "Entity recognizer: auto, spacy or gazetteer."),
    Setting("api_token", "NEWSBRIEF_API_TOKEN", "Bearer token that enables POST /api/v1/ingest."),
    Setting("llm_url", "NEWSBRIEF_LLM_URL", "OpenAI-compatible base URL for LLM summaries."),
    Setting("llm_model", "NEWSBRIEF_LLM_MODEL", "Model name for LLM summaries."),
    Setting("llm_api_key", "NEWSBRIEF_LLM_API_KEY", "API key for the LLM endpoint."),
    Setting("llm_timeout", "NEWSBRIEF_LLM_TIMEOUT", "Seconds to wait for an LLM summary."),
    Setting("embed", "NEWSBRIEF_EMBED", "Story-clustering embeddings: auto, off or minilm."),
)


@dataclass(frozen=True)
class Settings:
    """Every setting Newsbrief reads; see :data:`SETTINGS` for help texts."""

    db: str = field(default_factory=default_db_url)
    user_agent: str | None = None
    allow_private: bool = False
    timeout: float = 15.0
    max_bytes: int = 10_000_000
    crawl_interval: float = 1.0
    ner: str = "auto"
    api_token: str | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    embed: str = "off"

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, /, **overrides: Any) -> Settings:
        """Defaults, then environment variables, then the non-None ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for s in SETTINGS:
            if s.env and env.get(s.env):
                values[s.name] = _convert(env[s.env], str(types[s.name]))
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - set(types)
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(cls(), **values)


def _convert(raw: str, type_name: str) -> Any:
    if type_name.startswith("int"):
        return int(raw)
    if type_name.startswith("float"):
        return float(raw)
    if type_name.startswith("bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw
