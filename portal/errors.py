"""Errors meant for editors: a file, a line, a field, what is wrong and what to write.

Every stage appends `ContentError`s to an `ErrorLog` instead of raising, so that one
run reports every problem at once. `BuildFailed` carries the log out of `build()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ContentError:
    """One problem in one source file.

    `key` names a message in the locale files; `params` fill its placeholders.
    """

    path: str
    line: int | None
    field: str | None
    key: str
    params: tuple[tuple[str, str], ...] = ()

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """By place, then by what is said: two errors on one line come out in the same
        order on every run (the log is a set, whose order follows the string hashes)."""
        return (self.path, self.line or 0, self.field or "", self.key, repr(self.params))


@dataclass
class ErrorLog:
    """Collects the errors of one run; paths are shown relative to the site root."""

    root: Path
    errors: list[ContentError] = field(default_factory=list)

    def add(self, path: Path | str, key: str, *, line: int | None = None,
            field: str | None = None, **params: object) -> None:
        shown = _relative(Path(path), self.root) if path else "config.yaml"
        self.errors.append(ContentError(
            shown, line, field, key, tuple((k, str(v)) for k, v in params.items())))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted(self) -> list[ContentError]:
        return sorted(set(self.errors), key=ContentError.sort_key)

    def stop_if_any(self, locale: object) -> None:
        """End the build here, with every error found so far, worded in `locale`."""
        if self.errors:
            raise BuildFailed(self.sorted(), locale)


class BuildFailed(Exception):
    """Raised by `build()` when content or config is wrong; holds every error found."""

    def __init__(self, errors: list[ContentError], locale: object = None):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors
        self.locale = locale  # the language the portal's config asks for, to word them


def _relative(path: Path, root: Path) -> str:
    """The path as an editor finds it in the portal: its folder resolved, not the file
    itself, so that a link is named where it is, not where it leads."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


class TemplateFailure(Exception):
    """A template that failed to render, located for its designer. Plain arguments, so
    that it survives the trip back from a worker process."""

    def __init__(self, template: str, line: int | None, problem: str):
        super().__init__(template, line, problem)
        self.template, self.line, self.problem = template, line, problem


class OutputRefused(Exception):
    """The build will not write to its output folder, and has moved or deleted nothing.
    `key` names a `cli:` line of the locale files, worded with `path` and `params`."""

    def __init__(self, key: str, path: Path, locale: object = None, **params: object):
        super().__init__(f"{key}: {path}")
        self.key, self.path, self.locale, self.params = key, path, locale, params

    def worded(self, locale: object) -> OutputRefused:
        """The same refusal, to be said in the portal's language."""
        return OutputRefused(self.key, self.path, locale, **self.params)
