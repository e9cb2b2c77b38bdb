"""`check` against the last published site: every address that was published and that
this build no longer makes (no page, no redirect page, no file) is a warning that names
the item which most likely moved from there, and the `aliases:` line that keeps the
old address working (site/redirects.py writes a redirect page for it).

What was published is read from a sitemap: the previous output's (`site/sitemap.xml`,
or `--output`'s), or with `--published` the live one at base_url or at the address
given (commands/published.py fetches it). No sitemap is nothing to compare with (a
portal never built or never published): nothing is said. The sitemap is data from
elsewhere: a size limit, a cap on addresses, a strict pattern for <loc> (no XML parser:
no entities to expand, no DTD to fetch), and only addresses under the site's own base
are compared.

Which item moved is guessed among the items whose address is new (not in the sitemap),
in the same folder as the old one: the closest slug, or the closest title (read from
the old page when the previous site is on disk), or the only one when one address
went and one came.
"""

from __future__ import annotations

import difflib
import html
import os
import re
import stat
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..aliases import alias_line, read_alias, reserved_alias
from ..errors import ContentError
from ..models import Document, NewsItem, Page, Site
from ..paths import inside
from ..pipeline import BuildOptions
from ..urls import output_file
from .published import MAX_SITEMAP_BYTES, fetch_sitemap, sitemap_address

MAX_ADDRESSES = 100_000  # twice what the sitemap protocol allows in one file
PAGE_BYTES = 512 * 1024  # read of an old page, for its title
MAX_PAIRS = 20_000  # old addresses x new items of one folder compared; beyond, no guessing
LIKENESS = 0.5  # of slugs or titles, from difflib: below it, two items are not one
# Bounded everywhere, so that no input can make a pattern run long.
_LOC = re.compile(rb"<loc>\s{0,64}([^<>\s]{1,2048})\s{0,64}</loc>")
_URLSET = re.compile(rb"<urlset[\s>]")
_TAG = re.compile(r"<[^>]*>")

Entry = NewsItem | Page | Document


@dataclass(frozen=True)
class Published:
    """What a sitemap says was published, and where it was read."""

    source: str  # as shown to the editor: "site/sitemap.xml", or the address
    addresses: tuple[str, ...] = ()  # site-relative, as aliases are written
    problems: tuple[ContentError, ...] = ()
    folder: Path | None = None  # the previous site on disk, for its pages' titles


def moved_pages(options: BuildOptions, published: str | None, site: Site,
                files: set[str]) -> list[ContentError]:
    """The warnings for addresses that would disappear. `published` is None to read the
    previous output folder, "" for the sitemap at base_url, or a sitemap's address;
    `files` are the files this build makes."""
    before = _read_published(options, published, site.config.base_url)
    gone = [url for url in before.addresses if not _made(url, files) and not _listing(url, site)]
    titles = {url: _old_title(before.folder, url) for url in gone}
    movers = _movers(gone, titles, before.addresses, site)
    return [*before.problems, *_warnings(gone, titles, movers, before.source)]


def _read_published(options: BuildOptions, published: str | None, base_url: str) -> Published:
    if published is None:
        return _previous_site(options, base_url)
    address = sitemap_address(published, base_url)
    fetched = fetch_sitemap(address, base_url)
    if fetched.problem is not None:
        return Published(address, problems=(fetched.problem,))
    if fetched.data is None:
        return Published(address)  # not published yet
    folder = address[:address.rfind("/") + 1]
    return _addresses(fetched.data, address, (base_url, folder), home_first=False)


