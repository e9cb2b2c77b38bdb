"""The command line: `python build.py [build] [options]`. Exit 0 ok, 1 content or config
errors, 2 misuse (argparse's own code; also an output folder the build may not replace,
or another build of the portal running)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .check import check
from .report import FORMATS, FORMATTERS
from ..config import SiteConfig, load_config
from ..errors import BuildFailed, ErrorLog, OutputRefused
from ..locale import Locale, load_locale
from ..pipeline import WEATHER_CACHE_FILE, BuildOptions, build, refresh_weather
from .new import KINDS, new_content
from .serve import ServeOptions, serve


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    return args.run(args)


def _with_default_command(argv: list[str]) -> list[str]:
    """`python build.py --drafts` means `python build.py build --drafts`."""
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        return ["build", *argv]
    return argv


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the portal into site/.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("build", help="build the site (the default)")
    _add_site_options(run, output=True, jobs=True)
    run.add_argument("--no-cache", action="store_true", help="ignore and do not fill .cache/")
    run.add_argument("--offline", action="store_true",
                     help="no network: the weather box shows the cached readings")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    loudness.add_argument("--verbose", "-v", action="store_true", help="print timings of each step")
    run.set_defaults(run=_build)
    new = commands.add_parser("new", help='a new content file: new news "Tiêu đề"')
    new.add_argument("kind", choices=KINDS, help="news, page or document")
    new.add_argument("title", help="the title (for a document: its number, e.g. 606/KH-UBND)")
    _add_source(new)
    new.set_defaults(run=_new)
    weather = commands.add_parser("weather", help="refresh the weather cache in data/, no build")
    _add_source(weather)
    weather.set_defaults(run=_weather)
    _add_serve(commands)
    _add_check(commands)
    return parser


def _add_source(command: argparse.ArgumentParser) -> None:
    command.add_argument("--source", type=Path, default=Path("."), help="the portal's folder (default: .)")


def _add_site_options(command: argparse.ArgumentParser, output: bool, jobs: bool) -> None:
    """What to build: the options `build`, `serve` and `check` share."""
    _add_source(command)
    if output:
        command.add_argument("--output", type=Path, help="where to write the site (default: SOURCE/site)")
    command.add_argument("--drafts", action="store_true", help="include items with draft: true")
    command.add_argument("--future", action="store_true", help="include items dated in the future")
    command.add_argument("--base-url", help="override base_url, e.g. https://example.gov.vn/treem/")
    if jobs:
        command.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")


def _add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    _add_site_options(serve, output=False, jobs=True)
    # Older scripts pass it; serve keeps the site in memory and writes nothing.
    serve.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free one)")
    serve.add_argument("--poll", action="store_true", help="poll for changes (network drives)")
    serve.add_argument("--search", action="store_true",
                       help="also build the search index after each change (slow on large sites)")
    serve.add_argument("--verbose", "-v", action="store_true", help="print timings of each build's steps")
    serve.set_defaults(run=_serve)


def _add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="check content and links without writing site/")
    _add_site_options(check, output=False, jobs=False)
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="text (default), github (CI annotations) or json")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--no-cache", action="store_true", help="ignore and do not fill .cache/")
    check.set_defaults(run=_check)


def _build(args: argparse.Namespace) -> int:
    options = BuildOptions(root=args.source, output=args.output, drafts=args.drafts,
                           future=args.future, base_url=args.base_url, jobs=max(1, args.jobs),
                           progress=not args.quiet and sys.stderr.isatty(),
                           use_cache=not args.no_cache, offline=args.offline)
    try:
        result = build(options)
    except BuildFailed as failure:
        _print_errors(failure, options)
        return 1
    except OutputRefused as refusal:
        print(_say_refusal(refusal), file=sys.stderr)
        return 2
    except OSError as error:  # the disk, not the content: a name too long, a full or
        # read-only disk, an immutable folder. The previous site is as it was.
        print(_say_os_problem(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(load_locale("vi").say("interrupted"), file=sys.stderr)
        return 130
    if not args.quiet:
        for line in result.warning_lines():
            print(line, file=sys.stderr)
    if args.verbose:
        print("\n".join(result.timing_lines()))
    if not args.quiet:
        print(result.summary())
    return 0


def _checked_config(source: Path) -> tuple[SiteConfig | None, Locale]:
    """The portal's config and words; None (its errors printed) when the config is wrong."""
    errors = ErrorLog(source)
    config = load_config(source, errors)
    locale = load_locale(config.language)
    if errors:
        _print_errors(BuildFailed(errors.sorted(), locale), BuildOptions(root=source))
        return None, locale
    return config, locale


def _new(args: argparse.Namespace) -> int:
    config, locale = _checked_config(args.source)
    if config is None:
        return 1
    made = new_content(args.source, config, args.kind, args.title, locale.ui["news"])
    shown = made.path.relative_to(args.source) if made.path.is_relative_to(args.source) else made.path
    if not made.created:
        print(locale.say(made.problem or "exists", path=shown, problem=made.detail), file=sys.stderr)
        return 1
    print(locale.say("created", path=shown))
    return 0


def _weather(args: argparse.Namespace) -> int:
    """For an hourly CI job: always asks the source. Exit 0 even when it fails, so that
    the build after it still runs (and shows the cached readings)."""
    config, locale = _checked_config(args.source)
    if config is None:
        return 1
    if config.weather.provider != "open-meteo" or not config.weather.locations:
        print(locale.say("weather_nothing", provider=config.weather.provider))
        return 0
    refresh = refresh_weather(args.source, config)
    for problem in refresh.problems:
        print(locale.format_error(problem), file=sys.stderr)
    if refresh.fetched:
        print(locale.say("weather_saved", count=len(refresh.readings), path=WEATHER_CACHE_FILE))
    return 0


def _say_os_problem(error: OSError) -> str:
    path = error.filename if error.filename is not None else ""
    return load_locale("vi").say("os_problem", path=path, problem=error.strerror or str(error))


def _say_refusal(refusal: OutputRefused) -> str:
    locale = refusal.locale or load_locale("vi")
    return locale.say(refusal.key, path=refusal.path, **refusal.params)


def _print_errors(failure: BuildFailed, options: BuildOptions) -> None:
    locale = failure.locale or load_locale("vi")
    print(locale.say("errors_header", count=len(failure.errors), output=options.output_dir),
          file=sys.stderr)
    for error in failure.errors:
        print(locale.format_error(error), file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    # Offline: the weather box shows the cached readings, so a rebuild never waits on the
    # network and only the edited pages change. No search index unless asked: Pagefind
    # re-indexes the edited item's whole shard, which would double the edit-to-reload time.
    options = BuildOptions(root=args.source, output=args.output, drafts=args.drafts,
                           future=args.future, base_url=args.base_url, jobs=max(1, args.jobs),
                           progress=sys.stderr.isatty(), offline=True, search=args.search)
    return serve(ServeOptions(options, port=args.port, poll=args.poll, verbose=args.verbose))


def _check(args: argparse.Namespace) -> int:
    options = BuildOptions(root=args.source, drafts=args.drafts, future=args.future,
                           base_url=args.base_url, use_cache=not args.no_cache, offline=True)
    report = check(options)
    for line in FORMATTERS[args.format](report):
        print(line)
    return 1 if report.failed(args.strict) else 0
