"""Stage 6: render pages with Jinja2, reusing cached output and using every core.

Templates get presentation helpers as filters; the words come from the locale's `ui`
strings (`t.posted_on`), the portal's identity from `site.config`.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jinja2
from tqdm import tqdm

from .cache import Cache
from .collection import Site
from .locale import Locale
from .markup import rebase
from .urls import output_file
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
                 weather: object = None):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined)
        config = site.config
        self.env.filters.update(
            url=lambda rel: config.base_path + rel.lstrip("/"),
            abs_url=lambda rel: config.base_url + rel.lstrip("/"),
            local_date=lambda d, fmt="%d/%m/%Y %H:%M": d.astimezone(config.zone).strftime(fmt),
            iso=lambda d: d.astimezone(config.zone).isoformat(timespec="seconds"),
            fmt=lambda text, **params: text.format(**params),
            rebase=lambda body_html: rebase(body_html, config.base_path),
            tel=lambda number: "".join(ch for ch in number if ch.isdigit() or ch == "+"),
        )
        self.env.globals.update(site=site, config=config, t=locale.ui, assets=assets,
                                weather=weather)

    def render(self, job: RenderJob) -> bytes:
        template = self.env.get_template(job.template)
        return template.render(page_url=job.url, **job.context).encode("utf-8")


def render_all(jobs: list[RenderJob], renderer: Renderer, writer: Writer, cache: Cache,
               workers: int, progress: bool) -> RenderStats:
    """Link cached pages, render the rest (on `workers` processes when writing to disk)."""
    missing = []
    for job in jobs:
        cached = cache.path(job.key) if cache.has(job.key) else None
        if cached is not None:
            writer.link(output_file(job.url), cached)
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
            _render_one(job, renderer, writer.write, cache)
            yield 1
        return
    # Forked workers inherit the renderer and the jobs, so nothing large is pickled;
    # each writes its pages straight into the staging folder.
    context = multiprocessing.get_context("fork")
    root = writer.root
    chunks = [range(start, min(start + 50, len(jobs))) for start in range(0, len(jobs), 50)]
    with context.Pool(workers, initializer=_worker_setup, initargs=(jobs, renderer, root, cache)) as pool:
        yield from pool.imap_unordered(_worker_render, chunks)


_worker: dict = {}  # per worker process only: what its initializer was handed


def _worker_setup(jobs: list[RenderJob], renderer: Renderer, root: Path, cache: Cache) -> None:
    _worker.update(jobs=jobs, renderer=renderer, root=root, cache=cache)


def _worker_render(indices: range) -> int:
    root: Path = _worker["root"]

    def write(rel: str, data: bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    for index in indices:
        _render_one(_worker["jobs"][index], _worker["renderer"], write, _worker["cache"])
    return len(indices)


def _render_one(job: RenderJob, renderer: Renderer, write, cache: Cache) -> None:
    data = renderer.render(job)
    write(output_file(job.url), data)
    cache.put(job.key, data)
