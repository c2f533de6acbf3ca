"""A fake OpenAI-compatible chat completions server on 127.0.0.1, in a thread.

Its behaviour is set per test (``server.mode``):

- ``faithful``: an abstractive summary written from the article's own facts (its lead
  sentence, reworded, and the numbers the article gives);
- ``hallucinate``: the same, plus a number and a person the article never mentions;
- ``slow``: answers after ``server.delay`` seconds;
- ``error``: HTTP 500; ``garbage``: 200 with a body that is not JSON; ``shapeless``: JSON
  without ``choices``; ``cut``: a reply stopped by ``max_tokens``.

``GET /v1/models`` lists one model. Every request is recorded (path, headers, JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INVENTED = " Jonathan Reyes said 3,400 further jobs were at risk."
"""What the hallucinating fake adds: a person and a number absent from every fixture."""


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeLLM:
    """The running server's address and knobs."""

    url: str
    mode: str = "faithful"
    delay: float = 2.0
    model_id: str = "listed-model"
    requests: list[Recorded] = field(default_factory=list)


def faithful_summary(user_message: str) -> str:
    """A reworded summary that states only the article's own facts."""
    article = user_message.split("Article:\n", 1)[-1]
    if "Report 1" in user_message:
        article = re.sub(r"Report \d+ \(oldest first\):\n", "", user_message.split("\n\n", 1)[-1])
    lead = re.split(r"(?<=[.!?])\s+|(?<=。)", article.strip(), maxsplit=1)[0].rstrip(".!?。")
    numbers = list(dict.fromkeys(re.findall(r"\d[\d,.]*\d%?|\d%?", article)))[:3]
    facts = f" The report gives these figures: {', '.join(numbers)}." if numbers else ""
    return f"In brief: {lead[0].lower()}{lead[1:]}.{facts}"


def _reply(fake: FakeLLM, body: dict[str, Any]) -> tuple[int, bytes]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    text = faithful_summary(user)
    if fake.mode == "hallucinate":
        text += INVENTED
    finish = "length" if fake.mode == "cut" else "stop"
    completion = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
            }
        ],
    }
    if fake.mode == "shapeless":
        completion = {"error": {"message": "the model is loading"}}
    return 200, json.dumps(completion).encode()


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            fake.requests.append(Recorded(self.path, dict(self.headers), None))
            if self.path == "/v1/models":
                self._send(200, json.dumps({"data": [{"id": fake.model_id}]}).encode())
            else:
                self._send(404, b'{"error": "not found"}')

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(raw)
            fake.requests.append(Recorded(self.path, dict(self.headers), body))
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": "not found"}')
            elif fake.mode == "slow":
                time.sleep(fake.delay)
                self._send(*_reply(fake, body))
            elif fake.mode == "error":
                self._send(500, b'{"error": {"message": "internal error"}}')
            elif fake.mode == "garbage":
                self._send(200, b"<html>upstream proxy error</html>")
            else:
                self._send(*_reply(fake, body))

        def _send(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout tests)

    return Handler


@contextmanager
def serve_fake_llm() -> Iterator[FakeLLM]:
    """Run a fake OpenAI-compatible server; its base URL ends in ``/v1`` as real ones do."""
    fake = FakeLLM(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
