"""The build, top to bottom:

config -> discover -> parse -> model -> markup -> collect -> render -> write -> publish

`build()` knows nothing of the command line or of being served; it raises
`BuildFailed` with every content error of the run, after which the previous site
is untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from importlib import metadata
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from . import __version__
from .assets import copy_static, fingerprint_theme, folder_digest, static_clashes, static_files
from .cache import Cache, TreeManifests, cache_folder, content_key
from .collection import Site, Visibility, collect
from .config import SiteConfig, load_config
from .discover import discover
from .errors import BuildFailed, ContentError, ErrorLog, OutputRefused, TemplateFailure
from .locale import Locale, load_locale
from .markup import clean_html, summary_of, to_html_many
from .models import ModelContext, document_from, news_from, page_from
from .output import OutputClaim, claim_output
from .pages import frame_key, plan_pages
from .parse import read_source
from .render import RenderJob, Renderer, render_all
from .search import index_site
from .urls import output_file
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
    with _claimed_output(options, locale, writer) as claim:
        site = _load_site(config, options, errors, clock)
        if errors:
            raise BuildFailed(errors.sorted(), locale)
        weather, problems = weather_box(options.root, config, build_time(), options.offline)
        warnings = tuple(locale.say("weather_problem", problem=problem) for problem in problems)
        clock.lap("weather")
        writer = writer or DiskWriter(claim, _tree_manifests(options))
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


@contextlib.contextmanager
def _claimed_output(options: BuildOptions, locale: Locale,
                    writer: Writer | None) -> Iterator[OutputClaim | None]:
    """The output folder, checked (before anything is moved) and locked from the start of
    the build to the end of publishing, so that two builds into it never share a staging
    folder or prune the cache under each other; None when the caller brought a writer."""
    if writer is not None:
        yield None
        return
    # Read even with --no-cache: it is how a site built before the marker is known.
    earlier = TreeManifests(cache_folder(options.root, "trees"), options.output_dir)
    claim = None
    try:
        claim = claim_output(options.output_dir, options.root, earlier)
        yield claim
    except OutputRefused as refusal:  # from the claim, or from the writer's first moves
        raise refusal.worded(locale) from None
    finally:
        if claim is not None:
            claim.release()


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
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):  # unset, or not a usable time
        return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc)


def _load_site(config: SiteConfig, options: BuildOptions, errors: ErrorLog, clock: Stopwatch) -> Site:
    ctx = ModelContext(errors, config.zone, options.root / "static", config.urls)
    models: dict[str, list] = {kind: [] for kind in MODEL_BUILDERS}
    for source in discover(options.root, errors):
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
    """Fill in each body's HTML (and a summary where the editor gave none). HTML read back
    from the cache passes the sanitizer again, as fresh Markdown does: the cache is data
    that a checksum shows undamaged, not safe."""
    entries = [entry for kind in models for entry in models[kind]]
    keys = [content_key(engine, entry.digest) for entry in entries]
    cached = {key: cache.get_text(key) for key in keys}
    found = {key: clean_html(html) for key, html in cached.items() if html is not None}
    todo = [i for i, key in enumerate(keys) if key not in found]
    for index, html in zip(todo, to_html_many([entries[i].body for i in todo], jobs)):
        found[keys[index]] = html
        cache.put(keys[index], html.encode("utf-8"))
    done = iter(replace(entry, html=found[key], summary=entry.summary or summary_of(found[key]))
                for entry, key in zip(entries, keys))
    cache.prune()
    return {kind: [next(done) for _ in models[kind]] for kind in models}


def _write_site(site: Site, weather: WeatherBox | None, locale: Locale, options: BuildOptions,
                writer: Writer, clock: Stopwatch) -> tuple[int, int, tuple[str, ...]]:
    templates = options.root / "templates"
    assets = fingerprint_theme(templates, writer)
    templates_digest = folder_digest(templates, root=options.root)
    frame = frame_key(site, templates_digest, engine_digest(), assets, repr(weather))
    renderer = Renderer(templates, site, locale, assets, weather)
    cache = _cache(options, "pages")
    jobs = plan_pages(site, frame)
    _copy_static(options.root, jobs, assets, site, locale, writer)
    clock.lap("static + theme + plan pages")
    try:
        stats = render_all(jobs, renderer, writer, cache, options.jobs, options.progress)
    except TemplateFailure as failure:
        raise BuildFailed([_template_error(failure, options.root)], locale) from None
    cache.prune()
    clock.lap("render + write")
    if not options.search:
        return stats.pages, stats.reused, ()
    search_cache = _cache_folder(options, "search")
    search_frame = content_key(engine_digest(), templates_digest, repr(site.config))
    search = index_site(site, search_frame, writer, search_cache)
    clock.lap("search index")
    return stats.pages, stats.reused, (search.problem,) if search.problem else ()


def _copy_static(root: Path, jobs: list[RenderJob], assets: dict[str, str], site: Site,
                 locale: Locale, writer: Writer) -> None:
    """Copy static/ as it is, unless a file the build makes would replace a static file
    (static/index.html, static/api/news.json): the editor is told, nothing is lost."""
    static = static_files(root)
    made = [output_file(job.url) for job in jobs] + list(assets.values())
    clashes = static_clashes(static, made, [site.urls.search_bundle()])
    if clashes:
        log = ErrorLog(root)
        for found, taker in clashes:
            log.add(root / "static" / found.rel, "static_replaced", url="/" + taker)
        raise BuildFailed(log.sorted(), locale)
    copy_static(static, writer)


def _cache(options: BuildOptions, name: str) -> Cache:
    return Cache(_cache_folder(options, name))


def _cache_folder(options: BuildOptions, name: str) -> Path | None:
    """`.cache/<name>`; None (build as with --no-cache) when caching is off, or when the
    folder is a link or leads outside the portal."""
    return cache_folder(options.root, name) if options.use_cache else None


def _tree_manifests(options: BuildOptions) -> TreeManifests:
    return TreeManifests(_cache_folder(options, "trees"), options.output_dir)


def _template_error(failure: TemplateFailure, root: Path) -> ContentError:
    log = ErrorLog(root)
    path = Path(failure.template)
    log.add(path if path.is_absolute() else root / "templates" / path, "template_error",
            line=failure.line, problem=failure.problem)
    return log.errors[0]
