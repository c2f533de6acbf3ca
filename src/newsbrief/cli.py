"""The ``newsbrief`` command: a thin shell over :class:`newsbrief.Engine`.

Each command converts its flags into one library call and formats the result.
Errors are one line on stderr starting with ``error:``; exit codes are 0 (all
done), 1 (some items failed, the rest done) and 2 (usage or input error).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import click

import newsbrief
from newsbrief import render
from newsbrief.engine import Engine, Result, make_engine
from newsbrief.errors import EmptyDocument, InputError, NewsbriefError, NoArticle

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2
_state = {"verbose": 0}


def _fail(message: str, code: int, *, exc: BaseException | None = None) -> NoReturn:
    if exc is not None and _state["verbose"] > 0:
        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)


class NewsbriefGroup(click.Group):
    """A group whose errors are one-line ``error:`` messages with the SPEC's exit codes."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.exceptions.Abort as e:
            _fail("aborted", 130, exc=e)
        except click.UsageError as e:
            _fail(e.format_message(), EXIT_USAGE)
        except click.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except NewsbriefError as e:
            _fail(str(e), EXIT_USAGE if isinstance(e, InputError) else EXIT_PARTIAL, exc=e)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except KeyboardInterrupt as e:
            _fail("interrupted", 130, exc=e)
        except Exception as e:  # the last line of defence: never a traceback
            _fail(f"internal error: {type(e).__name__}: {e} (run with -v for details)", 1, exc=e)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def common_options(f: F) -> F:
    """Options every command takes: verbosity and private-address fetching."""
    f = click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug).")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")(f)
    f = click.option(
        "--allow-private",
        is_flag=True,
        default=None,
        help="Allow fetching loopback and private addresses (off by default).",
    )(f)
    return f


