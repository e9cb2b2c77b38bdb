"""What `check` found, and the three ways to tell it: text for an editor, workflow
commands that GitHub shows on the lines of a pull request, JSON for other tools."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from ..errors import ContentError
from ..locale import Locale

FORMATS = ("text", "github", "json")


@dataclass(frozen=True)
class Finding:
    level: str  # "error" fails the check; "warning" only with --strict
    error: ContentError


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    pages: int
    locale: Locale

    def count(self, level: str) -> int:
        return sum(1 for finding in self.findings if finding.level == level)

    def failed(self, strict: bool) -> bool:
        return bool(self.count("error") or strict and self.count("warning"))


def message_of(error: ContentError, locale: Locale) -> str:
    """The message alone, without the `path:line: field:` that `format_error` puts first."""
    full = locale.format_error(error)
    where = f"{error.path}:{error.line}" if error.line else error.path
    prefix = f"{where}: {error.field}: " if error.field else f"{where}: "
    return full[len(prefix):] if full.startswith(prefix) else full


def as_text(report: CheckReport) -> Iterable[str]:
    locale = report.locale
    for level, header in (("error", "check_errors"), ("warning", "check_warnings")):
        found = [f.error for f in report.findings if f.level == level]
        if found:
            yield locale.say(header)
            yield from (locale.format_error(error) for error in found)
    yield _closing_line(report)


def _closing_line(report: CheckReport) -> str:
    if not report.findings:
        return report.locale.say("check_ok", pages=report.pages)
    return report.locale.say("check_counts", errors=report.count("error"),
                             warnings=report.count("warning"))


def as_github(report: CheckReport) -> Iterable[str]:
    """Workflow commands that GitHub shows on the lines of the pull request."""
    for finding in report.findings:
        error = finding.error
        where = [f"file={_escape_property(error.path)}"]
        if error.line:
            where.append(f"line={error.line}")
        if error.field:
            where.append(f"title={_escape_property(error.field)}")
        yield f"::{finding.level} {','.join(where)}::{_escape_data(message_of(error, report.locale))}"
    yield _closing_line(report)


def as_json(report: CheckReport) -> Iterable[str]:
    yield json.dumps([{"level": f.level, "file": f.error.path, "line": f.error.line,
                       "field": f.error.field, "code": f.error.key,
                       "message": message_of(f.error, report.locale)} for f in report.findings],
                     ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATTERS = {"text": as_text, "github": as_github, "json": as_json}
