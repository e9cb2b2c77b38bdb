"""The command line: `python build.py [build] [options]`. Exit 0 ok, 1 content or config
errors, 2 misuse (argparse's own code; also an output folder the build may not replace,
or another build of the portal running)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .arguments import parser_for
from .check import check
from .report import FORMATS, FORMATTERS
from ..config import SiteConfig, load_config
from ..errors import BuildFailed, ErrorLog, OutputRefused
from ..locale import Locale, load_locale
from ..pipeline import WEATHER_CACHE_FILE, BuildOptions, build, refresh_weather
from .new import KINDS, new_content
from .serve import ServeOptions, serve


def main(argv: list[str] | None = None) -> int:
    argv = _with_default_command(sys.argv[1:] if argv is None else argv)
    runners = {"build": _build, "new": _new, "weather": _weather, "serve": _serve, "check": _check}
    args = parser_for(argv, runners).parse_args(argv)
    return args.run(args)


def _with_default_command(argv: list[str]) -> list[str]:
    """`python build.py --drafts` means `python build.py build --drafts`."""
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        return ["build", *argv]
    return argv


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
    options = BuildOptions(root=args.source, output=args.output, drafts=args.drafts, future=args.future,
                           base_url=args.base_url, use_cache=not args.no_cache, offline=True)
    report = check(options, args.published)
    for line in FORMATTERS[args.format](report):
        print(line)
    return 1 if report.failed(args.strict) else 0