def _setup(verbose: int, quiet: bool) -> None:
    """Log to stderr: errors only with -q; our warnings by default; everything with -v."""
    _state["verbose"] = -1 if quiet else verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if quiet or verbose == 0:
        floor = logging.ERROR if quiet else logging.WARNING
        handler.addFilter(
            lambda r: (
                r.levelno >= logging.ERROR
                or (r.levelno >= floor and r.name.startswith("newsbrief"))
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((logging.WARNING, logging.INFO, logging.DEBUG)[min(max(verbose, 0), 2)])


def _engine(opts: dict[str, Any], **settings: Any) -> Engine:
    _setup(opts.pop("verbose", 0), opts.pop("quiet", False))
    return make_engine(
        settings.pop("db", None),
        stdin=sys.stdin.buffer,
        allow_private=opts.pop("allow_private", None),
        **settings,
    )


def _report(results: Iterable[Result], emit: Callable[[Any], None]) -> int:
    """Emit each good result, report each failure on stderr; return the exit code."""
    done, failed, input_errors = 0, 0, 0
    for r in results:
        if r.ok:
            emit(r.value)
            done += 1
        else:
            failed += 1
            input_errors += isinstance(r.error, InputError)
            click.echo(f"error: {r.error}", err=True)
    if failed == 0:
        return EXIT_OK
    if done == 0 and input_errors == failed:
        return EXIT_USAGE
    return EXIT_PARTIAL


@click.group(cls=NewsbriefGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(newsbrief.__version__, prog_name="newsbrief")
def cli() -> None:
    """Newsbrief: faithful news briefs, and stories followed across outlets.

    SOURCE is an http(s) URL, a file (HTML or plain scraped text), a directory of
    such files, or - for stdin.
    """


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="text is for people; json follows the SPEC (one object, or JSON Lines for several).",
)
@common_options
def brief(sources: tuple[str, ...], fmt: str, **opts: Any) -> int:
    """Fetch, extract and brief each article."""
    engine = _engine(opts)
    if fmt in ("text", "markdown"):
        return _report(engine.iter_briefs(sources), _emit_brief(fmt))
    good: list[Any] = []
    code = _report(engine.iter_briefs(sources), good.append)
    single = len(sources) == 1 and not os.path.isdir(sources[0])
    if good and fmt == "json":
        _echo_json_briefs(good, single=single)
    elif good:
        click.echo(render.brief_html(*good), nl=False)
    return code


def _emit_brief(fmt: str) -> Callable[[Any], None]:
    if fmt == "markdown":
        return lambda b: click.echo(render.brief_markdown(b))

    from rich.console import Console

    console = Console(soft_wrap=False, highlight=False)
    return lambda b: console.print(render.brief_renderable(b))


def _echo_json_briefs(briefs: list[Any], *, single: bool) -> None:
    """One pretty object for a single document; JSON Lines for several."""
    if single and len(briefs) == 1:
        click.echo(render.brief_json(briefs[0]))
        return
    for b in briefs:
        click.echo(json.dumps(b.to_dict(), ensure_ascii=False))


@cli.command()
@click.argument("source", metavar="SOURCE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text prints only the body, paragraphs separated by one blank line.",
)
@common_options
def extract(source: str, fmt: str, **opts: Any) -> int:
    """Print the clean article."""
    engine = _engine(opts)
    article = engine.extract(source)  # a directory is refused by the loader (one article only)
    if fmt == "text":
        click.echo(article.text)
    elif fmt == "markdown":
        click.echo(render.article_markdown(article), nl=False)
    else:
        minutes, basis = engine.read_time(article)
        click.echo(render.to_json(render.article_dict(article, read_time=minutes, basis=basis)))
    return EXIT_OK


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--sentences",
    "-n",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    help="How many sentences.",
)
@common_options
def summarize(sources: tuple[str, ...], sentences: int, **opts: Any) -> int:
    """Print an extractive summary, one sentence per line.

    Several SOURCEs give one multi-document summary.
    """
    engine = _engine(opts)
    results = list(engine.iter_articles(sources))
    articles = [r.value for r in results if r.ok]
    # In a multi-document summary, a document with no article text in it (an empty or
    # all-boilerplate page) contributes nothing: it is a warning, not a failure, as long as
    # another document gave text. Any other error still fails the run.
    empty = (EmptyDocument, NoArticle)
    if articles and all(isinstance(r.error, empty) for r in results if not r.ok):
        for r in results:
            if not r.ok:
                click.echo(f"warning: {r.error} (left out of the summary)", err=True)
        code = EXIT_OK
    else:
        code = _report([r for r in results if not r.ok], lambda _: None)
        code = EXIT_PARTIAL if articles and code != EXIT_OK else code
    for sentence in engine.summarize(articles, sentences=sentences) if articles else []:
        click.echo(" ".join(sentence.split()))
    return code


@cli.command()
@common_options
def cluster(**opts: Any) -> int:
    """Online story clustering of a JSONL stream (for benchmarks).

    Reads {"id", "date", "title", "text"} per line on stdin, in time order, and writes
    {"id", "cluster"} per line on stdout as each line is processed: an article's cluster
    is decided before the next line is read.
    """
    engine = _engine(opts)
    clusterer = engine.new_clusterer()
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        doc = engine.cluster_doc(line, number=number)
        out.write(json.dumps({"id": doc.id, "cluster": clusterer.add(doc)}) + "\n")
        out.flush()
    return EXIT_OK


def db_option(f: F) -> F:
    return click.option(
        "--db",
        metavar="URL",
        default=None,
        help="Database URL (sqlite:///path.db, postgresql://...); default: $NEWSBRIEF_DB, "
        "else a file in the user data directory.",
    )(f)


def _store_engine(opts: dict[str, Any]) -> Engine:
    return _engine(opts, db=opts.pop("db", None))


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@db_option
@common_options
def ingest(sources: tuple[str, ...], **opts: Any) -> int:
    """Fetch, extract, brief, dedup, cluster and store (idempotent).

    SOURCE is an article URL, an RSS/Atom feed, an OPML list, a sitemap, a WARC file, a
    file, a directory, or - for stdin.
    """
    engine = _store_engine(opts)
    with engine, _IngestProgress(quiet=_state["verbose"] < 0) as progress:
        report = engine.ingest(sources, on_item=progress.update)
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    click.echo(render.ingest_report(report))
    return EXIT_PARTIAL if report.failed else EXIT_OK


class _IngestProgress:
    """A rich progress line on stderr: counts of fetched, unchanged, robots and failed."""

    def __init__(self, *, quiet: bool) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.counts: dict[str, int] = {}
        console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=quiet or not console.is_terminal,
        )
        self.task = self.progress.add_task("ingesting", total=None)

    def __enter__(self) -> _IngestProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.stop()

    def update(self, item: Any) -> None:
        self.counts[item.status] = self.counts.get(item.status, 0) + 1
        c = self.counts
        fetched = sum(c.get(k, 0) for k in ("added", "updated", "unchanged"))
        self.progress.update(
            self.task,
            description=(
                f"fetched {fetched} · new {c.get('added', 0)} · updated {c.get('updated', 0)}"
                f" · unchanged {c.get('unchanged', 0) + c.get('not_modified', 0)}"
                f" · skipped by robots {c.get('robots', 0)} · failed {c.get('failed', 0)}"
            ),
        )


