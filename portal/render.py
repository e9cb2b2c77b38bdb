"""Stage 6: render pages with Jinja2, reusing cached output and using every core.

Templates get presentation helpers as filters; the words come from the locale's `ui`
strings (`t.posted_on`), the portal's identity from `site.config`.
"""

from __future__ import annotations

import multiprocessing
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jinja2
from markupsafe import Markup
from tqdm import tqdm

from .cache import Cache
from .errors import TemplateFailure
from .collection import Site
from .locale import Locale
from .documents import link_numbers
from .headers import security_headers
from .markup import frozen_heap, rebase
from .urls import output_file
from .weather import WeatherBox
from .write import Writer


@dataclass(frozen=True)
class RenderJob:
    url: str  # site-relative; the output file is derived from it
    template: str
    context: dict
    key: str  # hash of everything the page shows


@dataclass(frozen=True)
class RenderStats:
    pages: int
    reused: int


class Renderer:
    def __init__(self, templates_dir: Path, site: Site, locale: Locale, assets: dict[str, str],
                 weather: WeatherBox | None = None):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False)  # templates do not change during a build; skips a stat per include
        config = site.config
        base_path = config.base_path
        self.env.filters.update(
            url=lambda rel: base_path + rel.lstrip("/"),
            abs_url=lambda rel: config.base_url + rel.lstrip("/"),
            local_date=lambda d, fmt="%d/%m/%Y %H:%M": d.astimezone(config.zone).strftime(fmt),
            iso=lambda d: d.astimezone(config.zone).isoformat(timespec="seconds"),
            fmt=lambda text, **params: text.format(**params),
            rebase=lambda body_html: rebase(body_html, base_path),
            link_documents=self.link_documents,
            filesize=lambda size: _file_size(size, locale),
            tel=lambda number: "".join(ch for ch in number if ch.isdigit() or ch == "+"),
        )
        self.env.globals.update(site=site, config=config, t=locale.ui, assets=assets,
                                weather=weather, cached_partial=self.cached_partial,
                                security=security_headers(config))
        self._partials: dict[str, Markup] = {}
        self.library = site.library
        # JSON files (open data, the filter index): stable key order, readable Vietnamese.
        self.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}

    def link_documents(self, body_html: str) -> Markup:
        """Turn the numbers of known documents in a body into links, drawn by the
        theme's partials/document_link.html."""
        link = self.env.get_template("partials/document_link.html")

        def draw(number: str) -> str:  # the number as plain text; the template escapes it
            document = self.library.by_number[number.casefold()]
            return link.render(doc=document, text=number).strip()

        return Markup(link_numbers(body_html, self.library.pattern, draw))

    def cached_partial(self, name: str) -> Markup:
        """Render a partial once a build, like Hugo's partialCached: for parts of the frame
        that are the same on every page (the sidebar, the footer)."""
        if name not in self._partials:
            self._partials[name] = Markup(self.env.get_template(name).render())
        return self._partials[name]

    def render(self, job: RenderJob) -> bytes:
        try:
            template = self.env.get_template(job.template)
            return template.render(page_url=job.url, **job.context).encode("utf-8")
        except jinja2.TemplateSyntaxError as error:
            raise TemplateFailure(error.filename or error.name or job.template, error.lineno,
                                  error.message or str(error)) from None
        except jinja2.TemplateError as error:
            name, line = _template_frame(error, job.template)
            raise TemplateFailure(name, line, error.message or str(error)) from None


def _file_size(size: int, locale: Locale) -> str:
    if size < 1024 * 1024:
        return f"{locale.number(max(1, round(size / 1024)))} {locale.ui['kb']}"
    return f"{locale.number(round(size / 1024 / 1024, 1))} {locale.ui['mb']}"


def _template_frame(error: Exception, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line in a rendering error's traceback: Jinja
    rewrites its frames to point at the template source."""
    found: tuple[str, int | None] = (fallback, None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno)
    return found


def render_all(jobs: list[RenderJob], renderer: Renderer, writer: Writer, cache: Cache,
               workers: int, progress: bool) -> RenderStats:
    """Keep pages already in place, write cached ones, render the rest (on `workers`
    processes when writing to disk). A cached page is copied, not linked: the cache is
    data anyone may edit, and must not be able to change the site behind the build's
    back; an entry that fails its checksum is a miss."""
    missing = []
    for job in jobs:
        rel = output_file(job.url)
        if writer.expect(rel, job.key):
            cache.keep(job.key)
        elif (cached := cache.get(job.key)) is not None:
            writer.write(rel, cached, job.key)
        else:
            missing.append(job)
    bar = tqdm(total=len(missing), disable=not progress, delay=1.0, unit="page", leave=False)
    with bar:
        for done in _render_missing(missing, renderer, writer, cache, workers):
            bar.update(done)
    return RenderStats(pages=len(jobs), reused=len(jobs) - len(missing))


def _render_missing(jobs: list[RenderJob], renderer: Renderer, writer: Writer, cache: Cache,
                    workers: int) -> Iterator[int]:
    can_fork = "fork" in multiprocessing.get_all_start_methods() and writer.root is not None
    if workers <= 1 or len(jobs) < 200 or not can_fork:
        for job in jobs:
            _render_one(job, renderer, writer, cache)
            yield 1
        return
    # Forked workers inherit the renderer and the jobs, so nothing large is pickled;
    # each writes its pages straight into the staging folder.
    context = multiprocessing.get_context("fork")
    chunks = [range(start, min(start + 50, len(jobs))) for start in range(0, len(jobs), 50)]
    with frozen_heap(), context.Pool(workers, initializer=_worker_setup,
                                     initargs=(jobs, renderer, writer, cache)) as pool:
        yield from pool.imap_unordered(_worker_render, chunks)


_worker: dict = {}  # per worker process only: what its initializer was handed


def _worker_setup(jobs: list[RenderJob], renderer: Renderer, writer: Writer, cache: Cache) -> None:
    _worker.update(jobs=jobs, renderer=renderer, writer=writer, cache=cache)


def _worker_render(indices: range) -> int:
    for index in indices:
        _render_one(_worker["jobs"][index], _worker["renderer"], _worker["writer"], _worker["cache"])
    return len(indices)


def _render_one(job: RenderJob, renderer: Renderer, writer: Writer, cache: Cache) -> None:
    """Render the page, keep it in the cache, and write it into the site."""
    data = renderer.render(job)
    cache.put(job.key, data)
    writer.write(output_file(job.url), data, job.key)
