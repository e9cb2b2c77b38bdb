"""What one build is given, what it gives back, and what `serve` keeps between builds."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import KeptCache, Stamp
from .errors import ContentError
from .links import SiteFiles
from .locale import Locale
from .models import Site
from .pictures import Pictures


@dataclass(frozen=True)
class BuildOptions:
    root: Path = Path(".")
    output: Path | None = None  # default: root/site
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    progress: bool = False
    use_cache: bool = True
    offline: bool = False  # no network: the weather box shows cached readings
    search: bool = True  # build the search index (serve leaves it out unless asked)

    @property
    def publishable(self) -> bool:
        """A build of the site as it is published: no drafts, no items dated later. Only
        such a build drops the cache entries it did not use; a preview (`check --drafts`,
        `serve --drafts`) keeps them for the next real build."""
        return not (self.drafts or self.future)

    @property
    def output_dir(self) -> Path:
        return self.output or self.root / "site"


@dataclass
class Session:
    """What `serve` keeps from one build to the next, so that an edit costs what it
    touches: the caches in memory, the models (each with its fingerprint, computed once),
    and each file's digest by how it looked on disk (size, time, inode), so that only
    the files that changed, or that watchdog names in `changed`, are read again."""

    caches: dict[str, KeptCache] = field(default_factory=dict)
    snapshot: object | None = None  # the content stage's ModelSnapshot
    links: object | None = None  # the bodies' links (link_memo.LinkMemo)
    digests: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # files by their path in the portal


@dataclass(frozen=True)
class BuildResult:
    pages: int
    reused: int
    seconds: float
    locale: Locale
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage, for --verbose
    warnings: tuple[ContentError, ...] = ()  # said to the editor; they do not fail the build
    site: Site | None = None  # what was built, for `check` to look into
    pictures: Pictures = field(default_factory=dict)  # the published images, for `check`
    links: tuple[ContentError, ...] = ()  # links and images in the bodies that lead nowhere
    files: SiteFiles | None = None  # what the links were held against, for `check`

    def summary(self) -> str:
        """The closing line: "Đã tạo 1.234 trang trong 3,2 s (1.180 dùng lại …)"."""
        return self.locale.say("summary", pages=self.pages, seconds=round(self.seconds, 1),
                               reused=self.reused)

    def timing_lines(self) -> list[str]:
        """Seconds per stage, for --verbose."""
        return [f"  {stage:<36} {seconds:7.3f} s" for stage, seconds in self.timings]

    def warning_lines(self) -> list[str]:
        """Each warning as `path:line: field: what happened`, in the portal's language:
        the build's own, then each link that leads nowhere (`check` calls those errors)."""
        return [self.locale.format_error(warning) for warning in (*self.warnings, *self.links)]


class Stopwatch:
    """Times the stages of one build."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self.last))
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def build_time() -> dt.datetime:
    """Now, or `SOURCE_DATE_EPOCH` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):  # unset, or not a usable time
        return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc)