def _format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def _limit_option(default: int) -> Callable[[F], F]:
    return click.option("--limit", type=click.IntRange(1, 1000), default=default, show_default=True)


@cli.command()
@click.argument("query")
@_format_option("text", "json")
@_limit_option(20)
@db_option
@common_options
def search(query: str, fmt: str, limit: int, **opts: Any) -> int:
    """Full-text search over stored articles (best match first, with snippets)."""
    with _store_engine(opts) as engine:
        page = engine.search(query, limit=limit)
        if fmt == "json":
            click.echo(render.to_json(render.page_dict(page, render.hit_dict)))
        else:
            _print(render.search_renderable(query, page.items))
    return EXIT_OK


@cli.command()
@_format_option("text", "json")
@_limit_option(20)
@db_option
@common_options
def stories(fmt: str, limit: int, **opts: Any) -> int:
    """Stories, newest activity first."""
    from newsbrief import render_story

    with _store_engine(opts) as engine:
        page = engine.stories(limit=limit)
        if fmt == "json":
            click.echo(render.to_json(render.page_dict(page, lambda s: s.to_dict())))
        else:
            _print(render_story.digest_text(list(page.items), "all stories"))
    return EXIT_OK


@cli.command()
@click.argument("story_id", metavar="ID")
@_format_option("text", "json", "markdown", "html")
@db_option
@common_options
def story(story_id: str, fmt: str, **opts: Any) -> int:
    """One story: its brief, timeline, outlets and articles."""
    from newsbrief import render_story

    with _store_engine(opts) as engine:
        found = engine.story(story_id)
    if fmt == "text":
        _print(render_story.story_text(found))
    else:
        render_fn = {
            "json": render_story.story_json,
            "markdown": render_story.story_markdown,
            "html": render_story.story_html,
        }[fmt]
        click.echo(render_fn(found))
    return EXIT_OK


@cli.command()
@click.option(
    "--since",
    default="24h",
    show_default=True,
    help="The period: a duration such as 90m, 24h, 7d.",
)
@_format_option("text", "markdown", "html", "rss")
@_limit_option(10)
@db_option
@common_options
def digest(since: str, fmt: str, limit: int, **opts: Any) -> int:
    """The top stories of a period, ranked by outlets covering them and recency."""
    from newsbrief import render_story

    with _store_engine(opts) as engine:
        top = engine.digest(since, limit=limit)
    label = f"the last {since}"
    if fmt == "text":
        _print(render_story.digest_text(top, label))
    elif fmt == "markdown":
        click.echo(render_story.digest_markdown(top, label))
    elif fmt == "html":
        click.echo(render_story.digest_html(top, label))
    else:
        click.echo(
            render_story.digest_rss(
                top, title=f"Newsbrief digest: {label}", link="http://localhost"
            )
        )
    return EXIT_OK


