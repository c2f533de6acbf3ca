"""The ``newsbrief`` command: a thin shell over :class:`newsbrief.Engine`.

Each command converts its flags into one library call and formats the result.
Errors are one line on stderr starting with ``error:``; exit codes are 0 (all
done), 1 (some items failed, the rest done) and 2 (usage or input error).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import click

import newsbrief
from newsbrief import render
from newsbrief.engine import Engine, Result, make_engine
from newsbrief.errors import InputError, NewsbriefError

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
    _state["verbose"] = verbose
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


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
    if good and fmt == "json":
        _echo_json_briefs(good)
    elif good:
        click.echo(_html_page(good), nl=False)
    return code


def _emit_brief(fmt: str) -> Callable[[Any], None]:
    if fmt == "markdown":
        return lambda b: click.echo(render.brief_markdown(b))

    from rich.console import Console

    console = Console(soft_wrap=False, highlight=False)
    return lambda b: console.print(render.brief_renderable(b))


def _echo_json_briefs(briefs: list[Any]) -> None:
    if len(briefs) == 1:
        click.echo(render.brief_json(briefs[0]))
        return
    import json

    for b in briefs:
        click.echo(json.dumps(b.to_dict(), ensure_ascii=False))


def _html_page(briefs: list[Any]) -> str:
    if len(briefs) == 1:
        return render.brief_html(briefs[0])
    page = render.brief_html(briefs[0])
    cards = "".join(render.brief_card_html(b) for b in briefs)
    start, end = page.index("<main>") + len("<main>"), page.index("</main>")
    return page[:start] + cards + page[end:]


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
    if engine.expand([source]) != [source]:
        raise InputError("is a directory; extract takes one article", location=source)
    article = engine.extract(source)
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
    articles: list[Any] = []
    code = _report(engine.iter_articles(sources), articles.append)
    if articles:
        for sentence in engine.summarize(articles, sentences=sentences):
            click.echo(" ".join(sentence.split()))
    return code


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="newsbrief")
