"""Newsbrief's web reader and HTTP API (the ``web`` extra: FastAPI, uvicorn, Jinja2).

    >>> from newsbrief import make_engine
    >>> from newsbrief.web import create_app
    >>> app = create_app(make_engine("sqlite:///news.db"))   # doctest: +SKIP
    >>> import uvicorn; uvicorn.run(app)                      # doctest: +SKIP

``create_app(engine)`` builds a FastAPI app whose routes only translate HTTP to
:class:`newsbrief.Engine` calls and back: JSON under ``/api/v1`` (:mod:`.api`), server-rendered
HTML and RSS elsewhere (:mod:`.views`), behind the guards of :mod:`.security`.
"""

from __future__ import annotations

from newsbrief.web.app import create_app

__all__ = ["create_app"]
