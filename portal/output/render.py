"""Render the site's pages with Jinja2, reusing cached output and using every core.

A page is rendered in two parts. Its *body* (everything but the shared fragments) sees
only what its job hands it and the frame every page shares: config, words, assets, the
URL scheme, the menu; never the whole site. Its cache key hashes all of that
(fingerprint.py), so it cannot miss a dependency. The *fragments* (`cached_partial`:
the sidebar with the latest news, the latest documents and the weather; the footer)
see the whole site, are rendered once a build, and are spliced into each body as it is
written. So a new item or new weather readings re-render a few bodies and the fragments,
and every page is written again, but no page is rendered again for it.

Templates get presentation helpers as filters; the words come from the locale's `ui`
strings (`t.posted_on`), the portal's identity from `config`.
"""

from __future__ import annotations

import functools
import multiprocessing
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jinja2
from jinja2 import nodes
from markupsafe import Markup
from tqdm import tqdm

from ..cache import Cache, bytes_key, content_key
from ..config import LANGUAGES, Link
from ..errors import TemplateFailure
from ..fingerprint import fingerprint
from ..forecast import WeatherBox
from ..locale import Locale, load_locale
from ..mentions import link_numbers, number_pattern
from ..models import RenderJob, Site
from ..urls import output_file, rebase
from ..workers import frozen_heap
from ..writer import Writer
from .headers import security_headers
from .responsive import picture_filter
from .videos import shows_youtube, video_filter

# Where a fragment goes in a body: a character no content, config or word can carry
# (text.py strips it everywhere), around the fragment's template name.
FRAGMENT_MARK = "\x00"


@dataclass(frozen=True)
class RenderStats:
    pages: int
    reused: int


@dataclass(frozen=True)
class Nav:
    """What every page's header shows of the site."""

    menu: tuple[Link, ...]  # the title and address of each page in the menu, not the page
    has_documents: bool

    @classmethod
    def of(cls, site: Site) -> Nav:
        return cls(tuple(Link(page.title, page.url) for page in site.menu),
                   bool(site.library.documents))


class Fragments:
    """The shared parts of pages, rendered once with the whole site in view."""

    def __init__(self, rendered: dict[str, bytes]):
        self.rendered = rendered
        self.digest = content_key(*(f"{name}\0{bytes_key(data)}"
                                    for name, data in sorted(rendered.items())))

    def splice(self, body: bytes) -> bytes:
        """The page: its body with each fragment's mark replaced by the fragment."""
        mark = FRAGMENT_MARK.encode()
        if mark not in body:
            return body
        pieces = body.split(mark)
        # Odd pieces are names between two marks; one that names no fragment stays out.
        return b"".join(piece if index % 2 == 0 else self.rendered.get(piece.decode("utf-8", "replace"), b"")
                        for index, piece in enumerate(pieces))


class Renderer:
    def __init__(self, templates_dir: Path, site: Site, locale: Locale, assets: dict[str, str],
                 weather: WeatherBox | None, engine: str, templates_digest: str):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False)  # templates do not change during a build; skips a stat per include
        config = site.config
        base_path = config.base_path
        youtube = shows_youtube(site)  # then the policy frames its player, site-wide
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
            pictures=picture_filter(self.env, base_path),
            videos=video_filter(self.env, base_path, youtube),
        )
        frame = dict(config=config, t=locale.ui, assets=assets, urls=config.urls,
                     nav=Nav.of(site), security=security_headers(config, youtube))
        self.env.globals.update(frame, cached_partial=_fragment_marker(locale.language))
        # A page in another language (`lang: en`) gets that language's words as `t`.
        self.words = {lang: locale.ui if lang == locale.language else load_locale(lang).ui
                      for lang in LANGUAGES}
        self.language = locale.language
        self.languages = sorted({locale.language} | {item.lang for item in (*site.pages, *site.news)
                                                     if item.lang})
        # Everything a body may read besides its job's context: part of every body's key.
        self.frame_key = content_key(engine, templates_digest, fingerprint(frame),
                                     fingerprint(self.words))
        self._site, self._weather = site, weather
        # JSON files (open data, the filter index): stable key order, readable Vietnamese.
        self.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}

    def key(self, job: RenderJob) -> str:
        """The body's cache key: the frame, the template, the address and the context."""
        return content_key(self.frame_key, job.template, job.url, fingerprint(job.context))

    def link_documents(self, body_html: str, documents: tuple) -> Markup:
        """Turn the numbers of the documents a body names (its job hands them over) into
        links, drawn by the theme's partials/document_link.html."""
        link = self.env.get_template("partials/document_link.html")
        by_number = {document.number.casefold(): document for document in documents}

        def draw(number: str) -> str:  # the number as plain text; the template escapes it
            return link.render(doc=by_number[number.casefold()], text=number).strip()

        return Markup(link_numbers(body_html, _pattern(tuple(d.number for d in documents)), draw))

    def fragments(self) -> Fragments:
        """Every fragment the templates use, rendered with the site and the weather."""
        return Fragments({_fragment_name(lang, name, self.language):
                          self._render_template(name, {"site": self._site, "weather": self._weather,
                                                       "t": self.words[lang]})
                          for name in self._fragment_names() for lang in self.languages})

    def render(self, job: RenderJob) -> bytes:
        words = {"t": self.words[job.context["lang"]]} if job.context.get("lang") in self.words else {}
        return self._render_template(job.template, {"page_url": job.url, **job.context, **words})

    def _render_template(self, name: str, context: dict) -> bytes:
        try:
            return self.env.get_template(name).render(**context).encode("utf-8")
        except jinja2.TemplateSyntaxError as error:
            raise TemplateFailure(error.filename or error.name or name, error.lineno,
                                  error.message or str(error)) from None
        except jinja2.TemplateError as error:
            name, line = _template_frame(error, name)
            raise TemplateFailure(name, line, error.message or str(error)) from None

    def _fragment_names(self) -> list[str]:
        """The names given to `cached_partial` anywhere in the templates."""
        found = set()
        for name in self.env.list_templates(filter_func=lambda n: not n.startswith("assets/")):
            try:
                source = self.env.loader.get_source(self.env, name)[0]
                # Parsing every template costs ~0.1 s a build; few of them call it.
                tree = self.env.parse(source, name) if "cached_partial" in source else None
            except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
                continue  # reported when a page uses it
            if tree is None:
                continue
            for call in tree.find_all(nodes.Call):
                if (isinstance(call.node, nodes.Name) and call.node.name == "cached_partial"
                        and call.args and isinstance(call.args[0], nodes.Const)):
                    found.add(call.args[0].value)
        return sorted(found)


