"""Structured data for search engines and share previews, as plain dicts from the models.

`structured_data(job, site)` gives what a page's <head> shows besides its title: the
JSON-LD objects (schema.org: GovernmentOrganization and WebSite on the home page,
NewsArticle, Legislation, BreadcrumbList where the page shows a breadcrumb, WebPage
elsewhere) and the OpenGraph facts (`share`). The template writes the JSON-LD with
Jinja's `tojson`, which escapes <, > and &, so no value can close its <script>.
Every value follows from the content and the config: the same site gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from ..config import SiteConfig
from ..models import IN_FORCE, Document, NewsItem, Page, RenderJob, Site
from ..pictures import Pictures

SCHEMA = "https://schema.org"
# Not `mimetypes`: it reads the machine's tables, and the output must not depend on them.
MEDIA_TYPES = {"pdf": "application/pdf", "doc": "application/msword",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "xls": "application/vnd.ms-excel",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "odt": "application/vnd.oasis.opendocument.text", "rtf": "application/rtf",
               "zip": "application/zip", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "png": "image/png", "webp": "image/webp", "txt": "text/plain"}
# `sizes`: the pictures by their site path. A shared picture is its share rendition (a
# JPEG 1200 wide, or narrower when the photo is), with its size; an image the image stage
# did not publish (an SVG) is its own file, without a size.


def structured_data(job: RenderJob, site: Site, lang: str, words: dict[str, str],
                    sizes: Pictures) -> dict:
    """`jsonld` (a list of objects) and `share` (OpenGraph) for one HTML page, whose
    language is `lang` and its interface words `words` (the breadcrumb's)."""
    config, context = site.config, job.context
    if job.template == "home.html":
        found = [organization(config, sizes), _website(config, lang)]
    elif "item" in context:
        item = context["item"]
        found = [news_article(item, config, lang, sizes),
                 breadcrumbs(config, [(words["home"], ""), (item.category.name, item.category.url),
                                      (item.title, item.url)])]
    elif "doc" in context:
        doc = context["doc"]
        found = [legislation(doc, config, lang),
                 breadcrumbs(config, [(words["home"], ""), (words["documents"], site.urls.documents_list()),
                                      (doc.type.name, doc.type.url), (doc.number, doc.url)])]
    else:
        found = [_web_page(job, config, lang, sizes)]
    return {"jsonld": found, "share": _share(context, config, sizes)}


def organization(config: SiteConfig, sizes: Pictures) -> dict:
    org = config.organization
    found = _plain({"@context": SCHEMA, "@type": "GovernmentOrganization",
                    "name": org.name or config.title, "alternateName": org.name_en,
                    "address": org.address, "telephone": org.phone, "email": org.email,
                    "url": config.base_url})
    if org.logo:
        found["logo"] = image(org.logo, config, sizes)
    return found


def news_article(item: NewsItem, config: SiteConfig, lang: str, sizes: Pictures) -> dict:
    found = _plain({"@context": SCHEMA, "@type": "NewsArticle", "headline": item.title,
                    "description": item.summary, "url": _absolute(item.url, config),
                    "mainEntityOfPage": _absolute(item.url, config),
                    "datePublished": _time(item.date, config), "inLanguage": lang,
                    "articleSection": item.category.name,
                    "keywords": ", ".join(tag.name for tag in item.tags)})
    if item.updated:
        found["dateModified"] = _time(item.updated, config)
    # Who speaks is the agency: a news item's `author:` is the person who posted it.
    found["author"] = found["publisher"] = _agency(config, sizes)
    picture = item.image or config.share_image
    if picture:
        found["image"] = image(picture, config, sizes)
    return found


def legislation(doc: Document, config: SiteConfig, lang: str) -> dict:
    force = "InForce" if doc.status == IN_FORCE else "NotInForce"
    found = _plain({"@context": SCHEMA, "@type": "Legislation", "name": doc.title,
                    "url": _absolute(doc.url, config), "legislationIdentifier": doc.number,
                    "legislationType": doc.type.name, "legislationDate": _day(doc.issued, config),
                    "legislationPassedBy": {"@type": "GovernmentOrganization", "name": doc.issuer.name},
                    "legislationLegalForce": f"{SCHEMA}/{force}", "inLanguage": lang,
                    "abstract": doc.summary})
    if doc.effective:
        found["legislationDateOfApplicability"] = _day(doc.effective, config)
    if doc.expires:
        found["expirationDate"] = _day(doc.expires, config)
    if doc.files:
        found["encoding"] = [{"@type": "MediaObject", "name": file.title,
                              "contentUrl": _absolute(file.path, config),
                              "encodingFormat": _media_type(file.path),
                              "contentSize": f"{file.size} B"} for file in doc.files]
    return found


def breadcrumbs(config: SiteConfig, trail: list[tuple[str, str]]) -> dict:
    """The trail the page shows, and the page itself last."""
    return {"@context": SCHEMA, "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": place, "name": name,
                                 "item": _absolute(url, config)}
                                for place, (name, url) in enumerate(trail, start=1)]}


