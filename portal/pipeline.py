"""The build, top to bottom: every stage by name, each a call into its own package.

config -> claim the output -> discover -> read (digests) -> snapshot (the models of
unchanged files) -> parse -> markup -> model -> collect -> weather -> plan pages
-> theme + static -> render + write (into staging) -> search index -> publish (swap)

`pipeline` is the one module that calls the stages (content/, site/, weather/, output/,
search/) and hands each the data the last one made; no stage imports another. `build()`
knows nothing of the command line or of being served; it raises `BuildFailed` with
every content error of the run, after which the previous site is untouched.
"""

from __future__ import annotations

import contextlib
import functools
from importlib import metadata
from pathlib import Path
from typing import Iterator

from . import __version__
from .cache import Cache, KeptCache, cache_folder, content_key
from .config import SiteConfig, load_config
from .content import (ModelContext, ModelSnapshot, convert, discover, html_loader, make_models,
                      parse_all, read_sources)
from .errors import BuildFailed, ContentError, ErrorLog, OutputRefused, TemplateFailure
from .link_memo import link_memo
from .links import SiteFiles
from .locale import Locale, load_locale
from .models import RenderJob, Site, Visibility
from .output.admin import admin_pages
from .output.assets import copy_static, fingerprint_theme, folder_digest, static_files
from .output.images import publish_images
from .output.claim import OutputClaim, claim_output
from .output.favicon import publish_favicon
from .output.manifests import TreeManifests
from .output.render import Renderer, render_all
from .output.write import DiskWriter
from .run import BuildOptions, BuildResult, Session, Stopwatch, build_time
from .search import index_site, search_page
from .site import collect, plan_pages
from .urls import output_file
from .weather import CACHE_FILE as WEATHER_CACHE_FILE, Refresh, fetch_and_cache, weather_box
from .writer import Writer

__all__ = ["WEATHER_CACHE_FILE", "BuildOptions", "BuildResult", "Session", "build", "build_time",
           "refresh_weather"]

ENGINE_LIBRARIES = ("jinja2", "markdown", "nh3", "pillow", "python-slugify", "pyyaml")


def build(options: BuildOptions, writer: Writer | None = None,
          session: Session | None = None) -> BuildResult:
    """Build the site into `writer` (by default: the output folder, swapped in whole).
    `serve` passes the session it keeps between builds."""
    clock, now, errors = Stopwatch(), build_time(), ErrorLog(options.root)
    config = load_config(options.root, errors, options.base_url)
    locale, templates = load_locale(config.language), options.root / "templates"
    with _claimed_output(options, locale, writer) as claim:
        sources = discover(options.root, errors)
        reads = read_sources(sources, errors, *_known_files(session))
        snapshot, markup = _snapshot(config, options, session), _cache(options, "markup", session)
        kept, changed = snapshot.sort(reads, now, functools.partial(html_loader, markup, engine_digest()))
        entries = parse_all(changed, errors)
        clock.lap("config + discover + parse")
        bodies = convert(entries, markup, options.jobs, engine_digest())
        markup.prune(on_disk=options.publishable)
        clock.lap("markdown")
        made = make_models(entries, bodies, ModelContext(errors, config.zone, options.root / "static",
                                                         config.urls, now))
        models = snapshot.update(reads, kept, made)
        site = collect(models["news"], models["page"], models["document"], config,
                       Visibility(options.drafts, options.future, now), errors, snapshot.mentions)
        snapshot.save()  # after the collection, which notes the numbers each item mentions
        errors.stop_if_any(locale)
        clock.lap("model + collect")
        weather, weather_warnings = weather_box(options.root, config, now, options.offline)
        clock.lap("weather")
        writer = writer or DiskWriter(claim, _tree_manifests(options))
        try:
            # Pictures first: the pages show their sizes, and a bad image is an error.
            static = static_files(options.root)
            # On disk even under `serve`: a session's cache keeps what it reads in memory,
            # and the memory writer holds the pictures already.
            images_cache = _cache(options, "images")
            images = publish_images(static, site, writer, images_cache, errors, options.jobs)
            images_cache.prune()
            errors.stop_if_any(locale)
            clock.lap("images")
            jobs = plan_pages(site, search_page(site), images.pictures, errors)
            jobs += admin_pages(site, locale.ui, options.root / "static")  # after the sitemap: not in it
            assets = fingerprint_theme(templates, writer)
            icons = publish_favicon(options.root, config.favicon, writer, errors)
            written, filled = [*_made_files(jobs, assets), *images.files, *icons], (site.urls.search_bundle(),)
            copy_static(options.root, written, filled, writer, errors, static, images.sources)
            errors.stop_if_any(locale)
            clock.lap("plan pages + theme + static")
            files = SiteFiles(frozenset([*written, *(found.rel for found in static)]), filled)
            links = _broken_links(site, files, options, session)
            clock.lap("links")
            theme, pages_cache = folder_digest(templates, root=options.root), _cache(options, "pages", session)
            renderer = Renderer(templates, site, locale, assets, weather, engine_digest(), theme)
            pages = render_all(jobs, renderer, writer, pages_cache, options.jobs, options.progress)
            pages_cache.prune(on_disk=options.publishable)
            clock.lap("render + write")
            search = index_site(site, content_key(engine_digest(), theme, repr(config)), writer,
                                _cache_folder(options, "search")) if options.search else None
            clock.lap("search index")
            writer.publish()
            clock.lap("publish")
        except TemplateFailure as failure:
            writer.discard()
            raise BuildFailed([_template_error(failure, options.root)], locale) from None
        except BaseException:
            writer.discard()
            raise
    warnings = (*weather_warnings, *(search.problems if search else ()))
    return BuildResult(pages.pages, pages.reused, clock.total, locale, tuple(clock.laps), warnings, site,
                       images.pictures, links, files)


def refresh_weather(root: Path, config: SiteConfig) -> Refresh:
    """Ask the weather source now and keep its readings (the `weather` command)."""
    return fetch_and_cache(root, config)


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


def _known_files(session: Session | None) -> tuple:
    """Under `serve`, each file's digest by how it looked on disk, and the files watchdog
    named; a plain build reads every file."""
    return (session.digests, session.changed) if session else (None, frozenset())


def _broken_links(site: Site, files: SiteFiles, options: BuildOptions,
                  session: Session | None) -> tuple[ContentError, ...]:
    """What the editors wrote that leads nowhere on this site: warnings for the build,
    errors for `check` (which adds the #anchors)."""
    cache = _cache(options, "links", session)
    memo = link_memo(cache, engine_digest(), session.links if session else None)
    if session:
        session.links = memo
    found = memo.broken_links(site, files, options.root)
    cache.prune(on_disk=options.publishable)
    return tuple(found)


def _made_files(jobs: list[RenderJob], assets: dict[str, str]) -> list[str]:
    """Every file the build makes itself: no static file may take its place."""
    return [output_file(job.url) for job in jobs] + list(assets.values())


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