def _previous_site(options: BuildOptions, base_url: str) -> Published:
    """The sitemap of the output folder, read as untrusted data: a regular file inside
    the folder (not a link out of it, not a pipe), at most MAX_SITEMAP_BYTES."""
    folder = options.output_dir
    path = folder / "sitemap.xml"
    shown = _shown(path, options.root)
    # The default site/ is the portal's: a link from it to elsewhere is never followed.
    # An --output the caller named is theirs to point anywhere.
    data = _read_file(path, folder if options.output else options.root, MAX_SITEMAP_BYTES + 1)
    if data is None:
        return Published(shown)  # never built: nothing to compare with
    if len(data) > MAX_SITEMAP_BYTES:
        return Published(shown, problems=(_problem(shown, "moved_too_large", url=shown,
                                                   max=MAX_SITEMAP_BYTES // 2 ** 20),))
    return _addresses(data, shown, (base_url,), home_first=True, folder=folder)


def _read_file(path: Path, folder: Path, limit: int) -> bytes | None:
    try:
        if not inside(path, folder) or not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as file:
            return file.read(limit)
    except OSError:
        return None


def _shown(path: Path, root: Path) -> str:
    try:  # the folder resolved, not the file: a link is named where it is
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return str(path)


def _problem(source: str, key: str, **params: object) -> ContentError:
    return ContentError(source, None, None, key, tuple((k, str(v)) for k, v in params.items()))


def _addresses(data: bytes, source: str, bases: tuple[str, ...], home_first: bool,
               folder: Path | None = None) -> Published:
    """The site addresses a sitemap lists under the site's base: the first of `bases`
    that its addresses start with. The previous site may have been built for another
    base (`build --base-url`): its sitemap's first address is its home page
    (`home_first`), and is its base when every other address starts with it."""
    if not _URLSET.search(data[:65536]):
        return Published(source, problems=(_problem(source, "moved_not_sitemap", url=source),))
    locs = []
    for match in _LOC.finditer(data):
        if len(locs) == MAX_ADDRESSES:
            too_many = _problem(source, "moved_too_many", url=source, max=MAX_ADDRESSES)
            return Published(source, _site_paths(locs, bases, home_first), (too_many,), folder)
        locs.append(html.unescape(match.group(1).decode("utf-8", "replace")))
    return Published(source, _site_paths(locs, bases, home_first), (), folder)


def _site_paths(locs: list[str], bases: tuple[str, ...], home_first: bool) -> tuple[str, ...]:
    base = next((b for b in bases if any(loc.startswith(b) for loc in locs)), None)
    if base is None and home_first and locs and locs[0].endswith("/") and \
            all(loc.startswith(locs[0]) for loc in locs):
        base = locs[0]
    if base is None:
        return ()
    found = (read_alias("/" + urllib.parse.unquote(loc[len(base):])).url
             for loc in locs if loc.startswith(base) and len(loc) > len(base))
    return tuple(dict.fromkeys(url for url in found if url))


def _listing(url: str, site: Site) -> bool:
    """A page the engine lists items on (a section, a category or tag, a numbered page):
    it comes and goes with the items, and no item's alias would stand for it."""
    return reserved_alias(url, site.urls) or url.split("/")[0] in (site.urls.category, site.urls.tag)


def _made(url: str, files: set[str]) -> bool:
    """Whether a web server finds a file of this build at the address."""
    return output_file(url) in files or (not url.endswith("/") and url + "/index.html" in files)


def _old_title(folder: Path | None, url: str) -> str:
    """The heading of the page that was at `url`, when the previous site is on disk."""
    data = _read_file(folder / output_file(url), folder, PAGE_BYTES) if folder else None
    text = data.decode("utf-8", "replace") if data else ""
    start = text.find("<h1")
    inside_from = text.find(">", start) + 1 if start >= 0 else 0
    end = text.find("</h1>", inside_from) if inside_from else -1
    if end < 0 or end - inside_from > 2000:
        return ""
    return " ".join(html.unescape(_TAG.sub("", text[inside_from:end])).split())[:200]


def _movers(gone: list[str], titles: dict[str, str], before: tuple[str, ...],
            site: Site) -> dict[str, Entry]:
    """For each old address, the item that most likely moved from it, if one is likely."""
    published = set(before)
    fresh: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted((*site.news, *site.pages, *site.library.documents), key=lambda e: e.url):
        if entry.url not in published:
            fresh[_folder(entry.url)].append(entry)
    gone_from: dict[str, list[str]] = defaultdict(list)
    for url in gone:
        gone_from[_folder(url)].append(url)
    movers = {}
    for folder, urls in gone_from.items():
        candidates = fresh.get(folder, [])
        if len(urls) == 1 and len(candidates) == 1:  # one went, one came
            movers[urls[0]] = candidates[0]
        elif len(urls) * len(candidates) <= MAX_PAIRS:
            for url in urls:
                scored = [(_likeness(url, titles[url], e), e.url, e) for e in candidates]
                likeness, _, best = max(scored, key=lambda s: s[:2], default=(0.0, "", None))
                if best is not None and likeness >= LIKENESS:
                    movers[url] = best
    return movers


def _folder(url: str) -> str:
    """"tin-tuc/ten-bai/" -> "tin-tuc/"; "gioi-thieu/" -> ""."""
    return url.rstrip("/").rpartition("/")[0]


def _likeness(url: str, title: str, entry: Entry) -> float:
    slug = url.rstrip("/").rpartition("/")[2]
    by_slug = difflib.SequenceMatcher(None, slug, entry.slug).ratio()
    if not title:
        return by_slug
    return max(by_slug, difflib.SequenceMatcher(None, title.casefold(), entry.title.casefold()).ratio())


def _warnings(gone: list[str], titles: dict[str, str], movers: dict[str, Entry],
              source: str) -> list[ContentError]:
    """One warning an address: on the `aliases:` line (else the slug's or title's) of the
    item that moved, with the whole line to write; else on the sitemap, with the line to
    add to the item at its new place."""
    moved_here: dict[str, list[str]] = defaultdict(list)
    for url in gone:
        if url in movers:
            moved_here[movers[url].path].append(url)
    found = []
    for url in gone:
        title = f" ('{titles[url]}')" if titles[url] else ""
        entry = movers.get(url)
        if entry is None:
            found.append(_problem(source, "moved_gone", old="/" + url, title=title,
                                  write=alias_line([url])))
            continue
        line = entry.lines.get("aliases") or entry.url_from[1]
        write = alias_line([*entry.aliases, *moved_here[entry.path]])
        found.append(ContentError(entry.path, line, "aliases", "moved_to", (
            ("old", "/" + url), ("title", title), ("new", "/" + entry.url), ("write", write))))
    return found
