"""The command line's options, described in the portal's language (`language:` in
config.yaml, Vietnamese by default), as every other message is.

The help is asked before any config is loaded, so the language is read here on its own:
the `--source` folder's config.yaml, and Vietnamese whenever it cannot be read."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Callable

import yaml

from ..locale import load_locale
from ..yamlload import load_yaml
from .new import KINDS
from .report import FORMATS

Runners = dict[str, Callable[[argparse.Namespace], int]]


class _Formatter(argparse.HelpFormatter):
    """argparse's layout with the locale's word for "usage:"."""

    usage_word = "usage: "

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix=self.usage_word if prefix is None else prefix)


def parser_for(argv: list[str], runners: Runners) -> argparse.ArgumentParser:
    """The parser of `build.py`, its words in the language of the portal `argv` names."""
    words = load_locale(help_language(argv)).help
    formatter = type("Formatter", (_Formatter,), {"usage_word": words["usage"]})
    build = _Commands(words, formatter, runners)
    return build.parser()


def help_language(argv: list[str]) -> str:
    config = Path(_source_in(argv)) / "config.yaml"
    try:
        data = load_yaml(config.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return "vi"
    language = data.get("language") if isinstance(data, dict) else None
    return language if language in ("vi", "en") else "vi"


def _source_in(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg == "--source" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--source="):
            return arg.split("=", 1)[1]
    return "."


class _Commands:
    """Builds the parser and its sub-commands with one language's words."""

    def __init__(self, words: dict[str, str], formatter: type, runners: Runners) -> None:
        self.words, self.formatter, self.runners = words, formatter, runners

    def parser(self) -> argparse.ArgumentParser:
        words = self.words
        parser = self._new_parser(argparse.ArgumentParser, prog="build.py", description=words["description"])
        commands = parser.add_subparsers(dest="command", required=True, title=words["commands"],
                                         metavar="{build,new,weather,serve,check}")
        build = self._build(commands)
        self._new(commands)
        weather = self._sub(commands, "weather", words["weather"])
        self._add_source(weather)
        self._serve(commands)
        self._check(commands)
        # `python build.py --drafts` builds: the top-level help shows what `build` takes.
        parser.epilog = words["build_options"] + "\n" + _options_text(build)
        parser.formatter_class = type("Raw", (argparse.RawDescriptionHelpFormatter, self.formatter), {})
        return parser

    def _new_parser(self, kind, **kwargs) -> argparse.ArgumentParser:
        parser = kind(formatter_class=self.formatter, add_help=False, **kwargs)
        self._titles(parser)
        return parser

    def _titles(self, parser: argparse.ArgumentParser) -> None:
        parser._positionals.title = self.words["positionals"]
        parser._optionals.title = self.words["options"]
        parser.add_argument("-h", "--help", action="help", help=self.words["help"])

    def _sub(self, commands, name: str, summary: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=summary, description=summary, add_help=False,
                                      formatter_class=self.formatter)
        self._titles(command)
        command.set_defaults(run=self.runners[name])
        return command

    def _add_source(self, command: argparse.ArgumentParser) -> None:
        command.add_argument("--source", type=Path, default=Path("."), help=self.words["source"])

    def _add_site_options(self, command: argparse.ArgumentParser, output: bool, jobs: bool) -> None:
        """What to build: the options `build`, `serve` and `check` share."""
        words = self.words
        self._add_source(command)
        if output:
            command.add_argument("--output", type=Path, help=words["output"])
        command.add_argument("--drafts", action="store_true", help=words["drafts"])
        command.add_argument("--future", action="store_true", help=words["future"])
        command.add_argument("--base-url", help=words["base_url"])
        if jobs:
            command.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help=words["jobs"])

    def _build(self, commands) -> argparse.ArgumentParser:
        words = self.words
        run = self._sub(commands, "build", words["build"])
        self._add_site_options(run, output=True, jobs=True)
        run.add_argument("--no-cache", action="store_true", help=words["no_cache"])
        run.add_argument("--offline", action="store_true", help=words["offline"])
        loudness = run.add_mutually_exclusive_group()
        loudness.add_argument("--quiet", "-q", action="store_true", help=words["quiet"])
        loudness.add_argument("--verbose", "-v", action="store_true", help=words["verbose"])
        return run

    def _new(self, commands) -> None:
        new = self._sub(commands, "new", self.words["new"])
        new.add_argument("kind", choices=KINDS, help=self.words["new_kind"])
        new.add_argument("title", help=self.words["new_title"])
        self._add_source(new)

    def _serve(self, commands) -> None:
        words = self.words
        serve = self._sub(commands, "serve", words["serve"])
        self._add_site_options(serve, output=False, jobs=True)
        # Older scripts pass it; serve keeps the site in memory and writes nothing.
        serve.add_argument("--output", type=Path, help=argparse.SUPPRESS)
        serve.add_argument("--port", type=int, default=8000, help=words["port"])
        serve.add_argument("--poll", action="store_true", help=words["poll"])
        serve.add_argument("--search", action="store_true", help=words["search"])
        serve.add_argument("--verbose", "-v", action="store_true", help=words["serve_verbose"])

    def _check(self, commands) -> None:
        words = self.words
        check = self._sub(commands, "check", words["check"])
        self._add_site_options(check, output=False, jobs=False)
        check.add_argument("--format", choices=FORMATS, default="text", help=words["format"])
        check.add_argument("--strict", action="store_true", help=words["strict"])
        check.add_argument("--no-cache", action="store_true", help=words["no_cache"])
        # What was published, to list the addresses that would disappear (commands/moved.py).
        check.add_argument("--output", type=Path, help=words["check_output"])
        check.add_argument("--published", nargs="?", const="", metavar="URL", help=words["published"])


def _options_text(command: argparse.ArgumentParser) -> str:
    """A sub-command's options (but -h) as its own help lists them."""
    formatter = command._get_formatter()
    formatter._indent()
    formatter.add_arguments([action for action in command._optionals._group_actions
                             if not isinstance(action, argparse._HelpAction)])
    return formatter.format_help()
