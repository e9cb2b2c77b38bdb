"""Which pages the site has, what each one shows, and the content hash of that.

A page's key hashes the frame (config, templates, engine, sidebar) with exactly what
the page itself shows: an item's own source for its page, the listed items' cards for
a listing. Editing one article's body re-renders that article only; editing its
title also re-renders the listings and neighbours that show the title.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from .cache import content_key
from .collection import Listing, Site
from .headers import security_headers
from .library_pages import library_pages
from .models import NewsItem
from .paging import cards, paginate
from .render import RenderJob
from .search import search_page

HOME_FEATURED = 3
HOME_PER_CATEGORY = 4
HOME_DOCUMENTS = 5


def frame_key(site: Site, templates_digest: str, engine: str, assets: dict[str, str],
              weather: str) -> str:
    """What every page shows around its content (`weather`: the box, as text)."""
    menu = [(p.title, p.url, str(p.menu)) for p in site.menu]
    # The security policy is in every page's <meta>.
    return content_key(engine, templates_digest, repr(site.config), repr(sorted(assets.items())),
                       repr(security_headers(site.config)),
                       repr(menu), weather, *cards(site.latest_news), *cards(site.latest_documents))


def plan_pages(site: Site, frame: str) -> list[RenderJob]:
    jobs = [_home(site, frame)]
    jobs += _paginated(site.news, site.urls.news_list, "news_list", None, site, frame)
    for listing in site.categories:
        jobs += _paginated(listing.items, lambda n, s=listing.term.slug: site.urls.category_page(s, n),
                           "category", listing, site, frame)
        jobs.append(_feed(site, listing, frame))
    for listing in site.tags:
        jobs += _paginated(listing.items, lambda n, s=listing.term.slug: site.urls.tag_page(s, n),
                           "tag", listing, site, frame)
    jobs += [_news_page(site, item, frame) for item in site.news]
    jobs += library_pages(site, frame)
    jobs += [RenderJob(p.url, "page.html", {"page": p}, content_key(frame, p.digest, p.html))
             for p in site.pages]
    jobs.append(RenderJob("404.html", "404.html", {}, content_key(frame, "404")))
    jobs.append(_feed(site, None, frame))
    jobs.append(_sitemap(site, jobs, frame))
    # After the sitemap, which need not list a page that shows nothing of its own.
    jobs.append(search_page(site, frame))
    jobs.append(RenderJob("robots.txt", "robots.txt", {}, content_key(frame, "robots")))
    jobs.append(_header_file(site, frame))
    return jobs


def _home(site: Site, frame: str) -> RenderJob:
    featured = [n for n in site.news if n.featured][:HOME_FEATURED]
    sections = [(listing, listing.items[:HOME_PER_CATEGORY]) for listing in site.categories]
    shown = featured + [item for _, items in sections for item in items]
    documents = site.library.documents[:HOME_DOCUMENTS]
    return RenderJob("", "home.html", {"featured": featured, "sections": sections,
                                       "documents": documents},
                     content_key(frame, "home", *cards(shown), *cards(documents)))


def _paginated(items: Sequence[NewsItem], url_of: Callable[[int], str], kind: str,
               listing: Listing | None, site: Site, frame: str) -> list[RenderJob]:
    return paginate(items, url_of, "list.html", {"kind": kind, "listing": listing},
                    site.config.per_page, frame)


def _news_page(site: Site, item: NewsItem, frame: str) -> RenderJob:
    newer, older, related = site.newer[item.url], site.older[item.url], site.related[item.url]
    documents = site.library.names.get(item.url, ())
    key = content_key(frame, "news", item.digest, item.html, item.url,
                      *cards(newer), "|", *cards(older), "|", *cards(related),
                      "|", *cards(documents))
    return RenderJob(item.url, "news.html", {"item": item, "newer": newer, "older": older,
                                             "related": related, "documents": documents}, key)


def _feed(site: Site, listing: Listing | None, frame: str) -> RenderJob:
    items = (listing.items if listing else site.news)[:site.config.feed_items]
    url = site.urls.category_feed(listing.term.slug) if listing else "feed.xml"
    # The newest item's date, not the build time, so that an unchanged site gives the same feed.
    updated = items[0].date if items else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    return RenderJob(url, "atom.xml", {"listing": listing, "items": items, "updated": updated},
                     content_key(frame, "feed", url, *cards(items)))


def _sitemap(site: Site, jobs: list[RenderJob], frame: str) -> RenderJob:
    entries = [(job.url, job.context["item"].date if "item" in job.context else None)
               for job in jobs if job.template.endswith(".html") and job.template != "404.html"]
    return RenderJob("sitemap.xml", "sitemap.xml", {"entries": entries},
                     content_key(frame, "sitemap", repr(entries)))


def _header_file(site: Site, frame: str) -> RenderJob:
    """`_headers`: the security headers for hosts that read a header file (Netlify,
    Cloudflare Pages), with the same policy as the pages' <meta>."""
    return RenderJob("_headers", "headers.txt", {},
                     content_key(frame, "headers", repr(security_headers(site.config))))
