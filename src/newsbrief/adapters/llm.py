"""An LLM summary backend over the OpenAI-compatible chat completions API.

Works with llama.cpp's server, Ollama, vLLM, LM Studio and hosted endpoints: the base URL is
the one their docs give for OpenAI clients (usually ending in ``/v1``), and a request is

    POST {base}/chat/completions
    {"model", "messages": [system, user], "temperature": 0, "max_tokens", "stream": false}

with ``Authorization: Bearer <key>`` when a key is configured. With no model configured, the
first one listed by ``GET {base}/models`` is used (llama.cpp serves one model).

The URL is configured by the user and is commonly on loopback, so the fetcher's rule against
private addresses does not apply here. Every failure is translated into
:class:`~newsbrief.errors.SummaryError` (never an httpx exception), with a one-line message
that never includes the key; the brief then falls back to its extractive summary.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from newsbrief.errors import SummaryError

__all__ = ["OpenAIChatSummariser"]

log = logging.getLogger(__name__)

_DETAIL_CHARS = 200


class OpenAIChatSummariser:
    """A :class:`~newsbrief.ports.Summariser` backed by an OpenAI-compatible chat endpoint."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.lower().startswith(("http://", "https://")):
            raise SummaryError(f"LLM URL must be http(s): {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._model = model
        self.timeout = timeout
        headers = {"Accept": "application/json"}
        if user_agent:
            headers["User-Agent"] = user_agent
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout), transport=transport
        )

    @property
    def model(self) -> str:
        """The model asked for: the configured one, else the first the server lists."""
        if self._model is None:
            self._model = self._first_model()
        return self._model

    def summarise(self, system: str, user: str, /, *, max_tokens: int) -> str:
        """The model's reply to one system and one user message (raises SummaryError)."""
        payload = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0,
            "max_tokens": max_tokens,
            "stream": False,
        }
        body = self._request("POST", "/chat/completions", json=payload)
        return _reply_text(body)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> OpenAIChatSummariser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _first_model(self) -> str:
        body = self._request("GET", "/models")
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, list) and data and isinstance(data[0], dict) and data[0].get("id"):
            return str(data[0]["id"])
        raise SummaryError("no model configured (NEWSBRIEF_LLM_MODEL) and the server lists none")

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request; the decoded JSON body of a 2xx response."""
        url = self.base_url + path
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as e:
            raise SummaryError(f"LLM request timed out after {self.timeout:g}s") from e
        except httpx.HTTPError as e:
            raise SummaryError(f"LLM request failed: {type(e).__name__}: {e}") from e
        if not response.is_success:
            detail = " ".join(response.text[:_DETAIL_CHARS].split())
            raise SummaryError(f"LLM returned HTTP {response.status_code}: {detail}")
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise SummaryError(f"malformed LLM response: not JSON ({e})") from e


def _reply_text(body: Any) -> str:
    """The first choice's message content; SummaryError when the shape is not the API's."""
    try:
        choice = body["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as e:
        raise SummaryError("malformed LLM response: no choices[0].message.content") from e
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise SummaryError("malformed LLM response: message content is not text")
    if choice.get("finish_reason") == "length":
        raise SummaryError("LLM reply was cut off at max_tokens")
    log.debug("LLM reply: %d characters", len(content))
    return content
