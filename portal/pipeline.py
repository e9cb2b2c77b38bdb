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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from . import __version__
from .output.assets import copy_static, fingerprint_theme, folder_digest, static_clashes, static_files
from .cache import Cache, KeptCache, Stamp, cache_folder, content_key
from .output.manifests import TreeManifests
from .site.collection import collect
from .config import SiteConfig, load_config
from .content.discover import SourceFile, discover
from .errors import BuildFailed, ContentError, ErrorLog, OutputRefused, TemplateFailure
from .locale import Locale, load_locale
from .content.markup import html_loader, with_html
from .content.model import ModelContext, document_from, news_from, page_from
from .models import UNCONVERTIBLE_BODY, RenderJob, Site, Visibility
from .output.claim import OutputClaim, claim_output
from .site.pages import plan_pages
from .content.parse import body_of, file_digest, parse_source, read_bytes
from .content.snapshot import ModelSnapshot
from .output.render import Renderer, render_all
from .search.index import index_site
from .urls import output_file
from .weather.box import WeatherBox, weather_box
from .output.write import DiskWriter
from .writer import Writer


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


@dataclass
class Session:
    """What `serve` keeps from one build to the next, so that an edit costs what it
    touches: the caches in memory, the models (each with its fingerprint, computed once),
    and each file's digest by how it looked on disk (size, time, inode), so that only
    the files that changed, or that watchdog names in `changed`, are read again."""

    caches: dict[str, KeptCache] = field(default_factory=dict)
    snapshot: ModelSnapshot | None = None
    digests: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # files by their path in the portal


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


def build(options: BuildOptions, writer: Writer | None = None,
          session: Session | None = None) -> BuildResult:
    """Build the site into `writer` (by default: the output folder, swapped in whole).
    `serve` passes the session it keeps between builds."""
    clock = Stopwatch()
    errors = ErrorLog(options.root)
    config = load_config(options.root, errors, options.base_url)
    locale = load_locale(config.language)
    now = build_time()
    with _claimed_output(options, locale, writer) as claim:
        site = _load_site(config, options, errors, clock, now, session)
        if errors:
            raise BuildFailed(errors.sorted(), locale)
        weather, problems = weather_box(options.root, config, now, options.offline)
        warnings = tuple(locale.say("weather_problem", problem=problem) for problem in problems)
        clock.lap("weather")
        writer = writer or DiskWriter(claim, _tree_manifests(options))
        clock.lap("prepare staging")
        try:
            pages, reused, search_problems = _write_site(site, weather, locale, options, writer,
                                                         clock, session)
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


def _load_site(config: SiteConfig, options: BuildOptions, errors: ErrorLog, clock: Stopwatch,
               now: dt.datetime, session: Session | None) -> Site:
    snapshot = _snapshot(config, options, session)
    models = _load_models(config, options, errors, clock, snapshot, session)
    visibility = Visibility(options.drafts, options.future, now)
    site = collect(models["news"], models["page"], models["document"], config, visibility, errors,
                   snapshot.mentions)
    snapshot.save()  # after the collection, which notes the numbers each item mentions
    clock.lap("collect")
    return site


def _snapshot(config: SiteConfig, options: BuildOptions, session: Session | None) -> ModelSnapshot:
    """The models of the last build: the session's, or read from the cache."""
    context = content_key(engine_digest(), config.timezone, repr(config.urls))
    if session and session.snapshot and session.snapshot.context == context:
        return session.snapshot
    snapshot = ModelSnapshot(_cache(options, "models", session), context, options.root / "static",
                             config.urls)
    if session:
        session.snapshot = snapshot
    return snapshot


def _load_models(config: SiteConfig, options: BuildOptions, errors: ErrorLog, clock: Stopwatch,
                 snapshot: ModelSnapshot, session: Session | None) -> dict[str, list]:
    """Every content file's model, by kind, in the order the files were found: kept from
    the last build when the file's bytes are unchanged (see snapshot.py), else read,
    checked and converted now."""
    engine = engine_digest()
    ctx = ModelContext(errors, config.zone, options.root / "static", config.urls)
    markup = _cache(options, "markup", session)
    sources = discover(options.root, errors)
    found: dict[str, object] = {}
    fresh: list[tuple[object, str]] = []
    for source in sources:
        digest, data = _digest(source, errors, session)
        if digest is None:
            continue
        model = snapshot.get(source.rel, source.kind, digest,
                             lambda: body_of(data or source.path.read_bytes()),
                             lambda body: html_loader(markup, engine, digest, body))
        if model is None:
            data = data or read_bytes(source, errors)
            entry = parse_source(source, data, errors) if data is not None else None
            model = MODEL_BUILDERS[source.kind](entry, ctx) if entry is not None else None
            if model is not None:
                fresh.append((model, digest))
            continue
        found[source.rel] = model
    clock.lap("config + discover + parse + model")
    converted = with_html([model for model, _ in fresh], markup, options.jobs, engine)
    for model, (_, digest) in zip(converted, fresh):
        if model.html == UNCONVERTIBLE_BODY:
            errors.add(model.path, "unconvertible_body")
            continue
        snapshot.put(model, digest)
        found[model.path] = model
    snapshot.keep_only({source.rel for source in sources})
    markup.prune()
    clock.lap("markdown")
    models: dict[str, list] = {kind: [] for kind in MODEL_BUILDERS}
    for source in sources:
        if source.rel in found:
            models[source.kind].append(found[source.rel])
    return models


def _digest(source: SourceFile, errors: ErrorLog,
            session: Session | None) -> tuple[str | None, bytes | None]:
    """The file's digest, and its bytes when they had to be read: under `serve`, a file
    that looks as it did (and that watchdog did not name) is not read again."""
    if session is not None:
        stamp = Stamp.of(os.stat(source.path))
        known = session.digests.get(source.rel)
        if known and known[0] == stamp and source.rel not in session.changed:
            return known[1], None
    data = read_bytes(source, errors)
    if data is None:
        return None, None
    digest = file_digest(data)
    if session is not None:
        session.digests[source.rel] = (stamp, digest)
    return digest, data


def _write_site(site: Site, weather: WeatherBox | None, locale: Locale, options: BuildOptions,
                writer: Writer, clock: Stopwatch,
                session: Session | None) -> tuple[int, int, tuple[str, ...]]:
    templates = options.root / "templates"
    assets = fingerprint_theme(templates, writer)
    templates_digest = folder_digest(templates, root=options.root)
    renderer = Renderer(templates, site, locale, assets, weather, engine_digest(), templates_digest)
    cache = _cache(options, "pages", session)
    jobs = plan_pages(site)
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


def _cache(options: BuildOptions, name: str, session: Session | None = None) -> Cache:
    if session is None:
        return Cache(_cache_folder(options, name))
    if name not in session.caches:
        session.caches[name] = KeptCache(_cache_folder(options, name))
    return session.caches[name]


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
