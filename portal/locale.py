"""The words of one language: editor-facing errors, CLI lines and template UI strings."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ContentError

LOCALE_DIR = Path(__file__).parent / "locale"


@dataclass(frozen=True)
class Locale:
    language: str
    types: dict[str, str]
    errors: dict[str, str]
    cli: dict[str, str]
    ui: dict[str, str]
    examples: dict[str, str]
    help: dict[str, str]  # the command line's --help

    def format_error(self, error: ContentError) -> str:
        """`path:line: field: what is wrong; what to write`."""
        params = dict(error.params)
        for name in ("expected", "got"):
            if name in params:
                params[name] = self.types.get(params[name], params[name])
        if "suggestion" in params:
            name = params["suggestion"]
            params["suggestion"] = self.errors["suggestion"].format(name=name) if name else ""
        leaf = (error.field or "").split(".")[-1]
        example = self.examples.get(leaf, "")
        if error.key == "wrong_type":
            example = self.errors["example_prefix"].format(example=example) if example else ""
        else:
            example = example or f"{leaf}: …"
        params.setdefault("example", example)
        message = self.errors[error.key].format(**params)
        where = f"{error.path}:{error.line}" if error.line else error.path
        return f"{where}: {error.field}: {message}" if error.field else f"{where}: {message}"

    def say(self, key: str, **params: object) -> str:
        return self.cli[key].format(**{k: self.number(v) for k, v in params.items()})

    def number(self, value: object) -> str:
        """1234 -> "1.234" and 3.2 -> "3,2" in Vietnamese; English keeps 1,234 and 3.2."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        if self.language == "vi":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_locale(language: str) -> Locale:
    path = LOCALE_DIR / f"{language}.yaml"
    if not path.is_file():
        path = LOCALE_DIR / "vi.yaml"
    stat = path.stat()
    return _read_locale(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_locale(path: Path, mtime_ns: int, size: int) -> Locale:
    """Every build asks for its words (serve, once an edit), and the file takes ~5 ms to
    read; its time and size are in the key, so that an edited file is read again."""
    # The engine's own file, so no limits to apply; the C loader reads it ~9x faster.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return Locale(language=data["ui"]["lang"], **{k: data[k] for k in
                                                   ("types", "errors", "cli", "ui", "examples", "help")})
