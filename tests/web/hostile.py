"""A hostile article (written for these tests) whose title, outlet and body carry markup.

The escaped tags (``&lt;script&gt;``) decode to literal ``<script>`` text in the stored title and
paragraphs; the raw ones test that extraction drops them. Every payload, if it ever ran, would
set ``window.__xss`` or change ``document.title`` to ``pwned``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TITLE_PAYLOAD = "<script>window.__xss=1</script>"
BODY_PAYLOAD = '<img src=x onerror="window.__xss=2">'
SEARCH_WORD = "Quillmoor"

HOSTILE_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{SEARCH_WORD} council &lt;script&gt;window.__xss=1&lt;/script&gt;
 passes harbour budget</title>
<meta property="og:site_name" content="The &lt;b onclick=&quot;window.__xss=3&quot;&gt;Gazette">
<meta name="author" content="Ada &lt;script&gt;document.title='pwned'&lt;/script&gt; Fenwick">
<meta property="article:published_time" content="2026-04-02T09:00:00Z">
</head><body>
<script>window.__xss = 6;</script>
<article>
<h1>{SEARCH_WORD} council &lt;script&gt;window.__xss=1&lt;/script&gt; passes harbour budget</h1>
<p>The {SEARCH_WORD} town council voted seven to two on Tuesday night to approve a harbour
budget of 4.2 million pounds, ending a dispute that had stalled repairs to the sea wall for
most of the winter. &lt;img src=x onerror="window.__xss=2"&gt; Councillors said the money
would pay for new pilings, a wider slipway and a flood gate at the mouth of the inner basin.</p>
<p>"We have argued about this wall for three years, and the sea has not waited for us," said
council leader Miriam Oduya &lt;script&gt;document.title='pwned'&lt;/script&gt; after the vote,
adding that work would begin in May and take about eighteen months to finish.</p>
<p>Opponents said the plan leaned too heavily on borrowing. Councillor Tobias Renn, who voted
against it, said the town would still be paying interest in 2040 and urged the council to seek
a larger grant from the regional development fund before committing to the loan.</p>
<img src="x" onerror="window.__xss = 7">
<p>Harbour users welcomed the decision. The fishing cooperative said its boats had lost nearly
forty working days last year when storm damage closed the slipway, and a ferry operator said
the flood gate would let it keep a winter timetable for the first time in a decade.
&lt;a href="javascript:window.__xss=4" onclick="window.__xss=5"&gt;click here&lt;/a&gt;</p>
<p>The budget now goes to the county for approval, which officials expect within six weeks.
Residents can read the full plan at the town hall library, where a model of the new wall
will be on display until the end of the month.</p>
</article></body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/council.html":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = HOSTILE_HTML.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def hostile_site() -> Iterator[str]:
    """Serve the hostile article at ``<base>/council.html`` on loopback; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
