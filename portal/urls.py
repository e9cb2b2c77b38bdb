"""Where every page lives. URLs here are site-relative ("tin-tuc/abc/"): templates
prefix them with the base path, so a site can be served from a sub-path."""

from __future__ import annotations

import functools
import html
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from typing import Iterator

from slugify import slugify as _slugify

SLUG_LENGTH = 200  # characters; long enough for any real title, short enough for any disk
# Paths the engine fills itself; a page slug may not take them.
BUILT_IN_PATHS = ("tim-kiem", "assets", "api", "admin", "feed.xml",  # admin: the web editor
                  "sitemap.xml", "robots.txt", "404.html", "index.html")


@functools.lru_cache(maxsize=4096)  # categories and tags repeat across thousands of items
def slugify(text: str) -> str:
    """Vietnamese-aware slug: "Bình đẳng giới" -> "binh-dang-gioi", "Đ" -> "d". At most
    SLUG_LENGTH characters, cut between words: a slug names a folder, and file systems
    refuse names over 255 bytes (a 300-character title once crashed the build)."""
    return _slugify(text.replace("đ", "d").replace("Đ", "D"), max_length=SLUG_LENGTH,
                    word_boundary=True)


# Folders the engine makes inside the documents section (see `UrlScheme.document_type`,
# `document_year`, `document_issuer`); the pagination word may not take them.
DOCUMENT_FOLDERS = ("loai", "nam", "co-quan")


def is_segment(value: str) -> bool:
    """Whether `value` can name a section: one path segment, written as `slugify` would
    write it (lower-case letters, digits, single hyphens), so it cannot leave `site/`."""
    return bool(value) and slugify(value) == value


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def looks_like_slug(value: str) -> bool:
    """Whether `value` is something `slugify` could have made (without calling it, which
    costs ~50 µs: a kept model's slugs are checked on every build)."""
    return len(value) <= SLUG_LENGTH and _SLUG.fullmatch(value) is not None


def unsafe_slug(slug: str) -> bool:
    """A slug that could leave its folder or name another path."""
    return "/" in slug or "\\" in slug or ".." in slug


@dataclass(frozen=True)
class UrlScheme:
    """The first path segment of each section; configurable under `urls:` in config."""

    news: str = "tin-tuc"
    category: str = "chuyen-muc"
    tag: str = "the"
    page: str = "trang"  # the pagination word: tin-tuc/trang/2/
    documents: str = "van-ban"
    plans: str = "ke-hoach"

    def news_item(self, slug: str) -> str:
        return f"{self.news}/{slug}/"

    def news_list(self, number: int = 1) -> str:
        return self.paged(f"{self.news}/", number)

    def category_page(self, slug: str, number: int = 1) -> str:
        return self.paged(f"{self.category}/{slug}/", number)

    def category_feed(self, slug: str) -> str:
        return f"{self.category}/{slug}/feed.xml"

    def tag_page(self, slug: str, number: int = 1) -> str:
        return self.paged(f"{self.tag}/{slug}/", number)

    def static_page(self, slug: str) -> str:
        return f"{slug}/"

    def document(self, slug: str) -> str:
        return f"{self.documents}/{slug}/"

    def documents_list(self, number: int = 1) -> str:
        return self.paged(f"{self.documents}/", number)

    def documents_index(self) -> str:
        """The small JSON the filter form on the documents page searches."""
        return f"{self.documents}/chi-muc.json"

    def document_type(self, slug: str, number: int = 1) -> str:
        return self.paged(f"{self.documents}/loai/{slug}/", number)

    def document_year(self, year: int | str, number: int = 1) -> str:
        return self.paged(f"{self.documents}/nam/{year}/", number)

    def document_issuer(self, slug: str, number: int = 1) -> str:
        return self.paged(f"{self.documents}/co-quan/{slug}/", number)

    def plans_page(self) -> str:
        return f"{self.plans}/"

    def search_page(self) -> str:
        return "tim-kiem/"

    def search_bundle(self) -> str:
        """Pagefind's files (its script, index and fragments), beside the search page."""
        return "tim-kiem/pagefind/"

    def paged(self, first: str, number: int) -> str:
        return first if number == 1 else f"{first}{self.page}/{number}/"

    def reserved(self) -> set[str]:
        return {self.news, self.category, self.tag, self.documents, self.plans, *BUILT_IN_PATHS}


