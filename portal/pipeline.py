"""The build, top to bottom:

config -> discover -> parse -> model -> markup -> collect -> render -> write -> publish

`build()` knows nothing of the command line or of being served; it raises
`BuildFailed` with every content error of the run, after which the previous site
is untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import metadata
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .assets import copy_static, fingerprint_theme, folder_digest
from .cache import Cache, TreeManifests, content_key
from .collection import Site, Visibility, collect
from .config import SiteConfig, load_config
from .discover import discover
from .errors import BuildFailed, ContentError, ErrorLog, TemplateFailure
from .locale import Locale, load_locale
from .markup import summary_of, to_html_many
from .models import ModelContext, document_from, news_from, page_from
from .pages import frame_key, plan_pages
from .parse import read_source
from .render import Renderer, render_all
from .search import index_site
from .weather import WeatherBox, weather_box
from .write import DiskWriter, Writer


ENGINE_LIBRARIES = ("jinja2", "markdown", "nh3", "python-slugify", "pyyaml")
MODEL_BUILDERS = {"news": news_from, "page": page_from, "document": document_from}


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
    def output_dir(self) -> Path:
        return self.output or self.root / "site"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    reused: int
    seconds: float
    locale: Locale
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage, for --verbose
    warnings: tuple[str, ...] = ()  # said to the editor; they do not fail the build
    site: Site | None = None  # what was built, for `check` to look into

    def summary(self) -> str:
        """The closing line: "Đã tạo 1.234 trang trong 3,2 s (1.180 dùng lại …)"."""
        return self.locale.say("summary", pages=self.pages, seconds=round(self.seconds, 1),
                               reused=self.reused)

    def timing_lines(self) -> list[str]:
        """Seconds per stage, for --verbose."""
        return [f"  {stage:<36} {seconds:7.3f} s" for stage, seconds in self.timings]


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


def build(options: BuildOptions, writer: Writer | None = None) -> BuildResult:
    clock = Stopwatch()
    errors = ErrorLog(options.root)
    config = load_config(options.root, errors, options.base_url)
    locale = load_locale(config.language)
    site = _load_site(config, options, errors, clock)
    if errors:
        raise BuildFailed(errors.sorted(), locale)
    weather, problems = weather_box(options.root, config, build_time(), options.offline)
    warnings = tuple(locale.say("weather_problem", problem=problem) for problem in problems)
    clock.lap("weather")
    writer = writer or DiskWriter(options.output_dir, _tree_manifests(options))
    clock.lap("prepare staging")
    try:
        pages, reused, search_problems = _write_site(site, weather, locale, options, writer, clock)
        warnings += tuple(locale.say("search_problem", problem=p) for p in search_problems)
        writer.publish()
        clock.lap("publish")
    except BaseException:
        writer.discard()
        raise
    return BuildResult(pages, reused, clock.total, locale, tuple(clock.laps), warnings, site)


@functools.lru_cache(maxsize=1)  # the engine does not change while it runs
def engine_digest() -> str:
    """The engine's code and words, and the libraries that shape its output: part of
    every cache key, so that upgrading any of them re-renders what it affects."""
    libraries = [f"{name}={metadata.version(name)}" for name in ENGINE_LIBRARIES]
    return content_key(__version__, folder_digest(Path(__file__).parent, (".py", ".yaml")),
                       *libraries)


def build_time() -> dt.datetime:
    """Now, or `SOURCE_DATE_EPOCH` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def _load_site(config: SiteConfig, options: BuildOptions, errors: ErrorLog, clock: Stopwatch) -> Site:
    ctx = ModelContext(errors, config.zone, options.root / "static", config.urls)
    models: dict[str, list] = {kind: [] for kind in MODEL_BUILDERS}
    for source in discover(options.root):
        entry = read_source(source, errors)
        model = MODEL_BUILDERS[source.kind](entry, ctx) if entry is not None else None
        if model is not None:
            models[source.kind].append(model)
    clock.lap("config + discover + parse + model")
    visibility = Visibility(options.drafts, options.future, build_time())
    models = _with_html(models, _cache(options, "markup"), options.jobs, engine_digest())
    clock.lap("markdown")
    site = collect(models["news"], models["page"], models["document"], config, visibility, errors)
    clock.lap("collect")
    return site


def _with_html(models: dict[str, list], cache: Cache, jobs: int, engine: str) -> dict[str, list]:
    """Fill in each body's HTML (and a summary where the editor gave none)."""
    entries = [entry for kind in models for entry in models[kind]]
    keys = [content_key(engine, entry.digest) for entry in entries]
    found = {key: cache.get(key) for key in keys}
    todo = [i for i, key in enumerate(keys) if found[key] is None]
    for index, html in zip(todo, to_html_many([entries[i].body for i in todo], jobs)):
        found[keys[index]] = html.encode("utf-8")
        cache.put(keys[index], found[keys[index]])
    done = iter(replace(entry, html=html, summary=entry.summary or summary_of(html))
                for entry, html in ((e, found[k].decode("utf-8")) for e, k in zip(entries, keys)))
    cache.prune()
    return {kind: [next(done) for _ in models[kind]] for kind in models}


def _write_site(site: Site, weather: WeatherBox | None, locale: Locale, options: BuildOptions,
                writer: Writer, clock: Stopwatch) -> tuple[int, int, tuple[str, ...]]:
    templates = options.root / "templates"
    copy_static(options.root / "static", writer)
    assets = fingerprint_theme(templates, writer)
    templates_digest = folder_digest(templates)
    frame = frame_key(site, templates_digest, engine_digest(), assets, repr(weather))
    renderer = Renderer(templates, site, locale, assets, weather)
    cache = _cache(options, "pages")
    jobs = plan_pages(site, frame)
    clock.lap("static + theme + plan pages")
    try:
        stats = render_all(jobs, renderer, writer, cache, options.jobs, options.progress)
    except TemplateFailure as failure:
        raise BuildFailed([_template_error(failure, options.root)], locale) from None
    cache.prune()
    clock.lap("render + write")
    if not options.search:
        return stats.pages, stats.reused, ()
    search_cache = options.root / ".cache" / "search" if options.use_cache else None
    search_frame = content_key(engine_digest(), templates_digest, repr(site.config))
    search = index_site(site, search_frame, writer, search_cache)
    clock.lap("search index")
    return stats.pages, stats.reused, (search.problem,) if search.problem else ()


def _cache(options: BuildOptions, name: str) -> Cache:
    return Cache(options.root / ".cache" / name if options.use_cache else None)


def _tree_manifests(options: BuildOptions) -> TreeManifests:
    return TreeManifests(options.root / ".cache" / "trees" if options.use_cache else None,
                         options.output_dir)


def _template_error(failure: TemplateFailure, root: Path) -> ContentError:
    log = ErrorLog(root)
    path = Path(failure.template)
    log.add(path if path.is_absolute() else root / "templates" / path, "template_error",
            line=failure.line, problem=failure.problem)
    return log.errors[0]
