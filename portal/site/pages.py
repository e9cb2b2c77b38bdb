"""Which pages the site has and what each one is given to show.

A page's template sees only its job's context and the frame every page shares (see
output/render.py), and its cache key is the hash of all of that (fingerprint.py): what a job
does not hand over, the template cannot show, so no key can miss a dependency.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from .languages import language_links, language_of
from .library_pages import library_pages
from ..models import Listing, NewsItem, Page, RenderJob, Site
from .paging import paginate
from .redirects import redirect_pages
from ..config import LANGUAGES
from ..errors import ErrorLog
from ..locale import load_locale
from .figures import shown_pictures
from .structured import structured_data
from ..pictures import Pictures

HOME_FEATURED = 3
HOME_PER_CATEGORY = 4
HOME_DOCUMENTS = 5


def plan_pages(site: Site, search_page: RenderJob, pictures: Pictures | None = None,
               errors: ErrorLog | None = None) -> list[RenderJob]:
    """Every page of the site, as jobs for the renderer; the search stage plans its own
    page (its filters and the parts of its index), handed over by the pipeline. Each HTML
    page also gets its language, its language links, its structured data and the facts
    of the pictures it shows (`_head`; `pictures` by the image stage). The redirect pages
    of old addresses come last, checked against all the others (an old address that is
    not free is an error in `errors`)."""
    jobs = [_home(site)]
    jobs += _paginated(site.news, site.urls.news_list, "news_list", None, site)
    for listing in site.categories:
        jobs += _paginated(listing.items, lambda n, s=listing.term.slug: site.urls.category_page(s, n),
                           "category", listing, site)
        jobs.append(_feed(site, listing))
    for listing in site.tags:
        jobs += _paginated(listing.items, lambda n, s=listing.term.slug: site.urls.tag_page(s, n),
                           "tag", listing, site)
    jobs += [_news_page(site, item) for item in site.news]
    jobs += library_pages(site)
    jobs += [RenderJob(p.url, "page.html", {"page": p}) for p in site.pages]
    jobs.append(RenderJob("404.html", "404.html", {}))
    jobs.append(_feed(site, None))
    jobs.append(_sitemap(jobs))
    # After the sitemap, which need not list a page that shows nothing of its own.
    jobs.append(search_page)
    jobs.append(RenderJob("robots.txt", "robots.txt", {}))
    # `_headers`: the security headers for hosts that read a header file (Netlify,
    # Cloudflare Pages), with the same policy as the pages' <meta>.
    jobs.append(RenderJob("_headers", "headers.txt", {}))
    words = {lang: load_locale(lang).ui for lang in LANGUAGES}  # once, not per page
    planned = [_head(job, site, pictures or {}, words) for job in jobs]
    return planned + redirect_pages(site, planned, errors)


def _head(job: RenderJob, site: Site, pictures: Pictures, words: dict[str, dict]) -> RenderJob:
    """An HTML page with its language (the renderer picks its words by it), the links to
    its other language, its JSON-LD, its OpenGraph facts and the pictures it shows. Not
    the 404 page: it stands at any address."""
    if not job.template.endswith(".html") or job.template == "404.html":
        return job
    own = job.context.get("item") or job.context.get("page")
    lang = language_of(own if isinstance(own, (NewsItem, Page)) else None, site.config)
    extra = {**language_links(job.url, lang, site.translations, site.config),
             **structured_data(job, site, lang, words[lang], pictures), "pictures": shown_pictures(job, pictures)}
    return RenderJob(job.url, job.template, {**job.context, **extra})


def _home(site: Site) -> RenderJob:
    featured = [n for n in site.news if n.featured][:HOME_FEATURED]
    sections = [(listing, listing.items[:HOME_PER_CATEGORY]) for listing in site.categories]
    documents = site.library.documents[:HOME_DOCUMENTS]
    return RenderJob("", "home.html", {"featured": featured, "sections": sections,
                                       "documents": documents})


def _paginated(items: Sequence[NewsItem], url_of: Callable[[int], str], kind: str,
               listing: Listing | None, site: Site) -> list[RenderJob]:
    # The listing's term, not the listing: its items are on the pager, page by page.
    term = listing.term if listing else None
    return paginate(items, url_of, "list.html", {"kind": kind, "term": term},
                    site.config.per_page)


def _news_page(site: Site, item: NewsItem) -> RenderJob:
    newer, older, related = site.newer[item.url], site.older[item.url], site.related[item.url]
    documents = site.library.names.get(item.url, ())
    return RenderJob(item.url, "news.html", {"item": item, "newer": newer, "older": older,
                                             "related": related, "documents": documents})


def _feed(site: Site, listing: Listing | None) -> RenderJob:
    items = (listing.items if listing else site.news)[:site.config.feed_items]
    url = site.urls.category_feed(listing.term.slug) if listing else "feed.xml"
    # The newest item's date, not the build time, so that an unchanged site gives the same feed.
    updated = items[0].date if items else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    term = listing.term if listing else None
    return RenderJob(url, "atom.xml", {"term": term, "items": items, "updated": updated})


def _sitemap(jobs: list[RenderJob]) -> RenderJob:
    entries = tuple((job.url, job.context["item"].date if "item" in job.context else None)
                    for job in jobs if job.template.endswith(".html") and job.template != "404.html")
    return RenderJob("sitemap.xml", "sitemap.xml", {"entries": entries})
