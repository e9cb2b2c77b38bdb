"""The pages of the document library: each document, the listings (all, by type, by
year, by issuer), the plans, the filter index, and the open-data JSON files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cache import content_key
from .documents import Library
from .paging import cards, paginate
from .render import RenderJob

if TYPE_CHECKING:
    from .collection import Site


def library_pages(site: Site, frame: str) -> list[RenderJob]:
    library, urls, per_page = site.library, site.urls, site.config.per_page
    if not library.documents:  # no section to show; the open-data files still list nothing
        return _data_files(site, frame)
    jobs = [_document_page(site, document, frame) for document in library.documents]
    jobs += paginate(library.documents, urls.documents_list, "documents.html",
                     {"shelf": None, "kind": "all"}, per_page, frame)
    for kind, shelves, url_of in (("type", library.by_type, urls.document_type),
                                  ("year", library.by_year, urls.document_year),
                                  ("issuer", library.by_issuer, urls.document_issuer)):
        for shelf in shelves:
            jobs += paginate(shelf.items, lambda n, s=shelf.term.slug, u=url_of: u(s, n),
                             "documents.html", {"shelf": shelf, "kind": kind}, per_page, frame)
    plans = [document for shelf in library.plans_by_year for document in shelf.items]
    jobs.append(RenderJob(urls.plans_page(), "plans.html", {},
                          content_key(frame, "plans", *cards(plans),
                                      *(repr(plan.targets) for plan in plans))))
    jobs += _data_files(site, frame)
    return jobs


def _document_page(site: Site, document, frame: str) -> RenderJob:
    news = site.library.named_by.get(document.url, ())
    key = content_key(frame, "document", document.digest, document.html, document.status,
                      repr(document.files), *cards(news))
    return RenderJob(document.url, "document.html", {"doc": document, "news": news}, key)


def _data_files(site: Site, frame: str) -> list[RenderJob]:
    """JSON for the filter form and for the province's open-data portal."""
    base = site.config.base_url
    payloads = {
        site.urls.documents_index(): filter_index(site.library, site.config.base_path),
        "api/news.json": {"items": [news_record(item, site, base) for item in site.news]},
        "api/documents.json": {"items": [document_record(d, site.library, base)
                                         for d in site.library.documents]},
    }
    return [RenderJob(url, "data.json", {"payload": payload},
                      content_key(frame, "data", url, repr(payload)))
            for url, payload in payloads.items()]


def filter_index(library: Library, base_path: str) -> list[dict]:
    """Short keys keep it small on slow connections: number, title, type, year, issuer, url."""
    return [{"n": d.number, "t": d.title, "k": d.type.name, "y": d.year, "i": d.issuer.name,
             "u": base_path + d.url, "d": d.issued.strftime("%d/%m/%Y"), "s": d.status}
            for d in library.documents]


def news_record(item, site: Site, base: str) -> dict:
    return {
        "title": item.title, "url": base + item.url, "date": item.date.isoformat(),
        "category": item.category.name, "tags": [tag.name for tag in item.tags],
        "summary": item.summary, "author": item.author or None, "source": item.source or None,
        "image": base + item.image.lstrip("/") if item.image else None,
        "documents": [d.number for d in site.library.names.get(item.url, ())],
    }


def document_record(document, library: Library, base: str) -> dict:
    def day(value):
        return value.date().isoformat() if value else None

    return {
        "number": document.number, "type": document.type.name, "title": document.title,
        "issuer": document.issuer.name, "issued": day(document.issued),
        "effective": day(document.effective), "expires": day(document.expires),
        "status": document.status, "signer": document.signer or None,
        "field": document.domain or None, "url": base + document.url,
        "files": [{"title": f.title, "url": base + f.path.lstrip("/"), "type": f.kind,
                   "size": f.size} for f in document.files],
        "targets": [{"label": t.label, "value": t.value} for t in document.targets],
        "news": [base + item.url for item in library.named_by.get(document.url, ())],
    }
