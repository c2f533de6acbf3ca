"""Small WARC files for the batch tests, written with warcio from pages written here.

Four stories, each reported by two outlets in their own words, plus one wire copy (a
near-duplicate with a changed first line), a page without article text, a non-2xx
response, an image and request records (which hold no page).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

STORIES: dict[str, list[str]] = {
    "ferry": [
        "The harbour board of Tollmouth voted on Tuesday to replace the town's two diesel "
        "ferries with battery vessels by the spring of next year.",
        "Board chair Imogen Dray said the new boats would cut fuel costs by nearly half and "
        "would be charged overnight from the quay's upgraded substation.",
        "Commuters who cross the estuary twice a day welcomed the plan but asked whether the "
        "timetable would change during the six weeks of sea trials.",
        "The contract, worth eleven million pounds, went to a shipyard in Port Carrow that "
        "built a similar vessel for the island of Skelda three years ago.",
        "Engineers expect each crossing to take four minutes longer at first, because the "
        "battery ferries will sail at a lower speed until their crews are trained.",
        "A public meeting on the timetable is planned for the first week of next month at "
        "the Tollmouth library, where residents can question the board.",
    ],
    "orchard": [
        "A late frost has destroyed most of the blossom in the cherry orchards of the Hallam "
        "valley, growers said on Friday after three nights below freezing.",
        "Grower Bastian Oyelaran estimated that his farm would pick less than a third of last "
        "season's crop, and said smaller farms might not survive the loss.",
        "The regional farmers' union asked the agriculture ministry to open its emergency "
        "fund, which paid out twice in the last decade after hail storms.",
        "Frost fans and sprinklers saved some trees on the lower slopes, where the cold air "
        "did not settle as heavily as it did in the hollows near the river.",
        "Jam makers in the valley warned that prices would rise in the autumn, since they buy "
        "nearly all of their fruit from farms within twenty kilometres.",
        "Weather forecasters said the cold spell was the latest in the season since records "
        "began at the Hallam observatory more than ninety years ago.",
    ],
    "library": [
        "The city council of Brenford has approved the restoration of its Victorian central "
        "library, closed since a roof collapse two winters ago.",
        "Work will begin in August and should take eighteen months, according to the "
        "council's heritage officer, Lucinda Marsh, who presented the plans.",
        "The reading room's painted ceiling will be rebuilt from photographs taken before the "
        "collapse, and the damaged books have been sent to a conservation studio.",
        "Campaigners who gathered more than twelve thousand signatures to save the building "
        "said they were relieved but would watch the budget closely.",
        "A temporary library in the old post office will stay open until the restoration is "
        "finished, with longer opening hours on Saturdays.",
        "The council will pay for the project with a heritage grant and the sale of two empty "
        "office blocks near the railway station.",
    ],
    "marathon": [
        "Runner Keziah Amadi won the Lowmarsh marathon on Sunday in two hours and nine minutes, "
        "the fastest time in the race's forty-year history.",
        "Amadi broke away from the leading group at the thirty-kilometre mark and ran the last "
        "stretch along the canal alone, cheered by crowds on both banks.",
        "The organisers said more than nine thousand people finished the race, a record for "
        "the event, despite a strong headwind in the second half.",
        "Medical teams treated about forty runners for exhaustion, and two were taken to the "
        "Lowmarsh general hospital as a precaution, the organisers added.",
        "The women's race was won by Petra Lindqvist, who had finished second in each of the "
        "previous three editions and described the win as a relief.",
        "Next year's race will move to April to avoid the heat that affected runners in the "
        "two previous editions, the city's sports office confirmed.",
    ],
}
OUTLETS = [("Estuary Gazette", "estuarygazette.example"), ("Valley Post", "valleypost.example")]


@dataclass(frozen=True)
class Page:
    url: str
    html: str
    kind: str = "page"  # "page" | "empty" | "error" | "image" | "request"


def article_html(title: str, outlet: str, paragraphs: list[str], published: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | {outlet}</title>"
        f"<meta property='og:site_name' content='{outlet}'>"
        f"<meta property='article:published_time' content='{published}'></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright {outlet}</footer></body></html>"
    )


def pages() -> list[Page]:
    """The test collection: 8 articles, 1 wire copy, and 4 records that are not articles."""
    out: list[Page] = []
    for day, (slug, sentences) in enumerate(STORIES.items(), start=1):
        for number, (outlet, domain) in enumerate(OUTLETS):
            # the outlets share some facts (two sentences) and report others of their own
            paras = sentences[2 * number : 2 * number + 4]
            title = f"{slug.title()} report {number + 1}: {sentences[0].split(',')[0][:50]}"
            published = f"2026-03-{day:02d}T0{number + 6}:00:00Z"
            html = article_html(title, outlet, paras, published)
            out.append(Page(f"https://{domain}/news/{slug}-{number}", html))
    wire = STORIES["ferry"]
    copy = ["(Wire) " + wire[0], *wire[1:4]]  # the first outlet's text, lightly edited
    html = article_html("Tollmouth ferries to go electric", "Wire Desk", copy, "2026-03-01T09:00Z")
    out.insert(3, Page("https://wire.example/ferry-copy", html))
    empty = "<html><body></body></html>"
    out.insert(5, Page("https://estuarygazette.example/empty", empty, kind="empty"))
    out.append(Page("https://valleypost.example/missing", "not found", kind="error"))
    out.append(Page("https://valleypost.example/logo.png", "\x89PNG....", kind="image"))
    out.insert(1, Page("https://estuarygazette.example/news/ferry-0", "", kind="request"))
    return out


def write_warc(path: Path, items: list[Page], *, gzip: bool = False) -> Path:
    """Write the pages as a WARC (response records; the other kinds as described)."""
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        for n, page in enumerate(items):
            writer.write_record(_record(writer, page, n))
    return path


def _record(writer: WARCWriter, page: Page, n: int) -> object:
    date = f"2026-03-10T12:{n % 60:02d}:00Z"
    headers = {"WARC-Date": date}
    if page.kind == "request":
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
        return writer.create_warc_record(page.url, "request", payload=io.BytesIO(b""),
                                         http_headers=http, warc_headers_dict=headers)  # fmt: skip
    status, ctype = {
        "error": ("404 Not Found", "text/html"),
        "image": ("200 OK", "image/png"),
    }.get(page.kind, ("200 OK", "text/html; charset=utf-8"))
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        page.url,
        "response",
        payload=io.BytesIO(page.html.encode("utf-8")),
        http_headers=http,
        warc_headers_dict=headers,
    )