def _fragment_marker(default_language: str):
    @jinja2.pass_context
    def mark(context: jinja2.runtime.Context, name: str) -> Markup:
        """The mark of a fragment in the page's language (its words, `t`)."""
        lang = context.get("t", {}).get("lang", default_language)
        return Markup(f"{FRAGMENT_MARK}{_fragment_name(lang, name, default_language)}{FRAGMENT_MARK}")
    return mark


def _fragment_name(lang: str, name: str, default_language: str) -> str:
    """A fragment's name: as the templates write it in the portal's language, prefixed by
    the language in another (a page with `lang: en` gets the English sidebar and footer)."""
    return name if lang == default_language else f"{lang}:{name}"


@functools.lru_cache(maxsize=4096)
def _pattern(numbers: tuple[str, ...]):
    return number_pattern(numbers)


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
    """Keep pages already in place, splice cached bodies, render the rest (on `workers`
    processes when writing to disk). A page's file key is its body's key with the
    fragments' digest. A cached body is copied, not linked: the cache is data anyone may
    edit, and must not be able to change the site behind the build's back; an entry that
    fails its checksum is a miss."""
    fragments = renderer.fragments()
    missing = []
    for job in jobs:
        body_key = renderer.key(job)
        page = _Page(output_file(job.url), body_key, content_key(body_key, fragments.digest))
        if writer.expect(page.rel, page.key):
            cache.keep(body_key)
        elif (body := cache.get(body_key)) is not None:
            writer.write(page.rel, fragments.splice(body), page.key)
        else:
            missing.append((job, page))
    bar = tqdm(total=len(missing), disable=not progress, delay=1.0, unit="page", leave=False)
    with bar:
        for done in _render_missing(missing, renderer, fragments, writer, cache, workers):
            bar.update(done)
    return RenderStats(pages=len(jobs), reused=len(jobs) - len(missing))


@dataclass(frozen=True)
class _Page:
    rel: str  # the file in the site
    body_key: str
    key: str  # of the file: the body's key and the fragments'


def _render_missing(jobs: list, renderer: Renderer, fragments: Fragments, writer: Writer,
                    cache: Cache, workers: int) -> Iterator[int]:
    can_fork = "fork" in multiprocessing.get_all_start_methods() and writer.root is not None
    if workers <= 1 or len(jobs) < 200 or not can_fork:
        for job, page in jobs:
            _render_one(job, page, renderer, fragments, writer, cache)
            yield 1
        return
    # Forked workers inherit the renderer and the jobs, so nothing large is pickled;
    # each writes its pages straight into the staging folder.
    context = multiprocessing.get_context("fork")
    chunks = [range(start, min(start + 50, len(jobs))) for start in range(0, len(jobs), 50)]
    with frozen_heap(), context.Pool(workers, initializer=_worker_setup,
                                     initargs=(jobs, renderer, fragments, writer, cache)) as pool:
        yield from pool.imap_unordered(_worker_render, chunks)


_worker: dict = {}  # per worker process only: what its initializer was handed


def _worker_setup(jobs: list, renderer: Renderer, fragments: Fragments, writer: Writer,
                  cache: Cache) -> None:
    _worker.update(jobs=jobs, renderer=renderer, fragments=fragments, writer=writer, cache=cache)


def _worker_render(indices: range) -> int:
    for index in indices:
        job, page = _worker["jobs"][index]
        _render_one(job, page, _worker["renderer"], _worker["fragments"], _worker["writer"],
                    _worker["cache"])
    return len(indices)


def _render_one(job: RenderJob, page: _Page, renderer: Renderer, fragments: Fragments,
                writer: Writer, cache: Cache) -> None:
    """Render the body, keep it in the cache, and write the page into the site."""
    body = renderer.render(job)
    cache.put(page.body_key, body)
    writer.write(page.rel, fragments.splice(body), page.key)
