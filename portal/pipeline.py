"""The build, top to bottom:

config -> discover -> parse -> model -> markup -> collect -> render -> write -> publish

`build()` knows nothing of the command line or of being served; it raises
`BuildFailed` with every content error of the run, after which the previous site
is untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import __version__
from .assets import copy_static, fingerprint_theme, folder_digest
from .cache import Cache, content_key
from .collection import Site, Visibility, collect
from .config import SiteConfig, load_config
from .discover import discover
from .errors import BuildFailed, ErrorLog
from .locale import Locale, load_locale
from .markup import MARKUP_VERSION, summary_of, to_html_many
from .models import ModelContext, news_from, page_from
from .pages import frame_key, plan_pages
from .parse import read_source
from .render import Renderer, render_all
from .write import DiskWriter, Writer


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

    @property
    def output_dir(self) -> Path:
        return self.output or self.root / "site"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    reused: int
    seconds: float
    locale: Locale


def build(options: BuildOptions, writer: Writer | None = None) -> BuildResult:
    started = time.perf_counter()
    root = options.root
    errors = ErrorLog(root)
    config = load_config(root, errors, options.base_url)
    locale = load_locale(config.language)
    site = _load_site(config, options, errors)
    if errors:
        raise BuildFailed(errors.sorted(), locale)
    writer = writer or DiskWriter(options.output_dir)
    try:
        pages, reused = _write_site(site, locale, options, writer)
        writer.publish()
    except BaseException:
        writer.discard()
        raise
    return BuildResult(pages, reused, time.perf_counter() - started, locale)


def build_time() -> dt.datetime:
    """Now, or `SOURCE_DATE_EPOCH` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def _load_site(config: SiteConfig, options: BuildOptions, errors: ErrorLog) -> Site:
    ctx = ModelContext(errors, config.zone, options.root / "static", config.urls)
    news, pages = [], []
    for source in discover(options.root):
        entry = read_source(source, errors)
        if entry is None:
            continue
        model = (news_from if source.kind == "news" else page_from)(entry, ctx)
        if model is not None:
            (news if source.kind == "news" else pages).append(model)
    visibility = Visibility(options.drafts, options.future, build_time())
    news, pages = _with_html(news, pages, _cache(options, "markup"), options.jobs)
    return collect(news, pages, config, visibility, errors)


def _with_html(news: list, pages: list, cache: Cache, jobs: int) -> tuple[list, list]:
    """Fill in each body's HTML (and a summary where the editor gave none)."""
    entries = news + pages
    keys = [content_key(MARKUP_VERSION, entry.digest) for entry in entries]
    found = {key: cache.get(key) for key in keys}
    todo = [i for i, key in enumerate(keys) if found[key] is None]
    for index, html in zip(todo, to_html_many([entries[i].body for i in todo], jobs)):
        found[keys[index]] = html.encode("utf-8")
        cache.put(keys[index], found[keys[index]])
    done = []
    for entry, key in zip(entries, keys):
        html = found[key].decode("utf-8")
        done.append(replace(entry, html=html, summary=entry.summary or summary_of(html)))
    cache.prune()
    return done[:len(news)], done[len(news):]


def _write_site(site: Site, locale: Locale, options: BuildOptions, writer: Writer) -> tuple[int, int]:
    templates = options.root / "templates"
    copy_static(options.root / "static", writer)
    assets = fingerprint_theme(templates, writer)
    frame = frame_key(site, folder_digest(templates), __version__, assets)
    renderer = Renderer(templates, site, locale, assets)
    cache = _cache(options, "pages")
    try:
        stats = render_all(plan_pages(site, frame), renderer, writer, cache,
                           options.jobs, options.progress)
    except jinja2.TemplateError as error:
        raise BuildFailed([_template_error(error, options.root)], locale) from None
    cache.prune()
    return stats.pages, stats.reused


def _cache(options: BuildOptions, name: str) -> Cache:
    return Cache(options.root / ".cache" / name if options.use_cache else None)


def _template_error(error: jinja2.TemplateError, root: Path):
    log = ErrorLog(root)
    name = getattr(error, "filename", None) or getattr(error, "name", None) or "templates"
    log.add(name, "template_error", line=getattr(error, "lineno", None), problem=error.message or error)
    return log.errors[0]