def output_file(url: str) -> str:
    """The file a URL is written to: "tin-tuc/" -> "tin-tuc/index.html"."""
    path = url + "index.html" if url.endswith("/") or not url else url
    normal = posixpath.normpath(path)
    if normal.startswith(("..", "/")):  # guaranteed not to happen; checked anyway
        raise ValueError(f"output path leaves the site: {url}")
    return normal


# A host name or an IP address as urlsplit gives it (lowercase, no brackets).
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]+")


def origin_of(url: str) -> str | None:
    """"https://api.example.org:8443/v1?x" -> "https://api.example.org:8443"; None for
    anything that is not a plain http(s) address, so that no config value can add a
    directive to the policy or a line to a header file."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    shown_host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown_host}" + (f":{port}" if port is not None else "")


# What a site's address may hold after its host: a path of plain URL characters.
_SITE_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")


def usable_base_url(url: str) -> bool:
    """An http(s) address with a plain host and path and nothing after it: base_url is
    written into every page, feed and robots.txt, so quotes, brackets or spaces in it
    would change what they say."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return (origin_of(url) is not None and bool(_SITE_PATH.fullmatch(parts.path))
            and not parts.query and not parts.fragment and "\\" not in url)


SAFE_SCHEMES = ("http", "https", "mailto", "tel")  # what links and images may use
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Browsers drop these anywhere in a URL before reading its scheme ("java\tscript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def url_problem(url: str) -> str | None:
    """None when a URL an editor wrote is safe to publish as a link or an image:
    http(s), mailto:, tel:, or a path within the site; else the error key."""
    seen = _IGNORED_BY_BROWSERS.sub("", url)
    if seen.startswith(("//", "\\\\", "/\\", "\\/")):  # another host, without a scheme
        return "unsafe_url"
    scheme = _SCHEME.match(seen)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return "unsafe_url"
    return None


_ROOT_RELATIVE = re.compile(r'\b(href|src)="/(?!/)')


def rebase(body_html: str, base_path: str) -> str:
    """Point root-relative links and images of a body at a site served under a sub-path."""
    if base_path == "/":
        return body_html
    shown = html.escape(base_path, quote=True)
    return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{shown}', body_html)


# A text such as "VTV: bản tin 19 giờ" is a name; "javascript:alert(1)" or "//evil" is an
# address: a scheme followed at once by something other than a space, or "//".
_WRITTEN_AS_URL = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:(?!\s|$)|[/\\]{2})")
# Extra front-matter keys a theme is likely to put in href/src.
_URL_KEY = re.compile(r"(?:^|_)(?:url|link|href|src|image|website|homepage)s?$", re.I)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def looks_like_url(text: str) -> bool:
    """Whether a browser would read `text` as an address if a theme linked it."""
    return bool(_WRITTEN_AS_URL.match(_CONTROLS.sub("", text)))


def unsafe_urls_in(key: str, value: object) -> Iterator[str]:
    """Unsafe addresses among the values of URL-named keys, at any depth of `value`.
    A loop, not recursion, and each shared (YAML alias) value is looked at once, so that
    neither deep nesting nor nested aliases can blow up."""
    todo: list[tuple[str, object]] = [(key, value)]
    seen: set[int] = set()
    while todo:
        name, item = todo.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            pairs = item.items() if isinstance(item, dict) else ((name, v) for v in item)
            todo.extend((str(k), v) for k, v in pairs)
        elif isinstance(item, str) and _URL_KEY.search(name) and url_problem(item):
            yield item
