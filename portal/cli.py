"""The command line: `python build.py [build] [options]`. Exit 0 ok, 1 content or config
errors, 2 misuse (argparse's own code)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import load_config
from .errors import BuildFailed, ErrorLog
from .locale import load_locale
from .pipeline import BuildOptions, build
from .scaffold import KINDS, new_content


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
    run.add_argument("--source", type=Path, default=Path("."), help="the portal's folder (default: .)")
    run.add_argument("--output", type=Path, help="where to write the site (default: SOURCE/site)")
    run.add_argument("--drafts", action="store_true", help="include items with draft: true")
    run.add_argument("--future", action="store_true", help="include items dated in the future")
    run.add_argument("--base-url", help="override base_url, e.g. https://example.gov.vn/treem/")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    run.add_argument("--no-cache", action="store_true", help="ignore and do not fill .cache/")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    loudness.add_argument("--verbose", "-v", action="store_true", help="print timings of each step")
    run.set_defaults(run=_build)
    new = commands.add_parser("new", help='a new content file: new news "Tiêu đề"')
    new.add_argument("kind", choices=KINDS, help="news, page or document")
    new.add_argument("title", help="the title (for a document: its number, e.g. 606/KH-UBND)")
    new.add_argument("--source", type=Path, default=Path("."), help="the portal's folder (default: .)")
    new.set_defaults(run=_new)
    return parser


def _build(args: argparse.Namespace) -> int:
    options = BuildOptions(root=args.source, output=args.output, drafts=args.drafts,
                           future=args.future, base_url=args.base_url, jobs=max(1, args.jobs),
                           progress=not args.quiet and sys.stderr.isatty(),
                           use_cache=not args.no_cache)
    try:
        result = build(options)
    except BuildFailed as failure:
        _print_errors(failure, options)
        return 1
    except KeyboardInterrupt:
        print(load_locale("vi").say("interrupted"), file=sys.stderr)
        return 130
    if args.verbose:
        for stage, seconds in result.timings:
            print(f"  {stage:<36} {seconds:7.3f} s")
    if not args.quiet:
        print(result.locale.say("summary", pages=result.pages, seconds=round(result.seconds, 1),
                                reused=result.reused))
    return 0


def _new(args: argparse.Namespace) -> int:
    errors = ErrorLog(args.source)
    config = load_config(args.source, errors)
    locale = load_locale(config.language)
    if errors:
        _print_errors(BuildFailed(errors.sorted(), locale), BuildOptions(root=args.source))
        return 1
    made = new_content(args.source, config, args.kind, args.title, locale.ui["news"])
    shown = made.path.relative_to(args.source) if made.path.is_relative_to(args.source) else made.path
    if not made.created:
        print(locale.say("exists", path=shown), file=sys.stderr)
        return 1
    print(locale.say("created", path=shown))
    return 0


def _print_errors(failure: BuildFailed, options: BuildOptions) -> None:
    locale = failure.locale or load_locale("vi")
    print(locale.say("errors_header", count=len(failure.errors), output=options.output_dir),
          file=sys.stderr)
    for error in failure.errors:
        print(locale.format_error(error), file=sys.stderr)
