"""Running the app under uvicorn: bind first (so a busy port is one clear error), then serve."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn

from newsbrief.errors import NewsbriefError


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise NewsbriefError(f"cannot listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise NewsbriefError(f"cannot listen on {host}:{port}: {reason}") from exc
    return sock


def url_of(sock: socket.socket) -> str:
    """The ``http://host:port/`` a listening socket serves."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run(app: Any, sock: socket.socket, *, access_log: bool = False) -> None:
    """Serve ``app`` on ``sock`` with uvicorn until Ctrl-C (or SIGTERM); closes the socket."""
    config = uvicorn.Config(app, log_config=None, access_log=access_log, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shut down cleanly, then re-raised the Ctrl-C it caught
    finally:
        sock.close()