@cli.command()
@_format_option("jsonl", "markdown", "rss", "csv", default="jsonl")
@db_option
@common_options
def export(fmt: str, **opts: Any) -> int:
    """Everything stored, streamed in ingest order."""
    with _store_engine(opts) as engine:
        for chunk in render.export_chunks(engine.export(), fmt):
            sys.stdout.write(chunk)
    return EXIT_OK


@cli.command()
@click.argument("name", metavar="NAME")
@_format_option("text", "json")
@db_option
@common_options
def entity(name: str, fmt: str, **opts: Any) -> int:
    """One entity across stories: aliases, statements and relations over time.

    NAME is a name or alias ("Putin", "the Kremlin") or an id (person:vladimir-putin).
    """
    from newsbrief import render_entity

    with _store_engine(opts) as engine:
        view = engine.entity(name)
    if fmt == "json":
        click.echo(render_entity.entity_json(view))
    else:
        _print(render_entity.entity_text(view))
    return EXIT_OK


@cli.command()
@db_option
@common_options
def recluster(**opts: Any) -> int:
    """Rebuild every story from the stored articles, from scratch."""
    with _store_engine(opts) as engine:
        n = engine.recluster()
    click.echo(f"{n} stories")
    return EXIT_OK


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@db_option
@common_options
def serve(host: str, port: int, **opts: Any) -> int:
    """HTTP API and web reader.

    POST /api/v1/ingest and the ingest form need NEWSBRIEF_API_TOKEN; without it, writes
    are disabled. Fetching private addresses needs --allow-private.
    """
    try:
        from newsbrief.web import create_app
        from newsbrief.web.server import listen, run, url_of
    except ImportError as e:
        raise click.ClickException(
            f"the web reader needs the 'web' extra ({e.name} is missing): "
            "pip install 'newsbrief[web]'"
        ) from e
    with _store_engine(opts) as engine:
        app = create_app(engine)
        sock = listen(host, port)
        click.echo(f"serving on {url_of(sock)} (Ctrl-C to stop)", err=True)
        run(app, sock, access_log=_state["verbose"] > 0)
    return EXIT_OK


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; dask: dask.distributed.",
)
@click.option(
    "--scheduler", metavar="ADDR", help="Dask scheduler address (default: a LocalCluster)."
)
@click.option(
    "--workers", type=click.IntRange(1), default=None, help="Worker processes (default: CPUs)."
)
@click.option(
    "--partition-size",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="WARC records per partition.",
)
@common_options
def batch(
    sources: tuple[str, ...],
    out: str,
    engine_name: str,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    **opts: Any,
) -> int:
    """Process WARC collections to Parquet (DIR/articles/*.parquet) and DIR/failures.jsonl.

    SOURCE is a WARC or WARC.gz file, or a directory of them. Running again with the same
    --out resumes: finished partitions are not redone. Needs the 'batch' extra.
    """
    if scheduler and engine_name != "dask":
        raise click.UsageError("--scheduler can only be used with --engine dask")
    engine = _engine(opts)
    try:
        from newsbrief._batch import run_batch
    except ImportError as e:
        raise click.ClickException(
            f"batch needs the 'batch' extra ({e.name} is missing): pip install 'newsbrief[batch]'"
        ) from e
    report = run_batch(
        sources,
        out,
        engine="dask" if engine_name == "dask" else "local",
        workers=workers,
        scheduler=scheduler,
        records_per_partition=partition_size,
        settings=engine.settings,
    )
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    if report.failures:
        click.echo(f"error: {report.failures} records failed: see {out}/failures.jsonl", err=True)
    click.echo(
        f"{report.partitions} partitions ({report.resumed} resumed) · {report.records} records"
        f" · {report.articles} articles · {report.duplicates} duplicates"
        f" · {report.failures} failures · {report.skipped} not pages · {report.seconds:.1f} s"
    )
    return EXIT_OK if report.complete and not report.failures else EXIT_PARTIAL


def _print(renderable: Any) -> None:
    from rich.console import Console

    Console(soft_wrap=False, highlight=False).print(renderable)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="newsbrief")
