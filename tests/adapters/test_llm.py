"""The OpenAI-compatible client against a fake server on loopback (real HTTP, real sockets)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from newsbrief.adapters.llm import OpenAIChatSummariser
from newsbrief.errors import SummaryError
from newsbrief.ports import Summariser
from tests.llm_server import FakeLLM, serve_fake_llm

USER = "Title: Quay reopens\n\nArticle:\nThe quay reopened on Monday. It cost 40 million."


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


def _client(fake: FakeLLM, **kwargs: object) -> OpenAIChatSummariser:
    options: dict[str, object] = {"model": "fake-model", "timeout": 5.0, **kwargs}
    return OpenAIChatSummariser(fake.url, **options)  # type: ignore[arg-type]


def test_posts_a_chat_completion_and_returns_the_reply(fake_llm: FakeLLM) -> None:
    with _client(fake_llm) as client:
        assert isinstance(client, Summariser)
        reply = client.summarise("be brief", USER, max_tokens=123)
    assert reply == "In brief: the quay reopened on Monday. The report gives these figures: 40."
    (req,) = fake_llm.requests
    assert req.path == "/v1/chat/completions"
    assert req.body is not None
    assert req.body["model"] == "fake-model"
    assert req.body["temperature"] == 0 and req.body["max_tokens"] == 123
    assert req.body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": USER},
    ]
    assert "authorization" not in {k.lower() for k in req.headers}


def test_sends_the_api_key_as_a_bearer_token(fake_llm: FakeLLM) -> None:
    with _client(fake_llm, api_key="sk-test-123") as client:
        client.summarise("s", USER, max_tokens=10)
    headers = {k.lower(): v for k, v in fake_llm.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer sk-test-123"


def test_without_a_model_uses_the_first_one_the_server_lists(fake_llm: FakeLLM) -> None:
    with OpenAIChatSummariser(fake_llm.url + "/", timeout=5) as client:
        assert client.model == "listed-model"
        client.summarise("s", USER, max_tokens=10)
    assert [r.path for r in fake_llm.requests] == ["/v1/models", "/v1/chat/completions"]
    assert fake_llm.requests[1].body is not None
    assert fake_llm.requests[1].body["model"] == "listed-model"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", "HTTP 500"),
        ("garbage", "not JSON"),
        ("shapeless", "no choices[0].message.content"),
        ("cut", "cut off at max_tokens"),
    ],
)
def test_failures_become_summary_errors(fake_llm: FakeLLM, mode: str, message: str) -> None:
    fake_llm.mode = mode
    with _client(fake_llm, api_key="sk-secret") as client, pytest.raises(SummaryError) as err:
        client.summarise("s", USER, max_tokens=10)
    assert message in str(err.value)
    assert "sk-secret" not in str(err.value)


def test_a_slow_server_times_out(fake_llm: FakeLLM) -> None:
    fake_llm.mode, fake_llm.delay = "slow", 1.5
    with _client(fake_llm, timeout=0.2) as client, pytest.raises(SummaryError, match="timed out"):
        client.summarise("s", USER, max_tokens=10)


def test_an_unreachable_server_is_a_summary_error() -> None:
    with socket.socket() as s:  # a port nobody listens on: bind, then release it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = OpenAIChatSummariser(f"http://127.0.0.1:{port}/v1", model="m", timeout=2)
    with client, pytest.raises(SummaryError, match="LLM request failed"):
        client.summarise("s", USER, max_tokens=10)


def test_content_parts_are_joined() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        parts = [{"type": "text", "text": "Part one. "}, {"type": "text", "text": "Part two."}]
        choice = {"message": {"content": parts}, "finish_reason": "stop"}
        return httpx.Response(200, json={"choices": [choice]})

    client = OpenAIChatSummariser(
        "http://llm.test/v1", model="m", transport=httpx.MockTransport(handler)
    )
    with client:
        assert client.summarise("s", "u", max_tokens=5) == "Part one. Part two."


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(SummaryError, match="http"):
        OpenAIChatSummariser("file:///etc/passwd", model="m")