def image(path: str, config: SiteConfig, sizes: Pictures) -> dict:
    url, size = _shared(path, config, sizes)
    found: dict = {"@type": "ImageObject", "url": url}
    if size:
        found["width"], found["height"] = size
    return found


def _shared(path: str, config: SiteConfig, sizes: Pictures) -> tuple[str, tuple[int, int] | None]:
    """The address and size of the file a share preview shows of the picture at `path`."""
    picture = sizes.get(path)
    if picture is None:
        return _absolute(path, config), None
    return _absolute(picture.share.url, config), (picture.share.width, picture.share.height)


def _website(config: SiteConfig, lang: str) -> dict:
    return _plain({"@context": SCHEMA, "@type": "WebSite", "name": config.title,
                   "url": config.base_url, "inLanguage": lang, "description": config.description})


def _web_page(job: RenderJob, config: SiteConfig, lang: str, sizes: Pictures) -> dict:
    page: Page | None = job.context.get("page") if isinstance(job.context.get("page"), Page) else None
    found = _plain({"@context": SCHEMA, "@type": "AboutPage" if page and page.show_organization
                    else "WebPage", "url": _absolute(job.url, config), "inLanguage": lang,
                    "name": page.title if page else "", "description": page.summary if page else "",
                    "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url}})
    if page and page.show_organization:
        found["about"] = organization(config, sizes)
    return found


def _share(context: dict, config: SiteConfig, sizes: Pictures) -> dict:
    """OpenGraph: an article's type, times and cover; else the portal's share image."""
    item = context.get("item")
    picture = (item.image if item else "") or config.share_image
    share: dict = {"type": "article" if item else "website", "image": None,
                   "published": _time(item.date, config) if item else "",
                   "modified": _time(item.updated, config) if item and item.updated else ""}
    if picture:
        url, size = _shared(picture, config, sizes)
        share["image"] = {"url": url, "size": size}
    return share


def _agency(config: SiteConfig, sizes: Pictures) -> dict:
    org = config.organization
    found = {"@type": "GovernmentOrganization", "name": org.name or config.title, "url": config.base_url}
    if org.logo:
        found["logo"] = image(org.logo, config, sizes)
    return found


def _plain(found: dict) -> dict:
    """Without the facts the config or content left empty."""
    return {key: value for key, value in found.items() if value not in ("", None)}


def _absolute(rel: str, config: SiteConfig) -> str:
    return config.base_url + rel.lstrip("/")


def _time(moment: dt.datetime, config: SiteConfig) -> str:
    return moment.astimezone(config.zone).isoformat(timespec="seconds")


def _day(moment: dt.datetime, config: SiteConfig) -> str:
    return moment.astimezone(config.zone).date().isoformat()


def _media_type(path: str) -> str:
    return MEDIA_TYPES.get(PurePosixPath(path).suffix.lstrip(".").lower(), "application/octet-stream")
